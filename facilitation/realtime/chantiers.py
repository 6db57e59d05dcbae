"""Socket.IO events of the chantiers (PROTOCOL.md, section « Chantiers »).

Same shape as every handler: authorise (domain.access via the domain), write, commit once,
then broadcast the chantier's *public* read model to the atelier room. Contacts of the
« Je m'engage » travel only in ``chantier:get`` answers to the porteur and the organizers.
"""

from __future__ import annotations

from typing import Any

from facilitation.domain import chantiers
from facilitation.domain.snapshot import contribution_dict
from facilitation.edge.identity import actor_for
from facilitation.extensions import db
from facilitation.models import Contribution
from facilitation.push import cards
from facilitation.realtime.handlers import atelier_from, event


def _chantier(payload: dict[str, Any]) -> Contribution:
    return chantiers.get_chantier(payload.get("chantier_id"))


def _commit_and_answer(card: Contribution, version: int | None, **extra: Any) -> dict[str, Any]:
    """Commit, then (if something changed) send the public view to the room; the answer.

    ``version`` None: a retried write, stored once already (``duplicate``).
    """
    view = chantiers.chantier_view(card)
    db.session.commit()
    if version is not None:
        cards.chantier_updated(card.atelier_id, version, view)
    return {"ok": True, "duplicate": version is None, "chantier": view} | extra


@event("chantier:create")
def create(payload: dict[str, Any]) -> dict[str, Any]:
    atelier = atelier_from(payload)
    card, version = chantiers.create_chantier(actor_for(atelier.event_id), atelier, payload)
    data = contribution_dict(card)
    data["chantier"] = chantiers.chantier_view(card)
    db.session.commit()
    if version is not None:
        # The same delta as any new card: walls and projectors already handle it.
        cards.contribution_created(atelier.id, version, data)
    return {"ok": True, "duplicate": version is None, "contribution": data}


@event("chantier:get", write=False)
def get(payload: dict[str, Any]) -> dict[str, Any]:
    card = _chantier(payload)
    actor = actor_for(card.atelier.event_id)
    chantiers.check_visible(actor, card)
    answer: dict[str, Any] = {
        "ok": True,
        "chantier": chantiers.chantier_view(card),
        "mine": chantiers.my_engagement(actor.participant, card),
        "can_consolidate": actor.facilitates(card.atelier),
    }
    if chantiers.can_see_contacts(actor, card):
        # Only to this socket, and only to the porteur or an organizer.
        answer["contacts"] = chantiers.engagement_contacts(actor, card)
    db.session.commit()  # ensure_detail may have created an empty detail row
    return answer


@event("chantier:add")
def add(payload: dict[str, Any]) -> dict[str, Any]:
    card = _chantier(payload)
    addition, version = chantiers.add_to_field(actor_for(card.atelier.event_id), card, payload)
    return _commit_and_answer(card, version, addition_id=addition.id)


@event("chantier:comment")
def comment(payload: dict[str, Any]) -> dict[str, Any]:
    card = _chantier(payload)
    row, version = chantiers.add_comment(actor_for(card.atelier.event_id), card, payload)
    return _commit_and_answer(card, version, comment_id=row.id)


@event("chantier:consolidate")
def consolidate(payload: dict[str, Any]) -> dict[str, Any]:
    card = _chantier(payload)
    version = chantiers.consolidate(actor_for(card.atelier.event_id), card, payload)
    return _commit_and_answer(card, version)


@event("chantier:engage")
def engage(payload: dict[str, Any]) -> dict[str, Any]:
    card = _chantier(payload)
    actor = actor_for(card.atelier.event_id)
    _, version = chantiers.engage(actor, card, payload)
    mine = chantiers.my_engagement(actor.participant, card)
    return _commit_and_answer(card, version, mine=mine)


@event("chantier:disengage")
def disengage(payload: dict[str, Any]) -> dict[str, Any]:
    card = _chantier(payload)
    version = chantiers.disengage(actor_for(card.atelier.event_id), card, payload)
    return _commit_and_answer(card, version, mine=None)
