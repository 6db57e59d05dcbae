"""The floor of ``make bench``: the same stack bare.

    HOST=127.0.0.1 PORT=5099 python -m facilitation.ops.loadtest.floor

Flask + Flask-SocketIO on eventlet, like ``wsgi.py``, with in-memory state and no database,
no rules beyond what keeps the load test's checks meaningful (a set per voter, a budget).
It speaks the subset of the protocol that ``flask loadtest`` uses, with the same shapes:

* HTTP: ``/healthz``; the join form ``/e/<slug>/rejoindre`` (GET sets the session cookie,
  POST records the participant in it and redirects); the load-test fixture
  ``/_loadtest/events`` (create, read the tallies back, remove) and ``/_loadtest/worker``;
* Socket.IO: ``atelier:join`` (ack, then ``atelier:snapshot`` with the cards and the voter's
  own dots), ``contribution:create`` (idempotent by ``client_id``, ack, then
  ``contribution:created`` to the room), ``dot:set`` (a set, idempotent, with its ack).

What the app does on top (database, authorisation, phases, coalesced tallies and presence,
rate limits) is what the bench's ratios app ÷ floor measure. The ``--json`` report of a run
against the floor has the same keys as against the app. Never imported by the app.
"""

from __future__ import annotations

import itertools
import os
import secrets
import threading
from dataclasses import dataclass, field
from typing import Any

#: Cards and dots per voter, as the load-test fixture's open ballot (fixture.MAX_DOTS).
MAX_ATELIERS = 500
MAX_DOTS = 50


@dataclass
class Atelier:
    id: int
    version: int = 0
    #: client_id -> the card as ``contribution:created`` carries it.
    cards: dict[str, dict[str, Any]] = field(default_factory=dict)


@dataclass
class FloorEvent:
    slug: str
    dots: int
    ateliers: dict[int, Atelier]
    #: participant id -> {card id -> dots}; and every dot:set client_id already applied.
    votes: dict[int, dict[int, int]] = field(default_factory=dict)
    applied: set[str] = field(default_factory=set)


class State:
    """Everything the floor holds. One lock: eventlet switches only at I/O, but the
    ``threading`` mode of the tests does not."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.events: dict[str, FloorEvent] = {}
        self.atelier_event: dict[int, FloorEvent] = {}
        self.card_atelier: dict[int, int] = {}
        self.ids = itertools.count(1)
        self.dot_sets = 0

    def create(self, ateliers: int, dots: int) -> FloorEvent:
        with self.lock:
            event = FloorEvent(
                slug=f"loadtest-{secrets.token_hex(4)}",
                dots=dots,
                ateliers={(i := next(self.ids)): Atelier(i) for _ in range(ateliers)},
            )
            self.events[event.slug] = event
            for aid in event.ateliers:
                self.atelier_event[aid] = event
            return event

    def remove(self, slug: str) -> bool:
        with self.lock:
            event = self.events.pop(slug, None)
            if event is None:
                return False
            for aid, atelier in event.ateliers.items():
                self.atelier_event.pop(aid, None)
                for card in atelier.cards.values():
                    self.card_atelier.pop(card["id"], None)
            return True


def tallies(event: FloorEvent) -> dict[str, Any]:
    """The same keys as ``fixture.tallies`` (what the load test reads back)."""
    by_card: dict[str, int] = {}
    for mine in event.votes.values():
        for card, n in mine.items():
            if n:
                by_card[str(card)] = by_card.get(str(card), 0) + n
    cards = {str(aid): len(a.cards) for aid, a in event.ateliers.items()}
    over = sum(1 for mine in event.votes.values() if sum(mine.values()) > event.dots)
    return {
        "slug": event.slug,
        "contributions": sum(cards.values()),
        "contributions_by_atelier": cards,
        "dots": sum(by_card.values()),
        "dots_by_contribution": by_card,
        "over_budget": over,
        "budget_mismatch": 0,
    }


def create_floor(async_mode: str | None = None, token: str | None = None) -> tuple[Any, Any]:
    """The floor's Flask app and its SocketIO, with a fresh :class:`State` (``app.floor``)."""
    from flask import Flask, jsonify, redirect, request, session
    from flask_socketio import SocketIO, emit, join_room, leave_room

    app = Flask("facilitation-floor")
    app.config["SECRET_KEY"] = os.environ.get("SECRET_KEY") or secrets.token_urlsafe(32)
    token = token if token is not None else os.environ.get("LOADTEST_TOKEN")
    socketio = SocketIO(app, async_mode=async_mode, max_http_buffer_size=64 * 1024)
    state = State()
    app.floor = state  # type: ignore[attr-defined]
    #: sid -> (participant id or None, atelier id or None)
    sockets: dict[str, list[int | None]] = {}

    def authorised() -> bool:
        # Same rule as the app's fixture endpoints: a bearer token when one is set.
        return not token or request.headers.get("Authorization", "") == f"Bearer {token}"

    @app.get("/healthz")
    def healthz():  # type: ignore[no-untyped-def]
        return "ok"

    @app.post("/_loadtest/events")
    def create_event():  # type: ignore[no-untyped-def]
        if not authorised():
            return jsonify(ok=False, code="forbidden"), 403
        body = request.get_json(silent=True) or {}
        ateliers, dots = body.get("ateliers"), body.get("dots", 0)
        if not (isinstance(ateliers, int) and 1 <= ateliers <= MAX_ATELIERS) or not (
            isinstance(dots, int) and 0 <= dots <= MAX_DOTS
        ):
            return jsonify(ok=False, code="invalid"), 422
        event = state.create(ateliers, dots)
        return jsonify(slug=event.slug, join_code=event.slug, ateliers=list(event.ateliers)), 201

    @app.get("/_loadtest/events/<slug>")
    def read_event(slug: str):  # type: ignore[no-untyped-def]
        event = state.events.get(slug)
        if not authorised() or event is None:
            return jsonify(ok=False, code="not_found"), 404
        with state.lock:
            return jsonify(tallies(event))

    @app.delete("/_loadtest/events/<slug>")
    def remove_event(slug: str):  # type: ignore[no-untyped-def]
        if not authorised() or not state.remove(slug):
            return jsonify(ok=False, code="not_found"), 404
        return jsonify(ok=True, removed=slug)

    @app.get("/_loadtest/worker")
    def worker():  # type: ignore[no-untyped-def]
        return jsonify(pid=os.getpid(), sockets=len(sockets), dot_sets=state.dot_sets)

    @app.route("/e/<slug>/rejoindre", methods=["GET", "POST"])
    def join(slug: str):  # type: ignore[no-untyped-def]
        event = state.events.get(slug)
        if event is None:
            return "introuvable", 404
        if request.method == "GET":
            session.setdefault("csrf", secrets.token_urlsafe(16))
            return (
                '<form method="post"><input type="hidden" name="csrf_token" '
                f'value="{session["csrf"]}"></form>'
            )
        if request.form.get("csrf_token") != session.get("csrf"):
            return "csrf", 400
        session["participant"] = next(state.ids)
        session["event"] = slug
        return redirect(f"/e/{slug}/", 303)

    @socketio.on("connect")
    def connect(auth: Any = None) -> None:
        sockets[request.sid] = [session.get("participant"), None]  # type: ignore[attr-defined]

    @socketio.on("disconnect")
    def disconnect(*_: Any) -> None:
        sockets.pop(request.sid, None)  # type: ignore[attr-defined]

    def refuse(code: str) -> dict[str, Any]:
        return {"ok": False, "code": code, "message": code, "errors": {}}

    def atelier_of(payload: Any) -> tuple[FloorEvent, Atelier] | None:
        aid = payload.get("atelier_id") if isinstance(payload, dict) else None
        event = state.atelier_event.get(aid) if isinstance(aid, int) else None
        return (event, event.ateliers[aid]) if event else None

    @socketio.on("atelier:join")
    def atelier_join(payload: Any = None) -> dict[str, Any]:
        found = atelier_of(payload)
        if found is None:
            return refuse("not_found")
        event, atelier = found
        me = sockets.get(request.sid)  # type: ignore[attr-defined]
        if me is not None:
            if me[1] is not None and me[1] != atelier.id:
                leave_room(f"atelier:{me[1]}")
            me[1] = atelier.id
        join_room(f"atelier:{atelier.id}")
        with state.lock:
            cards = list(atelier.cards.values())
            mine = dict(event.votes.get(me[0], {})) if me and me[0] else {}
        emit(
            "atelier:snapshot",
            {
                "atelier": {"id": atelier.id, "version": atelier.version},
                "contributions": cards,
                "vote": {"mine": {"dots": {str(k): v for k, v in mine.items() if v}}},
            },
        )
        return {"ok": True, "version": atelier.version}

    @socketio.on("contribution:create")
    def contribution_create(payload: Any = None) -> dict[str, Any]:
        found = atelier_of(payload)
        me = sockets.get(request.sid)  # type: ignore[attr-defined]
        if found is None or not me or me[0] is None:
            return refuse("not_found" if found is None else "forbidden")
        _event, atelier = found
        cid = payload.get("client_id")
        if not isinstance(cid, str) or not 8 <= len(cid) <= 64:
            return refuse("invalid")
        with state.lock:
            card = atelier.cards.get(cid)
            duplicate = card is not None
            if card is None:
                card = {
                    "id": next(state.ids),
                    "client_id": cid,
                    "kind": "pratique",
                    **{k: str(payload.get(k) or "")[:2000] for k in (
                        "titre", "description", "structure", "commune", "public_concerne")},
                    "author": {"id": me[0], "display_name": ""},
                    "edited": False, "pinned": False, "hidden": False, "category_id": None,
                    "merged": [],
                }  # fmt: skip
                atelier.cards[cid] = card
                atelier.version += 1
                state.card_atelier[card["id"]] = atelier.id
            version = atelier.version
        if not duplicate:
            emit(
                "contribution:created",
                {"atelier_id": atelier.id, "version": version, "contribution": card},
                to=f"atelier:{atelier.id}",
            )
        return {"ok": True, "duplicate": duplicate, "contribution": card}

    @socketio.on("dot:set")
    def dot_set(payload: Any = None) -> dict[str, Any]:
        state.dot_sets += 1
        found = atelier_of(payload)
        me = sockets.get(request.sid)  # type: ignore[attr-defined]
        if found is None:
            return refuse("not_found")
        event, atelier = found
        card, count, cid = (payload.get(k) for k in ("contribution_id", "count", "client_id"))
        if state.card_atelier.get(card) != atelier.id:  # type: ignore[arg-type]
            return refuse("not_found")
        if not me or me[0] is None:
            return refuse("forbidden")
        if not isinstance(count, int) or not 0 <= count <= event.dots or not isinstance(cid, str):
            return refuse("invalid")
        with state.lock:
            mine = event.votes.setdefault(me[0], {})
            duplicate = cid in event.applied
            if not duplicate:
                if sum(mine.values()) - mine.get(card, 0) + count > event.dots:
                    return refuse("over_budget")
                mine[card] = count
                event.applied.add(cid)
            left = event.dots - sum(mine.values())
            dots = {str(k): v for k, v in mine.items() if v}
        return {
            "ok": True,
            "client_id": cid,
            "atelier_id": atelier.id,
            "duplicate": duplicate,
            "mine": {"dots": dots},
            "dots_left": left,
        }

    return app, socketio


def main() -> None:
    """Serve the floor on ``HOST``:``PORT`` with eventlet, as ``wsgi.py`` serves the app."""
    import eventlet

    eventlet.monkey_patch()
    host = os.environ.get("HOST", "127.0.0.1")
    port = int(os.environ.get("PORT", "5099"))
    app, socketio = create_floor("eventlet")
    # The same connection cap as wsgi.py (eventlet's default of 1,024 would hang phone 1,025).
    socketio.run(
        app,
        host=host,
        port=port,
        log_output=False,
        max_size=int(os.environ.get("MAX_CONNECTIONS", "20000")),
    )


if __name__ == "__main__":
    main()
