"""Read models sent to clients: the atelier snapshot and its cards."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from facilitation.domain.access import Actor
from facilitation.domain.announcements import announcement_dict
from facilitation.domain.announcements import current as current_announcement
from facilitation.domain.chantiers import chantier_list
from facilitation.domain.contributions import wall
from facilitation.domain.moderation import categories, merged_cards
from facilitation.domain.phases import current_round, round_dict
from facilitation.domain.voting import vote_state
from facilitation.domain.wordcloud import cloud_dict, cloud_live, current_cloud
from facilitation.models import Atelier, Contribution
from facilitation.models.base import utcnow


def contribution_dict(card: Contribution, merged: Iterable[Contribution] = ()) -> dict[str, Any]:
    """A card; ``merged``: the duplicates merged into it, shown with their text and author."""
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
        # Moderation: the author sees « modifié »; pinned cards come first.
        "edited": card.edited_at is not None,
        "pinned": card.pinned,
        "hidden": card.hidden,
        "category_id": card.category_id,
        "merged": [
            {
                "id": m.id,
                "titre": m.titre,
                "description": m.description,
                "author": {"id": m.author.id, "display_name": m.author.display_name}
                if m.author
                else None,
            }
            for m in merged
        ],
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


def atelier_snapshot(
    atelier: Atelier,
    connected: int,
    *,
    moderation: bool = False,
    actor: Actor | None = None,
    shared: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Everything a client needs to replace its state with the server's.

    ``moderation``: the facilitator console's view (hidden cards too).
    ``actor``: who asks; the ``vote`` part then holds their own dots (and the tallies if they
    facilitate). Without it the vote part is the public one.
    ``shared``: the :func:`shared_snapshot` of this atelier at its current version, when the
    caller already has it (realtime/snapshots.py reuses it across a burst of joins); never
    with ``moderation``.
    """
    now = utcnow()
    if shared is None or moderation:
        shared = shared_snapshot(atelier, moderation=moderation)
    rnd = current_round(atelier)
    # By id: with the wall cached, the event row is read only when there is something to show.
    announcement = current_announcement(atelier.event_id, now)
    return {
        **shared,
        "connected": connected,
        "server_time": now.isoformat(),
        "round": round_dict(rnd, now) if rnd else None,
        # Dot-voting: ballot, this actor's dots and dots left, tallies when visible to them.
        "vote": vote_state(atelier, actor),
        # The control room's current announcement, for a phone that was away when it was sent.
        "announcement": announcement_dict(announcement, atelier.event) if announcement else None,
        # « En un mot »: the open cloud (the console: the latest), its tally, this phone's words.
        "cloud": cloud_live(atelier, shared.get("cloud"), actor, moderation=moderation),
    }


def shared_snapshot(atelier: Atelier, *, moderation: bool = False) -> dict[str, Any]:
    """The part of the snapshot that is the same for every viewer at this ``version``.

    Nothing here depends on who asks or on the clock: the round (its timer), the vote (the
    asker's dots) and the announcement (it expires) are added by :func:`atelier_snapshot`.
    """
    cards = wall(atelier, moderation=moderation)
    merged = merged_cards([c.id for c in cards])
    return {
        "atelier": atelier_dict(atelier),
        "version": atelier.version,
        "contributions": [contribution_dict(c, merged.get(c.id, ())) for c in cards],
        # Chantier cards' fields, additions, comments, engagement counts (no contacts).
        "chantiers": chantier_list(cards),
        "categories": [{"id": c.id, "name": c.name} for c in categories(atelier)],
        "projector": projector_dict(atelier),
        # The open « en un mot » cloud: opening and closing one bump the version.
        "cloud": None if moderation else _open_cloud_dict(atelier),
    }


def _open_cloud_dict(atelier: Atelier) -> dict[str, Any] | None:
    cloud = current_cloud(atelier)
    return cloud_dict(cloud) if cloud else None


def projector_dict(atelier: Atelier) -> dict[str, Any]:
    return {"mode": atelier.projector_mode, "focus_id": atelier.projector_focus_id}
