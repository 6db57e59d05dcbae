"""How an atelier shows on its screens, after the commit: its name and theme, its projector.

Each message carries the atelier's ``version``, like every atelier delta.
"""

from __future__ import annotations

from typing import Any

from facilitation.domain.snapshot import projector_dict
from facilitation.extensions import socketio
from facilitation.models import Atelier
from facilitation.push.rooms import atelier_room


def atelier_updated(atelier_id: int, version: int, atelier: dict[str, Any]) -> None:
    """The organizer renamed the atelier or changed its theme, question or room while it runs.

    ``atelier`` is ``domain.snapshot.atelier_dict``, the snapshot's ``atelier``.
    """
    socketio.emit(
        "atelier:updated",
        {"atelier_id": atelier_id, "version": version, "atelier": atelier},
        to=atelier_room(atelier_id),
    )


def projector_mode(atelier: Atelier, version: int) -> None:
    """The facilitator switched what the projector shows."""
    socketio.emit(
        "projector:mode",
        {"atelier_id": atelier.id, "version": version, "projector": projector_dict(atelier)},
        to=atelier_room(atelier.id),
    )
