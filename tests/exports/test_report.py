"""The compte-rendu (issue 17): every format opened with its own reader says every card's
title, text and author — merged duplicates included — and every chantier field exactly once;
whatever is stored exports, even text that XML or UTF-8 cannot carry.
"""

from __future__ import annotations

import csv
import io
import json
import uuid
from collections.abc import Callable

import jsonschema
import pytest
from docx import Document as DocxDocument
from odfdo import Document as OdtDocument
from pptx import Presentation
from pptx.util import Emu
from pypdf import PdfReader

from facilitation.domain import chantiers
from facilitation.domain.access import Actor
from facilitation.domain.moderation import merge_contributions
from facilitation.domain.restitution import Audience, restitution
from facilitation.exports import FORMATS, download_name, render
from facilitation.exports import json as json_export
from facilitation.exports.text import clean_text
from facilitation.extensions import db
from tests.support.restitution_day import CHANTIERS_TITLE, PRATIQUES_TITLE, build_sample_day
from tests.support.roles import organizer_client

#: The duplicate chantier merged into « Observatoire social partagé ».
DUPLICATE = {
    "titre": "Observatoire bis des besoins",
    "constat": "Doublon : les mêmes constats partout.",
    "porteur": "Ville du Vésinet",
}
#: The chantier's own fields, each to be found exactly once in every document.
FIELDS = (
    "Chaque commune fait son ABS seule.",
    "Un socle commun d'indicateurs.",
    "Toute la population",
    "CCAS, Département",
    "Réunion de lancement en septembre.",
)
BAD_TITLE = "x \ufffe\uffff"


@pytest.fixture
def day(make_event, make_atelier, make_participant):
    day = build_sample_day(make_event, make_atelier, make_participant)
    observatoire = day.cards["Observatoire social partagé"]
    # As the demo's chantiers: the card's pratique-style fields repeat the chantier's.
    observatoire.description = "Un socle commun d'indicateurs."
    observatoire.public_concerne = "Toute la population"
    observatoire.commune = "Chatou"
    duplicate, _ = chantiers.create_chantier(
        Actor(event_id=day.event.id, participant=day.people["eve"]),
        day.chantiers,
        {"client_id": uuid.uuid4().hex, **DUPLICATE},
    )
    merge_contributions(observatoire, duplicate)
    merge_contributions(day.cards["Appels de convivialité"], day.cards["Colis sur rendez-vous"])
    db.session.commit()
    return day


def flat(text: str) -> str:
    return " ".join(text.split())


def _docx(data: bytes) -> str:
    document = DocxDocument(io.BytesIO(data))
    cells = [c.text for t in document.tables for row in t.rows for c in row.cells]
    return "\n".join([p.text for p in document.paragraphs] + cells)


def _odt(data: bytes) -> str:
    body = OdtDocument(io.BytesIO(data)).body
    # Headings and paragraphs, those of table cells included, each read once.
    return "\n".join(
        [h.text_recursive for h in body.headers] + [p.text_recursive for p in body.get_paragraphs()]
    )


def _pdf(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def _pptx(data: bytes) -> str:
    """Every text of every slide (text boxes and table cells) and of its speaker notes."""
    texts = []
    for slide in Presentation(io.BytesIO(data)).slides:
        for shape in slide.shapes:
            if shape.has_text_frame:
                texts.append(shape.text_frame.text)
            if shape.has_table:
                texts += [c.text for row in shape.table.rows for c in row.cells]
        if slide.has_notes_slide:
            texts.append(slide.notes_slide.notes_text_frame.text)
    return "\n".join(texts)


def _csv(data: bytes) -> str:
    rows = list(csv.reader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    return "\n".join(" ".join(row) for row in rows)


READERS: dict[str, Callable[[bytes], str]] = {
    "docx": _docx,
    "odt": _odt,
    "pdf": _pdf,
    "md": lambda data: data.decode("utf-8").replace("\\", ""),
    "csv": _csv,
    "pptx": _pptx,
}


@pytest.mark.parametrize("fmt", sorted(READERS))
def test_every_card_and_merged_duplicate_is_in_the_report(day, fmt):
    model = restitution(day.event)
    text = flat(READERS[fmt](render(model, fmt)))
    cards = [c for a in model["sequences"] for s in a["ateliers"] for c in s["contributions"]]
    every = cards + [m for c in cards for m in c["merged"]]
    assert {m["titre"] for c in cards for m in c["merged"]} == {
        "Colis sur rendez-vous",
        DUPLICATE["titre"],
    }
    for card in every:
        assert card["titre"] in text, (fmt, card["titre"])
        if card["description"]:
            assert flat(card["description"]) in text, (fmt, card["description"])
        assert card["author"]["display_name"] in text, (fmt, card["titre"])
    assert DUPLICATE["constat"] in text and "Eve" in text


@pytest.mark.parametrize("fmt", ["docx", "odt", "pdf", "md", "pptx"])
def test_every_chantier_field_is_said_exactly_once(day, fmt):
    text = flat(READERS[fmt](render(restitution(day.event), fmt)))
    for value in (*FIELDS, DUPLICATE["constat"]):
        assert text.count(value) == 1, (fmt, value, text.count(value))


def test_csv_says_each_merged_duplicate_on_its_own_row(day):
    model = restitution(day.event)
    rows = list(
        csv.DictReader(io.StringIO(render(model, "csv").decode("utf-8-sig")), delimiter=";")
    )
    duplicate = next(r for r in rows if r["Titre"] == DUPLICATE["titre"])
    assert duplicate["Regroupé avec"].startswith("Observatoire social partagé")
    assert duplicate["Gommettes"] == "" and duplicate["Auteur·rice"].startswith("Eve")
    assert DUPLICATE["constat"] in duplicate["Autres champs"]


def test_json_v2_carries_merged_cards_and_branding(day):
    data = json.loads(render(restitution(day.event), "json"))
    jsonschema.Draft202012Validator(
        json_export.schema(), format_checker=jsonschema.FormatChecker()
    ).validate(data)
    assert data["schema_version"] >= 2  # 3 added the word clouds
    assert {"brand_name", "brand_color", "logo"} <= set(data["event"])
    chantier_atelier = next(
        a for s in data["sequences"] for a in s["ateliers"] if a["title"] == CHANTIERS_TITLE
    )
    observatoire = chantier_atelier["contributions"][0]
    (merged,) = observatoire["merged"]
    assert merged["titre"] == DUPLICATE["titre"]
    assert merged["author"]["display_name"] == "Eve"
    # Pratique-style fields that repeat the chantier's are not listed again.
    assert [f["key"] for f in observatoire["fields"]].count("description") == 0
    public = json.loads(render(restitution(day.event, Audience.PUBLIC), "json"))
    merged = public["sequences"][1]["ateliers"][0]["contributions"][0]["merged"][0]
    assert merged["author"] is None


def test_the_two_csv_flavours_have_distinct_file_names(day):
    model = restitution(day.event)
    assert download_name(model, "csv") != download_name(model, "csv", dialect="plain")
    assert download_name(model, "csv").endswith("-excel.csv")


# ------------------------------------------------------------------------- bad text
def test_clean_text_keeps_what_can_be_read():
    assert clean_text("x \ufffe\uffff") == "x "
    assert clean_text("a\x00b\x0bc\x1bd\x7fe\x85f") == "abcdef"
    assert clean_text("l1\r\nl2\rl3\tt") == "l1\nl2\nl3\tt"
    assert clean_text("half \ud800 char") == "half \ufffd char"
    assert clean_text("é 😀 \U0010fffd") == "é 😀 \U0010fffd"
    assert clean_text("\U0001fffe\U0010ffff") == ""


@pytest.fixture
def bad_day(day):
    card = day.cards["Appels de convivialité"]
    card.titre = BAD_TITLE
    card.description = "bip\x07 \x01 fin\x0b"
    db.session.commit()
    return day


def test_a_day_with_bad_characters_exports_in_every_format(bad_day):
    model = restitution(bad_day.event)
    # A lone surrogate cannot be stored (UTF-8), but a read model could still carry one.
    model["sequences"][1]["ateliers"][0]["contributions"][0]["titre"] += " \ud800"
    for fmt in FORMATS:
        data = render(model, fmt)
        assert data, fmt
    docx_text = flat(_docx(render(model, "docx")))
    assert "1. x" in docx_text and "bip fin" in docx_text
    assert "\ufffe" not in _odt(render(model, "odt"))


def test_bad_characters_on_the_page_route_and_the_cli(bad_day, app, tmp_path):
    client = organizer_client(app, bad_day.event)
    base = f"/organisateur/e/{bad_day.event.slug}/restitution"
    for fmt in FORMATS:
        response = client.get(f"{base}/export.{fmt}")
        assert response.status_code == 200, fmt
    runner = app.test_cli_runner()
    for fmt in FORMATS:
        target = tmp_path / f"bad.{fmt}"
        result = runner.invoke(
            args=["export", bad_day.event.slug, "--format", fmt, "--output", str(target)]
        )
        assert result.exit_code == 0, (fmt, result.output)
    assert "x" in _docx((tmp_path / "bad.docx").read_bytes())


# ------------------------------------------------------------------------- slides
def _title(slide) -> str:
    """The first text on a slide (the band's title; the title slide's kicker and title)."""
    return next(
        (s.text_frame.text for s in slide.shapes if s.has_text_frame and s.text_frame.text.strip()),
        "",
    )


def test_pptx_slides_title_figures_ateliers_chantiers_and_plenary(day):
    model = restitution(day.event)
    deck = Presentation(io.BytesIO(render(model, "pptx")))
    assert (deck.slide_width, deck.slide_height) == (Emu(12192000), Emu(6858000))  # 16:9
    titles = [_title(slide) for slide in deck.slides]
    assert "Restitution des travaux" in titles[0]
    assert titles[1] == "La journée en chiffres"
    assert PRATIQUES_TITLE in titles and CHANTIERS_TITLE in titles
    assert f"Ce qu'il faut retenir — {CHANTIERS_TITLE}" in titles
    assert "Les chantiers les plus soutenus" in titles
    assert "Perspectives collectives : le vote en plénière" in titles
    assert deck.core_properties.title == day.event.title
    # Editable: text and tables, the event's colour on the title band.
    assert any(s.has_table for slide in deck.slides for s in slide.shapes)


def test_pptx_long_lists_continue_on_the_next_slide(day, make_participant):
    from facilitation.domain.contributions import create_contribution

    person = make_participant(day.pratiques, display_name="Zoé")
    for n in range(30):
        create_contribution(
            person,
            day.pratiques,
            {"client_id": uuid.uuid4().hex, "titre": f"Pratique supplémentaire numéro {n} " * 2},
        )
    db.session.commit()
    deck = Presentation(io.BytesIO(render(restitution(day.event), "pptx")))
    titles = [_title(slide) for slide in deck.slides]
    assert titles.count(f"{PRATIQUES_TITLE} (suite)") >= 2
    text = _pptx(render(restitution(day.event), "pptx"))
    for n in range(30):
        assert f"Pratique supplémentaire numéro {n} " in text
    # Nothing is placed below the slide: every shape ends above its bottom edge.
    for slide in deck.slides:
        for shape in slide.shapes:
            assert shape.top + shape.height <= deck.slide_height, shape.name


def test_pptx_carries_the_event_colour_and_logo(day):
    import base64

    from PIL import Image

    from facilitation.models import EventLogo

    buffer = io.BytesIO()
    Image.new("RGB", (40, 20), "#0b5e55").save(buffer, "PNG")
    db.session.add(
        EventLogo(event_id=day.event.id, content_type="image/png", data=buffer.getvalue())
    )
    day.event.logo_digest = "abc"
    day.event.brand_color = "#0b5e55"
    day.event.brand_name = "Ville du Pecq"
    db.session.commit()
    model = restitution(day.event)
    assert (
        model["event"]["logo"]
        == "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    )
    deck = Presentation(io.BytesIO(render(model, "pptx")))
    first = deck.slides[0]
    assert any(s.shape_type == 13 for s in first.shapes)  # a picture: the logo
    assert "Ville du Pecq" in _pptx(render(model, "pptx"))
    bands = [
        s for slide in deck.slides for s in slide.shapes
        if s.shape_type == 1 and s.fill.type == 1
    ]  # fmt: skip
    assert bands and all(str(s.fill.fore_color.rgb) == "0B5E55" for s in bands)
    # The documents show the logo and the organiser on their cover too.
    assert "Ville du Pecq" in _pdf(render(model, "pdf")).split("Sommaire")[0]
    assert DocxDocument(io.BytesIO(render(model, "docx"))).inline_shapes[0].height > 0


def test_pdf_never_leaves_a_heading_alone_at_a_page_foot(day, make_participant):
    from facilitation.domain.contributions import create_contribution

    person = make_participant(day.pratiques, display_name="Zoé")
    for n in range(25):
        create_contribution(
            person,
            day.pratiques,
            {
                "client_id": uuid.uuid4().hex,
                "titre": f"Pratique en plus n° {n}",
                "description": "Une description de quelques lignes. " * (1 + n % 4),
            },
        )
    db.session.commit()
    reader = PdfReader(io.BytesIO(render(restitution(day.event), "pdf")))
    headings = {PRATIQUES_TITLE, CHANTIERS_TITLE, "Pratiques, par gommettes reçues"}
    headings |= {"Chantiers, par gommettes reçues", "Ce qu'il faut retenir"}
    texts = [page.extract_text() for page in reader.pages]
    # After the cover, the summary and the table of contents (which lists the headings).
    start = next(i for i, text in enumerate(texts) if text.lstrip().startswith("Sommaire")) + 1
    for number, text in enumerate(texts[start:], start=start + 1):
        lines = [ln.strip() for ln in text.splitlines() if ln.strip()]
        body = [ln for ln in lines if not ln.endswith(f"page {number} / {len(reader.pages)}")]
        if not body:
            continue
        last = body[-1]
        assert last not in headings, (number, last)
        # A card's title (« 3. Pratique en plus n° 1 ») is never the last line of a page.
        assert not (last[:1].isdigit() and ". " in last[:5]), (number, last)


def test_public_slides_carry_no_names(day):
    text = _pptx(render(restitution(day.event, Audience.PUBLIC), "pptx"))
    assert "Observatoire social partagé" in text and DUPLICATE["titre"] in text
    for name in ("Alice", "Bob", "Carla", "Eve", "Proposé par"):
        assert name not in text, name
