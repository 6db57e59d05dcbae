"""« En un mot » in every export: the cloud as a picture and as a ranked list with counts."""

from __future__ import annotations

import base64
import csv
import io
import json
import re
import zipfile

import jsonschema
import pytest
from docx import Document as DocxDocument
from odfdo import Document as OdtDocument
from pptx import Presentation
from pypdf import PdfReader

from facilitation.domain import wordcloud
from facilitation.domain.restitution import Audience, restitution
from facilitation.exports import cloud as word_cloud
from facilitation.exports import json as json_export
from facilitation.exports import render
from facilitation.extensions import db
from tests.conftest import new_client_id
from tests.support.voting import facilitator_actor

QUESTION = "En un mot, ce que la crise a changé ?"


@pytest.fixture
def cloud_day(make_event, make_atelier, make_participant):
    """One atelier, one closed cloud: « solidarité » ×3 phones, « écoute » ×2, « <b>colère »
    ×1 (markup in a word is text), « pénible » hidden by the facilitator."""
    event = make_event(organiser_name="Agence")
    atelier = make_atelier(event, title="Atelier nuage", question="Quoi ?")
    facilitator = facilitator_actor(atelier)
    cloud, _ = wordcloud.open_cloud(facilitator, atelier, QUESTION, 3)
    phones = [make_participant(atelier) for _ in range(4)]
    words = [
        (0, "Solidarité"),
        (1, "solidarités"),
        (2, "solidarite"),
        (0, "écoute"),
        (3, "Écoute"),
        (1, "<b>colère"),
        (2, "pénible"),
    ]
    for phone, text in words:
        wordcloud.send_word(
            phones[phone],
            atelier,
            {"cloud_id": cloud.id, "client_id": new_client_id(), "text": text},
        )
    wordcloud.set_hidden(facilitator, atelier, cloud, wordcloud.phrase_key("pénible")[1], True)
    wordcloud.close_cloud(facilitator, atelier, cloud)
    db.session.commit()
    return event


@pytest.fixture
def model(cloud_day):
    return restitution(cloud_day)


def flat(text: str) -> str:
    return " ".join(text.split())


def assert_ranked(text: str) -> None:
    text = flat(text)
    assert QUESTION in text
    for needle in ("solidarité", "écoute", "<b>colère"):
        assert needle in text, needle
    assert "pénible" not in text  # hidden by the facilitator


def test_the_read_model_ranks_the_words_without_the_hidden_one(model):
    (atelier,) = [a for s in model["sequences"] for a in s["ateliers"]]
    (cloud,) = atelier["clouds"]
    assert cloud["question"] == QUESTION and cloud["status"] == "clos" and cloud["phones"] == 4
    assert [(w["label"], w["count"], w["rank"]) for w in cloud["words"]] == [
        ("solidarité", 3, 1),
        ("écoute", 2, 2),
        ("<b>colère", 1, 3),
    ]


def test_json_carries_the_cloud_and_validates(model, cloud_day):
    data = json.loads(render(model, "json"))
    validator = jsonschema.Draft202012Validator(
        json_export.schema(), format_checker=jsonschema.FormatChecker()
    )
    validator.validate(data)
    validator.validate(json.loads(render(restitution(cloud_day, Audience.PUBLIC), "json")))
    cloud = data["sequences"][0]["ateliers"][0]["clouds"][0]
    assert cloud["words"][0] == {
        "key": cloud["words"][0]["key"],
        "label": "solidarité",
        "count": 3,
        "rank": 1,
        "tied": False,
    }
    cloud["words"][0]["count"] = 0
    assert not validator.is_valid(data)


def test_csv_has_one_row_per_word_with_its_count(model):
    rows = list(
        csv.DictReader(io.StringIO(render(model, "csv").decode("utf-8-sig")), delimiter=";")
    )
    words = [r for r in rows if r["Type"] == "En un mot"]
    assert [(r["Titre"], r["Téléphones"], r["Rang"]) for r in words] == [
        ("solidarité", "3", "1"),
        ("écoute", "2", "2"),
        ("<b>colère", "1", "3"),
    ]
    assert all(r["Description"] == QUESTION for r in words)


def test_markdown_has_the_svg_picture_and_the_ranked_list(model):
    text = render(model, "md").decode()
    assert_ranked(text.replace("\\<", "<").replace("\\>", ">"))
    match = re.search(r"!\[[^\]]*\]\(data:image/svg\+xml;base64,([A-Za-z0-9+/=]+)\)", text)
    assert match, "the cloud's picture"
    svg = base64.b64decode(match.group(1)).decode()
    assert svg.startswith("<svg") and ">solidarité</text>" in svg
    assert "&lt;b&gt;colère" in svg and "<b>" not in svg  # a word is text, never markup
    assert "| solidarité | 3 |" in text


def test_docx_has_the_picture_and_the_table(model):
    document = DocxDocument(io.BytesIO(render(model, "docx")))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    paragraphs = [p.text for p in document.paragraphs]
    assert_ranked("\n".join(paragraphs + cells))
    assert len(document.inline_shapes) == 4  # three charts and the cloud


def test_odt_has_the_picture_and_the_table(model):
    data = render(model, "odt")
    body = OdtDocument(io.BytesIO(data)).body
    text = body.text_recursive + " " + " ".join(t.get_formatted_text() for t in body.get_tables())
    assert_ranked(text)
    assert len(body.images) == 4
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        assert sum(name.startswith("Pictures/") for name in archive.namelist()) >= 4


def test_pdf_has_the_picture_and_the_list(model):
    reader = PdfReader(io.BytesIO(render(model, "pdf")))
    assert_ranked("\n".join(page.extract_text() for page in reader.pages))
    images = sum(len(page.images) for page in reader.pages)
    assert images >= 4


def test_pptx_has_a_cloud_slide_with_its_picture_and_the_words(model):
    deck = Presentation(io.BytesIO(render(model, "pptx")))
    texts, pictures = [], 0
    for slide in deck.slides:
        for shape in slide.shapes:
            if shape.shape_type == 13:  # picture
                pictures += 1
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [c.text for row in shape.table.rows for c in row.cells]
    assert_ranked("\n".join(texts))
    assert any(t.startswith("En un mot — Atelier nuage") for t in texts)
    assert pictures >= 1


def test_the_layout_is_deterministic_and_boxes_never_overlap():
    words = [{"label": f"mot{i}", "count": 30 - i, "key": f"m{i}"} for i in range(30)]
    first = word_cloud.layout(words)
    assert first == word_cloud.layout(words)
    assert len(first) == 30
    boxes = [(p.x, p.y, p.w, p.h) for p in first]
    for i, a in enumerate(boxes):
        assert a[0] >= 0 and a[0] + a[2] <= 1600 and a[1] >= 0 and a[1] + a[3] <= 900
        for b in boxes[i + 1 :]:
            assert not word_cloud._overlaps(a, b)
    assert first[0].size > first[-1].size
    png = word_cloud.to_png({"question": "Q", "words": words})
    assert png.startswith(b"\x89PNG")
