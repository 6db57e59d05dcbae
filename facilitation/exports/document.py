"""The compte-rendu as a list of blocks, laid out once and rendered by DOCX, ODT, PDF and Markdown.

The formats must say the same thing in the same order; only their typesetting differs.
``compte_rendu(model)`` decides the content: a cover, a one-page summary (« L'essentiel »),
a table of contents, the programme and figures, one section per atelier (its synthesis, then
its ranked chantiers and pratiques, each field once, merged duplicates inside the card they
joined), the plenary vote, and the directory of actors as an annex. ``docx``, ``odt``,
``pdf`` and ``md`` each turn the blocks into their own objects.
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from facilitation.domain import photos
from facilitation.domain.restitution import top
from facilitation.exports import cloud as word_cloud
from facilitation.exports.charts import all_charts, to_png
from facilitation.exports.common import (
    KIND_LABELS,
    atelier_figures,
    author_line,
    date_fr,
    dots_text,
    engagement_line,
    heure,
    plural,
    reactions_text,
    time_range,
)

#: The colour of titles when the event has none of its own (the app's blue).
DEFAULT_COLOUR = "#1d4f91"
#: The summary stays on one page: at most this many retained chantiers are listed there.
SUMMARY_CHANTIERS = 6
#: A synthesis' key line is its first line, shortened past this (the whole text follows).
KEY_LINE_CHARS = 220
#: Introduces a duplicate shown inside the card it joined (as « Regroupé avec » on screen);
#: it names that card, since a long card may push its duplicate to the next page.
MERGED_LABEL = "Regroupé avec « %(titre)s » : "


@dataclass(frozen=True)
class Cover:
    """The first page: who, what, when, where."""

    title: str
    kicker: str
    date: str
    place: str
    brand: str
    agency: str
    logo: bytes | None
    colour: str


@dataclass(frozen=True)
class PageBreak:
    pass


@dataclass(frozen=True)
class Toc:
    """The table of contents: entries (level, text) for formats that cannot compute it."""

    entries: list[tuple[int, str]]


@dataclass(frozen=True)
class Heading:
    level: int  # 1 section, 2 atelier, 3 part of an atelier, 4 a card
    text: str
    #: Listed in the table of contents (sections and ateliers, not the pages before it).
    toc: bool = True

    @property
    def in_toc(self) -> bool:
        return self.toc and self.level <= 2


@dataclass(frozen=True)
class Para:
    text: str
    #: normal | subtitle | meta | quote | merged
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
    #: Two columns: bold label | value (a card's fields).
    key_value: bool = False
    #: Two columns: a big number | what it counts (the summary's figures).
    figures: bool = False


@dataclass(frozen=True)
class Chart:
    png: bytes
    title: str
    alt: str
    #: The same picture as SVG, for the formats that show it as such (Markdown): a data URI.
    svg: str = ""


@dataclass(frozen=True)
class Picture:
    """A photo (a card's, a paperboard): the large JPEG, fitted to the page by each format
    within ``max_height_cm``; Markdown links ``url`` instead."""

    jpeg: bytes
    width: int
    height: int
    caption: str
    url: str
    max_height_cm: float

    def size_cm(self, max_width_cm: float) -> tuple[float, float]:
        """Width and height in cm: the page's width at most, ``max_height_cm`` at most."""
        ratio = self.height / self.width if self.width else 1.0
        width = min(max_width_cm, self.max_height_cm / ratio)
        return width, width * ratio


@dataclass(frozen=True)
class Group:
    """Blocks kept on one page when they fit (a heading and what follows, one card)."""

    blocks: list[Any] = field(default_factory=list)


Block = Cover | PageBreak | Toc | Heading | Para | Bullets | Table | Chart | Picture | Group

#: Heights of photos on the page: a card's photo beside its text, a paperboard readable.
CARD_PHOTO_CM = 7.0
PAPERBOARD_CM = 15.0


# ------------------------------------------------------------------------- helpers
def colour(model: dict[str, Any]) -> str:
    """The event's colour (``#rrggbb``), else the app's blue."""
    value = model["event"].get("brand_color") or ""
    return value if len(value) == 7 and value.startswith("#") else DEFAULT_COLOUR


def logo_bytes(model: dict[str, Any]) -> bytes | None:
    """The logo of the read model's ``data:`` URI, or ``None``."""
    uri = model["event"].get("logo") or ""
    if not uri.startswith("data:") or ";base64," not in uri:
        return None
    try:
        return base64.b64decode(uri.split(";base64,", 1)[1], validate=True)
    except (binascii.Error, ValueError):
        return None


def field_value(card: dict[str, Any], key: str) -> str:
    return next((f["value"] for f in card["fields"] if f["key"] == key), "")


def key_line(text: str) -> str:
    """The first line of a synthesis, shortened when long (the whole text is in its section)."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if len(line) > KEY_LINE_CHARS:
        line = line[: KEY_LINE_CHARS - 1].rsplit(" ", 1)[0] + " …"
    return line


def retained(model: dict[str, Any]) -> list[dict[str, Any]]:
    """The chantiers the day retained: the plenary vote's ranking when it took place, else
    each atelier's most supported chantiers (those with dots)."""
    if model["perspectives"]:
        return list(model["perspectives"])
    from facilitation.domain.restitution import ateliers

    return [c for a in ateliers(model) for c in top(a, "top_chantiers")[:3] if c["dots"] > 0] or [
        c for a in ateliers(model) for c in top(a, "top_chantiers")[:1]
    ]


def figures_table(model: dict[str, Any]) -> Table:
    f = model["figures"]
    rows = [
        (f["participants"], "participant·e", "participant·es"),
        (f["structures"], "structure représentée", "structures représentées"),
        (f["communes"], "commune représentée", "communes représentées"),
        (f["cards"], "contribution", "contributions"),
        (f["chantiers"], "chantier proposé", "chantiers proposés"),
        (f["dots"], "gommette posée", "gommettes posées"),
        (f["engagements"], "engagement « Je m'engage »", "engagements « Je m'engage »"),
    ]
    return Table(
        None,
        [[str(n), one if n <= 1 else many] for n, one, many in rows],
        [0.22, 0.78],
        figures=True,
    )


def _fields_table(card: dict[str, Any]) -> Table | None:
    rows = [[f["label"], f["value"]] for f in card["fields"]]
    who = author_line(card)
    if who:
        rows.append(["Proposé par", who])
    return Table(None, rows, [0.3, 0.7], key_value=True) if rows else None


def picture(ref: dict[str, Any] | None, caption: str, max_height_cm: float) -> Picture | None:
    """The photo of a read model's reference (``photo_ref``), its bytes from the database;
    ``None`` when there is none (or it was hidden or deleted since)."""
    if not ref:
        return None
    data = photos.large_bytes(ref["id"])
    if not data:
        return None
    return Picture(data, ref["width"], ref["height"], caption, ref["url"], max_height_cm)


def card_groups(card: dict[str, Any], number: int) -> list[Group]:
    """One ranked card (title, dots, its fields once, commitments), then each duplicate merged
    into it, with its own words and author, kept together on its own."""
    blocks: list[Any] = [
        Heading(4, f"{number}. {card['titre']}"),
        Para(dots_text(card), "meta"),
    ]
    if reactions_text(card):
        blocks.append(Para(reactions_text(card), "meta"))
    table = _fields_table(card)
    if table is not None:
        blocks.append(table)
    photo = picture(card.get("photo"), f"Photo jointe à « {card['titre']} »", CARD_PHOTO_CM)
    if photo is not None:
        blocks.append(photo)
    if card["engagement_count"]:
        blocks.append(Para(f"Engagements ({card['engagement_count']})", "normal"))
        if card["engagements"]:
            blocks.append(Bullets([engagement_line(e) for e in card["engagements"]]))
    groups = [Group(blocks)]
    for duplicate in card["merged"]:
        label = MERGED_LABEL % {"titre": card["titre"]}
        merged: list[Any] = [Para(duplicate["titre"], "merged", label)]
        table = _fields_table(duplicate)
        if table is not None:
            merged.append(table)
        groups.append(Group(merged))
    return groups


def _titled(intro: list[Any], title: str, groups: list[Group]) -> list[Group]:
    """A heading (and what leads to it) kept on the page of its first card."""
    first = Group([*intro, Heading(3, title), *groups[0].blocks])
    return [first, *groups[1:]]


def _atelier_blocks(atelier: dict[str, Any], lead: list[Any]) -> list[Any]:
    intro: list[Any] = [*lead, Heading(2, atelier["title"])]
    if atelier["theme"]:
        intro.append(Para(atelier["theme"], "normal", "Thème : "))
    if atelier["question"]:
        intro.append(Para(atelier["question"], "normal", "Question posée : "))
    intro.append(Para(atelier_figures(atelier), "meta"))
    if atelier["synthesis"]:
        intro.append(Heading(3, "Ce qu'il faut retenir"))
        intro += [
            Para(paragraph.strip(), "quote")
            for paragraph in atelier["synthesis"]["text"].split("\n\n")
            if paragraph.strip()
        ]
    for cloud in atelier.get("clouds", []):
        intro.append(Group(_cloud_blocks(cloud)))
    out: list[Any] = []
    boards = [
        p
        for i, ref in enumerate(atelier.get("paperboards") or [], 1)
        if (p := picture(ref, f"{atelier['title']} — paperboard {i}", PAPERBOARD_CM))
    ]
    if boards:
        # Each sheet on its own: a paperboard fills most of a page.
        out.append(Group([*intro, Heading(3, "Photos des paperboards"), boards[0]]))
        out += [Group([b]) for b in boards[1:]]
        intro = []
    for kind, title in (
        ("chantier", "Chantiers, par gommettes reçues"),
        ("pratique", "Pratiques, par gommettes reçues"),
    ):
        cards = [c for c in atelier["contributions"] if c["kind"] == kind]
        if cards:
            groups = [g for i, c in enumerate(cards, 1) for g in card_groups(c, i)]
            out += _titled(intro, title, groups)
            intro = []
    if intro:
        out.append(Group([*intro, Para("Aucune contribution dans cet atelier.", "meta")]))
    return out


def _cloud_blocks(cloud: dict[str, Any]) -> list[Any]:
    """One « en un mot » cloud: its picture, then its words ranked with their counts."""
    title = f"En un mot : « {cloud['question']} »"
    blocks: list[Any] = [
        Heading(3, title),
        Para(
            f"{plural(cloud['phones'], 'téléphone', 'téléphones')}, "
            f"{plural(len(cloud['words']), 'mot', 'mots')} différents "
            f"({cloud['max_words']} au plus par téléphone).",
            "meta",
        ),
    ]
    if not cloud["words"]:
        return [*blocks, Para("Aucun mot envoyé.", "meta")]
    blocks.append(
        Chart(
            word_cloud.to_png(cloud),
            title,
            word_cloud.description(cloud),
            word_cloud.svg_data_uri(cloud),
        )
    )
    blocks.append(
        Table(
            ["Rang", "Mot", "Téléphones"],
            [
                [str(w["rank"]) + (" ex æquo" if w["tied"] else ""), w["label"], str(w["count"])]
                for w in cloud["words"]
            ],
            [0.2, 0.56, 0.24],
        )
    )
    return blocks


def _summary(model: dict[str, Any]) -> list[Block]:
    blocks: list[Block] = [Heading(1, "L'essentiel", toc=False), figures_table(model)]
    chosen = retained(model)
    if chosen:
        title = (
            "Chantiers retenus en plénière"
            if model["perspectives"]
            else "Chantiers les plus soutenus"
        )
        rows = [
            [
                c["titre"],
                field_value(c, "porteur") or c["author_structure"],
                field_value(c, "communes") or c["commune"],
                str(c["engagement_count"]),
            ]
            for c in chosen[:SUMMARY_CHANTIERS]
        ]
        blocks.append(
            Group(
                [
                    Heading(3, title),
                    Table(
                        ["Chantier", "Porteur", "Communes", "Engagé·es"],
                        rows,
                        [0.32, 0.26, 0.28, 0.14],
                    ),
                ]
            )
        )
        if len(chosen) > SUMMARY_CHANTIERS:
            more = len(chosen) - SUMMARY_CHANTIERS
            blocks.append(Para(f"… et {plural(more, 'autre')}, détaillés plus loin.", "meta"))
    lines = [
        f"{a['title']} : {key_line(a['synthesis']['text'])}"
        for s in model["sequences"]
        for a in s["ateliers"]
        if a["synthesis"]
    ]
    if lines:
        blocks.append(Group([Heading(3, "Ce qu'il faut retenir des ateliers"), Bullets(lines)]))
    return blocks


def _directory(model: dict[str, Any]) -> list[Block]:
    rows = []
    for entry in model["directory"]:
        people = []
        for p in entry["people"]:
            line = f"{p['display_name']}, {p['role']}" if p["role"] else p["display_name"]
            if p["publics"]:
                line += f" — publics : {', '.join(p['publics'])}"
            if p["offers"]:
                line += f" — propose : {', '.join(p['offers'])}"
            people.append(line)
        rows.append(
            [
                entry["structure"],
                entry["kind_label"] if entry["kind"] else "",
                ", ".join(entry["communes"]),
                "\n".join(people),
            ]
        )
    return [
        Heading(1, "Annexe — Annuaire des acteurs"),
        Para(
            "Les structures dont au moins une personne a accepté de figurer dans l'annuaire "
            "de l'interconnaissance ; les personnes seulement avec leur accord.",
            "meta",
        ),
        Table(["Structure", "Type", "Communes", "Personnes"], rows, [0.25, 0.17, 0.19, 0.39]),
    ]


def compte_rendu(model: dict[str, Any], charts: bool = True) -> list[Block]:
    """The report's blocks, in reading order."""
    event = model["event"]
    whole_day = model["scope"]["atelier_id"] is None
    body: list[Block] = []
    if whole_day:
        body.append(Heading(1, "Programme"))
        body.append(
            Table(
                ["Horaire", "Séquence", "Ateliers"],
                [
                    [time_range(p["starts_at"], p["ends_at"]), p["title"], "\n".join(p["ateliers"])]
                    for p in model["programme"]
                ],
                [0.18, 0.37, 0.45],
            )
        )
    if charts:
        body.append(Heading(1, "La journée en chiffres"))
        communes = model["figures"]["communes_list"]
        if communes:
            body.append(
                Para(
                    ", ".join(f"{c['name']} ({c['count']})" for c in communes),
                    "normal",
                    "Communes représentées : ",
                )
            )
        for chart in all_charts(model):
            body.append(Chart(to_png(chart), chart.title, chart.description))
    for sequence in model["sequences"]:
        lead: list[Any] = [
            PageBreak(),
            Heading(1, sequence["title"]),
            Para(
                f"{KIND_LABELS.get(sequence['kind'], sequence['kind'])}, "
                f"{time_range(sequence['starts_at'], sequence['ends_at'])}",
                "meta",
            ),
        ]
        # The sequence's heading opens a page and stays with its first atelier.
        body.append(lead.pop(0))
        for atelier in sequence["ateliers"]:
            body += _atelier_blocks(atelier, lead)
            lead = []
    if model["perspectives"]:
        body.append(Heading(1, "Perspectives collectives : le vote en plénière"))
        body.append(
            Table(
                ["Rang", "Chantier", "Gommettes"],
                [
                    [str(c["rank"]) + (" ex æquo" if c["tied"] else ""), c["titre"], str(c["dots"])]
                    for c in model["perspectives"]
                ],
                [0.16, 0.62, 0.22],
            )
        )
    if model["directory"]:
        body.append(PageBreak())
        body += _directory(model)
    body.append(Para(f"Document généré le {_generated(model)}.", "meta"))

    place = ", ".join(p for p in (event["venue"], event["city"]) if p)
    scope = ""
    if not whole_day:
        titles = [a["title"] for s in model["sequences"] for a in s["ateliers"]]
        scope = f" — atelier « {titles[0]} »" if titles else ""
    cover = Cover(
        title=event["title"],
        kicker="Compte-rendu des travaux" + scope,
        date=date_fr(event["date"]),
        place=place,
        brand=event.get("brand_name") or "",
        agency=event["organiser_name"],
        logo=logo_bytes(model),
        colour=colour(model),
    )
    entries = [(b.level, b.text) for b in _walk(body) if isinstance(b, Heading) and b.in_toc]
    return [
        cover,
        PageBreak(),
        *_summary(model),
        PageBreak(),
        Heading(1, "Sommaire", toc=False),
        Toc(entries),
        PageBreak(),
        *body,
    ]


def _walk(blocks: list[Any]) -> list[Any]:
    """Every block, groups opened, in order."""
    out: list[Any] = []
    for block in blocks:
        if isinstance(block, Group):
            out += _walk(block.blocks)
        else:
            out.append(block)
    return out


def _generated(model: dict[str, Any]) -> str:
    at = datetime.fromisoformat(model["generated_at"]).astimezone(
        ZoneInfo(model["event"]["timezone"])
    )
    return f"{at:%d/%m/%Y} à {heure(at.isoformat())}"
