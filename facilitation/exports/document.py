"""The compte-rendu as a list of blocks, laid out once and rendered by DOCX, ODT and PDF.

The three office formats must say the same thing in the same order; only their typesetting
differs. ``compte_rendu(model)`` decides the content (headings, programme, figures, charts,
each atelier's results, chantiers as structured sections, commitments only as the read model
allows them); ``docx``, ``odt`` and ``pdf`` each turn the blocks into their own objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from facilitation.domain.restitution import top
from facilitation.exports.charts import all_charts, to_png
from facilitation.exports.common import (
    CARD_KIND_LABELS,
    KIND_LABELS,
    atelier_figures,
    directory_lines,
    dots_text,
    engagement_line,
    figures_lines,
    heure,
    subtitle,
    time_range,
)


@dataclass(frozen=True)
class Heading:
    level: int  # 0 = document title
    text: str


@dataclass(frozen=True)
class Para:
    text: str
    #: normal | subtitle | meta | quote
    style: str = "normal"
    #: Bold lead-in ("Question posée : ") before the text.
    label: str = ""


@dataclass(frozen=True)
class Bullets:
    items: list[str]


@dataclass(frozen=True)
class Table:
    header: list[str] | None
    rows: list[list[str]]
    #: Relative column widths (sum 1).
    widths: list[float]
    #: Two columns: bold label | value (a chantier's fields).
    key_value: bool = False


@dataclass(frozen=True)
class Chart:
    png: bytes
    title: str
    alt: str


@dataclass(frozen=True)
class Group:
    """Blocks kept on one page when they fit (one card, one chantier)."""

    blocks: list[Any] = field(default_factory=list)


Block = Heading | Para | Bullets | Table | Chart | Group


def _card_blocks(card: dict[str, Any], number: int, level: int) -> Group:
    blocks: list[Any] = [
        Heading(level, f"{number}. {card['titre']}"),
        Para(dots_text(card), "meta"),
    ]
    rows = [[f["label"], f["value"]] for f in card["fields"]]
    if card["author"]:
        who = card["author"]["display_name"]
        if card["author"]["structure"]:
            who += f" ({card['author']['structure']})"
        rows.append(["Proposé par", who])
    if rows:
        blocks.append(Table(None, rows, [0.3, 0.7], key_value=True))
    if card["engagement_count"]:
        blocks.append(Para(f"Engagements ({card['engagement_count']})", "normal", ""))
        if card["engagements"]:
            blocks.append(Bullets([engagement_line(e) for e in card["engagements"]]))
    return Group(blocks)


def _titled(title: str, groups: list[Group]) -> list[Block]:
    """A section heading kept on the page of its first card (never alone at a page's foot)."""
    first = Group([Heading(3, title), *groups[0].blocks])
    return [first, *groups[1:]]


def compte_rendu(model: dict[str, Any], charts: bool = True) -> list[Block]:
    """The report's blocks, in reading order."""
    event = model["event"]
    blocks: list[Block] = [
        Heading(0, event["title"]),
        Para(subtitle(model), "subtitle"),
    ]
    if event["organiser_name"]:
        blocks.append(Para(event["organiser_name"], "meta", "Animation : "))
    blocks.append(
        Para(
            "Compte-rendu des travaux, établi à partir des contributions saisies pendant la "
            "journée.",
            "meta",
        )
    )
    if model["scope"]["atelier_id"] is None:
        blocks.append(Heading(1, "Programme"))
        blocks.append(
            Table(
                ["Horaire", "Séquence", "Ateliers"],
                [
                    [
                        time_range(p["starts_at"], p["ends_at"]),
                        p["title"],
                        "\n".join(p["ateliers"]),
                    ]
                    for p in model["programme"]
                ],
                [0.18, 0.37, 0.45],
            )
        )
    blocks.append(Heading(1, "La journée en chiffres"))
    blocks.append(Bullets(figures_lines(model)))
    if charts:
        for chart in all_charts(model):
            blocks.append(Chart(to_png(chart), chart.title, chart.description))
    for sequence in model["sequences"]:
        blocks.append(Heading(1, sequence["title"]))
        blocks.append(
            Para(
                f"{KIND_LABELS.get(sequence['kind'], sequence['kind'])}, "
                f"{time_range(sequence['starts_at'], sequence['ends_at'])}",
                "meta",
            )
        )
        for atelier in sequence["ateliers"]:
            blocks.append(Heading(2, atelier["title"]))
            if atelier["theme"]:
                blocks.append(Para(atelier["theme"], "normal", "Thème : "))
            if atelier["question"]:
                blocks.append(Para(atelier["question"], "normal", "Question posée : "))
            blocks.append(Para(atelier_figures(atelier), "meta"))
            if atelier["synthesis"]:
                blocks.append(Heading(3, "Ce qu'il faut retenir"))
                for paragraph in atelier["synthesis"]["text"].split("\n\n"):
                    blocks.append(Para(paragraph.strip(), "quote"))
            chantiers = top(atelier, "top_chantiers")
            if chantiers:
                blocks += _titled(
                    "Chantiers les plus soutenus",
                    [_card_blocks(c, i, 4) for i, c in enumerate(chantiers, start=1)],
                )
            pratiques = top(atelier, "top_pratiques")
            if pratiques:
                blocks += _titled(
                    "Pratiques les plus soutenues",
                    [_card_blocks(c, i, 4) for i, c in enumerate(pratiques, start=1)],
                )
            shown = set(atelier["top_chantiers"]) | set(atelier["top_pratiques"])
            others = [c for c in atelier["contributions"] if c["id"] not in shown]
            if others:
                blocks.append(Heading(3, "Autres contributions"))
                blocks.append(
                    Table(
                        ["Contribution", "Type", "Gommettes", "Structure"],
                        [
                            [
                                c["titre"],
                                CARD_KIND_LABELS.get(c["kind"], c["kind"]),
                                str(c["dots"]),
                                c["author_structure"],
                            ]
                            for c in others
                        ],
                        [0.5, 0.14, 0.14, 0.22],
                    )
                )
            if not atelier["contributions"]:
                blocks.append(Para("Aucune contribution dans cet atelier.", "meta"))
    if model["perspectives"]:
        blocks.append(Heading(1, "Perspectives collectives"))
        blocks += [_card_blocks(c, i, 3) for i, c in enumerate(model["perspectives"], start=1)]
    if model["directory"]:
        blocks.append(Heading(1, "Annuaire des structures participantes"))
        blocks.append(Bullets(directory_lines(model["directory"])))
    blocks.append(Para(f"Document généré le {_generated(model)}.", "meta"))
    return blocks


def _generated(model: dict[str, Any]) -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    at = datetime.fromisoformat(model["generated_at"]).astimezone(
        ZoneInfo(model["event"]["timezone"])
    )
    return f"{at:%d/%m/%Y} à {heure(at.isoformat())}"
