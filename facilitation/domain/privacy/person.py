"""One participant's own data: what « Mes données » shows, and forgetting it at their request."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from flask_babel import gettext
from sqlalchemy import delete, or_, select, update

from facilitation.domain import chantiers, reactions, voting
from facilitation.domain.contributions import bump_version
from facilitation.domain.errors import DomainError
from facilitation.domain.phases import current_round
from facilitation.domain.photos import photo_dict
from facilitation.domain.privacy.places import blank_unshared, kept_names
from facilitation.extensions import db
from facilitation.models import (
    Atelier,
    Ballot,
    BallotStatus,
    ChantierAddition,
    ChantierComment,
    CloudWord,
    ContactRequest,
    Contribution,
    Dot,
    Engagement,
    Participant,
    Phase,
    Photo,
    Profile,
    Reaction,
    TourDeTable,
    WordCloud,
)


def my_data(participant: Participant) -> dict[str, Any]:
    """Everything stored about this device identity, JSON-ready (shown and downloadable)."""
    profile = db.session.get(Profile, participant.id)
    cards = list(
        db.session.scalars(
            select(Contribution)
            .where(Contribution.participant_id == participant.id)
            .order_by(Contribution.created_at, Contribution.id)
        )
    )
    ateliers = {
        a.id: a
        for a in db.session.scalars(select(Atelier).where(Atelier.event_id == participant.event_id))
    }
    dots = db.session.execute(
        select(Dot, Ballot, Contribution)
        .join(Ballot, Ballot.id == Dot.ballot_id)
        .join(Contribution, Contribution.id == Dot.contribution_id)
        .where(Dot.participant_id == participant.id, Dot.count > 0)
        .order_by(Ballot.id, Dot.id)
    ).all()
    # « En un mot »: the words this phone sent, with their cloud's question.
    words = db.session.execute(
        select(CloudWord, WordCloud)
        .join(WordCloud, WordCloud.id == CloudWord.cloud_id)
        .where(CloudWord.participant_id == participant.id)
        .order_by(WordCloud.id, CloudWord.slot)
    ).all()
    engagements = db.session.execute(
        select(Engagement, Contribution)
        .join(Contribution, Contribution.id == Engagement.chantier_id)
        .where(Engagement.participant_id == participant.id)
        .order_by(Engagement.id)
    ).all()
    reacted = db.session.execute(
        select(Reaction, Contribution)
        .join(Contribution, Contribution.id == Reaction.contribution_id)
        .where(Reaction.participant_id == participant.id)
        .order_by(Reaction.id)
    ).all()
    requests = list(
        db.session.scalars(
            select(ContactRequest)
            .where(
                or_(
                    ContactRequest.from_participant_id == participant.id,
                    ContactRequest.to_participant_id == participant.id,
                )
            )
            .order_by(ContactRequest.id)
        )
    )
    additions = list(
        db.session.scalars(
            select(ChantierAddition).where(ChantierAddition.participant_id == participant.id)
        )
    )
    comments = list(
        db.session.scalars(
            select(ChantierComment).where(ChantierComment.participant_id == participant.id)
        )
    )

    def atelier_title(atelier_id: int) -> str:
        found = ateliers.get(atelier_id)
        return found.title if found is not None else ""

    def other(req: ContactRequest) -> Participant | None:
        pid = (
            req.to_participant_id
            if req.from_participant_id == participant.id
            else req.from_participant_id
        )
        return db.session.get(Participant, pid)

    return {
        "participant": {
            "id": participant.id,
            "display_name": participant.display_name,
            "structure": participant.structure,
            "commune": participant.commune,
            "consent_at": participant.consent_at.isoformat(),
            "created_at": participant.created_at.isoformat(),
            "current_atelier": atelier_title(participant.current_atelier_id or 0) or None,
        },
        "profile": (
            {
                "role": profile.role,
                "structure_kind": profile.structure_kind,
                "publics": list(profile.publics or []),
                "offers": list(profile.offers or []),
                "needs": list(profile.needs or []),
                "contact": profile.contact,
                "visible": profile.visible,
            }
            if profile is not None
            else None
        ),
        "cards": [
            {
                "id": c.id,
                "atelier": atelier_title(c.atelier_id),
                "kind": c.kind,
                "titre": c.titre,
                "description": c.description,
                "structure": c.structure,
                "commune": c.commune,
                "public_concerne": c.public_concerne,
                "created_at": c.created_at.isoformat(),
                "withdrawn": c.withdrawn_at is not None,
            }
            for c in cards
        ],
        # Photos sent from this phone (their images: the URLs, behind this browser's cookie).
        "photos": [
            {
                "atelier": atelier_title(p.atelier_id),
                "card_id": p.contribution_id,
                "url": photo_dict(p)["large"],
                "created_at": p.created_at.isoformat(),
                "hidden": p.hidden,
            }
            for p in db.session.scalars(
                select(Photo).where(Photo.participant_id == participant.id).order_by(Photo.id)
            )
        ],
        "dots": [
            {
                "atelier": atelier_title(ballot.atelier_id),
                "card": card.titre,
                "count": dot.count,
                "ballot_open": ballot.status == BallotStatus.OPEN.value,
            }
            for dot, ballot, card in dots
        ],
        "cloud_words": [
            {"atelier": atelier_title(cloud.atelier_id), "question": cloud.question, "text": w.text}
            for w, cloud in words
        ],
        "engagements": [
            {"chantier": card.titre, "contact": e.contact, "consent": e.consent}
            for e, card in engagements
        ],
        # « Moi aussi » on pratiques: which card, which reaction.
        "reactions": [
            {
                "atelier": atelier_title(card.atelier_id),
                "card": card.titre,
                "kind": r.kind,
                "label": gettext(reactions.LABELS[r.kind]),
            }
            for r, card in reacted
        ],
        "chantier_additions": [{"field": a.field, "text": a.text} for a in additions],
        "chantier_comments": [{"text": c.text} for c in comments],
        "contact_requests": [
            {
                "direction": "sent" if r.from_participant_id == participant.id else "received",
                "with": (p.display_name if (p := other(r)) is not None else ""),
                "message": r.message,
                "status": r.status,
            }
            for r in requests
        ],
    }


@dataclass
class Forgotten:
    """What ``forget_participant`` changed, for the broadcasts after the commit."""

    #: Cards kept without author: ``(card_id, atelier_version)``.
    anonymised: list[tuple[int, int]] = field(default_factory=list)
    #: Cards deleted: ``(atelier_id, card_id, atelier_version)``.
    deleted: list[tuple[int, int, int]] = field(default_factory=list)
    #: Chantiers whose additions, comments or engagements changed: ``(card_id, version)``.
    chantiers: list[tuple[int, int]] = field(default_factory=list)
    #: Ateliers whose who's who or tour de table changed.
    whoswho: set[int] = field(default_factory=set)
    #: Ateliers whose « Moi aussi » counts changed (the person's reactions were deleted).
    reactions: set[int] = field(default_factory=set)
    #: Photos deleted: ``(atelier_id, photo_dict, atelier_version)``.
    photos: list[tuple[int, dict[str, Any], int]] = field(default_factory=list)


def _round_open(card: Contribution) -> bool:
    if not card.atelier.event.is_open:
        return False
    rnd = current_round(card.atelier)
    if rnd is None or rnd.phase != Phase.CONTRIBUTIONS.value:
        return False
    return card.round_id is None or card.round_id == rnd.id


def deletable_cards(participant: Participant) -> set[int]:
    """Own cards that may still be deleted outright: their round is open for contributions
    (and no duplicate was merged into them, which deleting would bring back on the wall)."""
    own = list(
        db.session.scalars(
            select(Contribution).where(Contribution.participant_id == participant.id)
        )
    )
    merged_targets = set(
        db.session.scalars(
            select(Contribution.merged_into_id).where(
                Contribution.merged_into_id.in_([c.id for c in own])
            )
        )
    )
    return {c.id for c in own if _round_open(c) and c.id not in merged_targets}


def forget_participant(participant: Participant, delete_cards: bool = False) -> Forgotten:
    """Erase a participant's personal data at their request.

    Profile, contact requests, engagements and reactions (« Moi aussi ») are deleted; dots are removed from open ballots
    (closed votes keep them, on the anonymous row); cards, chantier additions and comments stay
    without their author, or, with ``delete_cards``, the cards of a round still open for
    contributions are deleted (the others are kept anonymised). The participant row stays as an
    anonymous number (name, structure, commune blanked) so closed tallies keep their voters.
    A kept card keeps its structure and commune only if they do not point at the person
    (``privacy.places``: shared by two participants, or one of the event's communes): the card
    form is prefilled from the join form.
    """
    if not isinstance(participant, Participant):
        raise DomainError(gettext("Aucune donnée à supprimer sur cet appareil."))
    done = Forgotten()
    pid = participant.id
    # Dots of open ballots first: the budget row is locked like any change of one's dots.
    voting.forget_voter(pid)
    touched_chantiers: set[int] = set()
    for model in (ChantierAddition, ChantierComment):
        touched_chantiers.update(
            db.session.scalars(select(model.chantier_id).where(model.participant_id == pid))
        )
        db.session.execute(
            update(model)
            .where(model.participant_id == pid)
            .values(participant_id=None)
            .execution_options(synchronize_session=False)
        )
    touched_chantiers.update(
        db.session.scalars(select(Engagement.chantier_id).where(Engagement.participant_id == pid))
    )
    db.session.execute(delete(Engagement).where(Engagement.participant_id == pid))
    # « Moi aussi »: who reacted to which pratique is personal; the counts go down.
    done.reactions = reactions.forget(pid)
    db.session.execute(
        delete(ContactRequest).where(
            or_(ContactRequest.from_participant_id == pid, ContactRequest.to_participant_id == pid)
        )
    )
    if db.session.get(Profile, pid) is not None:
        db.session.execute(delete(Profile).where(Profile.participant_id == pid))
        if participant.current_atelier_id:
            done.whoswho.add(participant.current_atelier_id)
    for tour in db.session.scalars(
        select(TourDeTable)
        .join(Atelier, Atelier.id == TourDeTable.atelier_id)
        .where(Atelier.event_id == participant.event_id)
    ):
        if pid in (tour.order or []):
            index = tour.order.index(pid)
            tour.order = [p for p in tour.order if p != pid]
            if index < tour.position:
                tour.position -= 1
            tour.position = min(tour.position, max(len(tour.order) - 1, 0))
            tour.version += 1
            done.whoswho.add(tour.atelier_id)
    # Their photos (a face, a place): deleted, never kept anonymised like a card's text.
    for photo in db.session.scalars(select(Photo).where(Photo.participant_id == pid)):
        data = photo_dict(photo)
        db.session.delete(photo)
        db.session.flush()
        done.photos.append((photo.atelier_id, data, bump_version(photo.atelier_id)))
    deletable = deletable_cards(participant) if delete_cards else set()
    cards = list(db.session.scalars(select(Contribution).where(Contribution.participant_id == pid)))
    # Decided while the person still counts among those who named their structure: a name
    # they share with someone else does not point at them.
    kept = kept_names(participant.event)
    for card in cards:
        if card.id in deletable:
            voting.on_card_removed(card)
            atelier_id = card.atelier_id
            db.session.delete(card)
            db.session.flush()
            done.deleted.append((atelier_id, card.id, bump_version(atelier_id)))
        else:
            card.participant_id = None
            blank_unshared([card], kept)
            db.session.flush()
            done.anonymised.append((card.id, bump_version(card.atelier_id)))
    participant.display_name = ""
    participant.structure = ""
    participant.commune = ""
    db.session.flush()
    deleted_ids = {d[1] for d in done.deleted}
    for chantier_id in sorted(touched_chantiers - deleted_ids):
        card = db.session.get(Contribution, chantier_id)
        if card is not None:
            done.chantiers.append((card.id, chantiers.bump_versions(card)))
    db.session.expire_all()
    return done


def anonymised_cards(ids: Iterable[int]) -> list[Contribution]:
    return list(db.session.scalars(select(Contribution).where(Contribution.id.in_(list(ids)))))
