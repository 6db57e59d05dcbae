"""The Socket.IO events of PROTOCOL.md."""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from typing import Any, TypeVar

from flask import current_app, request
from flask_babel import gettext, lazy_gettext
from flask_socketio import emit, join_room, leave_room

from facilitation.domain.contributions import create_contribution
from facilitation.domain.errors import DomainError, NotFound
from facilitation.domain.snapshot import atelier_snapshot, contribution_dict
from facilitation.domain.validation import N_, integer_id
from facilitation.edge.dbretry import with_write_retries
from facilitation.edge.identity import actor_for, note_atelier, participant_for
from facilitation.edge.ratelimit import take_socket_token
from facilitation.extensions import db, socketio
from facilitation.models import Atelier, Event
from facilitation.models.contribution import CardStatus
from facilitation.push import approval as approval_push
from facilitation.push import cards, cluster_presence
from facilitation.push import presence as presence_broadcast
from facilitation.push.presence import presence
from facilitation.push.rooms import atelier_room, participant_room
from facilitation.realtime import sessions, snapshots
from facilitation.realtime.origin import origin_allowed

log = logging.getLogger(__name__)

Handler = Callable[[dict[str, Any]], dict[str, Any]]
T = TypeVar("T")

SERVER_ERROR = lazy_gettext("Une erreur est survenue sur le serveur. Réessayez dans un instant.")


def event(name: str, *, write: bool = True) -> Callable[[Handler], Handler]:
    """Register a handler with its own DB session scope and uniform error answers.

    A refused event rolls back, answers the ack with the error object and also emits
    ``app:error`` to the sender, so clients without an ack callback still learn about it.
    Every event takes a rate-limit token first (``write`` or read bucket, see
    facilitation/edge/ratelimit.py: code ``rate_limited``), and runs again, bounded, when SQLite
    is busy (facilitation/edge/dbretry.py: code ``busy``). Events are writes unless declared
    ``write=False``, so a new event is limited as a write by default.
    """

    def decorate(fn: Handler) -> Handler:
        @functools.wraps(fn)
        def wrapper(payload: Any = None, *_: Any) -> dict[str, Any]:
            # A fresh app context gives the event its own scoped DB session, whatever context
            # the server (or the test client) ran it in; removing it leaves no other intact.
            with current_app.app_context():
                try:
                    take_socket_token("write" if write else "read")
                    if not isinstance(payload, dict):
                        raise DomainError(gettext("Requête invalide : un objet était attendu."))
                    return with_write_retries(lambda: fn(payload))
                except DomainError as exc:
                    db.session.rollback()
                    return _refuse(name, exc.as_dict(), payload)
                except Exception:
                    db.session.rollback()
                    log.exception("socket event %s failed", name)
                    body = {
                        "ok": False,
                        "code": "server_error",
                        "message": str(SERVER_ERROR),
                        "errors": {},
                    }
                    return _refuse(name, body, payload)
                finally:
                    db.session.remove()

        socketio.on(name)(wrapper)
        return wrapper

    return decorate


def _refuse(name: str, body: dict[str, Any], payload: Any) -> dict[str, Any]:
    body["event"] = name
    if isinstance(payload, dict) and isinstance(payload.get("client_id"), str):
        body["client_id"] = payload["client_id"][:64]
    emit("app:error", body)
    return body


def _named(payload: dict[str, Any], model: type[T], key: str, label: str, missing: str) -> T:
    """The row of ``model`` whose id is ``payload[key]``; ``NotFound(missing)`` otherwise.
    ``label`` and ``missing`` are French, marked with ``N_``, translated here."""
    row = db.session.get(model, integer_id(payload.get(key), key, label))
    if row is None:
        raise NotFound(gettext(missing))
    return row


def atelier_from(payload: dict[str, Any]) -> Atelier:
    """The atelier named by ``payload["atelier_id"]``; ``NotFound`` (French) otherwise."""
    return _named(payload, Atelier, "atelier_id", N_("un atelier"), N_("Cet atelier n'existe pas."))


def event_from(payload: dict[str, Any]) -> Event:
    """The event named by ``payload["event_id"]``; ``NotFound`` (French) otherwise."""
    return _named(payload, Event, "event_id", N_("un événement"), N_("Cet événement n'existe pas."))


@socketio.on("connect")
def on_connect(auth: Any = None) -> None:
    # Anyone may connect: without a participant cookie the socket is a read-only viewer
    # (the projector). Every write below checks the participant.
    #
    # Same origin only. python-engineio already refuses a foreign Origin at the handshake
    # (cors_allowed_origins=None); this check says so here too and holds if that setting
    # changes. Together they are what makes the events safe from cross-site request forgery:
    # a page on another site cannot open a socket carrying our cookie, so the events need
    # no CSRF token (the HTTP forms have one, see web/csrf.py).
    if not origin_allowed(request.headers.get("Origin"), request.environ):
        raise ConnectionRefusedError(
            {
                "code": "forbidden_origin",
                "message": gettext("Connexion refusée : origine non autorisée."),
            }
        )
    # With several workers: this worker publishes its counts for the control room.
    cluster_presence.ensure_publisher(current_app._get_current_object())  # type: ignore[attr-defined]
    # A logout or a revoked link disconnects this socket at once (realtime/sessions.py).
    sessions.bind()
    return None


@socketio.on("disconnect")
def on_disconnect(*_: Any) -> None:
    left = presence.leave(request.sid)  # type: ignore[attr-defined]
    if left is not None:
        presence_broadcast.changed(left)


@event("atelier:join", write=False)
def join_atelier(payload: dict[str, Any]) -> dict[str, Any]:
    # Before the first read of this event's transaction (see realtime/snapshots.py).
    seen = snapshots.generation()
    atelier = atelier_from(payload)
    note_atelier(atelier.id, atelier.event_id)
    participant = participant_for(atelier.event_id)
    sid = request.sid  # type: ignore[attr-defined]
    left = presence.enter(sid, atelier.id, participant.id if participant else None)
    if left is not None and left != atelier.id:
        leave_room(atelier_room(left))
        presence_broadcast.changed(left)
    join_room(atelier_room(atelier.id))
    if participant is not None:
        # Their own cards' approval (accepted, declined with a reason) reach every tab.
        join_room(participant_room(participant.id))
    connected = presence.count(atelier.id)
    # The actor: the snapshot carries this phone's own dots (vote resync on reconnect).
    snapshot = atelier_snapshot(
        atelier,
        connected,
        actor=actor_for(atelier.event_id),
        shared=snapshots.cache().shared(atelier, seen),
    )
    atelier_id, version = atelier.id, atelier.version
    # The connection goes back to the pool before the emit, which waits (the
    # snapshot's JSON, the Redis publish) and lets other green threads run; held across it,
    # a read transaction sat « idle in transaction » and, in a storm of rejoins, ran the
    # pool out. Nothing below reads the database.
    db.session.close()
    emit("atelier:snapshot", snapshot)
    # The others hear the new count from the coalesced ``presence`` (push/presence.py).
    presence_broadcast.changed(atelier_id)
    return {"ok": True, "version": version}


@event("atelier:leave", write=False)
def leave_atelier(payload: dict[str, Any]) -> dict[str, Any]:
    atelier_id = integer_id(payload.get("atelier_id"), "atelier_id", N_("un atelier"))
    sid = request.sid  # type: ignore[attr-defined]
    if presence.atelier_of(sid) == atelier_id:
        presence.leave(sid)
        presence_broadcast.changed(atelier_id)
    leave_room(atelier_room(atelier_id))
    return {"ok": True}


@event("contribution:create")
def create(payload: dict[str, Any]) -> dict[str, Any]:
    atelier = atelier_from(payload)
    card, version = create_contribution(participant_for(atelier.event_id), atelier, payload)
    data = contribution_dict(card)
    # The author's own view: « votre carte », and whether it waits for approval.
    mine = contribution_dict(card, mine=True)
    waiting = card.status != CardStatus.ACCEPTED
    # A retry of a waiting card is answered like its first post (still one row).
    duplicate = version is None and not waiting
    db.session.commit()
    if version is not None:
        cards.contribution_created(atelier.id, version, data)
    elif waiting:
        # Waits for the facilitator: the consoles and the author's tabs hear of it, not the
        # room (a retry sends it again: the consoles key their queue by id).
        approval_push.queued(card)
    return {"ok": True, "duplicate": duplicate, "contribution": mine}
