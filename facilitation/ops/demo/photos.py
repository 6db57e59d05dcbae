"""Demo day: a paperboard photo in the first pratiques atelier (issue 19.3), drawn here with
Pillow (no image file in the repository): a white sheet on a grey wall, a title and a few
lines in felt-pen colours, slightly askew like handwriting, and three post-its.

Stored through the domain like a facilitator's upload (a fixed client id: loading twice
stores it once), so it goes through the same checks, re-encoding and sizes.
"""

from __future__ import annotations

import io
import random

from PIL import Image, ImageDraw, ImageFont

from facilitation.domain import photos
from facilitation.exports.fonts import font_files
from facilitation.models import Event
from facilitation.ops.demo.votes import _facilitator as facilitator

CLIENT_ID = "demo-paperboard-001"
LINES = [
    ("Garder le lien : ce qui a marché", (30, 60, 150), 64),
    ("• appels réguliers, toujours la même voix", (20, 20, 20), 44),
    ("• colis + 10 minutes de conversation", (180, 40, 40), 44),
    ("• le facteur et le pharmacien relaient", (20, 110, 60), 44),
    ("• une liste partagée entre CCAS et assos", (20, 20, 20), 44),
    ("À creuser : mobilité, numérique", (30, 60, 150), 48),
]
POSTITS = [
    ((255, 235, 110), "Tablettes\nprêtées ?"),
    ((255, 170, 200), "Qui appelle\nle week-end ?"),
    ((170, 230, 170), "Charte\ncommune"),
]


def _font(size: int, kind: str = "italic") -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    try:
        return ImageFont.truetype(str(font_files()[kind]), size)
    except OSError:
        return ImageFont.load_default()


def paperboard_jpeg(seed: int = 19) -> bytes:
    """The demo's paperboard, as a phone would send it (a JPEG, 1500×2000)."""
    rng = random.Random(seed)
    wall = Image.new("RGB", (1500, 2000), (150, 150, 145))
    sheet = Image.new("RGB", (1300, 1800), (252, 252, 248))
    draw = ImageDraw.Draw(sheet)
    y = 90
    for text, colour, size in LINES:
        # Each line its own small tilt and offset: written by hand, not typeset.
        layer = Image.new("RGBA", (1260, size * 2), (0, 0, 0, 0))
        ImageDraw.Draw(layer).text((10, size // 3), text, font=_font(size), fill=(*colour, 255))
        layer = layer.rotate(rng.uniform(-1.8, 1.8), resample=Image.Resampling.BICUBIC)
        sheet.paste(layer, (40 + rng.randint(-10, 25), y), layer)
        y += int(size * 2.6)
    draw.line((70, 195, 1000, 203), fill=(30, 60, 150), width=6)  # under the title
    for index, (colour, text) in enumerate(POSTITS):
        note = Image.new("RGBA", (360, 340), (*colour, 255))
        ImageDraw.Draw(note).multiline_text(
            (24, 100), text, font=_font(40, "bold"), fill=(40, 40, 40, 255), spacing=14
        )
        note = note.rotate(rng.uniform(-7, 7), expand=True, resample=Image.Resampling.BICUBIC)
        sheet.paste(note, (60 + index * 410, 1150 + rng.randint(-40, 40)), note)
    wall.paste(sheet, (100, 100))
    out = io.BytesIO()
    wall.save(out, format="JPEG", quality=88)
    return out.getvalue()


def load_photos(event: Event) -> None:
    """The paperboard of the first pratiques atelier (once)."""
    sequence = next((s for s in event.sequences if s.kind == "ateliers_pratiques"), None)
    if sequence is None or not sequence.ateliers:
        return
    photos.add_paperboard(facilitator(event), sequence.ateliers[0], CLIENT_ID, paperboard_jpeg())
