"""Setting up a day from the organizer area (issue 3).

Creating and editing an event (title, date, venue, join code, time zone, the territory's
communes, branding), its programme (timed sequences, added, edited, moved and deleted) and the
ateliers of its atelier sequences, duplicating a past event as a template, and the list of
expected participants imported from a CSV file.

Every write asks ``access.require_organizer`` first; values come back with their errors
(``ValidationError.errors`` keyed by form field) so a form can be shown again as typed.
"""

from __future__ import annotations

import hashlib
import io
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from functools import cache
from typing import Any
from zoneinfo import available_timezones

from flask_babel import gettext as _
from flask_babel import lazy_gettext
from sqlalchemy import func, select

from facilitation.domain.access import Actor, grant_event, require_organizer
from facilitation.domain.atelier_import import (
    CsvPreview,
    clean_cells,
    compare_key,
    read_csv,
    require_ok,
)
from facilitation.domain.contributions import bump_version
from facilitation.domain.errors import DomainError, ValidationError
from facilitation.domain.validation import TextField, clean_partial
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Event, Organizer, Sequence
from facilitation.models.event import EventStatus, SequenceKind
from facilitation.models.privacy import EventPrivacy
from facilitation.models.setup import EventLogo, ExpectedParticipant

DEFAULT_TIMEZONE = "Europe/Paris"
#: Communes are typed by participants (80 characters, ``Participant.commune``) and picked in
#: the chantier form (``chantiers.clean_communes`` checks them against this list).
COMMUNE_MAX_LENGTH = 80
MAX_COMMUNES = 300
JOIN_CODE = re.compile(r"^[A-Z0-9]{3,12}$")
COLOR = re.compile(r"^#?([0-9a-fA-F]{6}|[0-9a-fA-F]{3})$")
#: WCAG AA for normal text: white text on the colour (header, buttons) and the colour as text
#: on the app's light backgrounds (links, secondary buttons, their hover).
MIN_CONTRAST = 4.5
LIGHT_BACKGROUNDS = ("#ffffff", "#f4f3ef", "#e8eef7")

LOGO_MAX_BYTES = 500_000
LOGO_MAX_SIDE = 400
LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg", "WEBP": "image/webp"}

#: Translated when shown (``str()``); the French text is the default sequence title.
KIND_LABELS: dict[str, Any] = {
    SequenceKind.ACCUEIL.value: lazy_gettext("Accueil"),
    SequenceKind.PLENIERE.value: lazy_gettext("Plénière"),
    SequenceKind.ATELIERS_PRATIQUES.value: lazy_gettext("Ateliers pratiques"),
    SequenceKind.ATELIERS_CHANTIERS.value: lazy_gettext("Ateliers chantiers"),
    SequenceKind.PAUSE.value: lazy_gettext("Pause"),
    SequenceKind.RESTITUTION.value: lazy_gettext("Restitution"),
}
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
DUPLICATE_FIELDS = (
    TextField("title", "Titre", 200, required=True),
    TextField("date", "Date", 20, required=True),
    TextField("join_code", "Code court", 20, required=True),
)
SEQUENCE_FIELDS = (
    TextField("title", "Titre", 200),
    TextField("starts_at", "Début", 10, required=True),
    TextField("ends_at", "Fin", 10),
)
ATELIER_FIELDS = (
    TextField("title", "Titre", 200, required=True),
    TextField("theme", "Thème", 200),
    TextField("question", "Question posée", 2000, multiline=True),
    TextField("room", "Salle", 120),
    TextField("capacity", "Capacité", 10),
    TextField("facilitators", "Animation", 300),
)
#: What phones, projectors and consoles show of an atelier (``snapshot.atelier_dict``):
#: changing one of them is a live change of the atelier (new version, ``atelier:updated``);
#: the capacity and the facilitators' names are the organizer's only.
SHOWN_ATELIER_FIELDS = ("title", "theme", "question", "room")


class InUse(DomainError):
    """Removing something that already holds the day's contributions."""

    code = "in_use"
    default_message: Any = lazy_gettext("Impossible : des contributions y sont déjà rattachées.")
    http_status = 409


# ------------------------------------------------------------------------- small parsers
def parse_date(raw: str) -> date | None:
    """``2021-06-24`` (date input) or ``24/06/2021``; ``None`` if neither."""
    raw = raw.strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d/%m/%y"):
        try:
            return datetime.strptime(raw, fmt).date()
        except ValueError:
            continue
    return None


_TIME = re.compile(r"^([0-9]{1,2})\s*(?:[:hH.]\s*([0-9]{2})?)?$")


def parse_time(raw: str) -> time | None:
    """``09:30``, ``9:30``, ``9h30``, ``9h`` or ``9``; ``None`` if not a time of day."""
    match = _TIME.match(raw.strip())
    if not match:
        return None
    hour, minute = int(match.group(1)), int(match.group(2) or 0)
    if hour > 23 or minute > 59:
        return None
    return time(hour, minute)


def normalise_join_code(raw: str) -> str:
    return "".join((raw or "").split()).upper()


@cache
def _timezones() -> frozenset[str]:
    return frozenset(available_timezones())


def clean_timezone(raw: str) -> tuple[str, str | None]:
    value = raw.strip() or DEFAULT_TIMEZONE
    if value not in _timezones():
        return value, _(
            "Fuseau horaire inconnu : « %(value)s ». Écrivez-le comme Europe/Paris, "
            "America/Cayenne, Indian/Reunion ou Pacific/Noumea.",
            value=value,
        )
    return value, None


def parse_communes(raw: str) -> tuple[list[str], str | None]:
    """One commune a line: trimmed, duplicates (ignoring case and accents) dropped."""
    communes: list[str] = []
    seen: set[str] = set()
    problems: list[str] = []
    for number, line in enumerate((raw or "").splitlines(), start=1):
        name = " ".join(line.split()).strip(" ;,")
        if not name:
            continue
        if len(name) > COMMUNE_MAX_LENGTH:
            problems.append(
                _(
                    "ligne %(number)s : « %(name)s… » dépasse %(max)s caractères",
                    number=number,
                    name=name[:30],
                    max=COMMUNE_MAX_LENGTH,
                )
            )
            continue
        if compare_key(name) in seen:
            continue
        seen.add(compare_key(name))
        communes.append(name)
    if len(communes) > MAX_COMMUNES:
        problems.append(
            _("%(max)s communes au plus (%(n)s dans la liste)", max=MAX_COMMUNES, n=len(communes))
        )
    if problems:
        return communes, _("Communes à corriger : %(problems)s.", problems=" ; ".join(problems))
    return communes, None


# ------------------------------------------------------------------------- colours
def _luminance(hex_color: str) -> float:
    channels = [int(hex_color[i : i + 2], 16) / 255 for i in (1, 3, 5)]
    linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast_ratio(first: str, second: str) -> float:
    """WCAG 2 contrast ratio of two ``#rrggbb`` colours (1 to 21)."""
    a, b = sorted((_luminance(first), _luminance(second)), reverse=True)
    return (a + 0.05) / (b + 0.05)


def clean_color(raw: str) -> tuple[str, str | None]:
    """``#rrggbb`` (lower case) dark enough to carry white text and to be read on light
    backgrounds; empty: the app's colours."""
    value = raw.strip()
    if not value:
        return "", None
    match = COLOR.match(value)
    if not match:
        return value, _("Indiquez une couleur au format hexadécimal, par exemple #1f4e8c.")
    digits = match.group(1).lower()
    if len(digits) == 3:
        digits = "".join(c * 2 for c in digits)
    color = f"#{digits}"
    ratio = min(contrast_ratio(color, bg) for bg in LIGHT_BACKGROUNDS)
    if ratio < MIN_CONTRAST:
        shown = f"{ratio:.1f}".replace(".", ",")
        return color, _(
            "Couleur trop claire : le texte blanc posé dessus et les liens sur fond clair "
            "seraient peu lisibles (contraste %(ratio)s:1, il faut au moins 4,5:1). "
            "Choisissez une teinte plus foncée.",
            ratio=shown,
        )
    return color, None


def darker(color: str, amount: float = 0.25) -> str:
    """``color`` mixed with black (hover states)."""
    channels = [round(int(color[i : i + 2], 16) * (1 - amount)) for i in (1, 3, 5)]
    return "#" + "".join(f"{c:02x}" for c in channels)


def theme_css(event: Event) -> str:
    """The event's stylesheet: the app's colour custom properties, nothing else (no user
    text reaches it: the colour was checked against ``COLOR``)."""
    color = event.brand_color if event.brand_color and COLOR.match(event.brand_color) else ""
    if not color:
        return "/* couleurs par défaut */\n"
    # html:root outranks app.css's :root wherever app.css loads (end of body on phones).
    return f"html:root {{ --brand: {color}; --brand-dark: {darker(color)}; }}\n"


def theme_version(event: Event) -> str:
    return hashlib.sha256(f"{event.brand_color}|{event.logo_digest}".encode()).hexdigest()[:12]


# ------------------------------------------------------------------------- events
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


def _clean_join_code(raw: str, event: Event | None) -> tuple[str, str | None]:
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
        values["join_code"], error = _clean_join_code(values["join_code"], event)
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


# ------------------------------------------------------------------------- logo
def clean_logo(raw: bytes) -> tuple[bytes, str]:
    """Check an uploaded logo and make it small: ``(bytes, content type)``.

    PNG, JPEG or WebP only (read by Pillow, not trusted from the file name), at most
    ``LOGO_MAX_BYTES``; re-encoded within ``LOGO_MAX_SIDE`` pixels, which also drops any
    metadata (a photo's location …).
    """
    from PIL import Image, UnidentifiedImageError

    if not raw:
        raise ValidationError(errors={"logo": _("Le fichier du logo est vide.")})
    if len(raw) > LOGO_MAX_BYTES:
        raise ValidationError(
            errors={
                "logo": _(
                    "Logo trop lourd : %(max)s ko au plus (ce fichier fait %(size)s ko).",
                    max=LOGO_MAX_BYTES // 1000,
                    size=len(raw) // 1000,
                )
            }
        )
    try:
        with Image.open(io.BytesIO(raw)) as probe:
            kind = probe.format or ""
            if kind not in LOGO_FORMATS:
                raise UnidentifiedImageError(kind)
            if probe.width * probe.height > 25_000_000:
                raise UnidentifiedImageError("too big")
            probe.verify()
        with Image.open(io.BytesIO(raw)) as image:
            image.load()
            image.thumbnail((LOGO_MAX_SIDE, LOGO_MAX_SIDE))
            keep_alpha = image.mode in ("RGBA", "LA", "P")
            converted = image.convert("RGBA" if keep_alpha else "RGB")
            out = io.BytesIO()
            if keep_alpha:
                converted.save(out, format="PNG", optimize=True)
                return out.getvalue(), "image/png"
            converted.save(out, format="JPEG", quality=88, optimize=True)
            return out.getvalue(), "image/jpeg"
    except Exception:  # noqa: BLE001 - any decoder failure (Pillow raises many kinds) is a bad file
        raise ValidationError(
            errors={"logo": _("Ce fichier n'est pas une image PNG, JPEG ou WebP lisible.")}
        ) from None


def set_logo(actor: Actor, event: Event, raw: bytes) -> EventLogo:
    require_organizer(actor, event)
    data, content_type = clean_logo(raw)
    logo = db.session.get(EventLogo, event.id)
    if logo is None:
        logo = EventLogo(event_id=event.id)
        db.session.add(logo)
    logo.data = data
    logo.content_type = content_type
    event.logo_digest = hashlib.sha256(data).hexdigest()[:16]
    db.session.flush()
    return logo


def remove_logo(actor: Actor, event: Event) -> None:
    require_organizer(actor, event)
    logo = db.session.get(EventLogo, event.id)
    if logo is not None:
        db.session.delete(logo)
    event.logo_digest = None
    db.session.flush()


def get_logo(event: Event) -> EventLogo | None:
    return db.session.get(EventLogo, event.id) if event.logo_digest else None


# ------------------------------------------------------------------------- programme
def _renumber(event: Event, ordered: list[Sequence]) -> None:
    """Positions 0..n-1 in ``ordered``; two flushes so ``UNIQUE(event_id, position)`` holds
    at every step."""
    for index, sequence in enumerate(ordered):
        sequence.position = -(index + 1)
    db.session.flush()
    for index, sequence in enumerate(ordered):
        sequence.position = index
    db.session.flush()
    event.sequences[:] = ordered


def clean_sequence(
    data: Mapping[str, Any], sequence: Sequence | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any]
    values, errors = clean_partial(data, SEQUENCE_FIELDS)
    kind = data.get("kind") if isinstance(data.get("kind"), str) else ""
    values["kind"] = kind if kind in KIND_LABELS else ""
    if not values["kind"]:
        errors["kind"] = _("Choisissez le type de séquence dans la liste.")
    elif not values["title"]:
        values["title"] = str(KIND_LABELS[values["kind"]])
    starts = parse_time(values["starts_at"]) if "starts_at" not in errors else None
    if "starts_at" not in errors and starts is None:
        errors["starts_at"] = _("Indiquez une heure de début, par exemple 09:30.")
    ends = None
    if values["ends_at"] and "ends_at" not in errors:
        ends = parse_time(values["ends_at"])
        if ends is None:
            errors["ends_at"] = _("Indiquez une heure de fin, par exemple 12:00, ou laissez vide.")
        elif starts is not None and ends <= starts:
            errors["ends_at"] = _("La fin doit venir après le début.")
    values["starts_value"], values["ends_value"] = starts, ends
    if sequence is not None and values["kind"] and values["kind"] != sequence.kind:
        if sequence.ateliers and not SequenceKind(values["kind"]).has_ateliers:
            errors["kind"] = _(
                "Cette séquence contient %(n)s atelier(s) : supprimez-les d'abord, ou gardez un "
                "type « ateliers ».",
                n=len(sequence.ateliers),
            )
        elif contribution_count(sequence.ateliers):
            errors["kind"] = _(
                "Ses ateliers ont déjà des contributions : le type ne peut plus changer."
            )
    return values, errors


def sequence_form(sequence: Sequence) -> dict[str, str]:
    return {
        "kind": sequence.kind,
        "title": sequence.title,
        "starts_at": sequence.starts_at.strftime("%H:%M"),
        "ends_at": sequence.ends_at.strftime("%H:%M") if sequence.ends_at else "",
    }


def add_sequence(actor: Actor, event: Event, data: Mapping[str, Any]) -> Sequence:
    """A new sequence, placed after the ones starting at the same time or earlier."""
    require_organizer(actor, event)
    values, errors = clean_sequence(data)
    if errors:
        raise ValidationError(errors=errors)
    ordered = list(event.sequences)
    index = sum(1 for s in ordered if s.starts_at <= values["starts_value"])
    sequence = Sequence(
        event_id=event.id,
        position=len(ordered) + 1000,
        kind=values["kind"],
        title=values["title"],
        starts_at=values["starts_value"],
        ends_at=values["ends_value"],
    )
    db.session.add(sequence)
    db.session.flush()
    ordered.insert(index, sequence)
    _renumber(event, ordered)
    return sequence


def update_sequence(actor: Actor, sequence: Sequence, data: Mapping[str, Any]) -> dict[int, int]:
    """Edit a programme slot, even while its ateliers run.

    Returns ``{atelier id: new version}`` for each atelier of the sequence when its title
    changed (phones, projectors and consoles show it in their header): the caller commits,
    then sends ``atelier:updated`` with each. Empty when nothing shown changed.
    """
    require_organizer(actor, sequence.event)
    values, errors = clean_sequence(data, sequence)
    if errors:
        raise ValidationError(errors=errors)
    renamed = sequence.title != values["title"]
    sequence.kind = values["kind"]
    sequence.title = values["title"]
    sequence.starts_at = values["starts_value"]
    sequence.ends_at = values["ends_value"]
    db.session.flush()
    if not renamed:
        return {}
    return {atelier.id: bump_version(atelier.id) for atelier in sequence.ateliers}


def move_sequence(actor: Actor, sequence: Sequence, offset: int) -> None:
    """One place earlier (``-1``) or later (``+1``) in the programme."""
    event = sequence.event
    require_organizer(actor, event)
    ordered = list(event.sequences)
    index = ordered.index(sequence)
    target = index + (1 if offset > 0 else -1)
    if 0 <= target < len(ordered):
        ordered[index], ordered[target] = ordered[target], ordered[index]
        _renumber(event, ordered)


def contribution_count(ateliers: list[Atelier]) -> int:
    """Every contribution ever posted in these ateliers (withdrawn and hidden ones too)."""
    ids = [a.id for a in ateliers if a.id is not None]
    if not ids:
        return 0
    return (
        db.session.scalar(
            select(func.count(Contribution.id)).where(Contribution.atelier_id.in_(ids))
        )
        or 0
    )


def delete_sequence(actor: Actor, sequence: Sequence) -> None:
    """Remove a sequence and its ateliers, unless they already hold contributions."""
    event = sequence.event
    require_organizer(actor, event)
    count = contribution_count(sequence.ateliers)
    if count:
        raise InUse(
            _(
                "Impossible de supprimer « %(title)s » : ses ateliers ont déjà %(n)s "
                "contribution(s). Modifiez plutôt ses horaires ou son titre.",
                title=sequence.title,
                n=count,
            )
        )
    if event.current_sequence_id == sequence.id:
        event.current_sequence = None
    event.sequences.remove(sequence)  # delete-orphan: the sequence and its ateliers go
    db.session.flush()
    _renumber(event, list(event.sequences))


# ------------------------------------------------------------------------- ateliers
def clean_atelier(
    data: Mapping[str, Any], sequence: Sequence, atelier: Atelier | None = None
) -> tuple[dict[str, Any], dict[str, str]]:
    values: dict[str, Any]
    values, errors = clean_partial(data, ATELIER_FIELDS)
    values["capacity_value"] = None
    if values["capacity"] and "capacity" not in errors:
        # [0-9] and not str.isdigit(): « ² » is a digit for Python but not for int().
        if (
            re.fullmatch(r"[0-9]{1,5}", values["capacity"])
            and 0 < int(values["capacity"]) <= 10_000
        ):
            values["capacity_value"] = int(values["capacity"])
        else:
            errors["capacity"] = _("Indiquez un nombre de places (de 1 à 10 000), ou laissez vide.")
    if values["title"] and "title" not in errors:
        twin = next(
            (
                a
                for a in sequence.ateliers
                if compare_key(a.title) == compare_key(values["title"]) and a is not atelier
            ),
            None,
        )
        if twin is not None:
            errors["title"] = _(
                "Un atelier « %(title)s » existe déjà dans cette séquence : "
                "choisissez un autre titre.",
                title=twin.title,
            )
    return values, errors


def atelier_form(atelier: Atelier) -> dict[str, str]:
    return {
        "title": atelier.title,
        "theme": atelier.theme,
        "question": atelier.question,
        "room": atelier.room,
        "capacity": str(atelier.capacity) if atelier.capacity else "",
        "facilitators": atelier.facilitators,
    }


def _apply_atelier(atelier: Atelier, values: Mapping[str, Any]) -> None:
    atelier.title = values["title"]
    atelier.theme = values["theme"]
    atelier.question = values["question"]
    atelier.room = values["room"]
    atelier.capacity = values["capacity_value"]
    atelier.facilitators = values["facilitators"]


def add_atelier(actor: Actor, sequence: Sequence, data: Mapping[str, Any]) -> Atelier:
    event = sequence.event
    require_organizer(actor, event)
    if not sequence.kind_enum.has_ateliers:
        raise ValidationError(
            _(
                "« %(title)s » n'est pas une séquence d'ateliers : changez son type en "
                "« Ateliers pratiques » ou « Ateliers chantiers » pour y ajouter des ateliers.",
                title=sequence.title,
            )
        )
    values, errors = clean_atelier(data, sequence)
    if errors:
        raise ValidationError(errors=errors)
    position = max((a.position for a in sequence.ateliers), default=-1) + 1
    atelier = Atelier(event_id=event.id, sequence=sequence, position=position)
    _apply_atelier(atelier, values)
    db.session.add(atelier)
    db.session.flush()
    return atelier


def update_atelier(actor: Actor, atelier: Atelier, data: Mapping[str, Any]) -> int | None:
    """Edit an atelier, even while it runs.

    Returns the atelier's new version when something its screens show changed
    (``SHOWN_ATELIER_FIELDS``): the caller commits, then sends ``atelier:updated`` with it so
    phones and projectors redraw without a reload. ``None`` when only the capacity or the
    facilitators changed (or nothing did): nothing to send.
    """
    require_organizer(actor, atelier.event)
    values, errors = clean_atelier(data, atelier.sequence, atelier)
    if errors:
        raise ValidationError(errors=errors)
    before = [getattr(atelier, name) for name in SHOWN_ATELIER_FIELDS]
    _apply_atelier(atelier, values)
    db.session.flush()
    if [getattr(atelier, name) for name in SHOWN_ATELIER_FIELDS] == before:
        return None
    return bump_version(atelier.id)


def delete_atelier(actor: Actor, atelier: Atelier) -> None:
    require_organizer(actor, atelier.event)
    count = contribution_count([atelier])
    if count:
        raise InUse(
            _(
                "Impossible de supprimer « %(title)s » : il a déjà %(n)s contribution(s).",
                title=atelier.title,
                n=count,
            )
        )
    atelier.sequence.ateliers.remove(atelier)  # delete-orphan
    db.session.flush()


# ------------------------------------------------------------------------- duplicate
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
        values["join_code"], error = _clean_join_code(values["join_code"], None)
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
            _apply_atelier(
                new_atelier, atelier_form(atelier) | {"capacity_value": atelier.capacity}
            )
            db.session.add(new_atelier)
    db.session.flush()
    grant_event(organizer, copy)
    db.session.refresh(copy)
    return copy


# ------------------------------------------------------------------------- expected people
PEOPLE_FIELDS = {
    "nom": TextField("nom", "nom", 120, required=True),
    "structure": TextField("structure", "structure", 120),
    "commune": TextField("commune", "commune", COMMUNE_MAX_LENGTH),
    "email": TextField("email", "e-mail", 254),
}
PEOPLE_ALIASES = {
    "nom": "nom",
    "name": "nom",
    "participant": "nom",
    "personne": "nom",
    "prenom nom": "nom",
    "nom prenom": "nom",
    "nom complet": "nom",
    "structure": "structure",
    "organisme": "structure",
    "organisation": "structure",
    "commune": "commune",
    "ville": "commune",
    "email": "email",
    "e-mail": "email",
    "mail": "email",
    "courriel": "email",
    "adresse e-mail": "email",
    "adresse email": "email",
}
MAX_PEOPLE = 2000
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


@dataclass
class PeopleRow:
    line: int
    values: dict[str, str]
    existing: ExpectedParticipant | None = None


class PeoplePreview(CsvPreview[PeopleRow]):
    pass


def expected_participants(event: Event) -> list[ExpectedParticipant]:
    return list(
        db.session.scalars(
            select(ExpectedParticipant)
            .where(ExpectedParticipant.event_id == event.id)
            .order_by(ExpectedParticipant.name, ExpectedParticipant.id)
        )
    )


def expected_count(event: Event) -> int:
    return (
        db.session.scalar(
            select(func.count(ExpectedParticipant.id)).where(
                ExpectedParticipant.event_id == event.id
            )
        )
        or 0
    )


def preview_people(event: Event, raw: bytes | str) -> PeoplePreview:
    """Parse and check every line of a participants CSV; nothing is written.

    Columns ``nom`` (required), ``structure``, ``commune``, ``email`` (optional). Someone
    already expected with the same name and structure is updated, not added twice. A commune
    matching one of the event's communes (ignoring case and accents) takes its spelling.
    """
    read = read_csv(raw, PEOPLE_ALIASES)
    if read is None:
        return PeoplePreview(errors=[_("Le fichier est vide.")])
    columns, lines = read
    result = PeoplePreview()
    if "nom" not in columns:
        result.errors.append(
            _(
                "Ligne 1 : colonne « nom » manquante (en-têtes attendus : nom, structure, "
                "commune, email)."
            )
        )
        return result
    communes = {compare_key(c): c for c in event.communes or []}
    known = {
        (compare_key(p.name), compare_key(p.structure)): p for p in expected_participants(event)
    }
    seen: set[tuple[str, str]] = set()
    for line, data in lines:
        if len(result.rows) + len(result.errors) >= MAX_PEOPLE:
            result.errors.append(
                _(
                    "Ligne %(line)s : %(max)s personnes au plus par import.",
                    line=line,
                    max=MAX_PEOPLE,
                )
            )
            break
        problems: list[str] = []
        values = clean_cells(data, PEOPLE_FIELDS, problems)
        values["commune"] = communes.get(compare_key(values["commune"]), values["commune"])
        if values["email"] and not EMAIL.match(values["email"]):
            problems.append(_("adresse e-mail « %(email)s » invalide", email=values["email"][:60]))
        key = (compare_key(values["nom"]), compare_key(values["structure"]))
        if values["nom"] and key in seen:
            problems.append(_("personne en double dans le fichier (même nom et même structure)"))
        seen.add(key)
        if problems:
            result.errors.append(
                _(
                    "Ligne %(line)s : %(problems)s.",
                    line=line,
                    problems=" ; ".join(p.rstrip(".") for p in problems),
                )
            )
            continue
        result.rows.append(PeopleRow(line, values, known.get(key)))
    if not result.rows and not result.errors:
        result.errors.append(_("Aucune personne dans le fichier."))
    return result


def import_people(actor: Actor, event: Event, raw: bytes | str) -> PeoplePreview:
    """Check again and store every line, or nothing (``ValidationError`` lists the errors)."""
    require_organizer(actor, event)
    result = preview_people(event, raw)
    require_ok(result)
    for row in result.rows:
        person = row.existing
        if person is None:
            person = ExpectedParticipant(event_id=event.id)
            db.session.add(person)
        person.name = row.values["nom"]
        person.structure = row.values["structure"]
        person.commune = row.values["commune"]
        person.email = row.values["email"]
    db.session.flush()
    return result


def clear_people(actor: Actor, event: Event) -> int:
    """Forget the whole list of expected participants; how many were removed."""
    require_organizer(actor, event)
    people = expected_participants(event)
    for person in people:
        db.session.delete(person)
    db.session.flush()
    return len(people)
