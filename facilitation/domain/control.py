"""The organizers' control room and the day's agenda.

``control_snapshot`` is the read model of the live page: every atelier's round, timer,
cards, last activity and warnings. Connection counts come from the caller (they live in the
socket layer, per worker). ``next_sequence`` moves the whole day on in one action; the
participant's "what now" comes from ``agenda``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from flask_babel import gettext
from sqlalchemy import func, select

from facilitation.domain.access import Actor, require_organizer
from facilitation.domain.errors import DomainError, NotFound, ValidationError
from facilitation.domain.events import sequence_dict
from facilitation.domain.phases import current_rounds, round_dict
from facilitation.domain.validation import N_, TextField, as_id
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Event, FacilitatorLink, Participant, Sequence
from facilitation.models.base import utcnow
from facilitation.models.round import Phase

ANNOUNCEMENT = TextField("text", N_("Annonce"), 200, required=True)
#: A running atelier (contributions or vote) without any activity for this long is flagged.
IDLE_MINUTES = 10


def event_ateliers(event: Event) -> list[Atelier]:
    return [a for s in event.sequences for a in s.ateliers]


def control_snapshot(
    event: Event,
    people: Callable[[int], int],
    consoles: Callable[[int], int],
    now: datetime | None = None,
    idle_minutes: int = IDLE_MINUTES,
) -> dict[str, Any]:
    """Every atelier of the event as the control room shows it.

    ``people(atelier_id)``: participants connected; ``consoles(atelier_id)``: facilitator
    consoles open. Warnings: ``idle`` (a running round without activity for ``idle_minutes``)
    and ``no_facilitator``.
    """
    now = now or utcnow()
    ateliers = event_ateliers(event)
    ids = [a.id for a in ateliers]
    rounds = current_rounds(ateliers)
    counts: dict[int, int] = {}
    last_card: dict[int, datetime] = {}
    if ids:
        for atelier_id, count, last in db.session.execute(
            select(
                Contribution.atelier_id,
                func.count(Contribution.id),
                func.max(Contribution.created_at),
            )
            .where(
                Contribution.atelier_id.in_(ids),
                Contribution.withdrawn_at.is_(None),
                Contribution.merged_into_id.is_(None),
            )
            .group_by(Contribution.atelier_id)
        ):
            counts[atelier_id] = count
            if last is not None:
                last_card[atelier_id] = _aware(last)
    current = event.current_sequence_id
    items = []
    #: The sequence whose ateliers moved last (cards, a phase change): the day has started
    #: even if nobody pressed « séquence suivante » (the régie used to say it had not).
    busiest: tuple[datetime, int] | None = None
    for atelier in ateliers:
        rnd = rounds.get(atelier.id)
        activity = [t for t in (last_card.get(atelier.id), rnd and rnd.phase_changed_at) if t]
        last = max(activity) if activity else None
        moved = counts.get(atelier.id, 0) > 0 or (
            rnd is not None and (rnd.number > 1 or rnd.phase != Phase.CONTRIBUTIONS.value)
        )
        latest = busiest is None or (last is not None and last > busiest[0])
        if moved and last is not None and atelier.sequence_id is not None and latest:
            busiest = (last, atelier.sequence_id)
        running = rnd is not None and rnd.phase in (Phase.CONTRIBUTIONS, Phase.VOTE)
        warnings = []
        in_play = current is None or atelier.sequence_id == current
        if in_play and running and (last is None or now - last > timedelta(minutes=idle_minutes)):
            warnings.append("idle")
        if in_play and consoles(atelier.id) == 0:
            warnings.append("no_facilitator")
        items.append(
            {
                "id": atelier.id,
                "title": atelier.title,
                "room": atelier.room,
                "sequence_id": atelier.sequence_id,
                "round": round_dict(rnd, now) if rnd else None,
                "people": people(atelier.id),
                "facilitators": consoles(atelier.id),
                "cards": counts.get(atelier.id, 0),
                "last_activity": last.isoformat() if last else None,
                "warnings": warnings,
            }
        )
    day = agenda(event)
    if day["current"] is None and busiest is not None:
        # No sequence designated, yet ateliers are running: say where the day is.
        sequence = next((q for q in event.sequences if q.id == busiest[1]), None)
        day["from_ateliers"] = _sequence_dict(event, sequence)
    return {
        "event": {"id": event.id, "slug": event.slug, "title": event.title},
        "server_time": now.isoformat(),
        "idle_minutes": idle_minutes,
        "agenda": day,
        "ateliers": items,
    }


def _aware(value: datetime) -> datetime:
    # func.max() bypasses the UTCDateTime type on SQLite: the value may come back naive.
    return value if value.tzinfo else value.replace(tzinfo=UTC)


# ------------------------------------------------------------------------- agenda
def _sequence_dict(event: Event, sequence: Sequence | None) -> dict[str, Any] | None:
    if sequence is None:
        return None
    return sequence_dict(event, sequence, has_ateliers=sequence.kind_enum.has_ateliers)


def current_and_next(event: Event) -> tuple[Sequence | None, Sequence | None]:
    sequences = list(event.sequences)
    if event.current_sequence_id is None:
        return None, sequences[0] if sequences else None
    for index, sequence in enumerate(sequences):
        if sequence.id == event.current_sequence_id:
            return sequence, sequences[index + 1] if index + 1 < len(sequences) else None
    return None, sequences[0] if sequences else None


def agenda(event: Event) -> dict[str, Any]:
    current, following = current_and_next(event)
    return {
        "event_id": event.id,
        "current": _sequence_dict(event, current),
        "next": _sequence_dict(event, following),
    }


def next_sequence(actor: Actor, event: Event) -> Sequence:
    """Move the whole day to the next sequence of the programme (organizers only)."""
    require_organizer(actor, event)
    _current, following = current_and_next(event)
    if following is None:
        raise DomainError(gettext("C'était la dernière séquence du programme."))
    event.current_sequence_id = following.id
    db.session.flush()
    return following


def next_step(event: Event, participant: Participant | None) -> str | None:
    """What the participant should do now, in one French sentence (``None``: nothing to say)."""
    current, following = current_and_next(event)
    if current is None:
        return None
    if current.kind_enum.has_ateliers:
        mine = participant and participant.current_atelier
        if mine is not None and mine.sequence_id == current.id:
            where = f" ({mine.room})" if mine.room else ""
            return f"Rejoignez votre atelier « {mine.title} »{where}."
        return "Choisissez votre atelier ci-dessous et rejoignez sa salle."
    if following is not None and following.kind_enum.has_ateliers:
        return f"Ensuite : {following.title}. Choisissez dès maintenant votre atelier."
    return f"En ce moment : {current.title}."


def clean_announcement(raw: Any) -> str:
    text, error = ANNOUNCEMENT.clean(raw)
    if error:
        raise ValidationError(errors={"text": error})
    return text


# ------------------------------------------------------------------------- facilitator links
def facilitator_links(actor: Actor, event: Event) -> list[FacilitatorLink]:
    """The event's facilitator links, newest first (organizers only)."""
    require_organizer(actor, event)
    return list(
        db.session.scalars(
            select(FacilitatorLink)
            .where(FacilitatorLink.event_id == event.id)
            .order_by(FacilitatorLink.created_at.desc(), FacilitatorLink.id.desc())
        )
    )


def get_link(actor: Actor, event: Event, raw_id: Any) -> FacilitatorLink:
    require_organizer(actor, event)
    found = as_id(raw_id)
    link = db.session.get(FacilitatorLink, found) if found is not None else None
    if link is None or link.event_id != event.id:
        raise NotFound(gettext("Ce lien d'animation n'existe pas."))
    return link
