"""Who's who and tour de table, after the commit.

Only counts and the tour's public state travel to the room (projectors are anonymous
viewers); the list of people itself is read with the authorised ``whoswho:get``.
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from facilitation.domain import profiles, tour
from facilitation.extensions import db, per_app, socketio
from facilitation.models import Atelier
from facilitation.push.coalesce import Coalescer
from facilitation.push.rooms import atelier_room

EXTENSION = "facilitation.whoswho_flusher"


def whoswho_changed(atelier_id: int, visible: int) -> None:
    """Someone joined, left or edited their profile: phones re-read the who's who."""
    socketio.emit(
        "whoswho:changed",
        {"atelier_id": atelier_id, "visible": visible},
        to=atelier_room(atelier_id),
    )


def tour_changed(atelier_id: int, state: dict[str, Any]) -> None:
    """The tour de table moved on (``state`` is ``domain.tour.tour_state``)."""
    socketio.emit("tour:changed", state, to=atelier_room(atelier_id))


def notify_whoswho(*atelier_ids: int | None) -> None:
    """After a commit: tell the ateliers' rooms that their who's who changed.

    A running tour de table is re-sent too (same version): the person on screen who edits or
    hides their profile is updated, or masked, at once. ``None`` ids are skipped, repeats
    sent once.
    """
    for atelier_id in {a for a in atelier_ids if a}:
        atelier = db.session.get(Atelier, atelier_id)
        if atelier is None:
            continue
        whoswho_changed(atelier.id, len(profiles.visible_in_atelier(atelier)))
        running = tour.get_tour(atelier)
        if running is not None and running.active:
            tour_changed(atelier.id, tour.tour_state(atelier, running))


class WhoswhoFlusher(Coalescer):
    """Ateliers whose who's who changed by a count only, told at most once per interval.

    A plain join (no profile shown) changes only how many people are present without a
    visible profile. Told at once, every join of a ramp would send a message to every phone
    already there: O(n²) messages for a room of n, a large share of a join's cost. Names
    (a visible profile, an edit, a hidden one) are still told at once (``notify_whoswho``).
    """

    setting = "WHOSWHO_INTERVAL"
    default_interval = 1.0
    idle_rounds = 20
    label = "who's who"

    def _send(self, work: dict[int, bool]) -> None:
        with self.app.app_context():
            try:
                notify_whoswho(*sorted(work))
                self.sent += len(work)
            finally:
                db.session.remove()


def flusher(app: Flask | None = None) -> WhoswhoFlusher:
    return per_app(EXTENSION, WhoswhoFlusher, app)


def whoswho_counts_changed(*atelier_ids: int | None) -> None:
    """After a commit: only the count of people present changed in these ateliers (a plain
    join or move); their rooms hear it within ``WHOSWHO_INTERVAL`` seconds, once."""
    target = flusher()
    for atelier_id in {a for a in atelier_ids if a}:
        target.mark(atelier_id)


def flush() -> int:
    """Send the pending who's who notices now (tests)."""
    return flusher().flush()
