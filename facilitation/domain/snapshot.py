"""Read models sent to clients: the atelier snapshot and its cards."""

from __future__ import annotations

from typing import Any

from facilitation.domain.chantiers import chantier_list
from facilitation.domain.contributions import wall
from facilitation.models import Atelier, Contribution
from facilitation.models.base import utcnow


def contribution_dict(card: Contribution) -> dict[str, Any]:
    author = card.author
    return {
        "id": card.id,
        "client_id": card.client_id,
        "kind": card.kind,
        "titre": card.titre,
        "description": card.description,
        "structure": card.structure,
        "commune": card.commune,
        "public_concerne": card.public_concerne,
        "author": {"id": author.id, "display_name": author.display_name} if author else None,
        "created_at": card.created_at.isoformat(),
    }


def atelier_dict(atelier: Atelier) -> dict[str, Any]:
    sequence = atelier.sequence
    return {
        "id": atelier.id,
        "title": atelier.title,
        "theme": atelier.theme,
        "question": atelier.question,
        "room": atelier.room,
        "sequence": {"id": sequence.id, "title": sequence.title, "kind": sequence.kind},
        "event": {"slug": atelier.event.slug, "title": atelier.event.title},
    }


def atelier_snapshot(atelier: Atelier, connected: int) -> dict[str, Any]:
    """Everything a client needs to replace its state with the server's."""
    return {
        "atelier": atelier_dict(atelier),
        "version": atelier.version,
        "contributions": [contribution_dict(c) for c in wall(atelier)],
        # Chantier cards' fields, additions, comments, engagement counts (no contacts).
        "chantiers": chantier_list(wall(atelier)),
        "connected": connected,
        "server_time": utcnow().isoformat(),
    }
