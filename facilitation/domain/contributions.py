"""Posting cards on an atelier's wall, idempotently."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from facilitation.domain.access import participant_in
from facilitation.domain.errors import Closed
from facilitation.domain.events import contribution_kind
from facilitation.domain.once import add_once
from facilitation.domain.phases import check_open_for_contributions
from facilitation.domain.validation import N_, TextField, clean, client_id
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Participant
from facilitation.models.contribution import CardStatus

CONTRIBUTION_FIELDS = (
    TextField("titre", N_("Titre"), 120, required=True),
    TextField("description", N_("Description"), 2000, multiline=True),
    TextField("structure", N_("Structure"), 120),
    TextField("commune", N_("Commune"), 80),
    TextField("public_concerne", N_("Public concerné"), 200),
)


def bump_version(atelier_id: int) -> int:
    """Increment the atelier's version in the current transaction and return the new one."""
    return db.session.execute(
        update(Atelier)
        .where(Atelier.id == atelier_id)
        .values(version=Atelier.version + 1)
        .returning(Atelier.version)
    ).scalar_one()


def check_can_post(participant: Participant | None, atelier: Atelier) -> Participant:
    """The author, if they may post in ``atelier``: joined there and the event open.

    The round's phase is checked by ``create_contribution`` after the duplicate lookup, so a
    retry of a card stored just before the round closed still gets its ack.
    """
    author = participant_in(participant, atelier)
    if not atelier.event.is_open:
        raise Closed()
    return author


def create_contribution(
    participant: Participant | None, atelier: Atelier, data: Mapping[str, Any]
) -> tuple[Contribution, int | None]:
    """Store a card once per client id.

    Returns ``(card, version)``; ``version`` is the atelier's new version, or ``None`` when
    nothing changed on the wall: the same client id had already been stored, or the card waits
    for the facilitator's approval (``card.status == "pending"``: nothing to broadcast to the
    room, the consoles hear of it).

    The round's anonymity and the atelier's « validation des cartes » are read at posting and
    stored on the card: what the author was told before posting holds afterwards.
    """
    if not isinstance(data, Mapping):
        data = {}
    cid = client_id(data.get("client_id"))
    author = check_can_post(participant, atelier)
    existing = _by_client_id(author.id, cid)
    if existing is not None:
        return existing, None
    values = clean(data, CONTRIBUTION_FIELDS)
    rnd = check_open_for_contributions(atelier)
    status = CardStatus.PENDING if atelier.card_approval else CardStatus.ACCEPTED
    card = Contribution(
        atelier_id=atelier.id,
        round_id=rnd.id,
        participant_id=author.id,
        client_id=cid,
        kind=contribution_kind(atelier.sequence),
        anonymous=rnd.anonymous,
        status=status.value,
        **values,
    )
    # A concurrent retry of the same post loses the race cleanly.
    card, created = add_once(card, lambda: _by_client_id(author.id, cid))
    if not created or card.status != CardStatus.ACCEPTED:
        return card, None
    return card, bump_version(atelier.id)


def _by_client_id(participant_id: int, cid: str) -> Contribution | None:
    return db.session.scalar(
        select(Contribution).where(
            Contribution.participant_id == participant_id, Contribution.client_id == cid
        )
    )


def wall(atelier: Atelier, *, moderation: bool = False) -> list[Contribution]:
    """The atelier's cards, newest first.

    Phones and projectors see visible cards only; the facilitator console
    (``moderation=True``) also sees hidden ones (never withdrawn or merged-away cards,
    whose text lives on in their merge target). Cards waiting for approval or declined are on
    nobody's wall: the console has them in its queue (``domain.approval``).
    """
    query = (
        select(Contribution)
        .options(selectinload(Contribution.author))
        .where(
            Contribution.atelier_id == atelier.id,
            Contribution.withdrawn_at.is_(None),
            Contribution.merged_into_id.is_(None),
            Contribution.status == CardStatus.ACCEPTED.value,
        )
        .order_by(Contribution.created_at.desc(), Contribution.id.desc())
    )
    if not moderation:
        query = query.where(Contribution.hidden.is_(False))
    return list(db.session.scalars(query))
