"""Reading a round: the current round, its phase as of now, its timer, its JSON.

Read-only (no flush): ``domain.contributions`` asks it whether a card may be posted, and
``domain.rounds`` builds the writes on it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select

from facilitation.domain.errors import Closed, NotFound, ValidationError
from facilitation.extensions import db
from facilitation.models import Atelier, Ballot, Round
from facilitation.models.base import utcnow
from facilitation.models.round import AT_ZERO_ADVANCE, Phase

#: Legal moves: forward steps (and closing early from any phase), and a few steps back.
FORWARD: dict[Phase, frozenset[Phase]] = {
    Phase.PREPARATION: frozenset({Phase.CONTRIBUTIONS, Phase.CLOS}),
    Phase.CONTRIBUTIONS: frozenset({Phase.VOTE, Phase.CLOS}),
    Phase.VOTE: frozenset({Phase.RESULTATS, Phase.CLOS}),
    Phase.RESULTATS: frozenset({Phase.CLOS}),
    Phase.CLOS: frozenset(),
}
REOPEN: dict[Phase, frozenset[Phase]] = {
    Phase.PREPARATION: frozenset(),
    Phase.CONTRIBUTIONS: frozenset({Phase.PREPARATION}),
    Phase.VOTE: frozenset({Phase.CONTRIBUTIONS}),
    Phase.RESULTATS: frozenset({Phase.VOTE}),
    Phase.CLOS: frozenset({Phase.CONTRIBUTIONS, Phase.VOTE, Phase.RESULTATS}),
}


#: Where « passer à la phase suivante » goes when a timer reaches zero.
NEXT: dict[Phase, Phase] = {
    Phase.PREPARATION: Phase.CONTRIBUTIONS,
    Phase.CONTRIBUTIONS: Phase.VOTE,
    Phase.VOTE: Phase.RESULTATS,
    Phase.RESULTATS: Phase.CLOS,
    Phase.CLOS: Phase.CLOS,
}


def allowed_targets(phase: Phase) -> list[Phase]:
    """The phases reachable from ``phase``, in phase order (for the console's buttons)."""
    return sorted(FORWARD[phase] | REOPEN[phase], key=lambda p: p.rank)


def parse_phase(raw: Any) -> Phase:
    try:
        return Phase(raw)
    except ValueError:
        raise ValidationError(
            gettext("Phase inconnue."), {"to": gettext("Choisissez une phase de la manche.")}
        ) from None


def current_round(atelier: Atelier | int) -> Round | None:
    """The atelier's current round: its highest-numbered one."""
    atelier_id = atelier if isinstance(atelier, int) else atelier.id
    return db.session.scalar(
        select(Round).where(Round.atelier_id == atelier_id).order_by(Round.number.desc()).limit(1)
    )


def require_current_round(atelier: Atelier) -> Round:
    found = current_round(atelier)
    if found is None:
        raise NotFound(gettext("Cet atelier n'a pas encore de manche."))
    return found


def get_round(atelier: Atelier, round_id: Any) -> Round:
    found = db.session.get(Round, round_id) if isinstance(round_id, int) else None
    if found is None or found.atelier_id != atelier.id:
        raise NotFound(gettext("Cette manche n'existe pas dans cet atelier."))
    return found


def remaining_seconds(rnd: Round, now: datetime | None = None) -> int | None:
    """Seconds left on the timer (never negative), or ``None`` without a timer."""
    if rnd.timer_ends_at is not None:
        left = (rnd.timer_ends_at - (now or utcnow())).total_seconds()
        # Rounded up: "0:01" is shown until the very end, never "0:00" while still open.
        return max(0, int(-(-left // 1)))
    return rnd.timer_remaining


def timer_state(rnd: Round, now: datetime | None = None) -> str:
    """``running``, ``paused``, ``ended`` (reached zero with « alerte seulement »: the phase
    stays and every screen shows the signal until the timer is restarted) or ``none``."""
    if rnd.timer_ends_at is not None:
        if now is not None and rnd.timer_ends_at <= now:
            return "ended"
        return "running"
    if rnd.timer_remaining is not None:
        return "ended" if rnd.timer_remaining == 0 else "paused"
    return "none"


def expired(rnd: Round, now: datetime | None = None) -> bool:
    return (
        rnd.phase != Phase.CLOS.value
        and rnd.timer_ends_at is not None
        and rnd.timer_ends_at <= (now or utcnow())
    )


def effective_phase(rnd: Round, now: datetime | None = None) -> Phase:
    """The phase as of ``now``, settled or not yet: a running timer at zero moves the round
    to its next phase if the facilitator chose « passer à la phase suivante », else (« alerte
    seulement ») the phase stays."""
    if expired(rnd, now) and rnd.timer_at_zero == AT_ZERO_ADVANCE:
        return NEXT[rnd.phase_enum]
    return rnd.phase_enum


def vote_held(rnd: Round) -> str | None:
    """The status of the last ballot opened during ``rnd`` (``ouvert``, ``clos``, ``révélé``),
    or ``None`` when this round never had a vote (one indexed query)."""
    started = rnd.created_at
    return db.session.scalar(
        select(Ballot.status)
        .where(Ballot.atelier_id == rnd.atelier_id, Ballot.opened_at >= started)
        .order_by(Ballot.id.desc())
        .limit(1)
    )


def sensible_targets(phase: Phase, held: str | None) -> list[Phase]:
    """``allowed_targets`` minus the moves that make no sense for this round: no going back to
    « résultats » when the round never had a vote (there is nothing to show)."""
    return [p for p in allowed_targets(phase) if p != Phase.RESULTATS or held is not None]


def round_dict(rnd: Round, now: datetime | None = None) -> dict[str, Any]:
    """The round as clients see it; ``ends_at`` and ``remaining`` come from the server clock.

    ``vote``: this round's ballot status, or ``None`` if it never had a vote (the console names
    its buttons after it: « Passer au vote » rather than « Rouvrir le vote »). Read from the
    database only for a closed round (the phase says it otherwise; joins keep their budget)."""
    now = now or utcnow()
    phase = effective_phase(rnd, now)
    held = {Phase.VOTE: "ouvert", Phase.RESULTATS: "révélé"}.get(phase)
    if phase == Phase.CLOS:
        held = vote_held(rnd)
    running = rnd.timer_ends_at is not None and phase == rnd.phase_enum
    state = timer_state(rnd, now) if phase == rnd.phase_enum and phase != Phase.CLOS else "none"
    return {
        "id": rnd.id,
        "number": rnd.number,
        "phase": phase.value,
        "phase_label": phase.label,
        "allowed": [p.value for p in sensible_targets(phase, held)],
        "timer": {
            "state": state,
            "duration": rnd.timer_duration,
            "ends_at": rnd.timer_ends_at.isoformat() if running and rnd.timer_ends_at else None,
            "remaining": remaining_seconds(rnd, now) if state != "none" else None,
        },
        "at_zero": rnd.timer_at_zero,
        # « Tour anonyme »: the phone says so above the card form, before anyone posts.
        "anonymous": rnd.anonymous,
        "vote": held,
        "phase_changed_at": rnd.phase_changed_at.isoformat(),
    }


def check_open_for_contributions(atelier: Atelier, now: datetime | None = None) -> Round:
    """The current round, if it takes cards now; ``Closed`` otherwise (French message)."""
    rnd = current_round(atelier)
    if rnd is None:
        # Never happens for ateliers made after migration 0003 (they open with round 1).
        raise Closed(gettext("Les contributions ne sont pas ouvertes dans cet atelier."))
    phase = effective_phase(rnd, now)
    if phase != Phase.CONTRIBUTIONS:
        raise Closed(
            gettext(
                "Les contributions sont fermées : la manche %(number)s est en phase « %(label)s ».",
                number=rnd.number,
                label=phase.label,
            )
        )
    return rnd


def current_rounds(ateliers: list[Atelier]) -> dict[int, Round]:
    """The current (highest-numbered) round of each atelier, in one query."""
    ids = [a.id for a in ateliers]
    if not ids:
        return {}
    latest = (
        select(Round.atelier_id, func.max(Round.number).label("n"))
        .where(Round.atelier_id.in_(ids))
        .group_by(Round.atelier_id)
        .subquery()
    )
    found = db.session.scalars(
        select(Round).join(
            latest, (Round.atelier_id == latest.c.atelier_id) & (Round.number == latest.c.n)
        )
    )
    return {r.atelier_id: r for r in found}
