"""Photos in the restitution (issue 19.3): the read model references them (URL path and size,
never the bytes), DOCX / ODT / PDF / PPTX embed the large version, Markdown links it; hidden
photos and the public audience leave them out."""

from __future__ import annotations

import io
import json
import uuid
import zipfile

import jsonschema
import pytest
from docx import Document as DocxDocument
from PIL import Image
from pypdf import PdfReader

from facilitation.domain import access, photos
from facilitation.domain.access import Actor
from facilitation.domain.restitution import Audience, restitution
from facilitation.exports import json as json_export
from facilitation.exports import render
from facilitation.extensions import db
from tests.support.restitution_day import build_sample_day


def _jpeg(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (width, height), colour).save(out, format="JPEG")
    return out.getvalue()


@pytest.fixture
def day(make_event, make_atelier, make_participant):
    day = build_sample_day(make_event, make_atelier, make_participant)
    alice = day.people["alice"]
    card = day.cards["Appels de convivialité"]
    photos.attach_card_photo(
        Actor(event_id=day.event.id, participant=alice),
        day.pratiques,
        card.client_id,
        uuid.uuid4().hex,
        _jpeg(1200, 900, (200, 40, 40)),
    )
    organizer = access.create_organizer("photos@example.org", "motdepasse-solide", "Orga")
    access.grant_event(organizer, day.event)
    facilitator = Actor(event_id=day.event.id, organizer=organizer)
    day.boards = [
        photos.add_paperboard(
            facilitator, day.pratiques, uuid.uuid4().hex, _jpeg(1600, 1200, (40, 40, 200))
        )[0],
        photos.add_paperboard(
            facilitator, day.pratiques, uuid.uuid4().hex, _jpeg(900, 1400, (40, 200, 40))
        )[0],
    ]
    day.facilitator = facilitator
    db.session.commit()
    return day


def _atelier(model, atelier_id):
    return next(a for s in model["sequences"] for a in s["ateliers"] if a["id"] == atelier_id)


def test_the_read_model_and_json_reference_the_photos(day):
    model = restitution(day.event)
    atelier = _atelier(model, day.pratiques.id)
    card = next(c for c in atelier["contributions"] if c["titre"] == "Appels de convivialité")
    assert card["photo"]["url"].startswith("/photos/") and card["photo"]["width"] == 1200
    assert [p["id"] for p in atelier["paperboards"]] == [b.id for b in day.boards]
    data = json.loads(render(model, "json"))
    jsonschema.validate(data, json_export.schema())
    text = render(model, "json").decode()
    assert "size_bytes" in text and "/9j/" not in text  # a JPEG's base64 start: no bytes
    public = restitution(day.event, Audience.PUBLIC)
    jsonschema.validate(json.loads(render(public, "json")), json_export.schema())
    # The public audience: the paperboards (the atelier's work), not the phones' photos.
    public_atelier = _atelier(public, day.pratiques.id)
    assert len(public_atelier["paperboards"]) == 2
    assert all(c["photo"] is None for c in public_atelier["contributions"])


def _docx_images(data: bytes) -> int:
    document = DocxDocument(io.BytesIO(data))
    return sum(1 for rel in document.part.rels.values() if "image" in rel.reltype)


def _zip_jpegs(data: bytes, folder: str) -> int:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        return sum(
            1
            for name in archive.namelist()
            if name.startswith(folder) and archive.read(name)[:3] == b"\xff\xd8\xff"
        )


def _pdf_images(data: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(data)).pages)


def test_every_document_embeds_the_three_photos_and_drops_a_hidden_one(day):
    model = restitution(day.event)
    counts = {
        "docx": _zip_jpegs(render(model, "docx"), "word/media"),
        "odt": _zip_jpegs(render(model, "odt"), "Pictures"),
        "pptx": _zip_jpegs(render(model, "pptx"), "ppt/media"),
    }
    assert counts == {"docx": 3, "odt": 3, "pptx": 3}
    before = _pdf_images(render(model, "pdf"))
    md = render(model, "md").decode()
    assert md.count("](/photos/") == 3
    photos.set_hidden(day.facilitator, day.pratiques, day.boards[0].id, True)
    db.session.commit()
    model = restitution(day.event)
    assert _zip_jpegs(render(model, "docx"), "word/media") == 2
    assert _zip_jpegs(render(model, "odt"), "Pictures") == 2
    assert _zip_jpegs(render(model, "pptx"), "ppt/media") == 2
    assert _pdf_images(render(model, "pdf")) == before - 1
    assert render(model, "md").decode().count("](/photos/") == 2
    assert _docx_images(render(model, "docx")) >= 2
