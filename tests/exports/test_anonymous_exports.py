"""Cards posted in an anonymous round name nobody in any export, nor on the restitution page and
slides (issue 20): the read model anonymises them once (domain/restitution/model.py), and each
format is read back with its own reader to prove it."""

from __future__ import annotations

import json
import uuid

import pytest

from facilitation.domain.contributions import create_contribution
from facilitation.domain.phases import current_round
from facilitation.domain.restitution import Audience, restitution
from facilitation.exports import FORMATS, render
from facilitation.extensions import db
from tests.exports.test_report import READERS, flat
from tests.support.roles import organizer_client

NAME = "Zoé Secrète"
CARD_STRUCTURE = "Mairie Cachée"
CARD_COMMUNE = "Villeneuve-Discrète"
SIGNED_NAME = "Bruno Signé"


@pytest.fixture
def anonymous_day(make_atelier, make_participant):
    atelier = make_atelier(title="Isolement")
    current_round(atelier).anonymous = True
    db.session.commit()
    author = make_participant(atelier, display_name=NAME, structure="Association Présente")
    create_contribution(
        author,
        atelier,
        {
            "client_id": uuid.uuid4().hex,
            "titre": "Café des aidants",
            "description": "Un lieu pour souffler.",
            "structure": CARD_STRUCTURE,
            "commune": CARD_COMMUNE,
            "public_concerne": "Aidants familiaux",
        },
    )
    # Anonymity switched off afterwards: the card posted under it stays anonymous, the next
    # one is signed (and proves the readers would find a name).
    current_round(atelier).anonymous = False
    signed = make_participant(atelier, display_name=SIGNED_NAME, structure="CCAS")
    create_contribution(
        signed, atelier, {"client_id": uuid.uuid4().hex, "titre": "Appels", "structure": "CCAS"}
    )
    db.session.commit()
    return atelier


def secrets_in(text: str) -> list[str]:
    return [s for s in (NAME, CARD_STRUCTURE, CARD_COMMUNE) if s in text]


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_no_export_names_the_author_of_an_anonymous_card(anonymous_day, fmt):
    model = restitution(anonymous_day.event, Audience.ORGANIZER)
    data = render(model, fmt)
    text = flat(READERS[fmt](data)) if fmt in READERS else data.decode("utf-8-sig")
    assert "Café des aidants" in text and "Un lieu pour souffler." in text, fmt
    assert secrets_in(text) == [], fmt
    if fmt in ("docx", "odt", "pdf", "md", "pptx"):
        assert SIGNED_NAME in text, fmt  # the readers do see names where there are some


def test_the_read_model_marks_the_card_and_keeps_no_author(anonymous_day):
    model = restitution(anonymous_day.event, Audience.ORGANIZER)
    cards = {
        c["titre"]: c for s in model["sequences"] for a in s["ateliers"] for c in a["contributions"]
    }
    anonymous = cards["Café des aidants"]
    assert anonymous["anonymous"] is True
    assert anonymous["author"] is None and anonymous["author_structure"] == ""
    assert anonymous["structure"] == anonymous["commune"] == ""
    assert {f["key"] for f in anonymous["fields"]} & {"structure", "commune"} == set()
    assert cards["Appels"]["author"]["display_name"] == SIGNED_NAME
    assert secrets_in(json.dumps(model, ensure_ascii=False)) == []


def test_restitution_page_and_slides_name_nobody(app, anonymous_day):
    client = organizer_client(app, anonymous_day.event)
    slug = anonymous_day.event.slug
    for path in ("restitution", "restitution/presentation", "restitution/notes"):
        page = client.get(f"/organisateur/e/{slug}/{path}")
        assert page.status_code == 200, path
        html = page.get_data(as_text=True)
        assert "Café des aidants" in html, path
        assert secrets_in(html) == [], path
