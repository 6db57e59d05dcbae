"""Photos, after the commit: a card photo or a paperboard added, hidden or shown again.

Phones and projectors never receive a hidden photo: for them it is removed, and only the
facilitator consoles get it (to show it again). Messages carry the atelier's ``version``.
"""

from __future__ import annotations

from typing import Any

from facilitation.extensions import socketio
from facilitation.push.rooms import atelier_room, console_room


def photo_changed(atelier_id: int, version: int, photo: dict[str, Any]) -> None:
    """``photo`` is ``domain.photos.photo_dict``: added, or hidden / shown by the facilitator."""
    if not photo["hidden"]:
        socketio.emit(
            "photo:added",
            {"atelier_id": atelier_id, "version": version, "photo": photo},
            to=atelier_room(atelier_id),
        )
        return
    socketio.emit(
        "photo:removed",
        {
            "atelier_id": atelier_id,
            "version": version,
            "id": photo["id"],
            "kind": photo["kind"],
            "card_id": photo["card_id"],
        },
        to=atelier_room(atelier_id),
    )
    socketio.emit(
        "moderation:photo",
        {"atelier_id": atelier_id, "version": version, "photo": photo},
        to=console_room(atelier_id),
    )


def photos_removed(atelier_id: int, version: int, photos: list[dict[str, Any]]) -> None:
    """Photos deleted with their author's data: gone from every screen."""
    for photo in photos:
        socketio.emit(
            "photo:removed",
            {
                "atelier_id": atelier_id,
                "version": version,
                "id": photo["id"],
                "kind": photo["kind"],
                "card_id": photo["card_id"],
            },
            to=atelier_room(atelier_id),
        )
