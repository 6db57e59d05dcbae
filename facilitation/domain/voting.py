"""Dot-voting: open, close and reveal a ballot; set one's dots on a card; tallies.

Contract of the writes (see facilitation/models/vote.py for why the budget cannot be
overspent): ``set_dots`` means "my dots on card X are now N", never "+1", so a retry, a double
tap or a second tab is harmless; the budget and the per-card maximum are checked in the same
transaction as the write, on a locked row, backed by ``CHECK (used <= budget)``.

Like the rest of the domain these functions flush, never commit, never emit. Changes that
clients must hear about are recorded in ``db.session.info`` (``pending_changes``); the
broadcast layer (facilitation/push/vote_broadcast.py) sends them after the commit, so a hook
called by a colleague's code (rounds, merges) broadcasts without that code knowing about votes.

Hooks for the rest of the app:

* ``on_round_phase(atelier, round, new_phase)``: "vote" opens a ballot, "résultats" reveals,
  every other phase closes the open ballot (a ballot is open only in "vote").
* ``on_merge(target, source)``: dots on ``source`` move to ``target``.
* ``on_card_removed(card)``: a card hidden or withdrawn gives its dots back to their voters.
"""

from __future__ import annotations

import unicodedata
from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from datetime import UTC
from typing import Any, NamedTuple

from flask_babel import gettext, lazy_gettext
from sqlalchemy import Integer, and_, bindparam, delete, func, literal, select, text, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError

from facilitation.domain.access import Actor, require_facilitator, require_participant_in
from facilitation.domain.errors import Closed, DomainError, Forbidden, NotFound, ValidationError
from facilitation.domain.validation import N_, TextField
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Event, Participant
from facilitation.models.base import utcnow
from facilitation.models.event import EventStatus
from facilitation.models.vote import (
    MAX_DOTS_PER_PARTICIPANT,
    MAX_SCRIBE_COUNT,
    Ballot,
    BallotStatus,
    Dot,
    VoterBudget,
)

DEFAULT_DOTS = 3
SCRIBE_LABEL = TextField("label", N_("Libellé"), 60, required=True)
#: Key of ``db.session.info``: atelier ids whose ballot or tallies changed in this transaction.
PENDING_KEY = "vote_pending_changes"


# ------------------------------------------------------------------------- errors
class VoteClosed(DomainError):
    code = "vote_closed"
    default_message = lazy_gettext("Le vote n'est pas ouvert dans cet atelier.")
    http_status = 409


class VoteConflict(DomainError):
    code = "vote_conflict"
    default_message = lazy_gettext(
        "Un vote est déjà ouvert dans cet atelier : clôturez-le d'abord."
    )
    http_status = 409


class BudgetExceeded(DomainError):
    """Refused set: the ack still tells the phone where it stands, to resync its buttons."""

    code = "budget"
    default_message = lazy_gettext("Vous n'avez plus de points : retirez-en un d'une autre carte.")
    http_status = 409

    def __init__(self, message: str | None = None, *, count: int = 0, dots_left: int = 0) -> None:
        super().__init__(message)
        self.count = count
        self.dots_left = dots_left

    def as_dict(self) -> dict[str, object]:
        return super().as_dict() | {"count": self.count, "dots_left": self.dots_left}


# ------------------------------------------------------------------------- settings
@dataclass(frozen=True)
class BallotSettings:
    dots_per_participant: int = DEFAULT_DOTS
    #: ``None``: no limit per card beyond the budget.
    max_per_card: int | None = None
    tallies_visible_live: bool = False
    allow_own_card: bool = True

    @classmethod
    def of(cls, ballot: Ballot) -> BallotSettings:
        return cls(
            dots_per_participant=ballot.dots_per_participant,
            max_per_card=ballot.max_per_card,
            tallies_visible_live=ballot.tallies_visible_live,
            allow_own_card=ballot.allow_own_card,
        )


def _int_setting(raw: Any, name: str, label: str, low: int, high: int) -> tuple[int | None, str]:
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    if isinstance(raw, bool) or not isinstance(raw, int) or not low <= raw <= high:
        return None, gettext(
            "« %(label)s » doit être un nombre entre %(low)s et %(high)s.",
            label=gettext(label),
            low=low,
            high=high,
        )
    return raw, ""


def _bool_setting(raw: Any) -> bool:
    return raw is True or (isinstance(raw, str) and raw.lower() in {"on", "1", "true", "oui"})


def parse_settings(raw: Mapping[str, Any] | None) -> BallotSettings:
    """Settings from a form or a socket payload; missing keys take the defaults.

    Booleans are true for ``true``/``"on"``/``"1"``/``"oui"``; a missing ``allow_own_card``
    keeps the default (allowed) unless ``raw`` comes from an HTML form, which sends
    ``allow_own_card_present`` to tell "unchecked" from "absent".
    """
    raw = raw if isinstance(raw, Mapping) else {}
    errors: dict[str, str] = {}
    dots = DEFAULT_DOTS
    if raw.get("dots_per_participant") not in (None, ""):
        value, error = _int_setting(
            raw["dots_per_participant"],
            "dots_per_participant",
            N_("Points par personne"),
            1,
            MAX_DOTS_PER_PARTICIPANT,
        )
        if error:
            errors["dots_per_participant"] = error
        else:
            dots = value or DEFAULT_DOTS
    max_per_card: int | None = None
    if raw.get("max_per_card") not in (None, ""):
        value, error = _int_setting(
            raw["max_per_card"], "max_per_card", N_("Points au plus par carte"), 1, max(dots, 1)
        )
        if error:
            errors["max_per_card"] = error
        else:
            max_per_card = value
    if errors:
        raise ValidationError(errors=errors)
    allow_own = True
    if "allow_own_card" in raw or raw.get("allow_own_card_present"):
        allow_own = _bool_setting(raw.get("allow_own_card"))
    return BallotSettings(
        dots_per_participant=dots,
        max_per_card=max_per_card,
        tallies_visible_live=_bool_setting(raw.get("tallies_visible_live")),
        allow_own_card=allow_own,
    )


# ------------------------------------------------------------------------- ballots
def _mark_changed(atelier_id: int, *, ballot: bool = False) -> None:
    """Remember what to broadcast after the commit (tallies always; the ballot if asked)."""
    pending = db.session.info.setdefault(PENDING_KEY, {})
    pending[atelier_id] = pending.get(atelier_id, False) or ballot


def open_ballot_of(atelier: Atelier) -> Ballot | None:
    return db.session.scalar(
        select(Ballot).where(
            Ballot.atelier_id == atelier.id, Ballot.status == BallotStatus.OPEN.value
        )
    )


def current_ballot(atelier: Atelier) -> Ballot | None:
    """The open ballot, else the most recent one (its results), else ``None``."""
    return db.session.scalar(
        select(Ballot)
        .where(Ballot.atelier_id == atelier.id)
        .order_by((Ballot.status == BallotStatus.OPEN.value).desc(), Ballot.id.desc())
        .limit(1)
    )


def open_ballot(atelier: Atelier, settings: BallotSettings | None = None) -> Ballot:
    """Open a vote on the atelier's cards. ``VoteConflict`` if one is already open.

    Authorisation is the caller's (``require_facilitator``): the rounds hook opens one too.
    """
    settings = settings or BallotSettings()
    if not atelier.event.is_open:
        raise Closed()
    if open_ballot_of(atelier) is not None:
        raise VoteConflict()
    dots = settings.dots_per_participant
    ballot = Ballot(
        atelier_id=atelier.id,
        status=BallotStatus.OPEN.value,
        dots_per_participant=dots,
        max_per_card=min(settings.max_per_card or dots, dots),
        tallies_visible_live=settings.tallies_visible_live,
        allow_own_card=settings.allow_own_card,
        opened_at=utcnow(),
    )
    try:
        # Two facilitators opening at once: the partial unique index refuses the second.
        with db.session.begin_nested():
            db.session.add(ballot)
    except IntegrityError:
        raise VoteConflict()
    _mark_changed(atelier.id, ballot=True)
    return ballot


def close_ballot(atelier: Atelier) -> Ballot | None:
    """Stop the voting; the results stay hidden unless visible live. ``None``: nothing open."""
    ballot = open_ballot_of(atelier)
    if ballot is None:
        return None
    ballot.status = BallotStatus.CLOSED.value
    ballot.closed_at = utcnow()
    db.session.flush()
    _mark_changed(atelier.id, ballot=True)
    return ballot


def reveal_ballot(atelier: Atelier) -> Ballot:
    """Show the results to everyone; an open ballot is closed first. ``VoteClosed`` if none."""
    ballot = current_ballot(atelier)
    if ballot is None:
        raise VoteClosed(gettext("Aucun vote à révéler dans cet atelier."))
    if ballot.status != BallotStatus.REVEALED.value:
        now = utcnow()
        ballot.closed_at = ballot.closed_at or now
        ballot.revealed_at = now
        ballot.status = BallotStatus.REVEALED.value
        db.session.flush()
        _mark_changed(atelier.id, ballot=True)
    return ballot


def default_settings_for(atelier: Atelier, round: object | None = None) -> BallotSettings:
    """The settings a vote opened by a round phase uses.

    A round may carry ``vote_settings`` (a mapping, same keys as the form); otherwise the
    facilitator's last choice in this atelier is reused; otherwise the defaults.
    """
    raw = getattr(round, "vote_settings", None)
    if isinstance(raw, Mapping):
        return parse_settings(raw)
    last = db.session.scalar(
        select(Ballot).where(Ballot.atelier_id == atelier.id).order_by(Ballot.id.desc()).limit(1)
    )
    if last is None:
        return BallotSettings()
    settings = BallotSettings.of(last)
    if settings.max_per_card == settings.dots_per_participant:
        settings = BallotSettings(
            settings.dots_per_participant,
            None,
            settings.tallies_visible_live,
            settings.allow_own_card,
        )
    return settings


def _opened_in(ballot: Ballot, round: object | None) -> bool:
    """Was ``ballot`` opened during ``round`` (a round object with ``created_at``)?"""
    started = getattr(round, "created_at", None)
    if started is None:
        return False
    if started.tzinfo is None:  # SQLite hands naive datetimes to objects not yet refreshed
        started = started.replace(tzinfo=UTC)
    return ballot.opened_at >= started


def reopen_ballot(ballot: Ballot) -> Ballot:
    """Open a closed (or revealed) ballot again: voters keep their dots and budgets.

    ``VoteConflict`` if another ballot of the atelier is open meanwhile.
    """
    if ballot.is_open:
        return ballot
    try:
        with db.session.begin_nested():
            ballot.status = BallotStatus.OPEN.value
            ballot.opened_at = utcnow()  # the latest change, for clients ordering states
            ballot.closed_at = None
            ballot.revealed_at = None
            db.session.flush()
    except IntegrityError:
        raise VoteConflict()
    _mark_changed(ballot.atelier_id, ballot=True)
    return ballot


def _phase_key(phase: str) -> str:
    folded = unicodedata.normalize("NFKD", str(phase or "")).encode("ascii", "ignore")
    return folded.decode().strip().lower()


def on_round_phase(
    atelier: Atelier,
    round: object | None,
    new_phase: str,
    settings: BallotSettings | None = None,
) -> None:
    """Hook for rounds: "vote" opens a ballot (if none is open), "résultats" reveals, every
    other phase ("clos", and going back to "contributions" or "préparation") closes the open
    ballot, so a ballot is open only while its round is in "vote". Accents are optional
    ("resultats" works too).

    ``settings``: the vote panel's explicit choice, which opens a new ballot with them;
    without it a ballot of the same round is reopened (dots kept), else one is opened with
    ``default_settings_for``.
    """
    key = _phase_key(new_phase)
    if key == "vote":
        if open_ballot_of(atelier) is None:
            last = current_ballot(atelier)
            if settings is not None:
                open_ballot(atelier, settings)
            elif last is not None and _opened_in(last, round):
                # « Rouvrir le vote » within the same round: same ballot, everyone's dots kept.
                reopen_ballot(last)
            else:
                open_ballot(atelier, default_settings_for(atelier, round))
    elif key == "resultats":
        if current_ballot(atelier) is not None:
            reveal_ballot(atelier)
    elif key in {"clos", "contributions", "preparation"}:
        close_ballot(atelier)


# ------------------------------------------------------------------------- locks and writes
def _insert(model: type) -> Any:
    dialect = db.session.get_bind().dialect.name
    return (pg_insert if dialect == "postgresql" else sqlite_insert)(model)


_BUDGETS = VoterBudget.__table__
_DOTS = Dot.__table__
_BUDGET_UPSERTS: dict[tuple[str, bool], Any] = {}


def _budget_upsert(dialect: str, require_open: bool) -> Any:
    """The statement of ``_lock_budget`` for this dialect, built once."""
    stmt = _BUDGET_UPSERTS.get((dialect, require_open))
    if stmt is not None:
        return stmt
    insert_ = pg_insert if dialect == "postgresql" else sqlite_insert
    columns = ["ballot_id", "participant_id", "budget", "used"]
    if require_open:
        source = select(
            Ballot.id,
            bindparam("b_participant", type_=Integer()),
            Ballot.dots_per_participant,
            literal(0),
        ).where(Ballot.id == bindparam("b_ballot"), Ballot.status == BallotStatus.OPEN.value)
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
    ).returning(_BUDGETS.c.used, _BUDGETS.c.budget)
    _BUDGET_UPSERTS[(dialect, require_open)] = stmt
    return stmt


def _lock_budget(
    ballot: Ballot, participant_id: int, *, require_open: bool = False
) -> tuple[int, int]:
    """Make sure the voter's budget row exists, lock it, return ``(used, budget)``.

    One statement, an upsert that returns the row: it is the transaction's first write, so on
    SQLite it takes the single writer lock before anything below is read; on PostgreSQL the
    conflict's ``DO UPDATE`` takes the row lock (a concurrent request of the same participant
    waits here, then reads its result). ``require_open``: the row comes from the ballot's row
    only while the ballot is open (``VoteClosed`` otherwise), read under the same lock — on
    PostgreSQL ``FOR SHARE``, so closing (an UPDATE of the ballot) waits for in-flight dots.
    A tap costs a statement fewer for each of these steps (issue 7: 10,000 taps in a burst).
    """
    dialect = db.session.get_bind().dialect.name
    row = db.session.execute(
        _budget_upsert(dialect, require_open),
        {
            "b_ballot": ballot.id,
            "b_participant": participant_id,
            "b_budget": ballot.dots_per_participant,
        },
    ).first()
    if row is None:  # require_open, and the ballot was closed while this request waited
        raise VoteClosed()
    return int(row.used), int(row.budget)


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


def _spend(ballot_id: int, participant_id: int, delta: int) -> bool:
    """Move ``used`` by ``delta`` if it stays within ``[0, budget]``; False if refused."""
    if delta == 0:
        return True
    result = db.session.execute(
        _SPEND, {"s_ballot": ballot_id, "s_participant": participant_id, "s_delta": delta}
    )
    return result.rowcount == 1


def _phone_dot(ballot_id: int, participant_id: int, contribution_id: int) -> tuple[int, int] | None:
    row = db.session.execute(
        select(Dot.id, Dot.count).where(
            Dot.ballot_id == ballot_id,
            Dot.participant_id == participant_id,
            Dot.contribution_id == contribution_id,
        )
    ).first()
    return (int(row.id), int(row.count)) if row else None


def _phone_dots(ballot_id: int, participant_id: int) -> dict[int, tuple[int, int]]:
    """A voter's dots in a ballot: ``{contribution_id: (dot id, count)}`` (counts > 0)."""
    return {
        int(cid): (int(did), int(n))
        for did, cid, n in db.session.execute(
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


def _write_phone_dot(
    ballot_id: int,
    participant_id: int,
    contribution_id: int,
    existing: tuple[int, int] | None,
    count: int,
    client_id: str | None = None,
) -> None:
    """Store the count (delete at zero). The caller holds the voter's budget lock."""
    if existing is not None:
        if count == 0:
            db.session.execute(delete(Dot).where(Dot.id == existing[0]))
        else:
            db.session.execute(
                _UPDATE_DOT,
                {"d_id": existing[0], "d_count": count, "d_client": client_id, "d_at": utcnow()},
            )
    elif count > 0:
        db.session.execute(
            _DOTS.insert(),
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

    def as_dict(self) -> dict[str, Any]:
        # Shallow: ``dataclasses.asdict`` deep-copies ``mine``, a twentieth of a tap's time.
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


# Statements of a tap, built once: constructing them again for each of a burst's 10,000
# taps was a tenth of the handler's time (issue 7). Values are bound at execution.
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
_PHONE_DOTS = select(Dot.id, Dot.contribution_id, Dot.count).where(
    Dot.ballot_id == bindparam("ballot_id"),
    Dot.participant_id == bindparam("participant_id"),
    Dot.count > 0,
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
    allowed) or ``BudgetExceeded`` (nothing changed; it carries the current state).
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

    used, budget = _lock_budget(ballot, participant.id, require_open=True)
    # Under the lock: every dot of this voter in this ballot, read once for the current count
    # on this card and for the state the phone gets back (``mine``).
    dots = _phone_dots(ballot.id, participant.id)
    existing = dots.get(card.id)
    current = existing[1] if existing else 0
    delta = wanted - current
    if delta != 0:
        if not _spend(ballot.id, participant.id, delta):
            raise BudgetExceeded(count=current, dots_left=budget - used)
        _write_phone_dot(ballot.id, participant.id, card.id, existing, wanted, client_id)
        _mark_changed(atelier.id)
        used += delta
        if wanted:
            dots[card.id] = (existing[0] if existing else 0, wanted)
        else:
            dots.pop(card.id, None)
    mine = _mine(ballot.id, {str(cid): n for cid, (_, n) in dots.items()}, used, budget)
    return DotResult(
        card.id, wanted, budget - used, used, budget, changed=delta != 0, ballot_id=ballot.id,
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
            _insert(Dot)
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
    _mark_changed(atelier.id)
    return wanted


# ------------------------------------------------------------------------- merges, removals
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
    ballots = {
        b.id: b
        for b in db.session.scalars(
            select(Ballot).where(Ballot.id.in_({r.ballot_id for r in rows}))
        )
    }
    for row in rows:
        ballot = ballots[row.ballot_id]
        if row.scribe:
            _merge_scribe(ballot, target.id, source.id, row.scribe_label)
        else:
            _merge_phone(ballot, target.id, source.id, row.participant_id)
    if rows:
        _mark_changed(target.atelier_id)


def _merge_phone(ballot: Ballot, target_id: int, source_id: int, participant_id: int) -> None:
    # Locks in (ballot, participant) order across the loop: two merges cannot deadlock.
    _lock_budget(ballot, participant_id)
    source = _phone_dot(ballot.id, participant_id, source_id)
    if source is None:  # moved by a concurrent merge while we waited for the lock
        return
    target = _phone_dot(ballot.id, participant_id, target_id)
    total = source[1] + (target[1] if target else 0)
    kept = min(total, ballot.max_per_card)
    db.session.execute(delete(Dot).where(Dot.id == source[0]))
    _write_phone_dot(ballot.id, participant_id, target_id, target, kept)
    if not _spend(ballot.id, participant_id, kept - total):
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
            _insert(Dot).values(
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
    ballots = {
        b.id: b
        for b in db.session.scalars(
            select(Ballot).where(Ballot.id.in_({r.ballot_id for r in rows}))
        )
    }
    for row in rows:
        ballot = ballots[row.ballot_id]
        _lock_budget(ballot, row.participant_id)
        existing = _phone_dot(ballot.id, row.participant_id, card.id)
        if existing is None:
            continue
        db.session.execute(delete(Dot).where(Dot.id == existing[0]))
        _spend(ballot.id, row.participant_id, -existing[1])
    db.session.execute(delete(Dot).where(Dot.contribution_id == card.id, Dot.scribe.is_(True)))
    _mark_changed(card.atelier_id)


# ------------------------------------------------------------------------- read models
def ballot_dict(ballot: Ballot | None) -> dict[str, Any] | None:
    if ballot is None:
        return None
    return {
        "id": ballot.id,
        "atelier_id": ballot.atelier_id,
        "status": ballot.status,
        "dots_per_participant": ballot.dots_per_participant,
        "max_per_card": ballot.max_per_card,
        "tallies_visible_live": ballot.tallies_visible_live,
        "allow_own_card": ballot.allow_own_card,
        "tallies_public": ballot.tallies_public,
        "opened_at": ballot.opened_at.isoformat(),
        "closed_at": ballot.closed_at.isoformat() if ballot.closed_at else None,
        "revealed_at": ballot.revealed_at.isoformat() if ballot.revealed_at else None,
        # Orders states of one ballot: a client keeps the highest (id, changed_us) it saw, so a
        # snapshot read before a reveal but delivered after it cannot undo the reveal.
        "changed_us": _changed_us(ballot),
    }


def _changed_us(ballot: Ballot) -> int:
    moments = [m for m in (ballot.opened_at, ballot.closed_at, ballot.revealed_at) if m]
    latest = max(m if m.tzinfo else m.replace(tzinfo=UTC) for m in moments)
    return int(latest.timestamp() * 1_000_000)


def competition_ranks(scores: list[int]) -> list[int]:
    """Ranks of scores sorted best first, ties shared: [5, 5, 2] → [1, 1, 3]."""
    ranks: list[int] = []
    for i, score in enumerate(scores):
        ranks.append(ranks[i - 1] if i and scores[i - 1] == score else i + 1)
    return ranks


def participation(ballot: Ballot) -> tuple[int, int]:
    """``(voted, eligible)``: who placed at least one dot, out of the participants currently
    in the atelier or who voted in it (someone who left still counts)."""
    voted_ids = set(
        db.session.scalars(
            select(VoterBudget.participant_id).where(
                VoterBudget.ballot_id == ballot.id, VoterBudget.used > 0
            )
        )
    )
    present = set(
        db.session.scalars(
            select(Participant.id).where(Participant.current_atelier_id == ballot.atelier_id)
        )
    )
    return len(voted_ids), len(voted_ids | present)


def tally(ballot: Ballot) -> dict[str, Any]:
    """The ranked results: every visible card, best first, ties sharing a rank (1, 1, 3)."""
    per_card: dict[int, dict[str, int]] = defaultdict(lambda: {"dots": 0, "scribe": 0})
    for contribution_id, scribe, total in db.session.execute(
        select(Dot.contribution_id, Dot.scribe, func.sum(Dot.count))
        .where(Dot.ballot_id == ballot.id)
        .group_by(Dot.contribution_id, Dot.scribe)
    ):
        per_card[contribution_id]["scribe" if scribe else "dots"] += int(total or 0)
    # Two columns, not whole cards: the tally is sent up to four times a second per atelier
    # while a vote runs, and loading every card's text was a fifth of a burst's CPU (issue 7).
    cards = db.session.execute(
        select(Contribution.id, Contribution.titre).where(
            Contribution.atelier_id == ballot.atelier_id, Contribution.visible
        )
    ).all()
    rows = []
    for card in cards:
        counts = per_card.get(card.id, {"dots": 0, "scribe": 0})
        rows.append(
            {
                "contribution_id": card.id,
                "titre": card.titre,
                "dots": counts["dots"] + counts["scribe"],
                "phone_dots": counts["dots"],
                "scribe_dots": counts["scribe"],
            }
        )
    # Ties keep a stable, readable order (title) but share their rank.
    rows.sort(key=lambda r: (-r["dots"], r["titre"].casefold(), r["contribution_id"]))
    same_score = Counter(r["dots"] for r in rows)
    for row, rank in zip(rows, competition_ranks([r["dots"] for r in rows]), strict=True):
        row["rank"] = rank
        row["tied"] = same_score[row["dots"]] > 1
    voted, eligible = participation(ballot)
    total = sum(r["dots"] for r in rows)
    counted = sum(v["dots"] + v["scribe"] for v in per_card.values())
    return {
        "ballot_id": ballot.id,
        "atelier_id": ballot.atelier_id,
        "status": ballot.status,
        "results": rows,
        "voted": voted,
        "eligible": eligible,
        #: Every dot stored, including those on cards hidden since (load tests read it).
        "dots_counted": counted,
        "dots_on_visible_cards": total,
        "scribe_dots": sum(r["scribe_dots"] for r in rows),
    }


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


def can_see_tally(actor: Actor | None, atelier: Atelier, ballot: Ballot) -> bool:
    return ballot.tallies_public or (actor is not None and actor.facilitates(atelier))


def vote_state(atelier: Atelier, actor: Actor | None = None) -> dict[str, Any]:
    """The vote part of the atelier snapshot, for this actor.

    ``{ballot, mine, tally}``: ``mine`` only for a participant of this atelier, ``tally`` only
    when tallies are public (revealed or visible live) or to a facilitator of the atelier.
    """
    ballot = current_ballot(atelier)
    if ballot is None:
        return {"ballot": None, "mine": None, "tally": None}
    participant = actor.participant if actor is not None else None
    mine = None
    if participant is not None and participant.event_id == atelier.event_id:
        mine = my_dots(ballot, participant)
    return {
        "ballot": ballot_dict(ballot),
        "mine": mine,
        "tally": tally(ballot) if can_see_tally(actor, atelier, ballot) else None,
        "facilitator": bool(actor is not None and actor.facilitates(atelier)),
    }


def require_tally_access(actor: Actor, atelier: Atelier) -> Ballot:
    """The ballot whose tally ``actor`` may read; ``NotFound`` / ``Forbidden`` otherwise."""
    ballot = current_ballot(atelier)
    if ballot is None:
        raise NotFound(gettext("Aucun vote dans cet atelier."))
    if not can_see_tally(actor, atelier, ballot):
        raise Forbidden(gettext("Les résultats seront visibles quand l'animateur les révélera."))
    return ballot


__all__ = [
    "BallotSettings",
    "BudgetExceeded",
    "DotResult",
    "VoteClosed",
    "VoteConflict",
    "ballot_dict",
    "close_ballot",
    "competition_ranks",
    "current_ballot",
    "my_dots",
    "on_card_removed",
    "on_merge",
    "on_round_phase",
    "open_ballot",
    "parse_settings",
    "participation",
    "reopen_ballot",
    "reveal_ballot",
    "scribe_set",
    "set_dots",
    "tally",
    "vote_state",
]
