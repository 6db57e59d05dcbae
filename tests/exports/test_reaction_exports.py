"""« Moi aussi » in the restitution (issue 19.2): each pratique's counts of distinct
structures are in the read model and in every export."""

from __future__ import annotations

import csv
import io
import json

import pytest

from facilitation.domain import reactions
from facilitation.domain.access import Actor
from facilitation.domain.restitution import Audience, restitution
from facilitation.exports import render
from facilitation.extensions import db
from tests.exports.test_report import READERS, flat
from tests.support.restitution_day import build_sample_day

EXPECTED = "Pratique partagée par 3 structures · intéresse 1 structure"


@pytest.fixture
def day(make_event, make_atelier, make_participant):
    day = build_sample_day(make_event, make_atelier, make_participant)
    appels = day.cards["Appels de convivialité"]
    room = day.pratiques
    too = [
        day.people["bob"],  # Secours populaire
        make_participant(room, structure="CCAS de Montesson"),
        make_participant(room, structure="ccas  de montesson"),  # the same structure
        make_participant(room, structure="Mairie de Chatou"),
    ]
    for person in too:
        reactions.set_reaction(Actor(room.event_id, person), appels.id, "nous_aussi", True)
    keen = make_participant(room, structure="Mission locale")
    reactions.set_reaction(Actor(room.event_id, keen), appels.id, "interesse", True)
    db.session.commit()
    return day


def cards_of(model):
    return {
        c["titre"]: c for s in model["sequences"] for a in s["ateliers"] for c in a["contributions"]
    }


def test_the_read_model_counts_distinct_structures(day):
    for audience in Audience:
        cards = cards_of(restitution(day.event, audience))
        assert cards["Appels de convivialité"]["reactions"] == {"nous_aussi": 3, "interesse": 1}
        assert cards["Colis sur rendez-vous"]["reactions"] == {"nous_aussi": 0, "interesse": 0}


@pytest.mark.parametrize("fmt", ["docx", "odt", "pdf", "md", "pptx"])
def test_every_document_says_the_counts(day, fmt):
    text = flat(READERS[fmt](render(restitution(day.event), fmt)))
    assert EXPECTED in text, fmt
    # A card nobody reacted to says nothing about it (the deck: the slide and its notes).
    assert text.count("Pratique partagée par") == (2 if fmt == "pptx" else 1)


def test_csv_has_the_counts_in_their_columns(day):
    data = render(restitution(day.event), "csv").decode("utf-8-sig")
    rows = {r["Titre"].lstrip("'"): r for r in csv.DictReader(io.StringIO(data), delimiter=";")}
    appels = rows["Appels de convivialité"]
    assert (appels["Nous aussi (structures)"], appels["Ça m'intéresse (structures)"]) == ("3", "1")
    assert rows["Colis sur rendez-vous"]["Nous aussi (structures)"] == "0"


def test_json_carries_the_counts_and_validates(day):
    import jsonschema

    from facilitation.exports import json as json_export

    data = json.loads(render(restitution(day.event), "json"))
    jsonschema.Draft202012Validator(json_export.schema()).validate(data)
    assert cards_of(data)["Appels de convivialité"]["reactions"] == {
        "nous_aussi": 3,
        "interesse": 1,
    }


def test_the_purge_deletes_who_reacted_and_keeps_the_counts(day):
    from sqlalchemy import func, select

    from facilitation.domain.privacy import plan_purge, purge_event
    from facilitation.models import Reaction

    assert plan_purge(day.event).counts["reactions"] == 5
    purge_event(day.event)
    db.session.commit()
    assert db.session.scalar(select(func.count(Reaction.id))) == 0
    assert plan_purge(day.event).total == 0
    cards = cards_of(restitution(day.event))
    assert cards["Appels de convivialité"]["reactions"] == {"nous_aussi": 3, "interesse": 1}
    assert EXPECTED in flat(READERS["md"](render(restitution(day.event), "md")))
