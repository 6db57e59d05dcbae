"""Finding events and ateliers, and the event's public read model."""

from __future__ import annotations

from datetime import datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext
from sqlalchemy import func, select

from facilitation.domain.errors import NotFound
from facilitation.domain.phases import current_rounds, effective_phase
from facilitation.domain.validation import as_id
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Event, Sequence
from facilitation.models.event import EventStatus, SequenceKind


def get_event(slug: str) -> Event:
    event = db.session.scalar(select(Event).where(Event.slug == slug))
    if event is None:
        raise NotFound(gettext("Cet événement n'existe pas."))
    return event


def find_event_by_code(code: str) -> Event:
    normalised = "".join(code.split()).upper()
    event = None
    if normalised:
        event = db.session.scalar(select(Event).where(func.upper(Event.join_code) == normalised))
    if event is None:
        raise NotFound(
            gettext("Aucun événement ne porte ce code. Vérifiez-le sur l'affiche ou l'écran.")
        )
    return event


def listed_events() -> list[Event]:
    """Events a visitor may pick on the home page: open ones whose organizers asked for it.

    Others are reached by their code, QR code or link only, so that an agency hosting
    several clients' days does not show each client's day to everyone.
    """
    return list(
        db.session.scalars(
            select(Event)
            .where(Event.status == EventStatus.OPEN.value, Event.listed_on_home.is_(True))
            .order_by(Event.date)
        )
    )


def get_atelier(event: Event, atelier_id: Any) -> Atelier:
    """The atelier ``atelier_id`` (a number or ASCII digits) of ``event``, else ``NotFound``."""
    found = as_id(atelier_id)
    atelier = db.session.get(Atelier, found) if found is not None else None
    if atelier is None or atelier.event_id != event.id:
        raise NotFound(gettext("Cet atelier n'existe pas dans cet événement."))
    return atelier


def atelier_groups(event: Event) -> list[tuple[Sequence, list[Atelier]]]:
    """The atelier sequences of the day with their ateliers, in programme order."""
    return [(s, list(s.ateliers)) for s in event.sequences if s.kind_enum.has_ateliers]


def contribution_kind(sequence: Sequence) -> str:
    return "chantier" if sequence.kind == SequenceKind.ATELIERS_CHANTIERS.value else "pratique"


def local_iso(event: Event, at: time | None) -> str | None:
    """A programme time as ISO 8601 with the event's UTC offset on the event's date."""
    if at is None:
        return None
    return datetime.combine(event.date, at, tzinfo=ZoneInfo(event.timezone)).isoformat()


def sequence_dict(event: Event, sequence: Sequence, **extra: Any) -> dict[str, Any]:
    """A sequence of the programme, its times in the event's zone, then what the caller adds
    (its ateliers as that read model shows them ...)."""
    return {
        "id": sequence.id,
        "title": sequence.title,
        "kind": sequence.kind,
        "starts_at": local_iso(event, sequence.starts_at),
        "ends_at": local_iso(event, sequence.ends_at),
    } | extra


def event_read_model(event: Event) -> dict[str, Any]:
    """The event as public JSON: programme and ateliers with their card counts."""
    counts = dict(
        db.session.execute(
            select(Contribution.atelier_id, func.count(Contribution.id))
            .join(Atelier, Atelier.id == Contribution.atelier_id)
            .where(Atelier.event_id == event.id)
            .group_by(Contribution.atelier_id)
        ).all()
    )
    # Each atelier's current round phase, in one query rather than one per atelier.
    phases = {
        atelier_id: effective_phase(rnd).value
        for atelier_id, rnd in current_rounds(
            [a for s in event.sequences for a in s.ateliers]
        ).items()
    }
    programme = []
    ateliers = []
    for sequence in event.sequences:
        items = []
        for atelier in sequence.ateliers:
            item = {
                "id": atelier.id,
                "title": atelier.title,
                "theme": atelier.theme,
                "question": atelier.question,
                "room": atelier.room,
                "sequence_id": sequence.id,
                "contributions": counts.get(atelier.id, 0),
                "phase": phases.get(atelier.id),
            }
            items.append(item)
            ateliers.append(item)
        programme.append(sequence_dict(event, sequence, ateliers=items))
    return {
        "slug": event.slug,
        "title": event.title,
        "date": event.date.isoformat(),
        "venue": event.venue,
        "city": event.city,
        "join_code": event.join_code,
        "timezone": event.timezone,
        "status": event.status,
        "communes": list(event.communes or []),
        "programme": programme,
        "ateliers": ateliers,
    }
