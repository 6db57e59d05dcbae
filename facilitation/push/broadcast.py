"""Emitting to atelier rooms, after the commit.

Lives beside ``web`` and ``realtime`` rather than inside ``realtime`` because both send: a
card posted by a phone without JavaScript (an HTML form) must reach the room too.
"""

from __future__ import annotations

from typing import Any

from facilitation.extensions import socketio


def atelier_room(atelier_id: int) -> str:
    return f"atelier:{atelier_id}"


def contribution_created(atelier_id: int, version: int, card: dict[str, Any]) -> None:
    socketio.emit(
        "contribution:created",
        {"atelier_id": atelier_id, "version": version, "contribution": card},
        to=atelier_room(atelier_id),
    )


def presence(atelier_id: int, connected: int) -> None:
    socketio.emit(
        "presence", {"atelier_id": atelier_id, "connected": connected}, to=atelier_room(atelier_id)
    )


# -- interconnaissance (issue 9) -----------------------------------------------------------
def whoswho_changed(atelier_id: int, visible: int) -> None:
    """Someone joined, left or edited their profile: phones re-read the who's who.

    Only a count travels to the room (projectors are anonymous viewers); the list itself is
    read with the authorised ``whoswho:get``.
    """
    socketio.emit(
        "whoswho:changed",
        {"atelier_id": atelier_id, "visible": visible},
        to=atelier_room(atelier_id),
    )


def tour_changed(atelier_id: int, state: dict[str, Any]) -> None:
    socketio.emit("tour:changed", state, to=atelier_room(atelier_id))


# -- chantiers (issue 4) -------------------------------------------------------------------
def chantier_updated(atelier_id: int, version: int, chantier: dict[str, Any]) -> None:
    """A chantier's public read model after an addition, comment, consolidation, engagement.

    ``chantier`` must be the public view (``domain.chantiers.chantier_view``): no contacts.
    """
    socketio.emit(
        "chantier:updated",
        {"atelier_id": atelier_id, "version": version, "chantier": chantier},
        to=atelier_room(atelier_id),
    )


# -- organizer set-up (issue 3) ------------------------------------------------------------
def atelier_updated(atelier_id: int, version: int, atelier: dict[str, Any]) -> None:
    """The organizer renamed the atelier or changed its theme, question or room while it runs.

    ``atelier`` is ``domain.snapshot.atelier_dict``, the snapshot's ``atelier``.
    """
    socketio.emit(
        "atelier:updated",
        {"atelier_id": atelier_id, "version": version, "atelier": atelier},
        to=atelier_room(atelier_id),
    )


def event_updated(atelier_ids: list[int], message: dict[str, Any]) -> None:
    """The event's name or branding changed: every open screen of its ateliers redraws.

    Event-wide like an announcement, so it carries no atelier version.
    """
    if atelier_ids:
        socketio.emit("event:updated", message, to=[atelier_room(a) for a in atelier_ids])
