"""Messages for every screen of an event, after the commit: announcements, the agenda, the
event's name and branding.

They go to every atelier room of the event (and the control room, except branding), and
carry no atelier version: they are not part of any one atelier's wall.
"""

from __future__ import annotations

from typing import Any

from facilitation.extensions import socketio
from facilitation.push.rooms import atelier_room, event_room


def _everyone(event_id: int, atelier_ids: list[int]) -> list[str]:
    return [atelier_room(a) for a in atelier_ids] + [event_room(event_id)]


def announcement(event_id: int, atelier_ids: list[int], message: dict[str, Any]) -> None:
    """To every phone, projector and console of the event, and the control room."""
    socketio.emit("announcement", message, to=_everyone(event_id, atelier_ids))


def announcement_cleared(event_id: int, atelier_ids: list[int], announcement_id: int) -> None:
    """The organizer withdrew an announcement: every screen takes it down."""
    socketio.emit(
        "announcement:cleared",
        {"event_id": event_id, "id": announcement_id},
        to=_everyone(event_id, atelier_ids),
    )


def sequence_changed(event_id: int, atelier_ids: list[int], agenda: dict[str, Any]) -> None:
    """The organizers moved the day on: every screen shows the new agenda."""
    socketio.emit("agenda:changed", agenda, to=_everyone(event_id, atelier_ids))


def event_updated(atelier_ids: list[int], message: dict[str, Any]) -> None:
    """The event's name or branding changed: every open screen of its ateliers redraws."""
    if atelier_ids:
        socketio.emit("event:updated", message, to=[atelier_room(a) for a in atelier_ids])
