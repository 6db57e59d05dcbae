"""Rounds: the state machine (every legal and illegal move), the audit, and the timer on a
controllable clock."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta

import pytest

from facilitation.domain import access, rounds
from facilitation.domain.access import Actor
from facilitation.domain.contributions import create_contribution
from facilitation.domain.errors import Closed, DomainError, Forbidden, ValidationError
from facilitation.domain.phases import (
    FORWARD,
    REOPEN,
    current_round,
    effective_phase,
    remaining_seconds,
    round_dict,
)
from facilitation.extensions import db
from facilitation.models import Atelier, Round, RoundTransition
from facilitation.models.round import Phase
from tests.conftest import new_client_id

T0 = datetime(2021, 6, 24, 8, 0, tzinfo=UTC)


class FakeClock:
    """``now()`` that only moves when the test says so."""

    def __init__(self, start: datetime = T0) -> None:
        self.at = start

    def __call__(self) -> datetime:
        return self.at

    def advance(self, seconds: float) -> datetime:
        self.at += timedelta(seconds=seconds)
        return self.at


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def facilitated(make_atelier):
    """Factory: ``(atelier, actor)`` where the actor holds a link for that atelier."""

    def make():
        atelier = make_atelier()
        link, _ = access.create_facilitator_link(atelier.event, atelier, "Samia")
        db.session.commit()
        return atelier, Actor(event_id=atelier.event_id, links=(link,))

    return make


def put_in(atelier: Atelier, phase: Phase) -> Round:
    """Force the current round into ``phase`` (test set-up, not a transition)."""
    rnd = current_round(atelier)
    rnd.phase = phase.value
    db.session.commit()
    return rnd


def post(participant, atelier, titre="Une pratique"):
    return create_contribution(participant, atelier, {"client_id": new_client_id(), "titre": titre})


def test_a_new_atelier_opens_with_round_one_taking_cards(make_atelier, make_participant):
    atelier = make_atelier()
    rnd = current_round(atelier)
    assert (rnd.number, rnd.phase) == (1, "contributions")
    card, version = post(make_participant(atelier), atelier)
    assert card.round_id == rnd.id and version == 1


ALL_MOVES = list(itertools.product(Phase, Phase))


@pytest.mark.parametrize(("start", "to"), ALL_MOVES, ids=[f"{a}->{b}" for a, b in ALL_MOVES])
def test_every_transition_is_legal_or_refused_in_french(facilitated, start, to, clock):
    atelier, actor = facilitated()
    rnd = put_in(atelier, start)
    version = atelier.version
    legal = to in FORWARD[start] or to in REOPEN[start]
    # No vote in this round: back to « résultats » shows nothing, so it is refused.
    legal = legal and not (to == Phase.RESULTATS and start != Phase.VOTE)
    if legal:
        new_version = rounds.transition(actor, atelier, rnd, to, now=clock())
        db.session.commit()
        assert rnd.phase == to.value and new_version == version + 1
        (audit,) = rounds.transitions(rnd)
        assert (audit.from_phase, audit.to_phase) == (start.value, to.value)
        assert audit.reason == ("manual" if to.rank > start.rank else "reopen")
        assert audit.facilitator_link_id == actor.links[0].id and audit.organizer_id is None
        assert audit.actor_label == "Samia" and audit.at == clock()
    else:
        with pytest.raises(DomainError) as caught:
            rounds.transition(actor, atelier, rnd, to, now=clock())
        db.session.rollback()
        assert "« " in caught.value.message  # names the phases, in French
        assert db.session.get(Round, rnd.id).phase == start.value
        assert db.session.query(RoundTransition).count() == 0
        assert db.session.get(Atelier, atelier.id).version == version


def test_the_console_is_offered_only_moves_that_make_sense(facilitated, clock):
    from facilitation.domain import voting

    atelier, actor = facilitated()
    rnd = current_round(atelier)
    rounds.transition(actor, atelier, rnd, Phase.CLOS, now=clock())
    view = round_dict(rnd, clock())
    # Closed without a vote: no « Revenir aux résultats » for a vote that never happened.
    assert view["vote"] is None and "resultats" not in view["allowed"]
    assert view["allowed"] == ["contributions", "vote"]
    rounds.transition(actor, atelier, rnd, Phase.VOTE, now=clock())
    assert voting.open_ballot_of(atelier) is not None
    assert round_dict(rnd, clock())["vote"] == "ouvert"
    rounds.transition(actor, atelier, rnd, Phase.CLOS, now=clock())
    view = round_dict(rnd, clock())
    assert view["vote"] == "clos" and "resultats" in view["allowed"]
    rounds.transition(actor, atelier, rnd, Phase.RESULTATS, now=clock())
    assert round_dict(rnd, clock())["vote"] == "révélé"


def test_the_whole_day_of_a_round_and_its_audit(facilitated, clock):
    atelier, actor = facilitated()
    rnd = current_round(atelier)
    for to in (Phase.VOTE, Phase.RESULTATS, Phase.CLOS, Phase.CONTRIBUTIONS):
        rounds.transition(actor, atelier, rnd, to, now=clock.advance(60))
    db.session.commit()
    trail = [(t.from_phase, t.to_phase, t.reason) for t in rounds.transitions(rnd)]
    assert trail == [
        ("contributions", "vote", "manual"),
        ("vote", "resultats", "manual"),
        ("resultats", "clos", "manual"),
        ("clos", "contributions", "reopen"),
    ]


def test_an_organizer_is_audited_by_account(make_atelier, clock):
    atelier = make_atelier()
    organizer = access.create_organizer("agence@example.org", "un-mot-de-passe-solide")
    access.grant_event(organizer, atelier.event)
    actor = Actor(event_id=atelier.event_id, organizer=organizer)
    rounds.transition(actor, atelier, current_round(atelier), Phase.VOTE, now=clock())
    (audit,) = rounds.transitions(current_round(atelier))
    assert audit.organizer_id == organizer.id and audit.actor_label == "agence@example.org"


def test_only_facilitators_move_rounds(make_atelier, make_participant, clock):
    atelier = make_atelier()
    other = make_atelier(event=atelier.event)
    link, _ = access.create_facilitator_link(atelier.event, other)
    participant = make_participant(atelier)
    for actor in (
        Actor(event_id=atelier.event_id),
        Actor(event_id=atelier.event_id, participant=participant),
        Actor(event_id=atelier.event_id, links=(link,)),
    ):
        with pytest.raises(Forbidden):
            rounds.transition(actor, atelier, current_round(atelier), Phase.VOTE, now=clock())
        with pytest.raises(Forbidden):
            rounds.create_round(actor, atelier, now=clock())
        with pytest.raises(Forbidden):
            rounds.set_timer(actor, atelier, current_round(atelier), "start", 60, now=clock())
    assert current_round(atelier).phase == "contributions"


@pytest.mark.parametrize("phase", [p for p in Phase if p != Phase.CONTRIBUTIONS])
def test_no_card_outside_contributions_ouvertes(make_atelier, make_participant, phase):
    atelier = make_atelier()
    author = make_participant(atelier)
    put_in(atelier, phase)
    with pytest.raises(Closed, match=phase.label):
        post(author, atelier)


def test_a_retried_card_gets_its_ack_even_after_the_round_closed(make_atelier, make_participant):
    atelier = make_atelier()
    author = make_participant(atelier)
    data = {"client_id": new_client_id(), "titre": "Posté juste avant"}
    card, _ = create_contribution(author, atelier, data)
    db.session.commit()
    put_in(atelier, Phase.CLOS)
    again, version = create_contribution(author, atelier, data)
    assert again.id == card.id and version is None


def test_a_new_round_needs_the_current_one_closed(facilitated, clock):
    atelier, actor = facilitated()
    with pytest.raises(DomainError, match="Clôturez d'abord la manche 1"):
        rounds.create_round(actor, atelier, now=clock())
    first = current_round(atelier)
    rounds.transition(actor, atelier, first, Phase.CLOS, now=clock())
    second, version = rounds.create_round(actor, atelier, now=clock())
    db.session.commit()
    assert (second.number, second.phase) == (2, "preparation")
    assert current_round(atelier).id == second.id
    with pytest.raises(DomainError, match="manche en cours"):
        rounds.transition(actor, atelier, first, Phase.CONTRIBUTIONS, now=clock())


def test_a_stale_click_is_refused(facilitated, clock):
    atelier, actor = facilitated()
    rnd = current_round(atelier)
    rounds.transition(actor, atelier, rnd, Phase.VOTE, now=clock())
    with pytest.raises(DomainError, match="déjà en phase « vote »"):
        rounds.transition(actor, atelier, rnd, Phase.VOTE, now=clock())


# ------------------------------------------------------------------------- timer
def test_timer_counts_down_pauses_resumes_and_takes_more_time(facilitated, clock):
    atelier, actor = facilitated()
    rnd = current_round(atelier)
    rounds.set_timer(actor, atelier, rnd, "start", 300, now=clock())
    assert rnd.timer_ends_at == T0 + timedelta(seconds=300)
    clock.advance(100)
    assert remaining_seconds(rnd, clock()) == 200
    view = round_dict(rnd, clock())
    assert view["timer"] == {
        "state": "running",
        "duration": 300,
        "ends_at": (T0 + timedelta(seconds=300)).isoformat(),
        "remaining": 200,
    }

    rounds.set_timer(actor, atelier, rnd, "pause", now=clock())
    clock.advance(1000)  # paused: time does not run
    assert remaining_seconds(rnd, clock()) == 200
    assert round_dict(rnd, clock())["timer"]["ends_at"] is None
    assert effective_phase(rnd, clock()) == Phase.CONTRIBUTIONS

    rounds.set_timer(actor, atelier, rnd, "add", 60, now=clock())
    assert remaining_seconds(rnd, clock()) == 260
    rounds.set_timer(actor, atelier, rnd, "resume", now=clock())
    clock.advance(10)
    assert remaining_seconds(rnd, clock()) == 250
    rounds.set_timer(actor, atelier, rnd, "add", 300, now=clock())
    assert remaining_seconds(rnd, clock()) == 550
    assert rnd.timer_duration == 660


def test_at_zero_alert_only_is_the_default_and_keeps_collecting(
    facilitated, make_participant, clock
):
    atelier, actor = facilitated()
    author = make_participant(atelier)
    rnd = current_round(atelier)
    assert rnd.timer_at_zero == "alert" and round_dict(rnd, clock())["at_zero"] == "alert"
    rounds.set_timer(actor, atelier, rnd, "start", 60, now=clock())
    db.session.commit()
    clock.advance(59.5)
    assert remaining_seconds(rnd, clock()) == 1  # rounded up: never "0:00" while open
    assert rounds.settle(rnd, clock()) is None
    clock.advance(0.5)
    # Zero reached, not yet settled: the phase stays and the timer reads « ended ».
    assert effective_phase(rnd, clock()) == Phase.CONTRIBUTIONS
    assert round_dict(rnd, clock())["timer"]["state"] == "ended"
    assert rounds.due_rounds(clock()) == [rnd]
    version = rounds.settle(rnd, clock())
    db.session.commit()
    assert version == atelier.version and rnd.phase == "contributions"
    view = round_dict(rnd, clock())
    assert view["timer"]["state"] == "ended" and view["timer"]["remaining"] == 0
    assert rounds.transitions(rnd) == []  # no phase change, nothing audited
    # Settled once: a second reader (another worker) changes nothing.
    assert rounds.settle(rnd, clock()) is None
    assert rounds.due_rounds(clock()) == []
    post(author, atelier)  # still collecting
    # « +1 min » after the alert counts down again.
    rounds.set_timer(actor, atelier, rnd, "add", 60, now=clock())
    assert round_dict(rnd, clock())["timer"]["state"] == "running"
    assert remaining_seconds(rnd, clock()) == 60


def test_at_zero_advance_moves_to_the_next_phase_and_opens_the_vote(
    facilitated, make_participant, clock
):
    from facilitation.domain import voting

    atelier, actor = facilitated()
    author = make_participant(atelier)
    rnd = current_round(atelier)
    rounds.set_timer_at_zero(actor, atelier, rnd, "advance")
    rounds.set_timer(actor, atelier, rnd, "start", 60, now=clock())
    db.session.commit()
    clock.advance(60)
    assert effective_phase(rnd, clock()) == Phase.VOTE
    # Phones cannot post from the instant the timer reads zero, settled or not.
    with pytest.raises(Closed):
        from facilitation.domain.phases import check_open_for_contributions

        check_open_for_contributions(atelier, clock())
    version = rounds.settle(rnd, clock())
    db.session.commit()
    assert version == atelier.version and rnd.phase == "vote" and rnd.timer_ends_at is None
    assert voting.open_ballot_of(atelier) is not None
    (audit,) = rounds.transitions(rnd)
    assert (audit.to_phase, audit.reason, audit.actor_label) == ("vote", "timer", "minuteur")
    assert audit.at == T0 + timedelta(seconds=60)
    assert rounds.settle(rnd, clock()) is None
    with pytest.raises(Closed):
        post(author, atelier)


def test_at_zero_choice_is_checked(facilitated, make_atelier):
    atelier, actor = facilitated()
    rnd = current_round(atelier)
    with pytest.raises(ValidationError):
        rounds.set_timer_at_zero(actor, atelier, rnd, "close")
    other = make_atelier()
    with pytest.raises(Forbidden):
        rounds.set_timer_at_zero(actor, other, current_round(other), "advance")


def test_a_transition_after_zero_starts_from_the_next_phase(facilitated, clock):
    atelier, actor = facilitated()
    rnd = put_in(atelier, Phase.RESULTATS)
    rounds.set_timer_at_zero(actor, atelier, rnd, "advance")
    rounds.set_timer(actor, atelier, rnd, "start", 30, now=clock())
    db.session.commit()
    clock.advance(31)
    with pytest.raises(DomainError, match="de « clos » à « préparation »"):
        rounds.transition(actor, atelier, rnd, Phase.PREPARATION, now=clock())
    db.session.rollback()
    rounds.transition(actor, atelier, rnd, Phase.VOTE, now=clock())
    reasons = [(t.to_phase, t.reason) for t in rounds.transitions(rnd)][-2:]
    assert reasons == [("clos", "timer"), ("vote", "reopen")]


@pytest.mark.parametrize(
    ("setup", "action", "seconds", "message"),
    [
        (None, "pause", None, "pas en marche"),
        (None, "resume", None, "pas en pause"),
        (None, "add", 60, "Aucun minuteur"),
        ("start", "resume", None, "pas en pause"),
        (None, "start", 0, None),
        (None, "start", "60", None),
        (None, "start", 5 * 3600, None),
        (None, "explode", None, None),
    ],
)
def test_timer_refusals(facilitated, clock, setup, action, seconds, message):
    atelier, actor = facilitated()
    rnd = current_round(atelier)
    if setup:
        rounds.set_timer(actor, atelier, rnd, setup, 120, now=clock())
    error = DomainError if message else ValidationError
    with pytest.raises(error) as caught:
        rounds.set_timer(actor, atelier, rnd, action, seconds, now=clock())
    if message:
        assert message in caught.value.message


def test_no_timer_on_a_closed_round(facilitated, clock):
    atelier, actor = facilitated()
    rnd = put_in(atelier, Phase.CLOS)
    with pytest.raises(DomainError, match="rouvrez"):
        rounds.set_timer(actor, atelier, rnd, "start", 60, now=clock())


def test_a_phase_change_drops_the_timer(facilitated, clock):
    atelier, actor = facilitated()
    rnd = current_round(atelier)
    rounds.set_timer(actor, atelier, rnd, "start", 60, now=clock())
    rounds.transition(actor, atelier, rnd, Phase.VOTE, now=clock.advance(10))
    assert round_dict(rnd, clock())["timer"]["state"] == "none"
    clock.advance(3600)
    assert effective_phase(rnd, clock()) == Phase.VOTE
