"""Wording shared by the document formats: French dates, times, labels, file names."""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from typing import Any

DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
MONTHS = (
    "janvier", "février", "mars", "avril", "mai", "juin", "juillet", "août", "septembre",
    "octobre", "novembre", "décembre",
)  # fmt: skip
KIND_LABELS = {
    "accueil": "Accueil",
    "pleniere": "Plénière",
    "ateliers_pratiques": "Ateliers d'échange de pratiques",
    "ateliers_chantiers": "Ateliers chantiers",
    "pause": "Pause",
    "restitution": "Restitution",
}
CARD_KIND_LABELS = {"pratique": "Pratique", "chantier": "Chantier"}


def date_fr(iso: str) -> str:
    """``"2021-06-24"`` → ``"jeudi 24 juin 2021"``."""
    d = date.fromisoformat(iso)
    day = "1er" if d.day == 1 else str(d.day)
    return f"{DAYS[d.weekday()]} {day} {MONTHS[d.month - 1]} {d.year}"


def heure(iso: str | None) -> str:
    """A local ISO datetime → ``"9h30"`` (``""`` for ``None``)."""
    if not iso:
        return ""
    t = datetime.fromisoformat(iso)
    return f"{t.hour}h{t.minute:02d}"


def time_range(start: str | None, end: str | None) -> str:
    if start and end:
        return f"{heure(start)} – {heure(end)}"
    return heure(start)


def plural(n: int, singular: str, plural_form: str | None = None) -> str:
    return f"{n} {singular if n <= 1 else (plural_form or singular + 's')}"


def subtitle(model: dict[str, Any]) -> str:
    event = model["event"]
    parts = [date_fr(event["date"])]
    if event["venue"] or event["city"]:
        parts.append(", ".join(p for p in (event["venue"], event["city"]) if p))
    return " — ".join(parts)


def figures_lines(model: dict[str, Any]) -> list[str]:
    f = model["figures"]
    return [
        plural(f["participants"], "participant·e", "participant·es"),
        plural(f["structures"], "structure représentée", "structures représentées"),
        plural(f["communes"], "commune représentée", "communes représentées"),
        plural(f["ateliers"], "atelier"),
        plural(f["cards"], "contribution")
        + f" ({plural(f['pratiques'], 'pratique')}, {plural(f['chantiers'], 'chantier')})",
        plural(f["dots"], "gommette"),
        plural(f["engagements"], "engagement"),
    ]


def atelier_figures(atelier: dict[str, Any]) -> str:
    return ", ".join(
        (
            plural(atelier["participants"], "participant·e", "participant·es"),
            plural(atelier["cards"], "contribution"),
            plural(atelier["dots"], "gommette"),
        )
    )


def dots_text(card: dict[str, Any]) -> str:
    text = plural(card["dots"], "gommette")
    if card["tied"] and card["dots"]:
        text += " (ex æquo)"
    return text


def reactions_text(card: dict[str, Any]) -> str:
    """« Pratique partagée par 6 structures · intéresse 4 structures » (« Moi aussi »);
    "" when nobody reacted (chantiers, merged duplicates: no reactions)."""
    counts = card.get("reactions") or {}
    parts = []
    if counts.get("nous_aussi"):
        parts.append(f"pratique partagée par {plural(counts['nous_aussi'], 'structure')}")
    if counts.get("interesse"):
        parts.append(f"intéresse {plural(counts['interesse'], 'structure')}")
    text = " · ".join(parts)
    return text[:1].upper() + text[1:]


def engagement_line(engagement: dict[str, Any]) -> str:
    """« Nadia B. (CCAS) — contact » ; the contact is present only with consent."""
    who = engagement.get("display_name") or "Participant·e"
    if engagement.get("structure"):
        who += f" ({engagement['structure']})"
    if engagement.get("contact"):
        who += f" — {engagement['contact']}"
    return who


def directory_lines(directory: list[dict[str, Any]]) -> list[str]:
    """One line per structure: name, kind, communes, then the people who agreed to appear."""
    lines = []
    for entry in directory:
        line = entry["structure"]
        details = [entry["kind_label"]] if entry["kind"] else []
        details += entry["communes"]
        if details:
            line += f" ({', '.join(details)})"
        people = [
            f"{p['display_name']}, {p['role']}" if p["role"] else p["display_name"]
            for p in entry["people"]
        ]
        if people:
            line += " — " + " ; ".join(people)
        lines.append(line)
    return lines


def slugify(text: str) -> str:
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-") or "restitution"


def author_line(card: dict[str, Any]) -> str:
    """« Nadia B. (CCAS) » for the organizer audience, ``""`` when names are not shown."""
    author = card.get("author")
    if not author:
        return ""
    who = author["display_name"] or "Participant·e"
    if author["structure"]:
        who += f" ({author['structure']})"
    return who


def filename(model: dict[str, Any], extension: str, flavour: str = "") -> str:
    """``restitution-<slug>[-atelier-<id>][-<flavour>].<ext>`` (flavour: the CSV's kind, so
    the Excel and the standard CSV never overwrite each other in a downloads folder)."""
    name = f"restitution-{slugify(model['event']['slug'])}"
    if model["scope"]["atelier_id"] is not None:
        name += f"-atelier-{model['scope']['atelier_id']}"
    if flavour:
        name += f"-{flavour}"
    return f"{name}.{extension}"
