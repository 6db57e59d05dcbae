"""Dots that follow their card or their voter: merged cards, removed cards, a voter forgotten.

Hooks that other rules call inside their own transaction (moderation merges and hides cards,
« Mes données » forgets a person); each keeps every voter's ``used`` equal to the sum of their
dots, taking the budget locks in (ballot, participant) order so two of them cannot deadlock.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext
from sqlalchemy import delete, select, update

from facilitation.domain.errors import DomainError, ValidationError
from facilitation.domain.voting.ballot import mark_changed
from facilitation.domain.voting.budget import (
    insert_for,
    lock_budget,
    phone_dot,
    spend,
    write_phone_dot,
)
from facilitation.extensions import db
from facilitation.models import Contribution
from facilitation.models.base import utcnow
from facilitation.models.vote import MAX_SCRIBE_COUNT, Ballot, BallotStatus, Dot, VoterBudget


def _ballots_of(rows: Any) -> dict[int, Ballot]:
    """The ballots the dot ``rows`` (with a ``ballot_id``) belong to, by id, in one query."""
    ids = {r.ballot_id for r in rows}
    return {b.id: b for b in db.session.scalars(select(Ballot).where(Ballot.id.in_(ids)))}


def on_merge(target: Contribution, source: Contribution) -> None:
    """Hook for merges: every dot on ``source`` moves to ``target``, in every ballot.

    A participant with dots on both cards keeps the sum, capped at the ballot's per-card
    maximum; the dots above the cap go back to their budget (``used`` decreases by as many),
    so the budget stays equal to the sum of their dots. Scribe lines with the same label add
    up (capped at ``MAX_SCRIBE_COUNT``). Call it in the transaction that merges the cards.
    """
    if target.id == source.id:
        return
    if target.atelier_id != source.atelier_id:
        raise ValidationError(gettext("On ne fusionne que des cartes du même atelier."))
    rows = db.session.execute(
        select(Dot.ballot_id, Dot.participant_id, Dot.scribe_label, Dot.scribe)
        .where(Dot.contribution_id == source.id)
        .order_by(Dot.ballot_id, Dot.participant_id)
    ).all()
    ballots = _ballots_of(rows)
    for row in rows:
        ballot = ballots[row.ballot_id]
        if row.scribe:
            _merge_scribe(ballot, target.id, source.id, row.scribe_label)
        else:
            _merge_phone(ballot, target.id, source.id, row.participant_id)
    if rows:
        mark_changed(target.atelier_id)


def _merge_phone(ballot: Ballot, target_id: int, source_id: int, participant_id: int) -> None:
    # Locks in (ballot, participant) order across the loop: two merges cannot deadlock.
    lock_budget(ballot, participant_id)
    source = phone_dot(ballot.id, participant_id, source_id)
    if source is None:  # moved by a concurrent merge while we waited for the lock
        return
    target = phone_dot(ballot.id, participant_id, target_id)
    total = source[1] + (target[1] if target else 0)
    kept = min(total, ballot.max_per_card)
    db.session.execute(delete(Dot).where(Dot.id == source[0]))
    write_phone_dot(ballot.id, participant_id, target_id, target, kept)
    if not spend(ballot.id, participant_id, kept - total):
        raise DomainError(gettext("Budget incohérent pendant la fusion."))  # cannot happen: refund


def _merge_scribe(ballot: Ballot, target_id: int, source_id: int, label: str) -> None:
    def line(contribution_id: int) -> tuple[Any, ...]:
        return (
            Dot.ballot_id == ballot.id,
            Dot.contribution_id == contribution_id,
            Dot.scribe.is_(True),
            Dot.scribe_label == label,
        )

    source_count = db.session.scalar(select(Dot.count).where(*line(source_id)))
    if source_count is None:
        return
    target_count = db.session.scalar(select(Dot.count).where(*line(target_id)))
    db.session.execute(delete(Dot).where(*line(source_id)))
    total = min(source_count + (target_count or 0), MAX_SCRIBE_COUNT)
    if target_count is None:
        db.session.execute(
            insert_for(Dot).values(
                ballot_id=ballot.id,
                participant_id=None,
                contribution_id=target_id,
                count=total,
                scribe=True,
                scribe_label=label,
                updated_at=utcnow(),
            )
        )
    else:
        db.session.execute(
            update(Dot)
            .where(*line(target_id))
            .values(count=total, updated_at=utcnow())
            .execution_options(synchronize_session=False)
        )


def on_card_removed(card: Contribution) -> None:
    """Hook for moderation: a hidden or withdrawn card gives its dots back to their voters.

    Scribe lines on it are dropped too. Call it in the transaction that hides the card.
    """
    rows = db.session.execute(
        select(Dot.ballot_id, Dot.participant_id)
        .where(Dot.contribution_id == card.id, Dot.scribe.is_(False))
        .order_by(Dot.ballot_id, Dot.participant_id)
    ).all()
    ballots = _ballots_of(rows)
    for row in rows:
        ballot = ballots[row.ballot_id]
        lock_budget(ballot, row.participant_id)
        existing = phone_dot(ballot.id, row.participant_id, card.id)
        if existing is None:
            continue
        db.session.execute(delete(Dot).where(Dot.id == existing[0]))
        spend(ballot.id, row.participant_id, -existing[1])
    db.session.execute(delete(Dot).where(Dot.contribution_id == card.id, Dot.scribe.is_(True)))
    mark_changed(card.atelier_id)


def forget_voter(participant_id: int) -> None:
    """Hook for « Mes données »: the voter's dots and budget leave every open ballot.

    Closed and revealed ballots keep them (on the row the privacy rules anonymise), so their
    tallies and voter counts do not change. The budget row is locked first, like any change
    of one's dots.
    """
    for ballot in db.session.scalars(
        select(Ballot)
        .join(VoterBudget, VoterBudget.ballot_id == Ballot.id)
        .where(
            VoterBudget.participant_id == participant_id,
            Ballot.status == BallotStatus.OPEN.value,
        )
    ):
        lock_budget(ballot, participant_id)
        db.session.execute(
            delete(Dot).where(Dot.ballot_id == ballot.id, Dot.participant_id == participant_id)
        )
        db.session.execute(
            delete(VoterBudget).where(
                VoterBudget.ballot_id == ballot.id, VoterBudget.participant_id == participant_id
            )
        )
        mark_changed(ballot.atelier_id)
