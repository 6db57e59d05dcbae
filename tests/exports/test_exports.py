"""Every export opened with its own reader: titles, chantier fields and dot counts are there.

The sample day (tests/support/restitution_day.py) has two ateliers, ranked cards, chantiers
with structured fields, engagements with and without consent, and a synthesis.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import jsonschema
import pytest
from docx import Document as DocxDocument
from odfdo import Document as OdtDocument
from pypdf import PdfReader

from facilitation.domain.restitution import Audience, restitution
from facilitation.exports import FORMATS, render
from facilitation.exports import json as json_export
from facilitation.exports.charts import all_charts, to_png, to_svg
from facilitation.exports.md import esc
from tests.support.restitution_day import (
    CHANTIERS_TITLE,
    PRATIQUES_TITLE,
    SECRET_CONTACT,
    SHARED_CONTACT,
    build_sample_day,
)


@pytest.fixture
def day(make_event, make_atelier, make_participant):
    return build_sample_day(make_event, make_atelier, make_participant)


@pytest.fixture
def model(day):
    return restitution(day.event)


def flat(text: str) -> str:
    return " ".join(text.split())


def assert_report_text(text: str, day, contacts: bool = True) -> None:
    """What every document format must say, whatever its layout."""
    text = flat(text)
    for needle in (
        PRATIQUES_TITLE,
        CHANTIERS_TITLE,
        "Qu'est-ce qui a tenu pendant la crise ?",
        "Observatoire social partagé",
        "Chaque commune fait son ABS seule.",  # constat
        "Un socle commun d'indicateurs.",  # objectif
        "Le Pecq, Chatou",  # communes concernées
        "Réunion de lancement en septembre.",  # premières étapes
        "4 gommettes",
        "Appels de convivialité",
        "3 gommettes",
        "Un observatoire commun d'abord.",
    ):
        assert needle in text, needle
    assert (SHARED_CONTACT in text) is contacts
    assert SECRET_CONTACT not in text


def test_json_validates_against_its_schema_and_round_trips(model, day):
    data = json.loads(render(model, "json"))
    validator = jsonschema.Draft202012Validator(
        json_export.schema(), format_checker=jsonschema.FormatChecker()
    )
    validator.validate(data)
    assert data["schema_version"] == json_export.schema()["properties"]["schema_version"]["const"]
    public = json.loads(render(restitution(day.event, Audience.PUBLIC), "json"))
    validator.validate(public)
    # The schema really constrains: a stray field or a negative count is refused.
    data["sequences"][0]["ateliers"][0]["contributions"][0]["dots"] = -1
    assert not validator.is_valid(data)


def test_schema_is_itself_a_valid_draft_2020_12_schema():
    jsonschema.Draft202012Validator.check_schema(json_export.schema())


def test_docx_has_headings_chantier_sections_charts_and_page_numbers(model, day):
    document = DocxDocument(io.BytesIO(render(model, "docx")))
    headings = [p.text for p in document.paragraphs if p.style.name.startswith("Heading")]
    assert PRATIQUES_TITLE in headings and CHANTIERS_TITLE in headings
    assert "1. Observatoire social partagé" in headings
    assert "Programme" in headings and "Ce qu'il faut retenir" in headings
    cells = [cell.text for table in document.tables for row in table.rows for cell in row.cells]
    paragraphs = [p.text for p in document.paragraphs]
    assert_report_text("\n".join(paragraphs + cells), day)
    assert "Constat / problème" in cells and "Porteur pressenti" in cells
    assert len(document.inline_shapes) == 3  # the three charts, as images
    footer = document.sections[0].footer._element.xml
    assert "PAGE" in footer and "NUMPAGES" in footer


def test_odt_has_the_same_content(model, day):
    document = OdtDocument(io.BytesIO(render(model, "odt")))
    body = document.body
    headers = [h.text_recursive for h in body.headers]
    assert PRATIQUES_TITLE in headers and CHANTIERS_TITLE in headers
    assert_report_text(body.text_recursive + " " + " ".join(
        t.get_formatted_text() for t in body.get_tables()
    ), day)  # fmt: skip
    assert len(body.images) == 3
    with zipfile.ZipFile(io.BytesIO(render(model, "odt"))) as archive:
        assert any(name.startswith("Pictures/") for name in archive.namelist())
        assert b"text:page-number" in archive.read("styles.xml")


def test_pdf_is_a4_numbered_and_says_everything(model, day):
    reader = PdfReader(io.BytesIO(render(model, "pdf")))
    assert len(reader.pages) >= 2
    width, height = (float(v) for v in reader.pages[0].mediabox.upper_right)
    assert (round(width), round(height)) == (595, 842)  # A4 in points
    texts = [page.extract_text() for page in reader.pages]
    assert_report_text("\n".join(texts), day)
    total = len(reader.pages)
    # The cover has no footer; every other page says where it is.
    for number, text in enumerate(texts[1:], start=2):
        assert f"page {number} / {total}" in text
    assert reader.metadata.title == day.event.title


def test_csv_for_french_excel_one_row_per_card(model, day):
    data = render(model, "csv")
    assert data.startswith(b"\xef\xbb\xbf")  # BOM: Excel reads UTF-8
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 5
    by_title = {row["Titre"].lstrip("'"): row for row in rows}
    assert {t: int(row["Gommettes"]) for t, row in by_title.items()} == day.dots
    observatoire = by_title["Observatoire social partagé"]
    assert observatoire["Atelier"] == CHANTIERS_TITLE
    assert observatoire["Type"] == "Chantier"
    assert observatoire["Structure de l'auteur·rice"] == "CCAS de Chatou"
    assert "Objectif : Un socle commun d'indicateurs." in observatoire["Autres champs"]
    assert observatoire["Engagements"] == "2"
    appels = by_title["Appels de convivialité"]
    assert (appels["Atelier"], appels["Type"], appels["Rang"]) == (PRATIQUES_TITLE, "Pratique", "1")
    assert appels["Public concerné"] == "Personnes âgées isolées"
    # A cell starting with "=" would be run as a formula by a spreadsheet: neutralised.
    assert by_title["=Cartes postales"]["Titre"] == "'=Cartes postales"
    assert SHARED_CONTACT not in data.decode("utf-8-sig")


def test_plain_csv_option(model):
    data = render(model, "csv", dialect="plain")
    assert not data.startswith(b"\xef\xbb\xbf")
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert len(rows) == 5 and "Titre" in rows[0]
    with pytest.raises(ValueError):
        render(model, "csv", dialect="tsv")


def test_markdown_report_escapes_participant_text(model, day):
    text = render(model, "md").decode("utf-8")
    assert f"### {PRATIQUES_TITLE}" in text
    assert "##### 1. Observatoire social partagé" in text
    assert "- **Objectif** : Un socle commun d'indicateurs." in text
    assert "*4 gommettes*" in text
    assert SHARED_CONTACT in text and SECRET_CONTACT not in text
    assert "> Un observatoire commun d'abord." in text
    assert esc("<script>*x*</script>") == "\\<script\\>\\*x\\*\\</script\\>"
    assert esc("# titre\n- item\n12. point") == "\\# titre\n\\- item\n12\\. point"


def test_public_audience_exports_carry_no_names_nor_contacts(day):
    model = restitution(day.event, Audience.PUBLIC)
    for fmt in ("md", "json", "csv"):
        text = render(model, fmt).decode("utf-8-sig")
        assert SHARED_CONTACT not in text and "Carla" not in text, fmt
    document = DocxDocument(io.BytesIO(render(model, "docx")))
    assert_report_text(
        "\n".join(p.text for p in document.paragraphs)
        + " ".join(c.text for t in document.tables for row in t.rows for c in row.cells),
        day,
        contacts=False,
    )


def test_one_atelier_export_has_only_that_atelier(day):
    model = restitution(day.event, atelier_id=day.pratiques.id)
    text = render(model, "md").decode()
    assert PRATIQUES_TITLE in text and CHANTIERS_TITLE not in text.split("## La journée")[1]
    rows = list(csv.reader(io.StringIO(render(model, "csv").decode("utf-8-sig")), delimiter=";"))
    assert len(rows) == 1 + 3


def test_charts_svg_escapes_text_and_png_is_an_image(model, day):
    charts = {c.key: c for c in all_charts(model)}
    assert dict(charts["dots"].rows)["Observatoire social partagé"] == 4
    assert dict(charts["communes"].rows) == {"Le Pecq": 2, "Chatou": 2}
    assert dict(charts["participation"].rows)[PRATIQUES_TITLE] == 2
    svg = str(to_svg(charts["dots"]))
    assert svg.startswith("<svg") and 'role="img"' in svg
    assert "<title" in svg and "Gommettes par chantier" in svg
    png = to_png(charts["dots"])
    assert png.startswith(b"\x89PNG")


def test_chart_labels_from_participants_are_escaped(make_event, make_atelier):
    event = make_event()
    make_atelier(event, title='<script>alert("x")</script> & co')
    svg = str(to_svg(all_charts(restitution(event))[2]))
    assert "<script>" not in svg and "&lt;script&gt;" in svg and "&amp; co" in svg


def test_empty_event_exports_are_still_documents(make_event):
    model = restitution(make_event())
    for fmt in FORMATS:
        assert render(model, fmt), fmt
    assert re.search(r"\*\*0\*\* contribution\b", render(model, "md").decode())


def test_cli_export_writes_each_format(app, day, tmp_path):
    runner = app.test_cli_runner()
    for fmt in FORMATS:
        target = tmp_path / f"out.{fmt}"
        result = runner.invoke(
            args=["export", day.event.slug, "--format", fmt, "--output", str(target)]
        )
        assert result.exit_code == 0, result.output
        assert target.stat().st_size > 0
    assert PdfReader(str(tmp_path / "out.pdf")).pages
    result = runner.invoke(
        args=["export", day.event.slug, "--format", "csv", "--plain-csv", "--atelier",
              str(day.chantiers.id), "--output", str(tmp_path)]
    )  # fmt: skip
    assert result.exit_code == 0, result.output
    written = tmp_path / f"restitution-{day.event.slug}-atelier-{day.chantiers.id}-standard.csv"
    assert written.read_bytes().startswith(b"S\xc3\xa9quence,")
    missing = runner.invoke(args=["export", "nope", "--format", "md"])
    assert missing.exit_code != 0 and "n'existe pas" in missing.output


def test_directory_lists_structures_and_only_people_who_agreed(day):
    from facilitation.extensions import db
    from facilitation.models import Profile

    alice, bob = day.people["alice"], day.people["bob"]
    db.session.add_all(
        [
            Profile(
                participant_id=alice.id,
                role="Directrice",
                structure_kind="ccas",
                publics=["Seniors"],
                offers=["Portage de repas"],
                visible=True,
            ),
            # Bob filled his profile but did not agree to be shown.
            Profile(participant_id=bob.id, role="Bénévole secret", visible=False),
        ]
    )
    db.session.commit()

    organizer = restitution(day.event)
    validator = jsonschema.Draft202012Validator(json_export.schema())
    validator.validate(json.loads(render(organizer, "json")))
    (entry,) = organizer["directory"]
    assert entry["structure"] == "CCAS du Pecq"
    assert [p["display_name"] for p in entry["people"]] == ["Alice"]
    markdown = render(organizer, "md").decode()
    assert "## Annexe — Annuaire des acteurs" in markdown
    assert "CCAS du Pecq" in markdown.split("## Annexe")[1]
    assert "Alice, Directrice" in markdown
    assert "Bénévole secret" not in markdown
    document = DocxDocument(io.BytesIO(render(organizer, "docx")))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    assert "Annexe — Annuaire des acteurs" in text and "Alice, Directrice" in cells
    pdf = flat(
        " ".join(
            page.extract_text() for page in PdfReader(io.BytesIO(render(organizer, "pdf"))).pages
        )
    )
    assert "Alice, Directrice" in pdf and "Bénévole secret" not in pdf

    public = restitution(day.event, Audience.PUBLIC)
    assert [e["structure"] for e in public["directory"]] == ["CCAS du Pecq"]
    assert public["directory"][0]["people"] == []
    assert "Alice" not in render(public, "md").decode()
    validator.validate(json.loads(render(public, "json")))
    assert restitution(day.event, atelier_id=day.pratiques.id)["directory"] == []
