"""The chantiers' read models: the public view broadcast to the room, and the contacts shown
to the porteur and the organizers only."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from facilitation.domain.access import Actor
from facilitation.domain.chantiers.fields import LINKABLE, TEXT_FIELD_NAMES
from facilitation.domain.errors import Forbidden
from facilitation.extensions import db
from facilitation.models import (
    Atelier,
    ChantierAddition,
    ChantierComment,
    ChantierDetail,
    Contribution,
    Engagement,
    Event,
    Participant,
)


def _person(p: Participant | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"id": p.id, "display_name": p.display_name, "structure": p.structure}


@dataclass
class _Loaded:
    detail: ChantierDetail
    additions: list[ChantierAddition]
    comments: list[ChantierComment]
    engagements: list[Engagement]


def _load(cards: Iterable[Contribution]) -> dict[int, _Loaded]:
    """Details, additions, comments and engagements of many chantiers in a few queries."""
    ids = [c.id for c in cards if c.kind == "chantier"]
    if not ids:
        return {}
    details = {
        d.contribution_id: d
        for d in db.session.scalars(
            select(ChantierDetail)
            .options(selectinload(ChantierDetail.pratiques).selectinload(Contribution.atelier))
            .where(ChantierDetail.contribution_id.in_(ids))
        )
    }
    loaded: dict[int, _Loaded] = {}
    for cid in ids:
        detail = details.get(cid) or ChantierDetail(
            contribution_id=cid, communes=[], consolidated={}, version=0
        )
        for f in TEXT_FIELD_NAMES:
            if getattr(detail, f) is None:
                setattr(detail, f, "")
        loaded[cid] = _Loaded(detail, [], [], [])
    for a in _rows_of(ChantierAddition, ChantierAddition.author, ids):
        loaded[a.chantier_id].additions.append(a)
    for c in _rows_of(ChantierComment, ChantierComment.author, ids):
        loaded[c.chantier_id].comments.append(c)
    for e in _rows_of(Engagement, Engagement.participant, ids):
        loaded[e.chantier_id].engagements.append(e)
    return loaded


def _rows_of(model: Any, person: Any, ids: list[int]) -> Any:
    """The rows of ``model`` on these chantiers, oldest first, their person loaded in one go."""
    return db.session.scalars(
        select(model)
        .options(selectinload(person))
        .where(model.chantier_id.in_(ids))
        .order_by(model.created_at, model.id)
    )


def _view(card: Contribution, data: _Loaded) -> dict[str, Any]:
    detail = data.detail
    return {
        "id": card.id,
        "atelier_id": card.atelier_id,
        "titre": card.titre,
        "version": detail.version or 0,
        "fields": {f: getattr(detail, f) or "" for f in TEXT_FIELD_NAMES},
        "communes": list(detail.communes or []),
        "pratiques": [
            {
                "id": p.id,
                "titre": p.titre,
                "atelier": {"id": p.atelier.id, "title": p.atelier.title},
            }
            for p in detail.pratiques
        ],
        "consolidated": dict(detail.consolidated or {}),
        # An anonymous card's author is known to the server only (its own phone asks by id).
        "porteur_participant_id": None if card.anonymous else card.participant_id,
        "additions": [
            {
                "id": a.id,
                "field": a.field,
                "text": a.text,
                "author": _person(a.author),
                "created_at": a.created_at.isoformat(),
            }
            for a in data.additions
        ],
        "comments": [
            {
                "id": c.id,
                "text": c.text,
                "author": _person(c.author),
                "created_at": c.created_at.isoformat(),
            }
            for c in data.comments
        ],
        # Who committed, never how to reach them: this dict is broadcast to the room.
        "engagements": {
            "count": len(data.engagements),
            "participants": [_person(e.participant) for e in data.engagements],
        },
    }


def chantier_view(card: Contribution) -> dict[str, Any]:
    """The public read model of one chantier (broadcast to the room: no contact details)."""
    return _view(card, _load([card])[card.id])


def chantier_views(cards: Iterable[Contribution]) -> dict[int, dict[str, Any]]:
    """``chantier_view`` of every chantier among ``cards``, keyed by card id, in bulk."""
    cards = list(cards)
    loaded = _load(cards)
    return {c.id: _view(c, loaded[c.id]) for c in cards if c.id in loaded}


def chantier_list(cards: Iterable[Contribution]) -> list[dict[str, Any]]:
    """``chantier_view`` of the chantiers among ``cards``, in the same order (snapshot key)."""
    cards = list(cards)
    views = chantier_views(cards)
    return [views[c.id] for c in cards if c.id in views]


def can_see_contacts(actor: Actor, card: Contribution) -> bool:
    """The event's organizers and the chantier's porteur (the participant who proposed it)."""
    if actor.event_id != card.atelier.event_id:
        return False
    if actor.is_organizer:
        return True
    return (
        actor.participant is not None
        and card.participant_id is not None
        and actor.participant.id == card.participant_id
    )


def engagement_contacts(actor: Actor, card: Contribution) -> list[dict[str, Any]]:
    """The consented contacts of a chantier's engagements, for its porteur and organizers."""
    if not can_see_contacts(actor, card):
        raise Forbidden(
            gettext(
                "Les contacts sont réservés à la personne qui porte ce chantier et à l'équipe organisatrice."
            )
        )
    return [
        {
            "participant": _person(e.participant),
            "contact": e.contact,
            "created_at": e.created_at.isoformat(),
        }
        for e in _load([card])[card.id].engagements
        if e.consent and e.contact
    ]


def event_pratiques(event: Event) -> list[dict[str, Any]]:
    """Every pratique card of the event, to link a chantier to (grouped by atelier)."""
    rows = db.session.execute(
        select(Contribution.id, Contribution.titre, Atelier.id, Atelier.title)
        .join(Atelier, Atelier.id == Contribution.atelier_id)
        .where(Atelier.event_id == event.id, *LINKABLE)
        .order_by(Atelier.position, Atelier.id, Contribution.created_at, Contribution.id)
    ).all()
    return [
        {"id": cid, "titre": titre, "atelier": {"id": aid, "title": atitle}}
        for cid, titre, aid, atitle in rows
    ]
