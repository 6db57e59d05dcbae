"""The plenary vote « perspectives collectives » on top of the atelier dot-vote."""

from __future__ import annotations

import pytest

from facilitation.domain import plenary
from facilitation.domain.errors import NotFound, ValidationError
from facilitation.domain.restitution import Audience, restitution
from facilitation.domain.voting import BudgetExceeded, VoteClosed
from facilitation.extensions import db
from tests.support.restitution_day import build_sample_day


@pytest.fixture
def day(make_event, make_atelier, make_participant):
    return build_sample_day(make_event, make_atelier, make_participant)


def chantier_ids(day):
    return [
        day.cards["Observatoire social partagé"].id,
        day.cards["Plateforme logistique alimentaire"].id,
    ]


def test_shortlist_open_vote_and_result_in_the_read_model(day):
    event = day.event
    observatoire, plateforme = chantier_ids(day)
    cards = plenary.set_shortlist(event, [str(plateforme), str(observatoire)])
    plenary.open_vote(event, dots=3)
    db.session.commit()
    by_source = {plenary._source_id(c): c.id for c in cards}
    alice, bob = day.people["alice"], day.people["bob"]
    plenary.place_dots(alice, event, by_source[plateforme], 2)
    plenary.place_dots(alice, event, by_source[plateforme], 2)  # a retry changes nothing
    plenary.place_dots(bob, event, by_source[observatoire], 1)
    db.session.commit()
    assert alice.current_atelier_id == plenary.plenary_atelier(event).id
    state = plenary.state(event, alice)
    assert [(i["titre"], i["dots"], i["mine"]) for i in state["items"]] == [
        ("Plateforme logistique alimentaire", 2, 2),
        ("Observatoire social partagé", 1, 0),
    ]
    assert (state["open"], state["dots_left"], state["voted"]) == (True, 1, 2)
    perspectives = restitution(event)["perspectives"]
    assert [(c["titre"], c["dots"], c["rank"]) for c in perspectives] == [
        ("Plateforme logistique alimentaire", 2, 1),
        ("Observatoire social partagé", 1, 2),
    ]
    # The chantier keeps its fields; its atelier dots are untouched by the plenary.
    assert perspectives[1]["fields"][0]["label"] == "Constat / problème"
    model = restitution(event)
    assert model["figures"]["dots"] == 11 and model["figures"]["cards"] == 5
    # Live tallies: the room (public audience of the slides) sees them while voting.
    assert restitution(event, Audience.PUBLIC)["perspectives"]


def test_budget_holds_and_a_closed_vote_takes_no_more_dots(day):
    event = day.event
    cards = plenary.set_shortlist(event, chantier_ids(day))
    plenary.open_vote(event, dots=2)
    db.session.commit()
    eve = day.people["eve"]
    plenary.place_dots(eve, event, cards[0].id, 2)
    with pytest.raises(BudgetExceeded):
        plenary.place_dots(eve, event, cards[1].id, 1)
    db.session.rollback()
    plenary.close_vote(event)
    db.session.commit()
    with pytest.raises(VoteClosed):
        plenary.place_dots(eve, event, cards[0].id, 1)


def test_shortlist_rules(day, make_event):
    event = day.event
    with pytest.raises(ValidationError):
        plenary.open_vote(event)  # nothing shortlisted
    with pytest.raises(NotFound):
        plenary.set_shortlist(event, [day.cards["Appels de convivialité"].id])  # a pratique
    other = make_event()
    with pytest.raises(NotFound):
        plenary.set_shortlist(other, chantier_ids(day))  # another event's chantiers
    with pytest.raises(ValidationError):
        plenary.set_shortlist(event, ["1; drop"])
    plenary.set_shortlist(event, chantier_ids(day))
    plenary.open_vote(event)
    db.session.commit()
    with pytest.raises(plenary.VoteInProgress):
        plenary.set_shortlist(event, chantier_ids(day)[:1])
    db.session.rollback()
    plenary.close_vote(event)
    kept = plenary.set_shortlist(event, chantier_ids(day)[:1])
    assert [c.titre for c in kept] == ["Observatoire social partagé"]


def test_the_plenary_atelier_is_neither_offered_nor_counted(day):
    plenary.set_shortlist(day.event, chantier_ids(day))
    db.session.commit()
    atelier = plenary.plenary_atelier(day.event)
    assert atelier.sequence.kind == "restitution"
    model = restitution(day.event)
    assert plenary.TITLE not in [a["title"] for s in model["sequences"] for a in s["ateliers"]]
    assert model["figures"]["cards"] == 5
