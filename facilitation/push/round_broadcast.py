"""Emitting rounds, moderation, projector modes and announcements, after the commit;
and the round ticker that closes timed rounds at zero.

Rooms: ``atelier:<id>`` (phones, projectors and consoles), ``console:<id>`` (facilitator
consoles of one atelier: they also get hidden cards), ``event:<id>`` (the organizers'
control room). Every atelier delta carries the atelier's ``version``.

Beside ``broadcast`` (not inside ``realtime``) because ``web`` sends too, and the ticker
runs from the app, not from a socket event.
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask

from facilitation.domain import rounds
from facilitation.domain.phases import round_dict
from facilitation.domain.snapshot import contribution_dict, projector_dict
from facilitation.extensions import db, socketio
from facilitation.models import Atelier, Contribution, Round
from facilitation.models.base import utcnow
from facilitation.push import vote_broadcast
from facilitation.push.broadcast import atelier_room

log = logging.getLogger(__name__)


def console_room(atelier_id: int) -> str:
    return f"console:{atelier_id}"


def event_room(event_id: int) -> str:
    return f"event:{event_id}"


def round_changed(atelier: Atelier, rnd: Round, version: int) -> None:
    """The round's phase or timer changed: every phone, projector and console switches."""
    now = utcnow()
    payload = {
        "atelier_id": atelier.id,
        "version": version,
        "round": round_dict(rnd, now),
        # Clients count down from the server's clock, not their own.
        "server_time": now.isoformat(),
    }
    socketio.emit("round:changed", payload, to=atelier_room(atelier.id))
    # The phase may have opened, revealed or closed the ballot (domain.voting.on_round_phase):
    # send that now, not at the next tally tick, so phones switch banner and ballot together.
    vote_broadcast.flush(atelier.id)
    socketio.emit(
        "control:atelier",
        {"event_id": atelier.event_id, "atelier_id": atelier.id, "round": payload["round"]},
        to=event_room(atelier.event_id),
    )


def card_changed(
    card: Contribution, version: int, merged: list[Contribution] | None = None
) -> None:
    """A card was edited, hidden, shown, pinned, sorted, withdrawn or merged.

    Phones and projectors never receive the text of a hidden card: for them it is removed
    (``reason``), and the consoles get its full view in ``moderation:card``.
    """
    atelier_id = card.atelier_id
    data = contribution_dict(card, merged or [])
    if card.visible:
        socketio.emit(
            "contribution:updated",
            {"atelier_id": atelier_id, "version": version, "contribution": data},
            to=atelier_room(atelier_id),
        )
        return
    reason = (
        "withdrawn"
        if card.withdrawn_at is not None
        else "merged"
        if card.merged_into_id is not None
        else "hidden"
    )
    socketio.emit(
        "contribution:removed",
        {
            "atelier_id": atelier_id,
            "version": version,
            "id": card.id,
            "reason": reason,
            "merged_into_id": card.merged_into_id,
        },
        to=atelier_room(atelier_id),
    )
    if reason == "hidden":
        socketio.emit(
            "moderation:card",
            {"atelier_id": atelier_id, "version": version, "contribution": data},
            to=console_room(atelier_id),
        )


def category_created(atelier_id: int, version: int, category: dict[str, Any]) -> None:
    socketio.emit(
        "category:created",
        {"atelier_id": atelier_id, "version": version, "category": category},
        to=atelier_room(atelier_id),
    )


def projector_mode(atelier: Atelier, version: int) -> None:
    socketio.emit(
        "projector:mode",
        {"atelier_id": atelier.id, "version": version, "projector": projector_dict(atelier)},
        to=atelier_room(atelier.id),
    )


def announcement(event_id: int, atelier_ids: list[int], message: dict[str, Any]) -> None:
    """To every phone, projector and console of the event, and the control room."""
    rooms = [atelier_room(a) for a in atelier_ids] + [event_room(event_id)]
    socketio.emit("announcement", message, to=rooms)


def announcement_cleared(event_id: int, atelier_ids: list[int], announcement_id: int) -> None:
    """The organizer withdrew an announcement: every screen takes it down."""
    rooms = [atelier_room(a) for a in atelier_ids] + [event_room(event_id)]
    socketio.emit("announcement:cleared", {"event_id": event_id, "id": announcement_id}, to=rooms)


def sequence_changed(event_id: int, atelier_ids: list[int], agenda: dict[str, Any]) -> None:
    rooms = [atelier_room(a) for a in atelier_ids] + [event_room(event_id)]
    socketio.emit("agenda:changed", agenda, to=rooms)


def consoles_connected(atelier_id: int) -> int:
    """Facilitator consoles open on this atelier, in this worker (python-socketio drops a
    socket from its rooms when it disconnects, so no bookkeeping can go stale)."""
    manager = socketio.server.manager if socketio.server else None
    if manager is None:
        return 0
    try:
        return sum(1 for _ in manager.get_participants("/", console_room(atelier_id)))
    except KeyError:
        return 0


# ------------------------------------------------------------------------- ticker
_ticker_lock = threading.Lock()
_ticker_started = False


def tick(app: Flask) -> int:
    """Close every round whose timer reached zero and tell its room; return how many.

    Several workers may tick at once: ``rounds.settle`` is a compare-and-set, so each round
    is closed (and broadcast) by exactly one of them.
    """
    closed = 0
    with app.app_context():
        try:
            for rnd in rounds.due_rounds():
                version = rounds.settle(rnd)
                if version is None:
                    db.session.rollback()
                    continue
                atelier = rnd.atelier
                db.session.commit()
                round_changed(atelier, rnd, version)
                closed += 1
        except Exception:
            db.session.rollback()
            log.exception("round ticker failed; trying again at the next tick")
        finally:
            db.session.remove()
    return closed


def ensure_ticker(app: Flask) -> None:
    """Start this process's ticker once (``ROUND_TICKER_SECONDS``; 0 disables it).

    Cheap by design: one indexed query per second per worker, no per-round timers to lose
    on a restart (the deadline is in the database; a restarted server closes overdue rounds
    at its first tick).
    """
    global _ticker_started
    interval = float(app.config.get("ROUND_TICKER_SECONDS", 1.0) or 0)
    if interval <= 0 or _ticker_started:
        return
    with _ticker_lock:
        if _ticker_started:
            return
        _ticker_started = True

    def loop() -> None:
        while True:
            socketio.sleep(interval)
            tick(app)

    socketio.start_background_task(loop)
