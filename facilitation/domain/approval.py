"""« Validation des cartes » and « tour anonyme »: the facilitator's two promises to the room.

Approval (per atelier, ``Atelier.card_approval``): a new card waits in the console's queue
(``status == "pending"``) until a facilitator accepts it (as it is, or edited first) or
declines it, with an optional reason its author reads on their phone; the author keeps the
text, reworks it and sends it back to the queue. Only accepted cards are on a wall, in a vote
or in the restitution (``Contribution.visible``).

Turning approval off does not decide for the facilitator: cards already waiting stay in the
queue until someone accepts or declines them (PROTOCOL.md); new cards go straight to the wall.

Anonymity (per round, ``Round.anonymous``): stored on each card when it is posted, so turning
it off later never unmasks a card that was posted under the promise.

Every change is a *set*: a repeat that changes nothing returns ``None`` (nothing to broadcast).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import select

from facilitation.domain.access import Actor, require_facilitator, require_participant_in
from facilitation.domain.contributions import bump_version
from facilitation.domain.errors import DomainError, ValidationError
from facilitation.domain.moderation import _apply_text
from facilitation.domain.validation import N_, TextField
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Round
from facilitation.models.base import utcnow
from facilitation.models.contribution import CardStatus

DECLINE_REASON = TextField("reason", N_("Motif"), 300, multiline=True)


def _boolean(value: Any) -> bool:
    if not isinstance(value, bool):
        raise ValidationError(errors={"value": gettext("Oui ou non attendu.")})
    return value


def set_card_approval(actor: Actor, atelier: Atelier, value: Any) -> int | None:
    """Turn « validation des cartes » on or off; returns the new version, ``None`` if unchanged.

    Off: the cards already waiting stay in the queue until decided (none is shown unseen).
    """
    require_facilitator(actor, atelier)
    value = _boolean(value)
    if atelier.card_approval == value:
        return None
    atelier.card_approval = value
    db.session.flush()
    return bump_version(atelier.id)


def set_round_anonymous(actor: Actor, atelier: Atelier, rnd: Round, value: Any) -> int | None:
    """Make ``rnd`` anonymous (or not) for the cards posted from now on."""
    require_facilitator(actor, atelier)
    value = _boolean(value)
    if rnd.anonymous == value:
        return None
    rnd.anonymous = value
    db.session.flush()
    return bump_version(atelier.id)


def queue(atelier: Atelier) -> list[Contribution]:
    """The cards waiting for a decision, oldest first (the console's queue)."""
    return list(
        db.session.scalars(
            select(Contribution)
            .where(
                Contribution.atelier_id == atelier.id,
                Contribution.status == CardStatus.PENDING.value,
                Contribution.withdrawn_at.is_(None),
            )
            .order_by(Contribution.created_at, Contribution.id)
        )
    )


def own_cards(participant_id: int, atelier: Atelier) -> tuple[list[int], list[Contribution]]:
    """A participant's own cards, in one query (it runs on every phone's join):

    * the ids of those on the wall, which their phone marks « votre carte », anonymous ones
      included (their public view names nobody);
    * those not on the wall, pending or declined (with the reason), oldest first.
    """
    ids: list[int] = []
    waiting: list[Contribution] = []
    for card in db.session.scalars(
        select(Contribution)
        .where(
            Contribution.atelier_id == atelier.id,
            Contribution.participant_id == participant_id,
            Contribution.withdrawn_at.is_(None),
            Contribution.merged_into_id.is_(None),
        )
        .order_by(Contribution.created_at, Contribution.id)
    ):
        if card.status != CardStatus.ACCEPTED:
            waiting.append(card)
        elif not card.hidden:
            ids.append(card.id)
    return ids, waiting


def _undecidable(card: Contribution) -> None:
    if card.withdrawn_at is not None or card.merged_into_id is not None:
        raise DomainError(gettext("Cette carte a été retirée par son auteur ou fusionnée."))


def accept(
    actor: Actor,
    atelier: Atelier,
    card: Contribution,
    data: Mapping[str, Any] | None = None,
    now: datetime | None = None,
) -> int | None:
    """Accept ``card`` (after setting the fields present in ``data``: « modifier puis
    accepter »). Returns the new version; ``None`` when it was already accepted (a repeat:
    the card was broadcast once)."""
    require_facilitator(actor, atelier)
    _undecidable(card)
    now = now or utcnow()
    if card.status == CardStatus.ACCEPTED:
        return None
    if data and any(k in data for k in ("titre", "description", "public_concerne")):
        _apply_text(card, data, now)
    card.status = CardStatus.ACCEPTED.value
    card.decline_reason = ""
    card.decided_at = now
    db.session.flush()
    return bump_version(atelier.id)


def decline(
    actor: Actor, atelier: Atelier, card: Contribution, raw_reason: Any, now: datetime | None = None
) -> bool:
    """Decline a waiting card, with an optional reason for its author. Returns whether anything
    changed. An accepted card is not declined: it is on the wall, the facilitator hides it."""
    require_facilitator(actor, atelier)
    _undecidable(card)
    if card.status == CardStatus.ACCEPTED:
        raise DomainError(
            gettext("Cette carte est déjà acceptée et affichée : masquez-la si besoin.")
        )
    reason, error = DECLINE_REASON.clean(raw_reason if raw_reason is not None else "")
    if error:
        raise ValidationError(errors={"reason": error})
    if card.status == CardStatus.DECLINED and card.decline_reason == reason:
        return False
    card.status = CardStatus.DECLINED.value
    card.decline_reason = reason
    card.decided_at = now or utcnow()
    db.session.flush()
    return True


def resubmit_own(actor: Actor, atelier: Atelier, card: Contribution) -> bool:
    """The author reworked a declined card: it goes back to the queue. Returns whether it moved."""
    require_participant_in(actor, atelier)
    if card.status != CardStatus.DECLINED:
        return False
    card.status = CardStatus.PENDING.value
    card.decided_at = None
    db.session.flush()
    return True
