"""« Moi aussi » counts reach the room after the commit, coalesced (see ``push.coalesce``).

A tap only marks its atelier dirty; a background task sends one ``reaction:counts`` per
dirty atelier and interval (``REACTION_INTERVAL`` seconds), carrying every card's counts
read from the database at that moment. A room of 200 phones tapping within a second thus
costs one message to the room, not 200: per tap the room would receive O(room) copies, so a
burst would cost O(room²) writes. The counts are read from committed data, so any worker
may send them (the message queue delivers them to every worker's sockets).

The tapping phone does not wait for it: its ack carries the card's counts and its own
state. The participant's other tabs get ``reaction:mine`` at once (a small message to one
person). ``REACTION_INTERVAL = 0`` disables the task: counts go out when ``flush()`` is
called (tests count messages this way).
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from facilitation.domain.reactions import atelier_counts
from facilitation.extensions import db, per_app, socketio
from facilitation.push.coalesce import Coalescer
from facilitation.push.rooms import atelier_room, participant_room

EXTENSION = "facilitation.reaction_flusher"
DEFAULT_INTERVAL = 1.0
IDLE_ROUNDS = 20


class ReactionFlusher(Coalescer):
    setting = "REACTION_INTERVAL"
    default_interval = DEFAULT_INTERVAL
    idle_rounds = IDLE_ROUNDS
    label = "reaction counts"

    def _send(self, work: dict[int, bool]) -> None:
        with self.app.app_context():
            try:
                for atelier_id in work:
                    socketio.emit(
                        "reaction:counts",
                        {"atelier_id": atelier_id, "counts": atelier_counts(atelier_id)},
                        to=atelier_room(atelier_id),
                    )
                    self.sent += 1
            finally:
                db.session.remove()


def flusher(app: Flask | None = None) -> ReactionFlusher:
    return per_app(EXTENSION, ReactionFlusher, app)


def changed(atelier_id: int) -> None:
    """Call after the commit: ``atelier_id``'s counts go out with the next flush."""
    flusher().mark(atelier_id)


def flush(atelier_id: int | None = None) -> int:
    return flusher().flush(atelier_id)


def send_mine(
    participant_id: int, atelier_id: int, data: dict[str, Any], skip_sid: str | None = None
) -> None:
    """The participant's own state on one card, to their other tabs."""
    socketio.emit(
        "reaction:mine",
        {"atelier_id": atelier_id, **data},
        to=participant_room(participant_id),
        skip_sid=skip_sid,
    )
