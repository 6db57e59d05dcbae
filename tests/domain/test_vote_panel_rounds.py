"""The vote panel drives the round: opening, closing and revealing a ballot are round moves,
audited, and no sequence of moves leaves the round's phase and the ballot disagreeing."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest

from facilitation.domain import rounds, voting
from facilitation.domain.errors import DomainError
from facilitation.domain.phases import current_round
from facilitation.extensions import db
from facilitation.models import Atelier, RoundTransition
from facilitation.models.base import utcnow
from facilitation.models.round import Phase
from tests.support.voting import facilitator_actor, make_card, participant_actor


def audit(atelier: Atelier) -> list[tuple[str, str, str]]:
    return [
        (t.from_phase, t.to_phase, t.reason) for t in rounds.transitions(current_round(atelier))
    ]


def assert_agree(atelier: Atelier) -> None:
    """The rule phones rely on: a ballot is open exactly while the round is in « vote », and
    « résultats » shows a revealed ballot."""
    rnd = current_round(atelier)
    db.session.refresh(rnd)
    phase = rnd.phase_enum
    open_ballot = voting.open_ballot_of(atelier)
    assert (open_ballot is not None) == (phase == Phase.VOTE), (phase, open_ballot)
    if phase == Phase.RESULTATS:
        ballot = voting.current_ballot(atelier)
        assert ballot is None or ballot.status == "révélé"


def test_opening_from_the_panel_moves_the_round_to_vote_with_its_settings(make_atelier):
    atelier = make_atelier()
    actor = facilitator_actor(atelier)
    settings = voting.BallotSettings(dots_per_participant=5, max_per_card=2)

    rnd, version = rounds.open_vote(actor, atelier, settings)
    db.session.commit()

    assert rnd.phase == "vote" and version == atelier.version
    ballot = voting.open_ballot_of(atelier)
    assert (ballot.dots_per_participant, ballot.max_per_card) == (5, 2)
    assert audit(atelier) == [("contributions", "vote", "manual")]
    transition = db.session.query(RoundTransition).one()
    assert transition.facilitator_link_id == actor.links[0].id


def test_closing_then_revealing_from_the_panel_moves_the_round(make_atelier, make_participant):
    atelier = make_atelier()
    actor = facilitator_actor(atelier)
    voter = make_participant(atelier)
    card = make_card(atelier)
    rounds.open_vote(actor, atelier, voting.BallotSettings())
    voting.set_dots(participant_actor(voter), atelier, card.id, 2)
    db.session.commit()

    rnd, _ = rounds.close_vote(actor, atelier)
    db.session.commit()
    assert rnd.phase == "clos" and voting.current_ballot(atelier).status == "clos"
    assert_agree(atelier)

    rnd, version = rounds.reveal_vote(actor, atelier)
    db.session.commit()
    assert rnd.phase == "resultats" and version is not None
    ballot = voting.current_ballot(atelier)
    assert ballot.status == "révélé" and voting.tally(ballot)["results"][0]["dots"] == 2
    assert audit(atelier) == [
        ("contributions", "vote", "manual"),
        ("vote", "clos", "manual"),
        ("clos", "resultats", "reopen"),
    ]

    # Revealed already: nothing moves, nothing is audited.
    assert rounds.reveal_vote(actor, atelier)[1] is None
    assert len(audit(atelier)) == 3


def test_revealing_an_open_vote_moves_the_round_to_results(make_atelier):
    atelier = make_atelier()
    actor = facilitator_actor(atelier)
    rounds.open_vote(actor, atelier, voting.BallotSettings())
    rnd, _ = rounds.reveal_vote(actor, atelier)
    db.session.commit()
    assert rnd.phase == "resultats" and voting.current_ballot(atelier).status == "révélé"


def test_the_panel_is_refused_where_the_round_cannot_follow(make_atelier):
    atelier = make_atelier()
    actor = facilitator_actor(atelier)
    with pytest.raises(voting.VoteClosed):
        rounds.close_vote(actor, atelier)
    with pytest.raises(voting.VoteClosed):
        rounds.reveal_vote(actor, atelier)
    rounds.open_vote(actor, atelier, voting.BallotSettings())
    with pytest.raises(voting.VoteConflict):
        rounds.open_vote(actor, atelier, voting.BallotSettings())
    db.session.commit()

    # A new round starts in « préparation »: no vote before contributions.
    rounds.close_vote(actor, atelier)
    rounds.create_round(actor, atelier)
    db.session.commit()
    with pytest.raises(DomainError) as caught:
        rounds.open_vote(actor, atelier, voting.BallotSettings())
    assert (
        "préparation" in caught.value.message and "contributions ouvertes" in caught.value.message
    )
    db.session.rollback()
    assert_agree(atelier)


def test_going_back_to_contributions_closes_the_ballot_and_vote_reopens_it(
    make_atelier, make_participant
):
    atelier = make_atelier()
    actor = facilitator_actor(atelier)
    voter = make_participant(atelier)
    card = make_card(atelier)
    rounds.open_vote(actor, atelier, voting.BallotSettings(dots_per_participant=3))
    ballot = voting.open_ballot_of(atelier)
    voting.set_dots(participant_actor(voter), atelier, card.id, 1)
    db.session.commit()

    rounds.transition(actor, atelier, current_round(atelier), Phase.CONTRIBUTIONS)
    db.session.commit()
    assert voting.open_ballot_of(atelier) is None
    assert_agree(atelier)

    rounds.transition(actor, atelier, current_round(atelier), Phase.VOTE)
    db.session.commit()
    assert voting.open_ballot_of(atelier) is ballot
    assert voting.my_dots(ballot, voter)["dots_left"] == 2


def test_a_timer_at_zero_reveals_round_and_ballot_together(make_atelier):
    # « passer à la phase suivante » from « vote »: résultats, with the ballot revealed.
    atelier = make_atelier()
    actor = facilitator_actor(atelier)
    rnd, _ = rounds.open_vote(actor, atelier, voting.BallotSettings())
    rounds.set_timer_at_zero(actor, atelier, rnd, "advance")
    rounds.set_timer(actor, atelier, rnd, "start", 60)
    db.session.commit()
    assert rounds.settle(rnd, utcnow() + timedelta(seconds=61)) is not None
    db.session.commit()
    assert rnd.phase == "resultats" and voting.current_ballot(atelier).status == "révélé"


def test_a_timer_at_zero_alert_only_keeps_the_ballot_open(make_atelier):
    atelier = make_atelier()
    actor = facilitator_actor(atelier)
    rnd, _ = rounds.open_vote(actor, atelier, voting.BallotSettings())
    rounds.set_timer(actor, atelier, rnd, "start", 60)
    db.session.commit()
    assert rounds.settle(rnd, utcnow() + timedelta(seconds=61)) is not None
    db.session.commit()
    assert rnd.phase == "vote" and voting.open_ballot_of(atelier) is not None


ACTIONS = ["open", "close", "reveal", *(p.value for p in Phase), "new_round"]


@pytest.mark.parametrize("seed", range(6))
def test_no_sequence_of_moves_makes_phase_and_ballot_disagree(make_atelier, seed):
    """A random walk over every move of both panels (refused moves included)."""
    atelier = make_atelier()
    actor = facilitator_actor(atelier)
    rng = random.Random(seed)
    done = 0
    for _ in range(40):
        action = rng.choice(ACTIONS)
        try:
            with db.session.begin_nested():
                if action == "open":
                    rounds.open_vote(actor, atelier, voting.BallotSettings())
                elif action == "close":
                    rounds.close_vote(actor, atelier)
                elif action == "reveal":
                    rounds.reveal_vote(actor, atelier)
                elif action == "new_round":
                    rounds.create_round(actor, atelier)
                else:
                    rounds.transition(actor, atelier, current_round(atelier), Phase(action))
            done += 1
        except DomainError:
            pass
        db.session.commit()
        assert_agree(atelier)
    assert done >= 10  # the walk really moved
