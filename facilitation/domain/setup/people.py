"""The list of people expected at the event, imported from a CSV file with a preview."""

from __future__ import annotations

import re
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from facilitation.domain.access import Actor, require_organizer
from facilitation.domain.setup.csv_import import (
    CsvPreview,
    clean_cells,
    read_csv,
    require_ok,
)
from facilitation.domain.setup.parsing import COMMUNE_MAX_LENGTH, compare_key
from facilitation.domain.validation import TextField
from facilitation.extensions import db
from facilitation.models import Event
from facilitation.models.setup import ExpectedParticipant

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
