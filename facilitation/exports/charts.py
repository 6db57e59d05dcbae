"""The restitution's charts, from the read model: SVG for the web, PNG for the documents.

One ``BarChart`` (title, labelled values) is drawn twice: ``to_svg`` builds the SVG text in
Python with every user string escaped (no template, no ``|safe`` on user text: the result is
``Markup`` only because it was built from escaped parts), ``to_png`` draws the same chart
with Pillow for DOCX, ODT and PDF.
"""

from __future__ import annotations

import io
import textwrap
from dataclasses import dataclass, field
from typing import Any

from markupsafe import Markup, escape
from PIL import Image, ImageDraw, ImageFont

from facilitation.domain.restitution import ateliers
from facilitation.domain.validation import N_
from facilitation.exports.fonts import font_files

#: Bars beyond this are left out (the chart says how many).
MAX_ROWS = 12
COLOURS = ("#1d4f91", "#2a7f62", "#b4531f", "#6b3fa0")


@dataclass(frozen=True)
class BarChart:
    key: str
    title: str
    #: ``(label, value)``, drawn top to bottom.
    rows: list[tuple[str, int]]
    unit: tuple[str, str] = ("", "")  # singular, plural
    colour: str = COLOURS[0]
    empty_text: str = N_("Pas encore de données.")
    omitted: int = 0
    notes: list[str] = field(default_factory=list)

    def value_text(self, value: int) -> str:
        unit = self.unit[0] if value <= 1 else self.unit[1]
        return f"{value} {unit}".strip()

    @property
    def description(self) -> str:
        """A sentence for screen readers and the documents' alt text."""
        if not self.rows:
            return f"{self.title} : {self.empty_text}"
        parts = ", ".join(f"{label} : {self.value_text(v)}" for label, v in self.rows)
        return f"{self.title}. {parts}."


def _cap(rows: list[tuple[str, int]]) -> tuple[list[tuple[str, int]], int]:
    return rows[:MAX_ROWS], max(0, len(rows) - MAX_ROWS)


def dots_chart(model: dict[str, Any]) -> BarChart:
    """Dots per chantier, across ateliers, most supported first."""
    rows = sorted(
        (
            (c["titre"], c["dots"])
            for a in ateliers(model)
            for c in a["contributions"]
            if c["kind"] == "chantier"
        ),
        key=lambda r: -r[1],
    )
    kept, omitted = _cap(rows)
    return BarChart(
        "dots",
        N_("Gommettes par chantier"),
        kept,
        (N_("gommette"), N_("gommettes")),
        COLOURS[0],
        N_("Aucun chantier pour l'instant."),
        omitted,
    )


def communes_chart(model: dict[str, Any]) -> BarChart:
    """Participants per commune."""
    rows = [(c["name"], c["count"]) for c in model["figures"]["communes_list"]]
    kept, omitted = _cap(rows)
    return BarChart(
        "communes",
        N_("Communes représentées"),
        kept,
        (N_("participant·e"), N_("participant·es")),
        COLOURS[1],
        N_("Aucune commune renseignée pour l'instant."),
        omitted,
    )


def participation_chart(model: dict[str, Any]) -> BarChart:
    """Participants per atelier, in programme order."""
    rows = [(a["title"], a["participants"]) for a in ateliers(model)]
    kept, omitted = _cap(rows)
    return BarChart(
        "participation",
        N_("Participation par atelier"),
        kept,
        (N_("participant·e"), N_("participant·es")),
        COLOURS[2],
        N_("Aucun atelier."),
        omitted,
    )


def all_charts(model: dict[str, Any]) -> list[BarChart]:
    return [dots_chart(model), communes_chart(model), participation_chart(model)]


# ------------------------------------------------------------------------- SVG
SVG_WIDTH = 760
LABEL_WIDTH = 330
ROW = 34
TOP = 48


#: A wrapped label's line (font size 14) and the characters that fit the label column.
SVG_LINE = 17
SVG_LABEL_CHARS = 36


def _svg_lines(label: str) -> list[str]:
    """The whole label on lines that fit the label column (never cut, issue 16)."""
    label = " ".join(label.split())
    return textwrap.wrap(label, SVG_LABEL_CHARS, break_long_words=True) or [""]


def to_svg(chart: BarChart) -> Markup:
    """An accessible inline SVG (``role="img"``, ``<title>``/``<desc>``), text escaped.

    Labels wrap on as many lines as they need (a chantier's title is how the room tells it
    from its neighbours) and their row grows with them."""
    rows = chart.rows or []
    wrapped = [_svg_lines(label) for label, _ in rows]
    heights = [max(ROW, len(lines) * SVG_LINE + 14) for lines in wrapped]
    height = TOP + (sum(heights) if rows else ROW) + (30 if chart.omitted else 12)
    bar_area = SVG_WIDTH - LABEL_WIDTH - 110
    top_value = max([v for _, v in rows] + [1])
    ident = f"chart-{escape(chart.key)}"
    out = [
        f'<svg class="chart chart--{escape(chart.key)}" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {SVG_WIDTH} {height}" width="{SVG_WIDTH}" height="{height}" role="img" '
        f'aria-labelledby="{ident}-title {ident}-desc">',
        f'<title id="{ident}-title">{escape(chart.title)}</title>',
        f'<desc id="{ident}-desc">{escape(chart.description)}</desc>',
        f'<text x="0" y="24" font-size="20" font-weight="700" fill="#1b1b1b">'
        f"{escape(chart.title)}</text>",
    ]
    if not rows:
        out.append(
            f'<text x="0" y="{TOP + 20}" font-size="16" fill="#555">'
            f"{escape(chart.empty_text)}</text>"
        )
    y = TOP
    for (label, value), lines, row_height in zip(rows, wrapped, heights, strict=True):
        middle = y + row_height / 2
        first = round(middle - (len(lines) - 1) * SVG_LINE / 2 + 5)
        width = round(bar_area * value / top_value) if value else 0
        spans = "".join(
            f'<tspan x="{LABEL_WIDTH - 10}" dy="{0 if i == 0 else SVG_LINE}">{escape(line)}</tspan>'
            for i, line in enumerate(lines)
        )
        out.append(
            f'<g class="chart__row"><title>{escape(label)} : {escape(chart.value_text(value))}'
            f"</title>"
            f'<text x="{LABEL_WIDTH - 10}" y="{first}" font-size="14" text-anchor="end" '
            f'fill="#1b1b1b">{spans}</text>'
            f'<rect x="{LABEL_WIDTH}" y="{round(middle - (ROW - 10) / 2)}" '
            f'width="{max(width, 2)}" height="{ROW - 10}" '
            f'rx="3" fill="{escape(chart.colour)}"/>'
            f'<text x="{LABEL_WIDTH + max(width, 2) + 8}" y="{round(middle + 5)}" font-size="15" '
            f'font-weight="700" fill="#1b1b1b">{value}</text></g>'
        )
        y += row_height
    if chart.omitted:
        out.append(
            f'<text x="0" y="{y + 20}" font-size="13" fill="#555">'
            f"… et {chart.omitted} autre{'s' if chart.omitted > 1 else ''}</text>"
        )
    out.append("</svg>")
    # Every piece of user text above went through escape(): the assembled markup is safe.
    return Markup("".join(out))


# ------------------------------------------------------------------------- PNG
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont:
    path = font_files()["bold" if bold else "regular"]
    return ImageFont.truetype(str(path), size)


def _wrap(
    draw: ImageDraw.ImageDraw, label: str, font: ImageFont.FreeTypeFont, room: int
) -> list[str]:
    """The whole label on as many lines as it needs to fit ``room`` pixels (never cut: a
    chantier's title is how the reader recognises it)."""
    lines: list[str] = []
    current = ""
    for word in " ".join(label.split()).split(" "):
        candidate = f"{current} {word}".strip()
        if draw.textlength(candidate, font=font) <= room or not current:
            current = candidate
        else:
            lines.append(current)
            current = word
        # A single word wider than the room (a long URL) is broken where it overflows.
        while draw.textlength(current, font=font) > room and len(current) > 1:
            cut = len(current)
            while cut > 1 and draw.textlength(current[:cut], font=font) > room:
                cut -= 1
            lines.append(current[:cut])
            current = current[cut:]
    if current:
        lines.append(current)
    return lines or [""]


#: Height of one line of a wrapped label, in SVG units.
LINE = 19


def to_png(chart: BarChart, scale: int = 2) -> bytes:
    """The chart as a PNG (``scale`` × the SVG's size, sharp enough to print); labels wrap."""
    rows = chart.rows or []
    title_font, label_font = _font(20 * scale, bold=True), _font(15 * scale)
    value_font, small_font = _font(15 * scale, bold=True), _font(13 * scale)
    probe = ImageDraw.Draw(Image.new("RGB", (1, 1)))
    wrapped = [_wrap(probe, label, label_font, (LABEL_WIDTH - 14) * scale) for label, _ in rows]
    heights = [max(ROW, len(lines) * LINE + 12) for lines in wrapped]
    width = SVG_WIDTH * scale
    height = (TOP + max(ROW, sum(heights)) + (30 if chart.omitted else 12)) * scale
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    draw.text((0, 4 * scale), chart.title, font=title_font, fill="#1b1b1b")
    bar_area = SVG_WIDTH - LABEL_WIDTH - 110
    top_value = max([v for _, v in rows] + [1])
    if not rows:
        draw.text((0, (TOP + 4) * scale), chart.empty_text, font=label_font, fill="#555555")
    y0 = TOP
    for (_label, value), lines, row_height in zip(rows, wrapped, heights, strict=True):
        middle = y0 + row_height / 2
        text_top = middle - len(lines) * LINE / 2
        for n, line in enumerate(lines):
            text_width = draw.textlength(line, font=label_font)
            draw.text(
                ((LABEL_WIDTH - 10) * scale - text_width, (text_top + n * LINE + 1) * scale),
                line,
                font=label_font,
                fill="#1b1b1b",
            )
        bar = max(round(bar_area * value / top_value) if value else 0, 2)
        draw.rounded_rectangle(
            (
                LABEL_WIDTH * scale,
                (middle - (ROW - 10) / 2) * scale,
                (LABEL_WIDTH + bar) * scale,
                (middle + (ROW - 10) / 2) * scale,
            ),
            radius=3 * scale,
            fill=chart.colour,
        )
        draw.text(
            ((LABEL_WIDTH + bar + 8) * scale, (middle - 10) * scale),
            str(value),
            font=value_font,
            fill="#1b1b1b",
        )
        y0 += row_height
    if chart.omitted:
        more = f"… et {chart.omitted} autre{'s' if chart.omitted > 1 else ''}"
        draw.text((0, (y0 + 6) * scale), more, font=small_font, fill="#555555")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
