"""The ``csv`` export: one row per card (atelier, kind, fields, dots, author, « Moi aussi »
counts), merged duplicates on their own row after the card they joined (« Regroupé avec »),
then one row per word of each « en un mot » cloud (type « En un mot », the word as its title,
the question as its description, its rank and the number of phones that sent it).

French Excel by default (``dialect="excel-fr"``): UTF-8 with a byte-order mark, so accents
survive a double-click, and ``;`` between columns, since ``,`` is the decimal separator in a
French locale. ``dialect="plain"`` gives RFC 4180 CSV: UTF-8 without BOM, ``,``.
"""

from __future__ import annotations

import csv
import io
from typing import Any

from facilitation.exports.common import CARD_KIND_LABELS, author_line

HEADER = (
    "Séquence",
    "Atelier",
    "Type",
    "Rang",
    "Gommettes",
    "Titre",
    "Description",
    "Public concerné",
    "Commune",
    "Structure de l'auteur·rice",
    "Auteur·rice",
    "Autres champs",
    "Engagements",
    "Identifiant",
    "Regroupé avec",
    # « Moi aussi » (issue 19.2): distinct structures, last so existing columns keep their place.
    "Nous aussi (structures)",
    "Ça m'intéresse (structures)",
    "Téléphones",
)
DIALECTS = ("excel-fr", "plain")
#: The « Type » of a word cloud's rows.
CLOUD_TYPE = "En un mot"
#: Spreadsheets run cells starting with these as formulas: prefixed with ' (OWASP advice).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value: Any) -> Any:
    if isinstance(value, str) and value.startswith(_FORMULA_START):
        return "'" + value
    return value


_BASIC = {"description", "public_concerne", "commune", "structure"}


def _row(
    sequence: dict[str, Any],
    atelier: dict[str, Any],
    card: dict[str, Any],
    into: dict[str, Any] | None = None,
) -> list[Any]:
    extra = " | ".join(
        f"{f['label']} : {f['value']}" for f in card["fields"] if f["key"] not in _BASIC
    )
    return [
        sequence["title"],
        atelier["title"],
        CARD_KIND_LABELS.get(card["kind"], card["kind"]),
        "" if into else card["rank"],
        "" if into else card["dots"],
        card["titre"],
        card["description"],
        card["public_concerne"],
        card["commune"],
        card["author_structure"],
        author_line(card),
        extra,
        "" if into else card["engagement_count"],
        card["id"],
        f"{into['titre']} (n° {into['id']})" if into else "",
        "" if into else card.get("reactions", {}).get("nous_aussi", 0),
        "" if into else card.get("reactions", {}).get("interesse", 0),
        "",
    ]


def _word_row(
    sequence: dict[str, Any], atelier: dict[str, Any], cloud: dict[str, Any], word: dict[str, Any]
) -> list[Any]:
    row: list[Any] = [""] * len(HEADER)
    row[0], row[1], row[2] = sequence["title"], atelier["title"], CLOUD_TYPE
    row[3] = f"{word['rank']}{' ex æquo' if word['tied'] else ''}"
    row[5], row[6] = word["label"], cloud["question"]
    row[HEADER.index("Identifiant")] = f"nuage {cloud['id']}"
    row[HEADER.index("Téléphones")] = word["count"]
    return row


def render(model: dict[str, Any], dialect: str = "excel-fr", **_options: Any) -> bytes:
    if dialect not in DIALECTS:
        raise ValueError(f"Dialecte CSV inconnu : {dialect}")
    buffer = io.StringIO(newline="")
    writer = csv.writer(
        buffer, delimiter=";" if dialect == "excel-fr" else ",", lineterminator="\r\n"
    )
    writer.writerow(HEADER)
    for sequence in model["sequences"]:
        for atelier in sequence["ateliers"]:
            for card in atelier["contributions"]:
                writer.writerow([_cell(v) for v in _row(sequence, atelier, card)])
                # A merged duplicate: its own row, its own words and author, pointing at the
                # card it joined (its dots are counted there).
                for duplicate in card["merged"]:
                    writer.writerow([_cell(v) for v in _row(sequence, atelier, duplicate, card)])
            for cloud in atelier.get("clouds", []):
                for word in cloud["words"]:
                    writer.writerow([_cell(v) for v in _word_row(sequence, atelier, cloud, word)])
    text = buffer.getvalue()
    return text.encode("utf-8-sig" if dialect == "excel-fr" else "utf-8")
