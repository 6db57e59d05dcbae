"""« En un mot »: the cloud's layout, as SVG (web, Markdown) and PNG (DOCX, ODT, PDF, PPTX).

The layout is the projector's (static/js/cloud_layout.js, the same algorithm line for line):
words largest first, each placed on an Archimedean spiral from the centre at the first spot
where its box overlaps no other, sizes from the counts (square root, so a word said by four
times as many phones is twice as tall). Widths are estimated from the number of characters
rather than measured, so the browser and Python compute the same boxes; the SVG then fits
each word to its box (``textLength``), and the PNG shrinks a word its font draws wider.
When a word finds no room, every size shrinks and the layout starts again: nothing is cut.
"""

from __future__ import annotations

import base64
import io
import math
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup, escape
from PIL import Image, ImageDraw, ImageFont

from facilitation.exports.fonts import font_files

#: Words drawn at most (the ranked list gives the rest).
MAX_WORDS = 60
#: A character's width, in ems, of the bold sans the cloud is drawn in (estimated).
CHAR_WIDTH = 0.6
LINE_HEIGHT = 1.15
PADDING = 6
#: Spiral: radius growth per radian and angle step.
SPIRAL_GROWTH = 3.0
SPIRAL_STEP = 0.25
ATTEMPTS = 8
SHRINK = 0.85
#: Readable colours on white, by rank.
COLOURS = ("#1d4f91", "#2a7f62", "#b4531f", "#6b3fa0", "#8a1c3c", "#1f6f8b")


@dataclass(frozen=True)
class Placed:
    label: str
    count: int
    key: str
    #: Font size and the box (top-left corner, width, height), in the canvas' units.
    size: int
    x: float
    y: float
    w: float
    h: float
    colour: str


def _overlaps(a: tuple[float, float, float, float], b: tuple[float, float, float, float]) -> bool:
    return a[0] < b[0] + b[2] and b[0] < a[0] + a[2] and a[1] < b[1] + b[3] and b[1] < a[1] + a[3]


def layout(
    words: list[dict[str, Any]],
    width: int = 1600,
    height: int = 900,
    max_size: int = 120,
    min_size: int = 32,
) -> list[Placed]:
    """``words`` (``label``, ``count``, ``key``; largest first) placed on the canvas."""
    words = words[:MAX_WORDS]
    if not words:
        return []
    counts = [int(w["count"]) for w in words]
    top, low = max(counts), min(counts)
    scale = 1.0
    for attempt in range(ATTEMPTS):
        placed: list[Placed] = []
        boxes: list[tuple[float, float, float, float]] = []
        complete = True
        for index, word in enumerate(words):
            label = str(word["label"])
            ratio = 1.0 if top == low else (int(word["count"]) - low) / (top - low)
            size = (min_size + (max_size - min_size) * math.sqrt(ratio)) * scale
            # A long phrase never wider than the canvas.
            size = math.floor(min(size, (width - 2 * PADDING) / (max(len(label), 1) * CHAR_WIDTH)))
            w = math.ceil(len(label) * size * CHAR_WIDTH) + 2 * PADDING
            h = math.ceil(size * LINE_HEIGHT)
            spot = _spot(w, h, width, height, boxes)
            if spot is None:
                if attempt < ATTEMPTS - 1:
                    complete = False
                    break
                continue  # the last attempt leaves out what still finds no room
            boxes.append((spot[0], spot[1], w, h))
            placed.append(
                Placed(
                    label,
                    int(word["count"]),
                    str(word.get("key", "")),
                    size,
                    spot[0],
                    spot[1],
                    w,
                    h,
                    COLOURS[index % len(COLOURS)],
                )
            )
        if complete:
            return placed
        scale *= SHRINK
    return placed


def _spot(
    w: float, h: float, width: int, height: int, boxes: list[tuple[float, float, float, float]]
) -> tuple[float, float] | None:
    aspect = width / height
    limit = math.hypot(width, height) / 2
    t = 0.0
    while SPIRAL_GROWTH * t <= limit:
        r = SPIRAL_GROWTH * t
        # floor(v + 0.5): JavaScript's Math.round (Python's round() rounds halves to even).
        x = math.floor(width / 2 + r * math.cos(t) * aspect - w / 2 + 0.5)
        y = math.floor(height / 2 + r * math.sin(t) - h / 2 + 0.5)
        box = (x, y, w, h)
        inside = x >= 0 and y >= 0 and x + w <= width and y + h <= height
        if inside and not any(_overlaps(box, other) for other in boxes):
            return x, y
        t += SPIRAL_STEP
    return None


def words_of(cloud: dict[str, Any]) -> list[dict[str, Any]]:
    """The read model's words of one cloud (``restitution``), in the layout's shape."""
    return [{"label": w["label"], "count": w["count"], "key": w["key"]} for w in cloud["words"]]


def description(cloud: dict[str, Any]) -> str:
    """A sentence for screen readers and the documents' alt text."""
    if not cloud["words"]:
        return f"Nuage de mots « {cloud['question']} » : aucun mot."
    parts = ", ".join(f"{w['label']} ({w['count']})" for w in cloud["words"][:MAX_WORDS])
    return f"Nuage de mots « {cloud['question']} » : {parts}."


def to_svg(cloud: dict[str, Any], width: int = 1600, height: int = 900) -> Markup:
    """The cloud as SVG; every word escaped (the markup is safe because it was built so)."""
    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" class="word-cloud" viewBox="0 0 {width} {height}"'
        f' role="img" aria-label="{escape(description(cloud))}">',
        f'<rect width="{width}" height="{height}" fill="#ffffff"/>',
    ]
    for p in layout(words_of(cloud), width, height):
        out.append(
            f'<text x="{p.x + p.w / 2:g}" y="{p.y + p.h / 2:g}" font-size="{p.size}"'
            f' fill="{p.colour}" text-anchor="middle" dominant-baseline="central"'
            f' font-family="DejaVu Sans, Verdana, sans-serif" font-weight="700"'
            f' textLength="{p.w - 2 * PADDING:g}" lengthAdjust="spacingAndGlyphs">'
            f"{escape(p.label)}</text>"
        )
    out.append("</svg>")
    return Markup("".join(out))


def svg_data_uri(cloud: dict[str, Any]) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(str(to_svg(cloud)).encode()).decode()


def to_png(cloud: dict[str, Any], width: int = 1600, height: int = 900) -> bytes:
    """The same layout drawn with Pillow; a word its font draws wider than its box shrinks."""
    image = Image.new("RGB", (width, height), "white")
    draw = ImageDraw.Draw(image)
    path = str(font_files()["bold"])
    words = layout(words_of(cloud), width, height)
    if not words:
        font = ImageFont.truetype(path, 36)
        draw.text((width / 2, height / 2), "Aucun mot.", font=font, fill="#555555", anchor="mm")
    for p in words:
        size = p.size
        font = ImageFont.truetype(path, size)
        while size > 8 and draw.textlength(p.label, font=font) > p.w - 2 * PADDING:
            size -= 1
            font = ImageFont.truetype(path, size)
        draw.text((p.x + p.w / 2, p.y + p.h / 2), p.label, font=font, fill=p.colour, anchor="mm")
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    return buffer.getvalue()
