"""Importing an event's ateliers from a CSV file, with a preview and line-numbered errors.

Columns (header row, any order, case and accents ignored): ``sequence`` (the title of an
atelier sequence of the programme, or ``pratiques`` / ``chantiers``), ``titre``, ``theme``,
``question``, ``salle``, ``capacite``. Comma or semicolon separated (French Excel saves with
semicolons), UTF-8 with or without BOM. Nothing is written unless every line is valid; an
atelier already in the sequence with the same title is updated, not duplicated, so the same
file can be imported twice.
"""

from __future__ import annotations

import csv
import io
import unicodedata
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Self, TypeVar

from flask_babel import gettext

from facilitation.domain.access import Actor, require_organizer
from facilitation.domain.errors import ValidationError
from facilitation.domain.validation import TextField, clean_partial
from facilitation.extensions import db
from facilitation.models import Atelier, Event, Sequence
from facilitation.models.event import SequenceKind

MAX_BYTES = 200_000
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


def compare_key(text: str) -> str:
    """Case-folded, no accents, single spaces: how headers and names in a CSV are compared."""
    plain = unicodedata.normalize("NFKD", text or "")
    plain = "".join(c for c in plain if not unicodedata.combining(c))
    return " ".join(plain.casefold().replace("_", " ").split())


@dataclass
class ImportRow:
    line: int
    sequence: Sequence
    values: dict[str, Any]
    existing: Atelier | None = None


Row = TypeVar("Row")


@dataclass
class CsvPreview(Generic[Row]):
    """A checked CSV file: its valid lines, or the line-numbered errors that refuse it."""

    rows: list[Row] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.rows)

    @classmethod
    def refused(cls, exc: ValidationError) -> Self:
        """The preview of a file refused as a whole: its line-numbered errors, else the reason."""
        return cls(errors=(exc.errors.get("csv") or exc.message).split("\n"))


class ImportPreview(CsvPreview[ImportRow]):
    pass


def decode(raw: bytes | str) -> str:
    """The file's text: UTF-8 (with or without BOM), else Windows-1252 (old Excel)."""
    if isinstance(raw, str):
        return raw.lstrip("\ufeff")
    if len(raw) > MAX_BYTES:
        raise ValidationError(gettext("Fichier trop gros : %(v)s ko au plus.", v=MAX_BYTES // 1000))
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ValidationError(
        gettext("Fichier illisible : enregistrez-le en CSV UTF-8.")
    )  # pragma: no cover


def read_csv(
    raw: bytes | str, aliases: Mapping[str, str]
) -> tuple[list[str | None], Iterator[tuple[int, dict[str, str]]]] | None:
    """A CSV file's columns (each header through ``aliases``, None when unknown) and its
    non-blank lines as ``(line number, {column: cell})``; None when the file is empty.

    Comma or semicolon separated, whichever the header uses more. ``ValidationError`` for a
    file too big or unreadable.
    """
    text = decode(raw)
    if len(text) > MAX_BYTES:
        raise ValidationError(gettext("Fichier trop gros : %(v)s ko au plus.", v=MAX_BYTES // 1000))
    if not text.strip():
        return None
    first = text.splitlines()[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    columns = [aliases.get(compare_key(h)) for h in next(reader)]
    lines = (
        (line, {col: cells[i] if i < len(cells) else "" for i, col in enumerate(columns) if col})
        for line, cells in enumerate(reader, start=2)
        if any(c.strip() for c in cells)
    )
    return columns, lines


def clean_cells(
    data: Mapping[str, str], fields: Mapping[str, TextField], problems: list[str]
) -> dict[str, Any]:
    """The line's cleaned values; each field's error is appended to ``problems``."""
    values, errors = clean_partial(data, tuple(fields.values()))
    problems.extend(errors.values())
    return dict(values)


def require_ok(result: CsvPreview[Any]) -> None:
    """Refuse a previewed file that has errors: ``ValidationError`` lists them (key ``csv``)."""
    if not result.ok:
        raise ValidationError(
            gettext("Le fichier contient des erreurs."), {"csv": "\n".join(result.errors)}
        )


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
