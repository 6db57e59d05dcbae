"""Operator-only HTTP endpoints to create, read back and remove a load-test event.

They exist only when the server is started with ``LOADTEST_TOKEN`` set (otherwise every
path here answers 404, as if absent), and every call must carry
``Authorization: Bearer <LOADTEST_TOKEN>``. Only events made by :mod:`fixture` can be read
or removed. Chosen over a CLI-only path because the load test usually runs on another
machine than the server; ``flask loadtest-event`` is the fallback on the server itself.
"""

from __future__ import annotations

import hmac
import os
from typing import Any

from flask import Blueprint, abort, current_app, jsonify, request
from flask.blueprints import BlueprintSetupState

from facilitation.domain import access
from facilitation.domain.errors import DomainError
from facilitation.extensions import db, socketio
from facilitation.ops.loadtest import fixture

bp = Blueprint("loadtest", __name__, url_prefix="/_loadtest")

COUNTS = "facilitation.loadtest_counts"


@bp.before_request
def operator_only():  # type: ignore[no-untyped-def]
    token = current_app.config.get("LOADTEST_TOKEN")
    if not token:
        abort(404)
    scheme, _, given = request.headers.get("Authorization", "").partition(" ")
    if scheme != "Bearer" or not hmac.compare_digest(given.strip().encode(), str(token).encode()):
        return jsonify(ok=False, code="forbidden", message="Jeton de test de charge invalide."), 403
    return None


@bp.errorhandler(DomainError)
def refused(exc: DomainError):  # type: ignore[no-untyped-def]
    db.session.rollback()
    return jsonify(exc.as_dict()), exc.http_status


@bp.post("/events")
def create():  # type: ignore[no-untyped-def]
    """``{ateliers: K, dots?: D, words?: W}`` → 201 ``{slug, join_code, ateliers: [id...]}``.

    ``dots`` > 0 opens a dot-vote of D dots per phone in every atelier; ``words`` > 0 an
    « en un mot » cloud of W words per phone. ``consoles: true`` also answers
    ``facilitator_path`` (``/f/<token>``, an event-wide facilitator link) so the run can
    connect a console to each atelier (the facilitator's assistant at work).
    """
    body = request.get_json(silent=True) or {}
    ateliers, dots, words = body.get("ateliers"), body.get("dots", 0), body.get("words", 0)
    if not all(isinstance(v, int) and not isinstance(v, bool) for v in (ateliers, dots, words)):
        return jsonify(
            ok=False,
            code="invalid",
            message="« ateliers », « dots » et « words » : des entiers attendus.",
        ), 422
    try:
        event = fixture.create_event(ateliers, dots, words)
    except ValueError as exc:
        return jsonify(ok=False, code="invalid", message=str(exc)), 422
    data = fixture.describe(event)
    if body.get("consoles") is True:
        _link, secret = access.create_facilitator_link(event, None, "Test de charge")
        data["facilitator_path"] = f"/f/{secret}"
    db.session.commit()
    return jsonify(data), 201


@bp.get("/events/<slug>")
def read(slug: str):  # type: ignore[no-untyped-def]
    """The tallies of a load-test event: cards per atelier, dots (``null`` without voting)."""
    return jsonify(fixture.tallies(fixture.get_loadtest_event(slug)))


@bp.delete("/events/<slug>")
def remove(slug: str):  # type: ignore[no-untyped-def]
    fixture.remove_event(slug)
    db.session.commit()
    return jsonify(ok=True, removed=slug)


@bp.get("/worker")
def worker():  # type: ignore[no-untyped-def]
    """This worker's own counts, for a run behind a proxy: which worker served how much.

    ``sockets``: Engine.IO connections open on this process now; ``dot_sets``: ``dot:set``
    events it handled since it started (counted only when it started with ``LOADTEST_TOKEN``).
    """
    counts = current_app.extensions.get(COUNTS) or {}
    return jsonify(
        pid=os.getpid(),
        sockets=len(socketio.server.eio.sockets) if socketio.server else 0,
        dot_sets=counts.get("dot_set"),
    )


@bp.record_once
def count_taps(state: BlueprintSetupState) -> None:
    """With ``LOADTEST_TOKEN`` at start, count this process's ``dot:set`` events.

    The count wraps the registered handler from here (load-test code only), so the realtime
    handlers stay as they are and a server without the token runs exactly without it.
    """
    app = state.app
    server = socketio.server
    if not app.config.get("LOADTEST_TOKEN") or server is None:
        return
    handlers = server.handlers.get("/", {})
    inner = handlers.get("dot:set")
    if inner is None:
        return
    counts = app.extensions.setdefault(COUNTS, {"dot_set": 0})

    def counted(*args: Any) -> Any:
        counts["dot_set"] += 1
        return inner(*args)

    handlers["dot:set"] = counted
