"""« Je m'engage »: a participant commits to a chantier, with a contact shared only by consent."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select

from facilitation.domain.access import Actor
from facilitation.domain.chantiers.card import (
    bump_versions,
    check_open,
    check_visible,
    ensure_detail,
)
from facilitation.domain.chantiers.fields import CONSENT_REQUIRED, CONTACT
from facilitation.domain.errors import NotJoined, ValidationError
from facilitation.domain.once import add_once
from facilitation.domain.validation import clean, client_id
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Engagement, Event, Participant
from facilitation.models.base import utcnow


def _accepted(raw: Any) -> bool:
    return raw is True or (isinstance(raw, str) and raw.lower() in {"on", "1", "true", "oui"})


def engage(
    actor: Actor, card: Contribution, data: Mapping[str, Any]
) -> tuple[Engagement, int | None]:
    """Commit ``actor``'s participant to the chantier: one engagement per person, a "set".

    A contact is kept only with explicit consent to share it with the chantier's porteur and
    the organizer; sending the same values again changes nothing (``None``).
    """
    cid = client_id(data.get("client_id"))
    participant = _participant_of_event(actor, card)
    check_open(card.atelier)
    check_visible(actor, card)
    consent = _accepted(data.get("consent"))
    contact = clean(data, (CONTACT,))["contact"]
    if contact and not consent:
        raise ValidationError(errors={"consent": CONSENT_REQUIRED})
    if not contact:
        # Nothing to share: a consent without a contact means nothing, store none.
        consent = False
    ensure_detail(card)
    engagement = _engagement(card.id, participant.id)
    if engagement is not None:
        if engagement.contact == contact and engagement.consent == consent:
            return engagement, None
        engagement.contact, engagement.consent = contact, consent
        engagement.client_id, engagement.updated_at = cid, utcnow()
        db.session.flush()
        return engagement, bump_versions(card)
    engagement = Engagement(
        chantier_id=card.id,
        participant_id=participant.id,
        contact=contact,
        consent=consent,
        client_id=cid,
    )
    # A double tap: the other request stored it; same values, nothing more to do.
    engagement, created = add_once(engagement, lambda: _engagement(card.id, participant.id))
    return engagement, (bump_versions(card) if created else None)


def disengage(actor: Actor, card: Contribution, data: Mapping[str, Any]) -> int | None:
    """Withdraw the engagement, deleting its contact. Safe to repeat (``None`` the 2nd time)."""
    if data.get("client_id") is not None:
        client_id(data.get("client_id"))
    participant = _participant_of_event(actor, card)
    check_open(card.atelier)
    engagement = _engagement(card.id, participant.id)
    if engagement is None:
        return None
    db.session.delete(engagement)
    db.session.flush()
    return bump_versions(card)


def _participant_of_event(actor: Actor, card: Contribution) -> Participant:
    # Any participant of the event may commit, not only those in the atelier's room: people
    # move between rooms and commitments are also made at the restitution.
    participant = actor.participant
    if participant is None or participant.event_id != card.atelier.event_id:
        raise NotJoined(gettext("Rejoignez l'événement pour vous engager sur un chantier."))
    return participant


def _engagement(chantier_id: int, participant_id: int) -> Engagement | None:
    return db.session.scalar(
        select(Engagement).where(
            Engagement.chantier_id == chantier_id, Engagement.participant_id == participant_id
        )
    )


def my_engagement(participant: Participant | None, card: Contribution) -> dict[str, Any] | None:
    """The viewer's own engagement (their own contact included), for their eyes only."""
    if participant is None:
        return None
    e = _engagement(card.id, participant.id)
    if e is None:
        return None
    return {"contact": e.contact, "consent": e.consent, "created_at": e.created_at.isoformat()}


def engagement_counts(event: Event) -> dict[int, int]:
    """Engagements per chantier of the event (for the restitution)."""
    return dict(
        db.session.execute(
            select(Engagement.chantier_id, func.count(Engagement.id))
            .join(Contribution, Contribution.id == Engagement.chantier_id)
            .join(Atelier, Atelier.id == Contribution.atelier_id)
            .where(Atelier.event_id == event.id)
            .group_by(Engagement.chantier_id)
        ).all()
    )
