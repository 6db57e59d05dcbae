"""Read models sent to clients: the atelier snapshot and its cards."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from facilitation.domain import approval
from facilitation.domain.access import Actor
from facilitation.domain.announcements import announcement_dict
from facilitation.domain.announcements import current as current_announcement
from facilitation.domain.chantiers import chantier_list
from facilitation.domain.contributions import wall
from facilitation.domain.moderation import categories, merged_cards
from facilitation.domain.phases import current_round, round_dict
from facilitation.domain.photos import atelier_photos
from facilitation.domain.reactions import atelier_counts
from facilitation.domain.reactions import mine as my_reactions
from facilitation.domain.voting import vote_state
from facilitation.domain.wordcloud import cloud_dict, cloud_live, current_cloud
from facilitation.models import Atelier, Contribution
from facilitation.models.base import utcnow


def _author(card: Contribution) -> dict[str, Any] | None:
    """Who posted ``card``, unless it was posted in an anonymous round: then nobody is told,
    not even the facilitator's console (the server keeps ``participant_id`` for the author's
    own edits, withdrawal, « Mes données » and the purge)."""
    author = card.author
    if author is None or card.anonymous:
        return None
    return {"id": author.id, "display_name": author.display_name}


def contribution_dict(
    card: Contribution, merged: Iterable[Contribution] = (), *, mine: bool = False
) -> dict[str, Any]:
    """A card; ``merged``: the duplicates merged into it, shown with their text and author.

    Every screen and every payload is built here, so an anonymous card is anonymised here
    once: no author, no structure, no commune (they could name the author in a small room).
    ``mine``: the view sent to the card's own author (their ack, their snapshot), which says
    so, and carries the approval state and the reason of a refusal.
    """
    hide = card.anonymous
    data = {
        "id": card.id,
        "client_id": card.client_id,
        "kind": card.kind,
        "titre": card.titre,
        "description": card.description,
        "structure": "" if hide else card.structure,
        "commune": "" if hide else card.commune,
        "public_concerne": card.public_concerne,
        "author": _author(card),
        "anonymous": card.anonymous,
        "status": card.status,
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
                "author": _author(m),
            }
            for m in merged
        ],
    }
    if mine:
        data["mine"] = True
        data["decline_reason"] = card.decline_reason or ""
    return data


def queue_dict(card: Contribution) -> dict[str, Any]:
    """A card in the console's approval queue (anonymised like any card)."""
    return {**contribution_dict(card), "decline_reason": card.decline_reason or ""}


def atelier_dict(atelier: Atelier) -> dict[str, Any]:
    sequence = atelier.sequence
    return {
        "id": atelier.id,
        "title": atelier.title,
        "theme": atelier.theme,
        "question": atelier.question,
        "room": atelier.room,
        "sequence": {"id": sequence.id, "title": sequence.title, "kind": sequence.kind},
        # « Validation des cartes »: phones say their card waits for the facilitator.
        "card_approval": atelier.card_approval,
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
    extra: dict[str, Any] = {}
    if moderation:
        # The approval queue lives in the database: a console that reconnects gets it back.
        extra["queue"] = [queue_dict(c) for c in approval.queue(atelier)]
    participant = actor.participant if actor is not None else None
    if participant is not None:
        # This phone's own cards: « votre carte » on the wall (anonymous ones included), and
        # those waiting for approval or declined, with the reason.
        ids, waiting = approval.own_cards(participant.id, atelier)
        extra["mine"] = {
            "ids": ids,
            "waiting": [contribution_dict(c, mine=True) for c in waiting],
        }
    return {
        **shared,
        **extra,
        "connected": connected,
        "server_time": now.isoformat(),
        "round": round_dict(rnd, now) if rnd else None,
        # Dot-voting: ballot, this actor's dots and dots left, tallies when visible to them.
        "vote": vote_state(atelier, actor),
        # The control room's current announcement, for a phone that was away when it was sent.
        "announcement": announcement_dict(announcement, atelier.event) if announcement else None,
        # « Moi aussi »: this phone's own reactions (card id → kinds), for its highlighted
        # buttons after a reconnection. Not read when no card has any (the shared counts say
        # so): a reconnect storm in an atelier without reactions pays no statement for it.
        "my_reactions": (
            my_reactions(actor.participant if actor else None, atelier)
            if shared.get("reactions")
            else {}
        ),
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
    photos = atelier_photos(atelier, include_hidden=moderation)
    contributions = [contribution_dict(c, merged.get(c.id, ())) for c in cards]
    for card in contributions:
        card["photo"] = photos["cards"].get(str(card["id"]))
    return {
        "atelier": atelier_dict(atelier),
        "version": atelier.version,
        "contributions": contributions,
        # Chantier cards' fields, additions, comments, engagement counts (no contacts).
        "chantiers": chantier_list(cards),
        "categories": [{"id": c.id, "name": c.name} for c in categories(atelier)],
        "projector": projector_dict(atelier),
        # « Moi aussi »: counts per visible card (card id → {"nous_aussi": n, "interesse": m}).
        "reactions": atelier_counts(atelier.id),
        # Card photos by card id and the paperboards (issue 19.3); hidden ones for consoles.
        "photos": photos,
        # The open « en un mot » cloud: opening and closing one bump the version.
        "cloud": None if moderation else _open_cloud_dict(atelier),
    }


def _open_cloud_dict(atelier: Atelier) -> dict[str, Any] | None:
    cloud = current_cloud(atelier)
    return cloud_dict(cloud) if cloud else None


def projector_dict(atelier: Atelier) -> dict[str, Any]:
    return {"mode": atelier.projector_mode, "focus_id": atelier.projector_focus_id}
