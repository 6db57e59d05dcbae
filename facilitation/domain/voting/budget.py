"""The voter's budget row and their dots, in SQL: the locks and writes under every change.

A voter's ``VoterBudget`` row is the lock of every change of their dots (see
facilitation/models/vote.py for why): ``lock_budget`` first, then read and write the dots,
then move ``used`` with ``spend``, whose ``WHERE`` refuses to leave ``[0, budget]``; the
``CHECK (used <= budget)`` backs it. The caller holds the lock for everything below it.

The statements of the hot path (a tap: ``dots.set_dots``) are built once at import and bound
at execution: a vote burst runs them for every tap of every phone, and building them again
each time costs more than running them.

The same row remembers the client ids of the voter's last applied ``dot:set``
(``VoterBudget.applied_client_ids``): the lock returns them, and the write that spends records
its id in the same ``UPDATE``, so recognising a repeat adds no statement to a tap.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, NamedTuple

from sqlalchemy import Connection, Integer, bindparam, delete, literal, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from facilitation.domain.voting.errors import VoteClosed
from facilitation.extensions import db
from facilitation.models.base import utcnow
from facilitation.models.vote import (
    APPLIED_CLIENT_IDS,
    Ballot,
    BallotStatus,
    Dot,
    VoterBudget,
)


def _execute(conn: Connection | None) -> Callable[..., Any]:
    """Where the statements of a change run: the ORM session's transaction, or ``conn``, a
    Core connection's own (a tap's fast path: ``dots.quick_set_dots``)."""
    return conn.execute if conn is not None else db.session.execute


def insert_for(model: type) -> Any:
    """An ``INSERT`` of ``model`` that knows ``ON CONFLICT`` on this session's database."""
    dialect = db.session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model)


# Table columns, not the ORM's attributes: a statement made of them runs as plain Core,
# without the ORM's result processing (~40 µs a statement, measured), paid by every tap.
_BUDGETS = VoterBudget.__table__
_DOTS = Dot.__table__
_BALLOTS = Ballot.__table__
_BUDGET_UPSERTS: dict[tuple[str, bool], Any] = {}


def _budget_upsert(dialect: str, require_open: bool) -> Any:
    """The statement of ``lock_budget`` for this dialect, built once."""
    stmt = _BUDGET_UPSERTS.get((dialect, require_open))
    if stmt is not None:
        return stmt
    insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
    columns = ["ballot_id", "participant_id", "budget", "used"]
    if require_open:
        source = select(
            _BALLOTS.c.id,
            bindparam("b_participant", type_=Integer()),
            _BALLOTS.c.dots_per_participant,
            literal(0),
        ).where(
            _BALLOTS.c.id == bindparam("b_ballot"), _BALLOTS.c.status == BallotStatus.OPEN.value
        )
        if dialect == "postgresql":
            source = source.with_for_update(read=True)
        base = insert_(_BUDGETS).from_select(columns, source)
    else:
        base = insert_(_BUDGETS).values(
            ballot_id=bindparam("b_ballot"),
            participant_id=bindparam("b_participant"),
            budget=bindparam("b_budget"),
            used=0,
        )
    stmt = base.on_conflict_do_update(
        index_elements=["ballot_id", "participant_id"], set_={"used": _BUDGETS.c.used}
    ).returning(_BUDGETS.c.used, _BUDGETS.c.budget, _BUDGETS.c.applied_client_ids)
    _BUDGET_UPSERTS[(dialect, require_open)] = stmt
    return stmt


class LockedBudget(NamedTuple):
    """The voter's budget row as the lock read it."""

    used: int
    budget: int
    #: The client ids of the voter's last applied sets (``applied``, ``remember``).
    applied: str


def lock_budget(ballot: Ballot, participant_id: int, *, require_open: bool = False) -> LockedBudget:
    """``lock_budget_of`` for a loaded ballot."""
    return lock_budget_of(
        ballot.id, ballot.dots_per_participant, participant_id, require_open=require_open
    )


def lock_budget_of(
    ballot_id: int,
    dots_per_participant: int,
    participant_id: int,
    *,
    require_open: bool = False,
    conn: Connection | None = None,
) -> LockedBudget:
    """Make sure the voter's budget row exists, lock it, return ``(used, budget, applied)``.

    One statement, an upsert that returns the row: it is the transaction's first write, so on
    SQLite it takes the single writer lock before anything below is read; on PostgreSQL the
    conflict's ``DO UPDATE`` takes the row lock (a concurrent request of the same participant
    waits here, then reads its result). ``require_open``: the row comes from the ballot's row
    only while the ballot is open (``VoteClosed`` otherwise), read under the same lock — on
    PostgreSQL ``FOR SHARE``, so closing (an UPDATE of the ballot) waits for in-flight dots.
    Folding the existence check, the lock and the open check into one statement keeps a tap,
    run by every phone of a vote burst, as short as it can be.
    """
    dialect = (conn if conn is not None else db.session.get_bind()).dialect.name
    row = _execute(conn)(
        _budget_upsert(dialect, require_open),
        {
            "b_ballot": ballot_id,
            "b_participant": participant_id,
            "b_budget": dots_per_participant,
        },
    ).first()
    if row is None:  # require_open, and the ballot was closed while this request waited
        raise VoteClosed()
    return LockedBudget(int(row.used), int(row.budget), row.applied_client_ids or "")


def applied(locked: LockedBudget, client_id: str | None) -> bool:
    """Whether the set ``client_id`` was already applied (a repeat: answer, change nothing)."""
    return client_id is not None and client_id in locked.applied.split()


def remember(locked: LockedBudget, client_id: str) -> str:
    """The applied ids with ``client_id`` added, the oldest dropped beyond the bound.

    Client ids match ``[A-Za-z0-9_-]{8,64}`` (``validation.client_id``): a space separates them.
    """
    kept = locked.applied.split()[-(APPLIED_CLIENT_IDS - 1) :]
    return " ".join([*kept, client_id])


_SPEND = (
    update(_BUDGETS)
    .where(
        _BUDGETS.c.ballot_id == bindparam("s_ballot"),
        _BUDGETS.c.participant_id == bindparam("s_participant"),
        _BUDGETS.c.used + bindparam("s_delta") <= _BUDGETS.c.budget,
        _BUDGETS.c.used + bindparam("s_delta") >= 0,
    )
    .values(used=_BUDGETS.c.used + bindparam("s_delta"))
)


# The spend of a phone's set, which records its client id in the same statement: a refused
# spend (over budget) records nothing, so only applied writes are ever answered duplicate.
_SPEND_AND_RECORD = _SPEND.values(applied_client_ids=bindparam("s_applied"))
_RECORD = (
    update(_BUDGETS)
    .where(
        _BUDGETS.c.ballot_id == bindparam("s_ballot"),
        _BUDGETS.c.participant_id == bindparam("s_participant"),
    )
    .values(applied_client_ids=bindparam("s_applied"))
)


def spend(
    ballot_id: int,
    participant_id: int,
    delta: int,
    *,
    record: str | None = None,
    conn: Connection | None = None,
) -> bool:
    """Move ``used`` by ``delta`` if it stays within ``[0, budget]``; False if refused.

    ``record``: the new ``applied_client_ids`` (``remember``), written by the same statement,
    and even when ``delta`` is 0 (a set that found its count already there was still applied:
    its repeat must not undo a newer write either).
    """
    params = {"s_ballot": ballot_id, "s_participant": participant_id, "s_delta": delta}
    execute = _execute(conn)
    if record is not None:
        if delta == 0:
            execute(_RECORD, params | {"s_applied": record})
            return True
        result = execute(_SPEND_AND_RECORD, params | {"s_applied": record})
        return result.rowcount == 1
    if delta == 0:
        return True
    result = execute(_SPEND, params)
    return result.rowcount == 1


def phone_dot(ballot_id: int, participant_id: int, contribution_id: int) -> tuple[int, int] | None:
    """A voter's dot on one card: ``(dot id, count)``, or ``None``."""
    row = db.session.execute(
        select(Dot.id, Dot.count).where(
            Dot.ballot_id == ballot_id,
            Dot.participant_id == participant_id,
            Dot.contribution_id == contribution_id,
        )
    ).first()
    return (int(row.id), int(row.count)) if row else None


_PHONE_DOTS = select(_DOTS.c.id, _DOTS.c.contribution_id, _DOTS.c.count).where(
    _DOTS.c.ballot_id == bindparam("ballot_id"),
    _DOTS.c.participant_id == bindparam("participant_id"),
    _DOTS.c.count > 0,
)


def phone_dots(
    ballot_id: int, participant_id: int, conn: Connection | None = None
) -> dict[int, tuple[int, int]]:
    """A voter's dots in a ballot: ``{contribution_id: (dot id, count)}`` (counts > 0)."""
    return {
        int(cid): (int(did), int(n))
        for did, cid, n in _execute(conn)(
            _PHONE_DOTS, {"ballot_id": ballot_id, "participant_id": participant_id}
        )
    }


_UPDATE_DOT = (
    update(_DOTS)
    .where(_DOTS.c.id == bindparam("d_id"))
    .values(
        count=bindparam("d_count"), client_id=bindparam("d_client"), updated_at=bindparam("d_at")
    )
)


_DELETE_DOT = delete(_DOTS).where(_DOTS.c.id == bindparam("d_id"))
_INSERT_DOT = _DOTS.insert()


def write_phone_dot(
    ballot_id: int,
    participant_id: int,
    contribution_id: int,
    existing: tuple[int, int] | None,
    count: int,
    client_id: str | None = None,
    conn: Connection | None = None,
) -> None:
    """Store the count (delete at zero). The caller holds the voter's budget lock."""
    execute = _execute(conn)
    if existing is not None:
        if count == 0:
            execute(_DELETE_DOT, {"d_id": existing[0]})
        else:
            execute(
                _UPDATE_DOT,
                {"d_id": existing[0], "d_count": count, "d_client": client_id, "d_at": utcnow()},
            )
    elif count > 0:
        execute(
            _INSERT_DOT,
            {
                "ballot_id": ballot_id,
                "participant_id": participant_id,
                "contribution_id": contribution_id,
                "count": count,
                "scribe": False,
                "client_id": client_id,
                "updated_at": utcnow(),
            },
        )
