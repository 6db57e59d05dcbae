"""Who's who and tour de table, after the commit.

Only counts and the tour's public state travel to the room (projectors are anonymous
viewers); the list of people itself is read with the authorised ``whoswho:get``.
"""

from __future__ import annotations

from typing import Any

from facilitation.domain import profiles, tour
from facilitation.extensions import db, socketio
from facilitation.models import Atelier
from facilitation.push.rooms import atelier_room


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
