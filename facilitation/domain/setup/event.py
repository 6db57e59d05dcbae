"""An event's settings: title, date, venue, join code, time zone, communes, status.

``clean_event`` gives back the typed values with their errors (``ValidationError.errors`` keyed
by form field), so a refused form is shown again as typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import func, select

from facilitation.domain.access import Actor, grant_event, require_organizer
from facilitation.domain.errors import ValidationError
from facilitation.domain.setup.branding import clean_color
from facilitation.domain.setup.parsing import (
    clean_timezone,
    normalise_join_code,
    parse_communes,
    parse_date,
)
from facilitation.domain.validation import TextField, clean_partial
from facilitation.extensions import db
from facilitation.models import Event, Organizer
from facilitation.models.event import EventStatus
from facilitation.models.privacy import EventPrivacy

JOIN_CODE = re.compile(r"^[A-Z0-9]{3,12}$")
STATUS_LABELS: dict[str, Any] = {
    EventStatus.OPEN.value: lazy_gettext("Ouvert (les participants peuvent rejoindre)"),
    EventStatus.DRAFT.value: lazy_gettext("Brouillon (caché, personne ne peut rejoindre)"),
    EventStatus.CLOSED.value: lazy_gettext("Clos (plus de contributions)"),
}

EVENT_FIELDS = (
    TextField("title", "Titre", 200, required=True),
    TextField("date", "Date", 20, required=True),
    TextField("venue", "Lieu", 200),
    TextField("city", "Ville", 120),
    TextField("join_code", "Code court", 20, required=True),
    TextField("timezone", "Fuseau horaire", 64),
    TextField("organiser_name", "Organisé par", 200),
    TextField("brand_name", "Nom affiché", 120),
    TextField("brand_color", "Couleur", 20),
)
COMMUNES_FIELD = TextField("communes", "Communes", 40_000, multiline=True)


def _slugify(title: str) -> str:
    plain = unicodedata.normalize("NFKD", title)
    plain = "".join(c for c in plain if not unicodedata.combining(c)).lower()
    slug = re.sub(r"[^a-z0-9]+", "-", plain).strip("-")[:60].strip("-")
    return slug or "evenement"


def unique_slug(title: str, year: int | None = None) -> str:
    base = _slugify(title)
    if year is not None and str(year) not in base:
        base = f"{base}-{year}"
    slug, n = base, 1
    while db.session.scalar(select(Event.id).where(Event.slug == slug)) is not None:
        n += 1
        slug = f"{base}-{n}"
    return slug


def join_code_taken(code: str, except_event: Event | None = None) -> bool:
    query = select(Event.id).where(func.upper(Event.join_code) == code)
    if except_event is not None and except_event.id is not None:
        query = query.where(Event.id != except_event.id)
    return db.session.scalar(query) is not None


def suggest_join_code(title: str) -> str:
    """A free code from the title's initials and a number (``RAS24``)."""
    words = [w for w in re.split(r"[^A-Za-z0-9]+", _slugify(title).replace("-", " ")) if w]
    letters = "".join(w[0] for w in words if len(w) > 2).upper()[:4]
    if len(letters) < 2:
        letters = (words[0][:3] if words else "").upper() or "JOUR"
    for n in range(1, 1000):
        code = f"{letters}{n:02d}"
        if not join_code_taken(code):
            return code
    return letters  # pragma: no cover


def clean_join_code(raw: str, event: Event | None) -> tuple[str, str | None]:
    code = normalise_join_code(raw)
    if not code:
        return code, _("Indiquez un code court.")
    if not JOIN_CODE.match(code):
        return code, _("Le code court compte de 3 à 12 lettres ou chiffres, sans espace ni accent.")
    if join_code_taken(code, event):
        return code, _(
            "Le code « %(code)s » est déjà utilisé par un autre événement : choisissez-en un autre.",
            code=code,
        )
    return code, None


def clean_event(
    data: Mapping[str, Any], event: Event | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    """The event form's values (typed values kept when wrong) and its errors."""
    values: dict[str, Any]
    values, errors = clean_partial(data, EVENT_FIELDS)
    if "date" not in errors:
        parsed = parse_date(values["date"])
        if parsed is None:
            errors["date"] = _("Indiquez une date valide, par exemple 24/06/2021.")
        values["date_value"] = parsed
    if "join_code" not in errors:
        values["join_code"], error = clean_join_code(values["join_code"], event)
        if error:
            errors["join_code"] = error
    if "timezone" not in errors:
        values["timezone"], error = clean_timezone(values["timezone"])
        if error:
            errors["timezone"] = error
    if "brand_color" not in errors:
        values["brand_color"], error = clean_color(values["brand_color"])
        if error:
            errors["brand_color"] = error
    raw_communes, error = COMMUNES_FIELD.clean(data.get("communes"))
    values["communes"] = raw_communes
    if error:
        errors["communes"] = error
    else:
        values["communes_list"], error = parse_communes(raw_communes)
        if error:
            errors["communes"] = error
    # A checkbox: sent only when ticked. Off by default: clients' days are reached by code.
    values["listed_on_home"] = data.get("listed_on_home") in ("1", "on", "true", True)
    status = data.get("status") or (event.status if event else EventStatus.OPEN.value)
    values["status"] = status if status in STATUS_LABELS else ""
    if not values["status"]:
        errors["status"] = _("Choisissez l'état de l'événement dans la liste.")
    elif event is not None and values["status"] != EventStatus.CLOSED.value and _purged(event):
        errors["status"] = _(
            "Les données personnelles de cet événement ont été purgées : il reste clos."
        )
    return values, errors


def _purged(event: Event) -> bool:
    purged_at = db.session.scalar(
        select(EventPrivacy.purged_at).where(EventPrivacy.event_id == event.id)
    )
    return purged_at is not None


def event_form(event: Event) -> dict[str, str]:
    """An event as its form shows it."""
    return {
        "title": event.title,
        "date": event.date.isoformat(),
        "venue": event.venue,
        "city": event.city,
        "join_code": event.join_code,
        "timezone": event.timezone,
        "organiser_name": event.organiser_name,
        "brand_name": event.brand_name,
        "brand_color": event.brand_color,
        "communes": "\n".join(event.communes or []),
        "status": event.status,
        "listed_on_home": "1" if event.listed_on_home else "",
    }


def _apply_event(event: Event, values: Mapping[str, Any]) -> None:
    event.title = values["title"]
    event.date = values["date_value"]
    event.venue = values["venue"]
    event.city = values["city"]
    event.join_code = values["join_code"]
    event.timezone = values["timezone"]
    event.organiser_name = values["organiser_name"]
    event.brand_name = values["brand_name"]
    event.brand_color = values["brand_color"]
    event.communes = list(values["communes_list"])
    event.status = values["status"]
    event.listed_on_home = values["listed_on_home"]


def create_event(organizer: Organizer, data: Mapping[str, Any]) -> Event:
    """A new event owned by ``organizer`` (its programme is empty)."""
    values, errors = clean_event(data)
    if errors:
        raise ValidationError(errors=errors)
    event = Event(slug=unique_slug(values["title"], values["date_value"].year))
    _apply_event(event, values)
    db.session.add(event)
    db.session.flush()
    grant_event(organizer, event)
    return event


def shown_event(event: Event) -> tuple[Any, ...]:
    """What phones and projectors show of the event (its name, brand name, colour and logo):
    compared before and after an edit, to tell open screens (``event:updated``) only when
    something they show changed."""
    return (event.title, event.brand_name, event.brand_color, event.logo_digest)


def update_event(actor: Actor, event: Event, data: Mapping[str, Any]) -> Event:
    """Change the event's settings (its slug, in printed links and QR codes, stays)."""
    require_organizer(actor, event)
    values, errors = clean_event(data, event)
    if errors:
        raise ValidationError(errors=errors)
    _apply_event(event, values)
    db.session.flush()
    return event
