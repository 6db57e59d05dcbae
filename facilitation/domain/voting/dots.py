"""Placing dots: a voter's "my dots on card X are now N", the facilitator's scribe lines,
and a voter's own state.

``set_dots`` means "my dots on card X are now N", never "+1", so a retry, a double tap or a
second tab is harmless; the budget and the per-card maximum are checked in the same
transaction as the write, on the voter's locked budget row (``budget.lock_budget``).

A set is applied at most once: its ``client_id`` is remembered on that row, and a repeat (a
phone resending a write whose ack was lost) answers ``duplicate`` with the current state. A
set is not idempotent by itself across tabs: A sets 2, B sets 0, A's late retry of "2" would
undo B's newer, acknowledged write (issue 18.4).
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from typing import Any, NamedTuple

from flask_babel import gettext
from sqlalchemy import Connection, and_, bindparam, delete, select, text

from facilitation.domain.access import Actor, require_facilitator, require_participant_in
from facilitation.domain.errors import Closed, Forbidden, NotFound, ValidationError
from facilitation.domain.validation import MAX_ID, N_, TextField
from facilitation.domain.voting.ballot import current_ballot, mark_changed
from facilitation.domain.voting.budget import (
    applied,
    insert_for,
    lock_budget_of,
    phone_dots,
    remember,
    spend,
    write_phone_dot,
)
from facilitation.domain.voting.errors import BudgetExceeded, VoteClosed
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Event, Participant
from facilitation.models.base import utcnow
from facilitation.models.contribution import CardStatus
from facilitation.models.event import EventStatus
from facilitation.models.vote import MAX_SCRIBE_COUNT, Ballot, BallotStatus, Dot, VoterBudget

SCRIBE_LABEL = TextField("label", N_("Libellé"), 60, required=True)


@dataclass(frozen=True)
class DotResult:
    """What a voter's phone needs after a set: the card's count and what is left."""

    contribution_id: int
    count: int
    dots_left: int
    used: int
    budget: int
    #: False when the stored count already was ``count`` (a retry, a double tap).
    changed: bool
    #: The open ballot the dots went to.
    ballot_id: int
    #: The voter's whole state after the set, as ``my_dots`` gives it (the ack carries it).
    mine: dict[str, Any] = field(default_factory=dict)
    #: This ``client_id`` was already applied: nothing changed, the state is the current one.
    duplicate: bool = False

    def as_dict(self) -> dict[str, Any]:
        # Shallow: ``dataclasses.asdict`` would deep-copy ``mine`` on every tap of a burst.
        return {f.name: getattr(self, f.name) for f in fields(self)}


def _count(raw: Any, high: int) -> int:
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int) or not 0 <= raw <= high:
        raise ValidationError(
            gettext("Le nombre de points doit être entre 0 et %(high)s.", high=high),
            {"count": gettext("Entre 0 et %(high)s.", high=high)},
        )
    return raw


# Statements of a tap, built once and bound at execution: every phone of a vote burst runs
# them, and building them again for each tap costs more than running them.
_EVENT_AND_OPEN_BALLOT = (
    select(Event.status, Ballot)
    .select_from(Event)
    .outerjoin(
        Ballot,
        and_(
            Ballot.atelier_id == bindparam("atelier_id"),
            Ballot.status == BallotStatus.OPEN.value,
        ),
    )
    .where(Event.id == bindparam("event_id"))
)
_CARD_REF = select(Contribution.id, Contribution.participant_id).where(
    Contribution.id == bindparam("card_id"),
    Contribution.atelier_id == bindparam("atelier_id"),
    Contribution.visible,
)


class CardRef(NamedTuple):
    """What a vote needs of a card: its id and author (not the whole row and its text)."""

    id: int
    participant_id: int | None


def _card(atelier: Atelier, contribution_id: Any) -> CardRef:
    if isinstance(contribution_id, str) and contribution_id.strip().isdigit():
        contribution_id = int(contribution_id.strip())
    if isinstance(contribution_id, bool) or not isinstance(contribution_id, int):
        raise ValidationError(errors={"contribution_id": gettext("Choisissez une carte.")})
    row = db.session.execute(
        _CARD_REF, {"card_id": contribution_id, "atelier_id": atelier.id}
    ).first()
    if row is None:
        raise NotFound(gettext("Cette carte n'existe pas (ou plus) dans cet atelier."))
    return CardRef(int(row.id), row.participant_id)


def set_dots(
    actor: Actor,
    atelier: Atelier,
    contribution_id: Any,
    count: Any,
    client_id: str | None = None,
) -> DotResult:
    """ "My dots on card X are now N", within the budget and the per-card maximum.

    Raises ``NotJoined`` (not a participant of this atelier), ``VoteClosed``, ``NotFound``,
    ``ValidationError`` (count out of ``[0, max_per_card]``), ``Forbidden`` (own card when not
    allowed) or ``BudgetExceeded`` (nothing changed; it carries the current state). A repeat of
    an applied ``client_id`` returns the current state with ``duplicate`` and changes nothing.
    """
    participant = require_participant_in(actor, atelier)
    # The event's status and the open ballot in one statement (a tap of a burst pays each).
    event_status, ballot = db.session.execute(
        _EVENT_AND_OPEN_BALLOT, {"atelier_id": atelier.id, "event_id": atelier.event_id}
    ).one()
    if event_status != EventStatus.OPEN.value:
        raise Closed()
    if ballot is None:
        raise VoteClosed()
    card = _card(atelier, contribution_id)
    wanted = _count(count, ballot.max_per_card)
    if wanted > 0 and not ballot.allow_own_card and card.participant_id == participant.id:
        raise Forbidden(gettext("Dans ce vote, on ne vote pas pour sa propre carte."))

    return _apply(
        ballot.id, ballot.dots_per_participant, participant.id, atelier.id, card.id, wanted,
        client_id,
    )  # fmt: skip


# What a tap needs to know, read in one statement from the ids alone: the participant still
# in this atelier and not forgotten, the event open, the atelier's open ballot, the card
# visible in the atelier. Table columns (plain Core): no ORM object is loaded.
_P, _A, _E = Participant.__table__, Atelier.__table__, Event.__table__
_B, _C = Ballot.__table__, Contribution.__table__
_TAP_CONTEXT = (
    select(
        _P.c.current_atelier_id,
        _P.c.display_name,
        _E.c.status.label("event_status"),
        _B.c.id.label("ballot_id"),
        _B.c.dots_per_participant,
        _B.c.max_per_card,
        _B.c.allow_own_card,
        _C.c.id.label("card_id"),
        _C.c.participant_id.label("author_id"),
    )
    .select_from(
        _P.join(_A, and_(_A.c.id == bindparam("atelier_id"), _A.c.event_id == _P.c.event_id))
        .join(_E, _E.c.id == _A.c.event_id)
        .outerjoin(_B, and_(_B.c.atelier_id == _A.c.id, _B.c.status == BallotStatus.OPEN.value))
        .outerjoin(
            _C,
            and_(
                _C.c.id == bindparam("card_id"),
                _C.c.atelier_id == _A.c.id,
                _C.c.hidden.is_(False),
                _C.c.merged_into_id.is_(None),
                _C.c.withdrawn_at.is_(None),
                # Waiting for approval or declined: not on the wall, so not on the ballot.
                _C.c.status == CardStatus.ACCEPTED.value,
            ),
        )
    )
    .where(_P.c.id == bindparam("participant_id"))
)


def quick_set_dots(
    conn: Connection,
    participant_id: int,
    atelier_id: int,
    contribution_id: Any,
    count: Any,
    client_id: str | None = None,
) -> DotResult | None:
    """``set_dots`` for the common case, from ids, without loading any ORM object.

    Runs on ``conn``, a Core connection in its own transaction (the caller commits it),
    not in the ORM session: a tap then pays no session, no flush, no ORM commit. Nothing is
    recorded for the broadcast (``mark_changed``): after the commit, the caller tells
    ``push.votes`` that the atelier's tally changed when ``changed``.

    ``participant_id`` is the one the caller's cookie names for the atelier's event: it is
    trusted only as far as this statement confirms it. Every rule of ``set_dots`` is checked
    again here, in the same transaction as the write (participant of this atelier and not
    forgotten, event open, ballot open, visible card, count within the per-card maximum, own
    card), so nothing cached can outlive a move, a « Mes données » or a phase change. Returns
    ``None`` when any of them does not hold (or the input is not plainly shaped): the caller
    then runs ``set_dots``, which refuses with the precise message. Same writes, same result.
    """
    if (
        isinstance(count, bool)
        or not isinstance(count, int)
        or isinstance(contribution_id, bool)
        or not isinstance(contribution_id, int)
        or not 0 < contribution_id <= MAX_ID
    ):
        return None
    row = conn.execute(
        _TAP_CONTEXT,
        {"participant_id": participant_id, "atelier_id": atelier_id, "card_id": contribution_id},
    ).first()
    if (
        row is None
        or row.current_atelier_id != atelier_id
        or not row.display_name
        or row.event_status != EventStatus.OPEN.value
        or row.ballot_id is None
        or row.card_id is None
        or not 0 <= count <= row.max_per_card
        or (count > 0 and not row.allow_own_card and row.author_id == participant_id)
    ):
        return None
    return _apply(
        row.ballot_id, row.dots_per_participant, participant_id, atelier_id, row.card_id, count,
        client_id, conn,
    )  # fmt: skip


def _apply(
    ballot_id: int,
    dots_per_participant: int,
    participant_id: int,
    atelier_id: int,
    card_id: int,
    wanted: int,
    client_id: str | None,
    conn: Connection | None = None,
) -> DotResult:
    """The write of a checked set: lock the budget, read the voter's dots, spend, store.

    In the ORM session's transaction, or on ``conn`` (then without ``mark_changed``)."""
    locked = lock_budget_of(
        ballot_id, dots_per_participant, participant_id, require_open=True, conn=conn
    )
    used, budget = locked.used, locked.budget
    # Under the lock: every dot of this voter in this ballot, read once for the current count
    # on this card and for the state the phone gets back (``mine``).
    dots = phone_dots(ballot_id, participant_id, conn)
    existing = dots.get(card_id)
    current = existing[1] if existing else 0
    if applied(locked, client_id):
        # A repeat of a write already applied: the card may have changed since (another tab),
        # so answer what is stored now and change nothing.
        mine = _mine(ballot_id, {str(cid): n for cid, (_, n) in dots.items()}, used, budget)
        return DotResult(
            card_id, current, budget - used, used, budget, changed=False, ballot_id=ballot_id,
            mine=mine, duplicate=True,
        )  # fmt: skip
    delta = wanted - current
    record = remember(locked, client_id) if client_id is not None else None
    if not spend(ballot_id, participant_id, delta, record=record, conn=conn):
        raise BudgetExceeded(count=current, dots_left=budget - used)
    if delta != 0:
        write_phone_dot(ballot_id, participant_id, card_id, existing, wanted, client_id, conn)
        if conn is None:
            mark_changed(atelier_id)
        used += delta
        if wanted:
            dots[card_id] = (existing[0] if existing else 0, wanted)
        else:
            dots.pop(card_id, None)
    mine = _mine(ballot_id, {str(cid): n for cid, (_, n) in dots.items()}, used, budget)
    return DotResult(
        card_id, wanted, budget - used, used, budget, changed=delta != 0, ballot_id=ballot_id,
        mine=mine,
    )  # fmt: skip


def scribe_set(actor: Actor, atelier: Atelier, contribution_id: Any, label: Any, count: Any) -> int:
    """The facilitator records ``count`` dots on a card for ``label`` (paper, show of hands).

    Set semantics like ``set_dots``; allowed while the ballot is open or closed (paper ballots
    are often counted after the vote), not once revealed. Returns the stored count.
    """
    require_facilitator(actor, atelier)
    ballot = current_ballot(atelier)
    if ballot is None or ballot.status == BallotStatus.REVEALED.value:
        raise VoteClosed(gettext("Aucun vote en cours ou à dépouiller dans cet atelier."))
    card = _card(atelier, contribution_id)
    name, error = SCRIBE_LABEL.clean(label)
    if error:
        raise ValidationError(error, {"label": error})
    wanted = _count(count, MAX_SCRIBE_COUNT)
    where = (
        Dot.ballot_id == ballot.id,
        Dot.contribution_id == card.id,
        Dot.scribe.is_(True),
        Dot.scribe_label == name,
    )
    if wanted == 0:
        db.session.execute(delete(Dot).where(*where))
    else:
        db.session.execute(
            insert_for(Dot)
            .values(
                ballot_id=ballot.id,
                participant_id=None,
                contribution_id=card.id,
                count=wanted,
                scribe=True,
                scribe_label=name,
                updated_at=utcnow(),
            )
            .on_conflict_do_update(
                index_elements=["ballot_id", "contribution_id", "scribe_label"],
                index_where=text("scribe"),
                set_={"count": wanted, "updated_at": utcnow()},
            )
        )
    mark_changed(atelier.id)
    return wanted


def my_dots(ballot: Ballot, participant: Participant) -> dict[str, Any]:
    """The voter's own state: dots per card and dots left (a full budget before any dot)."""
    budget_row = db.session.execute(
        select(VoterBudget.used, VoterBudget.budget).where(
            VoterBudget.ballot_id == ballot.id, VoterBudget.participant_id == participant.id
        )
    ).first()
    used, budget = (
        (int(budget_row.used), int(budget_row.budget))
        if budget_row
        else (0, ballot.dots_per_participant)
    )
    dots = {
        str(cid): int(n)
        for cid, n in db.session.execute(
            select(Dot.contribution_id, Dot.count).where(
                Dot.ballot_id == ballot.id,
                Dot.participant_id == participant.id,
                Dot.count > 0,
            )
        )
    }
    return _mine(ballot.id, dots, used, budget)


def _mine(ballot_id: int, dots: dict[str, int], used: int, budget: int) -> dict[str, Any]:
    """A voter's state as phones receive it (``vote:mine``, acks, snapshots)."""
    return {
        "ballot_id": ballot_id,
        "dots": dots,
        "used": used,
        "budget": budget,
        "dots_left": budget - used,
    }
