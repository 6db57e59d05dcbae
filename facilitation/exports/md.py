"""The ``md`` export: the compte-rendu as Markdown (user text escaped for Markdown)."""

from __future__ import annotations

import re
from typing import Any

from facilitation.domain.restitution import top
from facilitation.exports.common import (
    KIND_LABELS,
    atelier_figures,
    directory_lines,
    dots_text,
    engagement_line,
    figures_lines,
    subtitle,
    time_range,
)

_INLINE = re.compile(r"([\\`*_\[\]<>|~])")
#: What makes a line a heading, a list item or a quote when it starts it.
_LINE_START = re.compile(r"^(\s*)([#>+\-=]|\d+(?=[.)]))", re.MULTILINE)


def esc(text: str) -> str:
    """Participant text shown as typed: Markdown and HTML syntax escaped, nothing more."""
    text = _INLINE.sub(r"\\\1", text or "")
    return _LINE_START.sub(lambda m: m[0] + "\\" if m[2][0].isdigit() else m[1] + "\\" + m[2], text)


def _quote(text: str) -> list[str]:
    return [f"> {esc(line)}" if line.strip() else ">" for line in text.splitlines()]


def _card(card: dict[str, Any], level: int) -> list[str]:
    lines = [f"{'#' * level} {esc(card['titre'])}", "", f"**{dots_text(card)}**", ""]
    for item in card["fields"]:
        value = esc(item["value"]).replace("\n", "  \n  ")
        lines.append(f"- **{esc(item['label'])}** : {value}")
    if card["author"]:
        lines.append(
            f"- **Proposé par** : {esc(card['author']['display_name'])}"
            + (f" ({esc(card['author']['structure'])})" if card["author"]["structure"] else "")
        )
    lines.append("")
    if card["engagement_count"]:
        lines.append(f"**Engagements ({card['engagement_count']})**")
        lines.append("")
        lines += [f"- {esc(engagement_line(e))}" for e in card["engagements"]]
        lines.append("")
    return lines


def render(model: dict[str, Any], **_options: Any) -> bytes:
    event = model["event"]
    out = [f"# {esc(event['title'])}", "", f"*{esc(subtitle(model))}*", ""]
    if event["organiser_name"]:
        out += [f"Animation : {esc(event['organiser_name'])}", ""]
    out += ["## Programme", ""]
    for item in model["programme"]:
        out.append(f"- **{time_range(item['starts_at'], item['ends_at'])}** — {esc(item['title'])}")
        out += [f"  - {esc(title)}" for title in item["ateliers"]]
    out += ["", "## La journée en chiffres", ""]
    out += [f"- {line}" for line in figures_lines(model)]
    communes = model["figures"]["communes_list"]
    if communes:
        out += ["", "Communes représentées : " + ", ".join(
            f"{esc(c['name'])} ({c['count']})" for c in communes
        )]  # fmt: skip
    out.append("")
    for sequence in model["sequences"]:
        out += [
            f"## {esc(sequence['title'])}",
            "",
            f"*{KIND_LABELS.get(sequence['kind'], sequence['kind'])}, "
            f"{time_range(sequence['starts_at'], sequence['ends_at'])}*",
            "",
        ]
        for atelier in sequence["ateliers"]:
            out += [f"### {esc(atelier['title'])}", ""]
            if atelier["question"]:
                out += [f"**Question posée** : {esc(atelier['question'])}", ""]
            out += [atelier_figures(atelier), ""]
            if atelier["synthesis"]:
                out += ["**Ce qu'il faut retenir**", "", *_quote(atelier["synthesis"]["text"]), ""]
            chantiers = top(atelier, "top_chantiers")
            if chantiers:
                out += ["#### Chantiers les plus soutenus", ""]
                for card in chantiers:
                    out += _card(card, 5)
            pratiques = top(atelier, "top_pratiques")
            if pratiques:
                out += ["#### Pratiques les plus soutenues", ""]
                for card in pratiques:
                    out += _card(card, 5)
            shown = set(atelier["top_chantiers"]) | set(atelier["top_pratiques"])
            others = [c for c in atelier["contributions"] if c["id"] not in shown]
            if others:
                out += ["#### Autres contributions", ""]
                out += [f"- {esc(c['titre'])} — {dots_text(c)}" for c in others]
                out.append("")
    if model["perspectives"]:
        out += ["## Perspectives collectives", ""]
        out += [f"1. {esc(c['titre'])} — {dots_text(c)}" for c in model["perspectives"]]
        out.append("")
    if model["directory"]:
        out += ["## Annuaire des structures participantes", ""]
        out += [f"- {esc(line)}" for line in directory_lines(model["directory"])]
        out.append("")
    return ("\n".join(out).rstrip() + "\n").encode("utf-8")
