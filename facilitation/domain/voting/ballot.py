"""A ballot's life cycle: open, close, reopen, reveal, and the rounds' phase hook.

A ballot is open only while its round is in "vote" (``on_round_phase``); the partial unique
index on open ballots refuses a second one in the same atelier, even from two facilitators
at once. Changes that clients must hear about are recorded with ``mark_changed``.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Mapping
from datetime import UTC
from typing import Any

from flask_babel import gettext
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from facilitation.domain.errors import Closed
from facilitation.domain.voting.errors import VoteClosed, VoteConflict
from facilitation.domain.voting.settings import BallotSettings, parse_settings
from facilitation.extensions import db
from facilitation.models import Atelier
from facilitation.models.base import utcnow
from facilitation.models.vote import Ballot, BallotStatus

#: Key of ``db.session.info``: atelier ids whose ballot or tallies changed in this transaction.
PENDING_KEY = "vote_pending_changes"


def mark_changed(atelier_id: int, *, ballot: bool = False) -> None:
    """Remember what to broadcast after the commit (tallies always; the ballot if asked)."""
    pending = db.session.info.setdefault(PENDING_KEY, {})
    pending[atelier_id] = pending.get(atelier_id, False) or ballot


def open_ballot_of(atelier: Atelier) -> Ballot | None:
    """The atelier's open ballot, if any."""
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
    mark_changed(atelier.id, ballot=True)
    return ballot


def close_ballot(atelier: Atelier) -> Ballot | None:
    """Stop the voting; the results stay hidden unless visible live. ``None``: nothing open."""
    ballot = open_ballot_of(atelier)
    if ballot is None:
        return None
    ballot.status = BallotStatus.CLOSED.value
    ballot.closed_at = utcnow()
    db.session.flush()
    mark_changed(atelier.id, ballot=True)
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
        mark_changed(atelier.id, ballot=True)
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
    mark_changed(ballot.atelier_id, ballot=True)
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


def ballot_dict(ballot: Ballot | None) -> dict[str, Any] | None:
    """A ballot as clients receive it (snapshots, ``vote:changed``); ``None`` stays ``None``."""
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
