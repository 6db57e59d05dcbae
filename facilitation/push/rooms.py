"""Every Socket.IO room name, in one place.

Handlers join these rooms and the push modules send to them; keeping the names here means a
room is spelled once, and a reader sees at a glance who can hear what:

* ``atelier:<id>``: everyone in an atelier (phones, projectors, consoles);
* ``atelier:<id>:animation``: its facilitators (hidden tallies);
* ``console:<id>``: its facilitator consoles (hidden cards, and how the régie counts them);
* ``event:<id>``: the organizers' control room of an event;
* ``participant:<id>``: every tab of one participant (their own dots).
"""

from __future__ import annotations

CONSOLE_PREFIX = "console:"


def atelier_room(atelier_id: int) -> str:
    """Everyone who joined the atelier: phones, projectors and consoles."""
    return f"atelier:{atelier_id}"


def facilitators_room(atelier_id: int) -> str:
    """The atelier's facilitators: tallies still hidden from the room."""
    return f"atelier:{atelier_id}:animation"


def console_room(atelier_id: int) -> str:
    """The atelier's facilitator consoles: they also get hidden cards."""
    return f"{CONSOLE_PREFIX}{atelier_id}"


def console_atelier(room: object) -> int | None:
    """The atelier id of a ``console_room`` name; None for any other room."""
    if not isinstance(room, str) or not room.startswith(CONSOLE_PREFIX):
        return None
    try:
        return int(room.removeprefix(CONSOLE_PREFIX))
    except ValueError:
        return None


def event_room(event_id: int) -> str:
    """The organizers' control room (régie) of an event."""
    return f"event:{event_id}"


def participant_room(participant_id: int) -> str:
    """Every tab of one participant."""
    return f"participant:{participant_id}"
