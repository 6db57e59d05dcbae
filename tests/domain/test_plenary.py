"""The plenary vote « perspectives collectives » on top of the atelier dot-vote."""

from __future__ import annotations

import random

import pytest

from facilitation.domain import plenary, rounds, voting
from facilitation.domain.access import Actor, create_organizer, grant_event
from facilitation.domain.errors import DomainError, Forbidden, NotFound, ValidationError
from facilitation.domain.phases import current_round
from facilitation.domain.restitution import Audience, restitution
from facilitation.domain.voting import BudgetExceeded, VoteClosed
from facilitation.extensions import db
from facilitation.models import Round
from facilitation.models.round import Phase
from tests.support.restitution_day import build_sample_day
from tests.support.voting import facilitator_actor


@pytest.fixture
def day(make_event, make_atelier, make_participant):
    return build_sample_day(make_event, make_atelier, make_participant)


@pytest.fixture
def boss(day):
    """The organizer of the day, who runs the plenary vote."""
    account = create_organizer("agence@example.org", "motdepasse-long", "Agence")
    grant_event(account, day.event)
    db.session.commit()
    return Actor(event_id=day.event.id, organizer=account)


def plenary_round(event) -> Round:
    rnd = current_round(plenary.plenary_atelier(event))
    db.session.refresh(rnd)
    return rnd


def assert_round_follows(event) -> None:
    """The rule of the vote panel, for the plenary: a ballot is open exactly while the round
    is in « vote », and « résultats » shows a revealed ballot (if there was ever one)."""
    atelier = plenary.plenary_atelier(event)
    phase = plenary_round(event).phase_enum
    assert (voting.open_ballot_of(atelier) is not None) == (phase == Phase.VOTE), phase
    if phase == Phase.RESULTATS:
        ballot = voting.current_ballot(atelier)
        assert ballot is None or ballot.status == "révélé"


def audit(event) -> list[tuple[str, str, str]]:
    return [(t.from_phase, t.to_phase, t.reason) for t in rounds.transitions(plenary_round(event))]


def chantier_ids(day):
    return [
        day.cards["Observatoire social partagé"].id,
        day.cards["Plateforme logistique alimentaire"].id,
    ]


def test_shortlist_open_vote_and_result_in_the_read_model(day, boss):
    event = day.event
    observatoire, plateforme = chantier_ids(day)
    cards = plenary.set_shortlist(event, [str(plateforme), str(observatoire)])
    plenary.open_vote(boss, event, dots=3)
    db.session.commit()
    by_source = {chantier.id: card.id for card, chantier in plenary.shortlist(event)}
    assert sorted(by_source.values()) == sorted(c.id for c in cards)
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


def test_budget_holds_and_a_closed_vote_takes_no_more_dots(day, boss):
    event = day.event
    cards = plenary.set_shortlist(event, chantier_ids(day))
    plenary.open_vote(boss, event, dots=2)
    db.session.commit()
    eve = day.people["eve"]
    plenary.place_dots(eve, event, cards[0].id, 2)
    with pytest.raises(BudgetExceeded):
        plenary.place_dots(eve, event, cards[1].id, 1)
    db.session.rollback()
    plenary.close_vote(boss, event)
    db.session.commit()
    with pytest.raises(VoteClosed):
        plenary.place_dots(eve, event, cards[0].id, 1)


def test_shortlist_rules(day, boss, make_event):
    event = day.event
    with pytest.raises(ValidationError):
        plenary.open_vote(boss, event)  # nothing shortlisted
    with pytest.raises(NotFound):
        plenary.set_shortlist(event, [day.cards["Appels de convivialité"].id])  # a pratique
    other = make_event()
    with pytest.raises(NotFound):
        plenary.set_shortlist(other, chantier_ids(day))  # another event's chantiers
    with pytest.raises(ValidationError):
        plenary.set_shortlist(event, ["1; drop"])
    plenary.set_shortlist(event, chantier_ids(day))
    plenary.open_vote(boss, event)
    db.session.commit()
    with pytest.raises(plenary.VoteInProgress):
        plenary.set_shortlist(event, chantier_ids(day)[:1])
    db.session.rollback()
    plenary.close_vote(boss, event)
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


def test_the_plenary_vote_moves_its_atelier_round(day, boss):
    """Opening and closing from the restitution page are the round moves of the console's
    vote panel: phones in the plenary see « vote » while they can vote, then « résultats »."""
    event = day.event
    cards = plenary.set_shortlist(event, chantier_ids(day))
    db.session.commit()
    assert plenary_round(event).phase == "contributions"

    rnd, version = plenary.open_vote(boss, event, dots=2)
    db.session.commit()
    atelier = plenary.plenary_atelier(event)
    assert rnd.phase == "vote" and version == atelier.version
    assert_round_follows(event)
    first = voting.open_ballot_of(atelier)
    plenary.place_dots(day.people["alice"], event, cards[0].id, 2)
    db.session.commit()

    rnd, version = plenary.close_vote(boss, event)
    db.session.commit()
    assert rnd.phase == "resultats" and version == atelier.version
    assert_round_follows(event)
    assert plenary.state(event)["items"][0]["dots"] == 2

    # Closing again changes nothing (a double click): no move, no version.
    assert plenary.close_vote(boss, event)[1] is None

    # « Ouvrir un nouveau vote »: back to « vote » with a fresh ballot, a fresh budget.
    rnd, _ = plenary.open_vote(boss, event, dots=3)
    db.session.commit()
    assert rnd.phase == "vote"
    assert_round_follows(event)
    assert voting.open_ballot_of(atelier).id != first.id
    assert plenary.state(event, day.people["alice"])["dots_left"] == 3
    plenary.close_vote(boss, event)
    db.session.commit()
    assert_round_follows(event)
    assert audit(event) == [
        ("contributions", "vote", "manual"),
        ("vote", "resultats", "manual"),
        ("resultats", "vote", "reopen"),
        ("vote", "resultats", "manual"),
    ]
    assert {t.actor_label for t in rounds.transitions(plenary_round(event))} == {
        "agence@example.org"
    }


def test_the_plenary_vote_opens_from_any_phase_its_round_was_left_in(day, boss):
    event = day.event
    plenary.set_shortlist(event, chantier_ids(day))
    atelier = plenary.plenary_atelier(event)
    # Someone moved the plenary's round back to « préparation » from its console.
    rounds.transition(boss, atelier, plenary_round(event), Phase.PREPARATION)
    db.session.commit()
    plenary.open_vote(boss, event)
    db.session.commit()
    assert audit(event)[-2:] == [
        ("preparation", "contributions", "manual"),
        ("contributions", "vote", "manual"),
    ]
    assert_round_follows(event)

    # Closed early from the console (the ballot is closed, results hidden): the plenary's
    # « Clore le vote et afficher le résultat » still shows them, round in « résultats ».
    rounds.close_vote(boss, atelier)
    db.session.commit()
    assert plenary_round(event).phase == "clos"
    plenary.close_vote(boss, event)
    db.session.commit()
    assert plenary_round(event).phase == "resultats"
    assert_round_follows(event)

    # A new round made from the console (« préparation »): the plenary still opens its vote.
    rounds.transition(boss, atelier, plenary_round(event), Phase.CLOS)
    rounds.create_round(boss, atelier)
    db.session.commit()
    rnd, _ = plenary.open_vote(boss, event)
    db.session.commit()
    assert (rnd.number, rnd.phase) == (2, "vote")
    assert_round_follows(event)


def test_a_ballot_opened_before_the_rule_is_closed_through_the_round(day, boss):
    """A plenary ballot opened directly (before the plenary drove its round) left the round
    in « contributions »: closing moves the round through « vote » to « résultats »."""
    event = day.event
    plenary.set_shortlist(event, chantier_ids(day))
    atelier = plenary.plenary_atelier(event)
    voting.open_ballot(atelier, voting.BallotSettings(dots_per_participant=3))
    db.session.commit()
    assert plenary_round(event).phase == "contributions"
    with pytest.raises(voting.VoteConflict):
        plenary.open_vote(boss, event)
    db.session.rollback()

    rnd, version = plenary.close_vote(boss, event)
    db.session.commit()
    assert rnd.phase == "resultats" and version is not None
    assert_round_follows(event)
    assert audit(event) == [
        ("contributions", "vote", "manual"),
        ("vote", "resultats", "manual"),
    ]


def test_only_organizers_run_the_plenary_vote(day, boss):
    event = day.event
    plenary.set_shortlist(event, chantier_ids(day))
    db.session.commit()
    facilitator = facilitator_actor(plenary.plenary_atelier(event))
    with pytest.raises(Forbidden):
        plenary.open_vote(facilitator, event)
    plenary.open_vote(boss, event)
    db.session.commit()
    with pytest.raises(Forbidden):
        plenary.close_vote(facilitator, event)
    db.session.rollback()
    assert plenary_round(event).phase == "vote"
    assert_round_follows(event)


PLENARY_ACTIONS = ["open", "close", "shortlist", *(p.value for p in Phase), "new_round"]


@pytest.mark.parametrize("seed", range(4))
def test_no_mix_of_plenary_and_console_moves_makes_phase_and_ballot_disagree(day, boss, seed):
    """A random walk over the restitution page's buttons and the plenary atelier's console
    (round moves, vote panel, new rounds), refused moves included."""
    event = day.event
    plenary.set_shortlist(event, chantier_ids(day))
    db.session.commit()
    atelier = plenary.plenary_atelier(event)
    rng = random.Random(seed)
    done = 0
    for _ in range(40):
        action = rng.choice(PLENARY_ACTIONS)
        try:
            with db.session.begin_nested():
                if action == "open":
                    plenary.open_vote(boss, event, dots=rng.randint(1, 5))
                elif action == "close":
                    plenary.close_vote(boss, event)
                elif action == "shortlist":
                    plenary.set_shortlist(event, chantier_ids(day)[: rng.randint(1, 2)])
                elif action == "new_round":
                    rounds.create_round(boss, atelier)
                else:
                    rounds.transition(boss, atelier, current_round(atelier), Phase(action))
            done += 1
        except DomainError:
            pass
        db.session.commit()
        assert_round_follows(event)
    assert done >= 10  # the walk really moved
