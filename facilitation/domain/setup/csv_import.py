"""Reading a CSV file an organizer uploads: columns by alias, line-numbered errors, a preview.

Shared by the imports of ateliers and of expected people: comma or semicolon separated
(French Excel saves with semicolons), UTF-8 with or without BOM, else Windows-1252; headers in
any order, case and accents ignored; nothing is written unless every line is valid.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any, Generic, Self, TypeVar

from flask_babel import gettext

from facilitation.domain.errors import ValidationError
from facilitation.domain.setup.parsing import compare_key
from facilitation.domain.validation import TextField, clean_partial

MAX_BYTES = 200_000


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
