"""Reading a CSV file an organizer uploads: columns by alias, line-numbered errors, a preview.

Shared by the imports of ateliers and of expected people: comma or semicolon separated
(French Excel saves with semicolons), UTF-8 with or without BOM, else Windows-1252; lines ended
by CRLF, LF or a lone CR (old Excel for Mac); headers in any order, case and accents ignored;
nothing is written unless every line is valid. A line the ``csv`` module cannot read (a cell
over its field limit) refuses the file with its line number, never an error page.
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
    # newline="": the reader sees the file's own line ends, so a lone CR (old Excel for Mac)
    # ends a line, and a line break inside a quoted cell stays in the cell.
    reader = _numbered(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    header = next(reader, None)
    if header is None:
        return None
    columns = [aliases.get(compare_key(h)) for h in header[1]]
    lines = (
        (line, {col: cells[i] if i < len(cells) else "" for i, col in enumerate(columns) if col})
        for line, cells in reader
        if any(c.strip() for c in cells)
    )
    return columns, lines


def _numbered(reader: Iterator[list[str]]) -> Iterator[tuple[int, list[str]]]:
    """``(line number, cells)`` of each record; ``ValidationError`` for an unreadable one.

    ``csv`` raises ``csv.Error`` for a cell over ``csv.field_size_limit()`` (131,072
    characters) or a malformed line; the limit is global to the process, so it is reported
    rather than raised.
    """
    line = 0
    while True:
        line += 1
        try:
            cells = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            if "field larger than field limit" in str(exc):
                reason = gettext(
                    "une cellule dépasse %(max)s caractères : raccourcissez-la",
                    max=f"{csv.field_size_limit():,}".replace(",", "\u202f"),
                )
            else:
                reason = gettext("ligne illisible (%(error)s)", error=str(exc))
            message = gettext("Ligne %(line)s : %(reason)s.", line=line, reason=reason)
            raise ValidationError(message, {"csv": message}) from exc
        yield line, cells


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
