"""Duplicating a past event as the template of a new one."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _

from facilitation.domain.access import Actor, grant_event, require_organizer
from facilitation.domain.errors import ValidationError
from facilitation.domain.setup.branding import get_logo
from facilitation.domain.setup.event import clean_join_code, unique_slug
from facilitation.domain.setup.parsing import parse_date
from facilitation.domain.setup.programme import apply_atelier, atelier_form
from facilitation.domain.validation import TextField, clean_partial
from facilitation.extensions import db
from facilitation.models import Atelier, Event, Sequence
from facilitation.models.event import EventStatus
from facilitation.models.setup import EventLogo

DUPLICATE_FIELDS = (
    TextField("title", "Titre", 200, required=True),
    TextField("date", "Date", 20, required=True),
    TextField("join_code", "Code court", 20, required=True),
)


def duplicate_event(actor: Actor, source: Event, data: Mapping[str, Any]) -> Event:
    """A new event from ``source`` as a template: settings, communes, branding, logo,
    programme and ateliers; no participants, cards, votes, chantiers, links or rounds played.
    The acting organizer owns it."""
    organizer = require_organizer(actor, source)
    values: dict[str, Any]
    values, errors = clean_partial(data, DUPLICATE_FIELDS)
    if "date" not in errors:
        values["date_value"] = parse_date(values["date"])
        if values["date_value"] is None:
            errors["date"] = _("Indiquez une date valide, par exemple 24/06/2022.")
    if "join_code" not in errors:
        values["join_code"], error = clean_join_code(values["join_code"], None)
        if error:
            errors["join_code"] = error
    if errors:
        raise ValidationError(errors=errors)
    copy = Event(
        slug=unique_slug(values["title"], values["date_value"].year),
        title=values["title"],
        date=values["date_value"],
        join_code=values["join_code"],
        venue=source.venue,
        city=source.city,
        timezone=source.timezone,
        status=EventStatus.OPEN.value,
        communes=list(source.communes or []),
        organiser_name=source.organiser_name,
        brand_name=source.brand_name,
        brand_color=source.brand_color,
        logo_digest=source.logo_digest,
    )
    db.session.add(copy)
    db.session.flush()
    logo = get_logo(source)
    if logo is not None:
        db.session.add(EventLogo(event_id=copy.id, content_type=logo.content_type, data=logo.data))
    else:
        copy.logo_digest = None
    for sequence in source.sequences:
        new_sequence = Sequence(
            event_id=copy.id,
            position=sequence.position,
            kind=sequence.kind,
            title=sequence.title,
            starts_at=sequence.starts_at,
            ends_at=sequence.ends_at,
        )
        db.session.add(new_sequence)
        for atelier in sequence.ateliers:
            new_atelier = Atelier(
                event_id=copy.id, sequence=new_sequence, position=atelier.position
            )
            apply_atelier(new_atelier, atelier_form(atelier) | {"capacity_value": atelier.capacity})
            db.session.add(new_atelier)
    db.session.flush()
    grant_event(organizer, copy)
    db.session.refresh(copy)
    return copy
