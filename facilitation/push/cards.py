"""Cards on the wall, after the commit: posted, changed, removed; categories; chantier cards.

Phones and projectors never receive the text of a hidden card: for them it is removed, and
only the facilitator consoles get its full view. Every message carries the atelier's
``version`` so a client can tell it missed one and resync.
"""

from __future__ import annotations

from typing import Any

from facilitation.domain.snapshot import contribution_dict
from facilitation.extensions import socketio
from facilitation.models import Contribution
from facilitation.push import assistant
from facilitation.push.rooms import atelier_room, console_room


def contribution_created(atelier_id: int, version: int, card: dict[str, Any]) -> None:
    """A new visible card (``card`` is ``domain.snapshot.contribution_dict``)."""
    socketio.emit(
        "contribution:created",
        {"atelier_id": atelier_id, "version": version, "contribution": card},
        to=atelier_room(atelier_id),
    )
    assistant.changed(atelier_id)


def card_changed(
    card: Contribution, version: int, merged: list[Contribution] | None = None
) -> None:
    """A card was edited, hidden, shown, pinned, sorted, withdrawn or merged.

    Phones and projectors never receive the text of a hidden card: for them it is removed
    (``reason``), and the consoles get its full view in ``moderation:card``.
    """
    atelier_id = card.atelier_id
    assistant.changed(atelier_id)
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
    card_removed(atelier_id, version, card.id, reason, card.merged_into_id)
    if reason == "hidden":
        socketio.emit(
            "moderation:card",
            {"atelier_id": atelier_id, "version": version, "contribution": data},
            to=console_room(atelier_id),
        )


def card_removed(
    atelier_id: int,
    version: int,
    card_id: int,
    reason: str,
    merged_into_id: int | None = None,
) -> None:
    """The card leaves every wall: ``reason`` is ``withdrawn``, ``merged`` or ``hidden``.

    Also used for a card deleted with its author's data (no row left to read: ``withdrawn``).
    """
    socketio.emit(
        "contribution:removed",
        {
            "atelier_id": atelier_id,
            "version": version,
            "id": card_id,
            "reason": reason,
            "merged_into_id": merged_into_id,
        },
        to=atelier_room(atelier_id),
    )
    assistant.changed(atelier_id)


def category_created(atelier_id: int, version: int, category: dict[str, Any]) -> None:
    socketio.emit(
        "category:created",
        {"atelier_id": atelier_id, "version": version, "category": category},
        to=atelier_room(atelier_id),
    )


def chantier_updated(atelier_id: int, version: int, chantier: dict[str, Any]) -> None:
    """A chantier's public read model after an addition, comment, consolidation, engagement.

    ``chantier`` must be the public view (``domain.chantiers.chantier_view``): no contacts.
    """
    socketio.emit(
        "chantier:updated",
        {"atelier_id": atelier_id, "version": version, "chantier": chantier},
        to=atelier_room(atelier_id),
    )
