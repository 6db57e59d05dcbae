"""The approval queue and the atelier's card settings, after the commit (PROTOCOL.md,
« Validation des cartes », « Tour anonyme »).

A waiting card is sent to the facilitator consoles and to its author's own tabs only, never to
the atelier room: phones and projectors learn of it when it is accepted
(``contribution:created``). Every card here went through ``contribution_dict``, so an anonymous
one names nobody, not even on the console.
"""

from __future__ import annotations

from typing import Any

from facilitation.domain.snapshot import contribution_dict, queue_dict
from facilitation.extensions import socketio
from facilitation.models import Atelier, Contribution
from facilitation.push.rooms import atelier_room, console_room, participant_room


def queued(card: Contribution) -> None:
    """A card entered (or came back to) the queue, or changed while waiting."""
    socketio.emit(
        "approval:queued",
        {"atelier_id": card.atelier_id, "contribution": queue_dict(card)},
        to=console_room(card.atelier_id),
    )
    to_author(card)


def decided(card: Contribution) -> None:
    """A waiting card was accepted or declined: every console takes it out of its queue (a
    declined card comes back with ``approval:queued`` once its author reworks it)."""
    socketio.emit(
        "approval:decided",
        {
            "atelier_id": card.atelier_id,
            "id": card.id,
            "status": card.status,
            "contribution": queue_dict(card),
        },
        to=console_room(card.atelier_id),
    )
    to_author(card)


def to_author(card: Contribution) -> None:
    """The author's own view of their card (every tab of their phone): pending, accepted, or
    declined with the reason."""
    if card.participant_id is None:
        return
    socketio.emit(
        "approval:mine",
        {"atelier_id": card.atelier_id, "contribution": contribution_dict(card, mine=True)},
        to=participant_room(card.participant_id),
    )


def settings_changed(atelier: Atelier, version: int) -> None:
    """« Validation des cartes » turned on or off: phones tell their participants before they
    post (a versioned delta of the atelier)."""
    payload: dict[str, Any] = {
        "atelier_id": atelier.id,
        "version": version,
        "card_approval": atelier.card_approval,
    }
    socketio.emit("atelier:settings", payload, to=atelier_room(atelier.id))
