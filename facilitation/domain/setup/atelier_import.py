"""Importing an event's ateliers from a CSV file, with a preview and line-numbered errors.

Columns (header row, any order, case and accents ignored): ``sequence`` (the title of an
atelier sequence of the programme, or ``pratiques`` / ``chantiers``), ``titre``, ``theme``,
``question``, ``salle``, ``capacite``. Comma or semicolon separated (French Excel saves with
semicolons), UTF-8 with or without BOM. Nothing is written unless every line is valid; an
atelier already in the sequence with the same title is updated, not duplicated, so the same
file can be imported twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from facilitation.domain.access import Actor, require_organizer
from facilitation.domain.setup.csv_import import (
    CsvPreview,
    clean_cells,
    read_csv,
    require_ok,
)
from facilitation.domain.setup.parsing import compare_key
from facilitation.domain.validation import TextField
from facilitation.extensions import db
from facilitation.models import Atelier, Event, Sequence
from facilitation.models.event import SequenceKind

MAX_ROWS = 200

FIELDS = {
    "titre": TextField("titre", "titre", 200, required=True),
    "theme": TextField("theme", "thème", 200),
    "question": TextField("question", "question", 2000, multiline=True),
    "salle": TextField("salle", "salle", 120),
}
ALIASES = {
    "sequence": "sequence",
    "sequences": "sequence",
    "temps": "sequence",
    "titre": "titre",
    "title": "titre",
    "atelier": "titre",
    "theme": "theme",
    "thematique": "theme",
    "question": "question",
    "salle": "salle",
    "lieu": "salle",
    "room": "salle",
    "capacite": "capacite",
    "places": "capacite",
    "capacity": "capacite",
}
KIND_WORDS = {
    "pratiques": SequenceKind.ATELIERS_PRATIQUES.value,
    "ateliers pratiques": SequenceKind.ATELIERS_PRATIQUES.value,
    "chantiers": SequenceKind.ATELIERS_CHANTIERS.value,
    "ateliers chantiers": SequenceKind.ATELIERS_CHANTIERS.value,
}


@dataclass
class ImportRow:
    line: int
    sequence: Sequence
    values: dict[str, Any]
    existing: Atelier | None = None


class ImportPreview(CsvPreview[ImportRow]):
    pass


def preview(event: Event, raw: bytes | str) -> ImportPreview:
    """Parse and check every line; nothing is written."""
    read = read_csv(raw, ALIASES)
    if read is None:
        return ImportPreview(errors=["Le fichier est vide."])
    columns, lines = read
    result = ImportPreview()
    missing = {"sequence", "titre"} - set(columns)
    if missing:
        result.errors.append(
            "Ligne 1 : colonne(s) manquante(s) : "
            + ", ".join(sorted(missing))
            + " (en-têtes attendus : sequence, titre, theme, question, salle, capacite)."
        )
        return result
    sequences = [s for s in event.sequences if s.kind_enum.has_ateliers]
    by_title = {compare_key(s.title): s for s in sequences}
    by_kind: dict[str, list[Sequence]] = {}
    for s in sequences:
        by_kind.setdefault(s.kind, []).append(s)
    seen: set[tuple[int, str]] = set()
    for line, data in lines:
        if line - 1 > MAX_ROWS:
            result.errors.append(f"Ligne {line} : {MAX_ROWS} ateliers au plus par import.")
            break
        problems: list[str] = []
        sequence = by_title.get(compare_key(data.get("sequence", "")))
        if sequence is None:
            kind = KIND_WORDS.get(compare_key(data.get("sequence", "")))
            matches = by_kind.get(kind or "", [])
            sequence = matches[0] if len(matches) == 1 else None
        if sequence is None:
            names = ", ".join(f"« {s.title} »" for s in sequences) or "aucune"
            problems.append(
                f"séquence « {data.get('sequence', '').strip()} » inconnue (séquences : {names})"
            )
        values = clean_cells(data, FIELDS, problems)
        capacity = (data.get("capacite") or "").strip()
        if capacity:
            if capacity.isdigit() and 0 < int(capacity) <= 10_000:
                values["capacite"] = int(capacity)
            else:
                problems.append(f"capacité « {capacity} » : un nombre entier de places attendu")
        else:
            values["capacite"] = None
        if sequence is not None and values["titre"]:
            key = (sequence.id, compare_key(values["titre"]))
            if key in seen:
                problems.append("atelier en double dans le fichier")
            seen.add(key)
        if problems:
            result.errors.append(
                f"Ligne {line} : " + " ; ".join(p.rstrip(".") for p in problems) + "."
            )
            continue
        assert sequence is not None
        existing = next(
            (a for a in sequence.ateliers if compare_key(a.title) == compare_key(values["titre"])),
            None,
        )
        result.rows.append(ImportRow(line, sequence, values, existing))
    if not result.rows and not result.errors:
        result.errors.append("Aucun atelier dans le fichier.")
    return result


def apply_import(actor: Actor, event: Event, raw: bytes | str) -> ImportPreview:
    """Check again and write every line, or nothing (``ValidationError`` lists the errors)."""
    require_organizer(actor, event)
    result = preview(event, raw)
    require_ok(result)
    for row in result.rows:
        atelier = row.existing
        if atelier is None:
            position = len(row.sequence.ateliers)
            atelier = Atelier(event_id=event.id, sequence=row.sequence, position=position)
            db.session.add(atelier)
        atelier.title = row.values["titre"]
        atelier.theme = row.values["theme"]
        atelier.question = row.values["question"]
        atelier.room = row.values["salle"]
        atelier.capacity = row.values["capacite"]
    db.session.flush()
    return result
