"""Rounds: the atelier's state machine and its timer, with a controllable clock.

*préparation → contributions ouvertes → vote → résultats → clos*. Every change goes through
``transition``: it checks the move is legal from the phase the server holds, writes it with
a compare-and-set (two facilitators clicking at once: one wins, the other is told), audits
it and bumps the atelier's version. Moving back is a *reopen*, allowed and audited as such.

The timer is data, not a running process: ``timer_ends_at`` is a UTC instant, so every
client shows the same countdown from the server's clock, and the phase a reader sees is
computed from it (``effective_phase``). At zero the facilitator's choice applies (« alerte
seulement » by default, or « passer à la phase suivante »): whoever reads first after zero (a post, a join, a facilitator, the ticker in ``realtime.rounds``) settles it with the
same compare-and-set, so several workers never close it twice.

Every function takes ``now``: tests pass a fake clock; production passes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError

from facilitation.domain import voting
from facilitation.domain.access import Actor, require_facilitator
from facilitation.domain.contributions import bump_version
from facilitation.domain.errors import DomainError, NotFound, ValidationError
from facilitation.domain.phases import (
    FORWARD,
    NEXT,
    REOPEN,
    allowed_targets,
    current_round,
    expired,
    remaining_seconds,
    require_current_round,
    sensible_targets,
    timer_state,
    vote_held,
)
from facilitation.extensions import db
from facilitation.models import Atelier, BallotStatus, Round, RoundTransition
from facilitation.models.base import utcnow
from facilitation.models.round import AT_ZERO_ADVANCE, AT_ZERO_CHOICES, Phase

Clock = Callable[[], datetime]

MAX_TIMER_SECONDS = 4 * 60 * 60
TIMER_ACTIONS = ("start", "pause", "resume", "add")


# ------------------------------------------------------------------------- writing
def _actor_columns(actor: Actor | None, atelier: Atelier) -> dict[str, Any]:
    if actor is None:
        return {"actor_label": "minuteur"}
    if actor.is_organizer and actor.organizer is not None:
        return {"organizer_id": actor.organizer.id, "actor_label": actor.organizer.email}
    for link in actor.links:
        if link.active and link.atelier_id in (None, atelier.id):
            return {
                "facilitator_link_id": link.id,
                "actor_label": link.label or f"lien d'animation {link.id}",
            }
    return {"actor_label": "inconnu"}


def _compare_and_set(rnd: Round, expected: Phase, values: dict[str, Any]) -> bool:
    """Write ``values`` only if the round is still in ``expected``; return whether it was."""
    result = db.session.execute(
        update(Round)
        .where(Round.id == rnd.id, Round.phase == expected.value)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(rnd)
    return result.rowcount == 1


def settle(rnd: Round, now: datetime | None = None) -> int | None:
    """Apply the timer's zero to ``rnd`` if it was reached; return the atelier's new version,
    else None.

    « alerte seulement » (``alert``, the default): the phase stays, the timer stops at 0
    (state ``ended``: every screen shows the signal). « passer à la phase suivante »
    (``advance``): the round moves to its next phase (audited ``timer``; « vote » opens a
    ballot with the atelier's usual settings). Safe to call from several readers and workers:
    only one compare-and-set wins.
    """
    now = now or utcnow()
    if not expired(rnd, now):
        return None
    before = rnd.phase_enum
    ends_at = rnd.timer_ends_at
    if rnd.timer_at_zero != AT_ZERO_ADVANCE:
        if not _compare_and_set(rnd, before, {"timer_ends_at": None, "timer_remaining": 0}):
            return None
        db.session.flush()
        return bump_version(rnd.atelier_id)
    to = NEXT[before]
    won = _compare_and_set(
        rnd,
        before,
        {
            "phase": to.value,
            "phase_changed_at": ends_at,
            "timer_ends_at": None,
            "timer_remaining": None,
            **({"timer_duration": None} if to != Phase.CLOS else {}),
        },
    )
    if not won:
        return None
    db.session.add(
        RoundTransition(
            round_id=rnd.id,
            from_phase=before.value,
            to_phase=to.value,
            reason="timer",
            at=ends_at or now,
            **_actor_columns(None, rnd.atelier),
        )
    )
    _phase_hook(rnd.atelier, rnd, to)
    db.session.flush()
    return bump_version(rnd.atelier_id)


def set_timer_at_zero(actor: Actor, atelier: Atelier, rnd: Round, choice: Any) -> int:
    """The facilitator's choice for the timer's zero on this round: ``alert`` or ``advance``.

    Returns the atelier's new version (the same choice again changes nothing but is answered).
    """
    require_facilitator(actor, atelier)
    _require_current(atelier, rnd)
    if choice not in AT_ZERO_CHOICES:
        raise ValidationError(
            gettext("Choix inconnu pour la fin du minuteur."),
            {
                "at_zero": gettext(
                    "Choisissez « alerte seulement » ou « passer à la phase suivante »."
                )
            },
        )
    rnd.timer_at_zero = choice
    db.session.flush()
    return bump_version(atelier.id)


def transition(
    actor: Actor,
    atelier: Atelier,
    rnd: Round,
    to: Phase,
    now: datetime | None = None,
    *,
    vote_settings: voting.BallotSettings | None = None,
) -> int:
    """Move the current round to ``to``; return the atelier's new version.

    Raises ``Forbidden`` for non-facilitators, ``DomainError`` (French) for an illegal or
    stale move. Moving to the phase the round is already in is refused too: the client shows
    the server's phase, so a repeat means it is out of date (it resyncs on the error).
    ``vote_settings``: a move to « vote » opens a new ballot with them (the vote panel).
    """
    require_facilitator(actor, atelier)
    now = now or utcnow()
    _require_current(atelier, rnd)
    settle(rnd, now)
    before = rnd.phase_enum
    if to == before:
        raise DomainError(gettext("La manche est déjà en phase « %(label)s ».", label=to.label))
    if to == Phase.RESULTATS and before != Phase.VOTE and vote_held(rnd) is None:
        raise DomainError(
            gettext("Pas de résultats à afficher : cette manche n'a pas eu de vote.")
            + _hint(before, sensible_targets(before, None))
        )
    if to in FORWARD[before]:
        reason = "manual"
    elif to in REOPEN[before]:
        reason = "reopen"
    else:
        raise DomainError(
            f"Passage impossible de « {before.label} » à « {to.label} »." + _hint(before)
        )
    values: dict[str, Any] = {"phase": to.value, "phase_changed_at": now}
    if to == Phase.CLOS:
        # A closed round has no timer; a reopened one starts without one.
        values.update(timer_ends_at=None, timer_remaining=None)
    elif rnd.timer_ends_at is not None or rnd.timer_remaining is not None:
        # The timer belongs to the phase it was set in.
        values.update(timer_ends_at=None, timer_remaining=None, timer_duration=None)
    if not _compare_and_set(rnd, before, values):
        raise DomainError(gettext("La manche vient de changer de phase : l'écran est mis à jour."))
    db.session.add(
        RoundTransition(
            round_id=rnd.id,
            from_phase=before.value,
            to_phase=to.value,
            reason=reason,
            at=now,
            **_actor_columns(actor, atelier),
        )
    )
    _phase_hook(atelier, rnd, to, vote_settings)
    db.session.flush()
    return bump_version(atelier.id)


def _hint(phase: Phase, targets: list[Phase] | None = None) -> str:
    targets = allowed_targets(phase) if targets is None else targets
    if not targets:
        return ""
    return " Depuis cette phase : " + ", ".join(f"« {p.label} »" for p in targets) + "."


def _require_current(atelier: Atelier, rnd: Round) -> None:
    if rnd.atelier_id != atelier.id:
        raise NotFound(gettext("Cette manche n'existe pas dans cet atelier."))
    current = current_round(atelier)
    if current is None or current.id != rnd.id:
        raise DomainError(gettext("Seule la manche en cours peut être modifiée."))


def create_round(actor: Actor, atelier: Atelier, now: datetime | None = None) -> tuple[Round, int]:
    """Start the next round, in *préparation*, once the current one is closed.

    Returns ``(round, version)``.
    """
    require_facilitator(actor, atelier)
    now = now or utcnow()
    current = current_round(atelier)
    if current is not None:
        settle(current, now)
        if current.phase != Phase.CLOS.value:
            raise DomainError(
                gettext(
                    "Clôturez d'abord la manche %(number)s (phase « %(label)s ») avant d'en créer une nouvelle.",
                    number=current.number,
                    label=current.phase_enum.label,
                )
            )
    number = (
        db.session.scalar(select(func.max(Round.number)).where(Round.atelier_id == atelier.id)) or 0
    ) + 1
    rnd = Round(
        atelier_id=atelier.id,
        number=number,
        phase=Phase.PREPARATION.value,
        # The next round keeps the facilitator's anonymity choice; they change it in the console.
        anonymous=bool(current.anonymous) if current is not None else False,
        created_at=now,
        phase_changed_at=now,
    )
    try:
        with db.session.begin_nested():
            db.session.add(rnd)
    except IntegrityError:
        raise DomainError(
            gettext("Une autre manche vient d'être créée : l'écran est mis à jour.")
        ) from None
    return rnd, bump_version(atelier.id)


def set_timer(
    actor: Actor,
    atelier: Atelier,
    rnd: Round,
    action: str,
    seconds: Any = None,
    now: datetime | None = None,
) -> int:
    """Timer actions: ``start`` (``seconds``), ``pause``, ``resume``, ``add`` (``seconds``).

    Returns the atelier's new version. Every action is checked against the timer's state.
    """
    require_facilitator(actor, atelier)
    now = now or utcnow()
    _require_current(atelier, rnd)
    settle(rnd, now)
    if rnd.phase == Phase.CLOS.value:
        raise DomainError(gettext("La manche est close : rouvrez-la pour relancer un minuteur."))
    state = timer_state(rnd, now)
    values: dict[str, Any]
    if action == "start":
        duration = _seconds(seconds)
        values = {
            "timer_duration": duration,
            "timer_ends_at": now + timedelta(seconds=duration),
            "timer_remaining": None,
        }
    elif action == "pause":
        if state != "running":
            raise DomainError(gettext("Le minuteur n'est pas en marche."))
        values = {"timer_ends_at": None, "timer_remaining": remaining_seconds(rnd, now)}
    elif action == "resume":
        if state != "paused":
            raise DomainError(gettext("Le minuteur n'est pas en pause."))
        values = {
            "timer_ends_at": now + timedelta(seconds=rnd.timer_remaining or 0),
            "timer_remaining": None,
        }
    elif action == "add":
        extra = _seconds(seconds)
        if state == "running" and rnd.timer_ends_at is not None:
            values = {"timer_ends_at": rnd.timer_ends_at + timedelta(seconds=extra)}
        elif state == "ended":
            # « +1 min » after the alert: the countdown starts again from the extra time.
            values = {"timer_ends_at": now + timedelta(seconds=extra), "timer_remaining": None}
        elif state == "paused":
            values = {"timer_remaining": min(MAX_TIMER_SECONDS, (rnd.timer_remaining or 0) + extra)}
        else:
            raise DomainError(gettext("Aucun minuteur à prolonger : démarrez-en un."))
        values["timer_duration"] = min(MAX_TIMER_SECONDS, (rnd.timer_duration or 0) + extra)
    else:
        raise ValidationError(
            gettext("Action de minuteur inconnue."),
            {"action": gettext("Choisissez démarrer, pause, reprendre ou ajouter.")},
        )
    if not _compare_and_set(rnd, rnd.phase_enum, values):
        raise DomainError(gettext("La manche vient de changer de phase : l'écran est mis à jour."))
    return bump_version(atelier.id)


def _seconds(raw: Any) -> int:
    if isinstance(raw, bool) or not isinstance(raw, int) or not 1 <= raw <= MAX_TIMER_SECONDS:
        raise ValidationError(
            gettext("Durée invalide."),
            {
                "seconds": gettext(
                    "Indiquez une durée entre 1 seconde et %(v)s h.", v=MAX_TIMER_SECONDS // 3600
                )
            },
        )
    return raw


def due_rounds(now: datetime | None = None) -> list[Round]:
    """Rounds whose timer has reached zero but that are not closed yet (for the ticker)."""
    return list(
        db.session.scalars(
            select(Round).where(
                Round.timer_ends_at.is_not(None),
                Round.timer_ends_at <= (now or utcnow()),
                Round.phase != Phase.CLOS.value,
            )
        )
    )


def transitions(rnd: Round) -> list[RoundTransition]:
    """The audit of one round, oldest first."""
    return list(
        db.session.scalars(
            select(RoundTransition)
            .where(RoundTransition.round_id == rnd.id)
            .order_by(RoundTransition.at, RoundTransition.id)
        )
    )


def _phase_hook(
    atelier: Atelier,
    rnd: Round,
    phase: Phase,
    settings: voting.BallotSettings | None = None,
) -> None:
    """Tell the ballot about the new phase (vote opens it, résultats reveals, any other phase
    closes it).

    The only call site, so a timer closing a round closes its ballot too; the ballot change
    is broadcast after the commit by ``push.votes``.
    """
    voting.on_round_phase(atelier, rnd, phase.value, settings)


# ------------------------------------------------------------------------- the vote panel
# The console's vote panel does not touch the ballot directly: it moves the round, whose hook
# moves the ballot, so the phase the phones show and the ballot can never disagree (a ballot
# is open only while its round is in « vote », revealed in « résultats »), and every change is
# audited like a move from the round panel. The two "already there" cases below only repair
# data written before this rule (a ballot left open by the old panel).


def open_vote(
    actor: Actor,
    atelier: Atelier,
    settings: voting.BallotSettings,
    now: datetime | None = None,
) -> tuple[Round, int]:
    """« Ouvrir le vote » with ``settings``: the current round moves to « vote » (audited).

    ``VoteConflict`` if a ballot is already open; ``DomainError`` if the round cannot go to
    « vote » from its phase (the message lists where it can go). Returns ``(round, version)``.
    """
    require_facilitator(actor, atelier)
    rnd = require_current_round(atelier)
    settle(rnd, now)
    if voting.open_ballot_of(atelier) is not None:
        raise voting.VoteConflict()
    if rnd.phase_enum == Phase.VOTE:
        _phase_hook(atelier, rnd, Phase.VOTE, settings)
        db.session.flush()
        return rnd, bump_version(atelier.id)
    return rnd, transition(actor, atelier, rnd, Phase.VOTE, now, vote_settings=settings)


def close_vote(actor: Actor, atelier: Atelier, now: datetime | None = None) -> tuple[Round, int]:
    """« Clore le vote »: the round moves to « clos » (results stay hidden until revealed).

    ``VoteClosed`` if no ballot is open. Returns ``(round, version)``.
    """
    require_facilitator(actor, atelier)
    rnd = require_current_round(atelier)
    settle(rnd, now)
    if voting.open_ballot_of(atelier) is None:
        raise voting.VoteClosed()
    if rnd.phase_enum == Phase.CLOS:
        _phase_hook(atelier, rnd, Phase.CLOS)
        db.session.flush()
        return rnd, bump_version(atelier.id)
    return rnd, transition(actor, atelier, rnd, Phase.CLOS, now)


def reveal_vote(
    actor: Actor, atelier: Atelier, now: datetime | None = None
) -> tuple[Round, int | None]:
    """« Révéler les résultats »: the round moves to « résultats », which reveals the ballot.

    ``VoteClosed`` without any ballot; an already revealed ballot changes nothing (version
    ``None``). Returns ``(round, version)``.
    """
    require_facilitator(actor, atelier)
    rnd = require_current_round(atelier)
    settle(rnd, now)
    ballot = voting.current_ballot(atelier)
    if ballot is None:
        raise voting.VoteClosed(gettext("Aucun vote à révéler dans cet atelier."))
    if ballot.status == BallotStatus.REVEALED.value:
        return rnd, None
    if rnd.phase_enum == Phase.RESULTATS:
        _phase_hook(atelier, rnd, Phase.RESULTATS)
        db.session.flush()
        return rnd, bump_version(atelier.id)
    return rnd, transition(actor, atelier, rnd, Phase.RESULTATS, now)
