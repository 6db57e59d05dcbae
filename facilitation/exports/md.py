"""The ``md`` export: the compte-rendu as Markdown (user text escaped for Markdown), from the
same blocks as DOCX, ODT and PDF."""

from __future__ import annotations

import re
from typing import Any

from facilitation.exports.document import (
    Bullets,
    Chart,
    Cover,
    Group,
    Heading,
    PageBreak,
    Para,
    Picture,
    Table,
    Toc,
    compte_rendu,
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


def _cell(text: str) -> str:
    # A table cell holds one line; no <br>: the Markdown carries no raw markup at all.
    return " ; ".join(esc(line) for line in text.splitlines() if line.strip())


def _block(block: Any) -> list[str]:
    """One block of the compte-rendu as Markdown lines (charts as their sentence)."""
    if isinstance(block, Cover):
        lines = [f"# {esc(block.title)}", "", f"**{esc(block.kicker)}**", ""]
        lines += [f"*{esc(block.date)}" + (f" — {esc(block.place)}*" if block.place else "*"), ""]
        if block.brand:
            lines += [f"Organisation : {esc(block.brand)}  "]
        if block.agency:
            lines += [f"Animation et compte-rendu : {esc(block.agency)}"]
        return [*lines, ""]
    if isinstance(block, PageBreak):
        return []
    if isinstance(block, Toc):
        return [f"{'  ' * (level - 1)}- {esc(text)}" for level, text in block.entries] + [""]
    if isinstance(block, Heading):
        # After the #s nothing at its start can turn a heading into a list: inline escapes only.
        title = _INLINE.sub(r"\\\1", block.text)
        return [f"{'#' * (block.level + 1)} {title}", ""]
    if isinstance(block, Para):
        if block.style == "quote":
            return [*_quote(block.text), ""]
        text = esc(block.text)
        if block.style == "meta":
            text = f"*{text}*"
        if block.label:
            text = f"**{esc(block.label.strip())}** {text}"
        return [text, ""]
    if isinstance(block, Bullets):
        return [f"- {esc(item)}" for item in block.items] + [""]
    if isinstance(block, Table):
        if block.key_value:
            return [
                f"- **{esc(label)}** : " + esc(value).replace("\n", "  \n  ")
                for label, value in block.rows
            ] + [""]
        if block.figures:
            return [f"- **{esc(n)}** {esc(label)}" for n, label in block.rows] + [""]
        header = block.header or [""] * len(block.widths)
        lines = [
            "| " + " | ".join(_cell(h) for h in header) + " |",
            "|" + "---|" * len(header),
        ]
        lines += ["| " + " | ".join(_cell(v) for v in row) + " |" for row in block.rows]
        return [*lines, ""]
    if isinstance(block, Chart):
        if block.svg:  # the word cloud, as an SVG picture; the table after it lists the words
            return [f"![{esc(block.alt)}]({block.svg})", ""]
        return [f"*{esc(block.alt)}*", ""]
    if isinstance(block, Picture):
        # The image stays on the server (behind the session): referenced, not embedded.
        return [f"![{esc(block.caption)}]({block.url})", ""]
    if isinstance(block, Group):
        return [line for inner in block.blocks for line in _block(inner)]
    raise TypeError(f"bloc inconnu : {block!r}")


def render(model: dict[str, Any], **_options: Any) -> bytes:
    """The same compte-rendu as DOCX, ODT and PDF (``document.compte_rendu``), charts told
    in a sentence."""
    out = [line for block in compte_rendu(model, charts=True) for line in _block(block)]
    return ("\n".join(out).rstrip() + "\n").encode("utf-8")
