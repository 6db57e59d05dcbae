"""``flask demo --sample`` shows a paperboard photo the demo drew itself (issue 19.3), in the
first pratiques atelier, once however many times it is loaded."""

from __future__ import annotations

import io

from PIL import Image
from sqlalchemy import select

from facilitation.extensions import db
from facilitation.models import Photo
from facilitation.ops.demo import day as demo_day


def test_the_demo_day_has_one_paperboard_photo(app):
    event = demo_day.load(sample=True)
    db.session.commit()
    demo_day.load(sample=True)
    db.session.commit()
    boards = db.session.scalars(select(Photo).where(Photo.kind == "paperboard")).all()
    assert len(boards) == 1
    first = next(s for s in event.sequences if s.kind == "ateliers_pratiques").ateliers[0]
    assert boards[0].atelier_id == first.id
    with Image.open(io.BytesIO(boards[0].large)) as image:
        assert image.format == "JPEG" and max(image.size) == 1600
        # A white sheet with writing on it, not a blank or a flat colour.
        colours = image.convert("RGB").getcolors(maxcolors=1_000_000) or []
        assert len(colours) > 50
