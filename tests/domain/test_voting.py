"""Dot-voting rules: ballots, budgets, per-card maximum, scribe lines, tallies, hooks."""

from __future__ import annotations

from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from facilitation.domain import voting
from facilitation.domain.errors import Forbidden, NotFound, NotJoined, ValidationError
from facilitation.domain.voting import BallotSettings, BudgetExceeded, VoteClosed, VoteConflict
from facilitation.extensions import db
from facilitation.models import Ballot, Dot, VoterBudget
from facilitation.models.base import utcnow
from tests.support.voting import facilitator_actor, make_card, participant_actor


@pytest.fixture
def room(make_atelier, make_participant):
    """An atelier with two participants, three cards and an open ballot (3 dots, 2 per card)."""
    atelier = make_atelier()
    alice = make_participant(atelier, display_name="Alice")
    bob = make_participant(atelier, display_name="Bob")
    cards = [make_card(atelier, alice, t) for t in ("Bus", "Cantine", "Aide aux devoirs")]
    voting.open_ballot(atelier, BallotSettings(dots_per_participant=3, max_per_card=2))
    db.session.commit()
    return atelier, alice, bob, cards


def used(participant, atelier):
    ballot = voting.current_ballot(atelier)
    return db.session.scalar(
        select(VoterBudget.used).where(
            VoterBudget.ballot_id == ballot.id, VoterBudget.participant_id == participant.id
        )
    )


def test_set_is_a_set_not_an_increment(room):
    atelier, alice, _bob, cards = room
    actor = participant_actor(alice)
    first = voting.set_dots(actor, atelier, cards[0].id, 2)
    again = voting.set_dots(actor, atelier, cards[0].id, 2)
    db.session.commit()
    assert (first.count, first.dots_left, first.changed) == (2, 1, True)
    assert (again.count, again.dots_left, again.changed) == (2, 1, False)
    lower = voting.set_dots(actor, atelier, cards[0].id, 1)
    assert (lower.count, lower.dots_left) == (1, 2)
    assert used(alice, atelier) == 1


def test_budget_and_per_card_max_are_enforced(room):
    atelier, alice, _bob, cards = room
    actor = participant_actor(alice)
    voting.set_dots(actor, atelier, cards[0].id, 2)
    voting.set_dots(actor, atelier, cards[1].id, 1)
    with pytest.raises(BudgetExceeded) as caught:
        voting.set_dots(actor, atelier, cards[2].id, 1)
    assert caught.value.dots_left == 0 and caught.value.as_dict()["code"] == "budget"
    with pytest.raises(ValidationError):
        voting.set_dots(actor, atelier, cards[1].id, 3)  # above max_per_card=2
    with pytest.raises(ValidationError):
        voting.set_dots(actor, atelier, cards[1].id, -1)
    # Removing a dot frees it for another card.
    voting.set_dots(actor, atelier, cards[0].id, 1)
    assert voting.set_dots(actor, atelier, cards[2].id, 1).dots_left == 0


def test_database_refuses_an_overspent_budget(room):
    """The CHECK is the last line: even code that skips the rules cannot overspend."""
    atelier, alice, _bob, cards = room
    voting.set_dots(participant_actor(alice), atelier, cards[0].id, 1)
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(update(VoterBudget).values(used=VoterBudget.budget + 1))
    db.session.rollback()
    with pytest.raises(IntegrityError):
        db.session.execute(update(Dot).values(count=-1))
    db.session.rollback()


def test_only_participants_of_the_atelier_vote(room, make_atelier, make_participant):
    atelier, _alice, _bob, cards = room
    elsewhere = make_participant(make_atelier(event=atelier.event))
    with pytest.raises(NotJoined):
        voting.set_dots(participant_actor(elsewhere), atelier, cards[0].id, 1)
    with pytest.raises(NotJoined):
        voting.set_dots(facilitator_actor(atelier), atelier, cards[0].id, 1)


def test_cards_of_another_atelier_are_not_found(room, make_atelier):
    atelier, alice, _bob, _cards = room
    other_card = make_card(make_atelier(event=atelier.event))
    with pytest.raises(NotFound):
        voting.set_dots(participant_actor(alice), atelier, other_card.id, 1)


def test_own_card_rule(make_atelier, make_participant):
    atelier = make_atelier()
    alice = make_participant(atelier)
    own = make_card(atelier, alice)
    voting.open_ballot(atelier, BallotSettings(allow_own_card=False))
    db.session.commit()
    with pytest.raises(Forbidden):
        voting.set_dots(participant_actor(alice), atelier, own.id, 1)
    # Setting zero is always allowed (nothing to remove, but not an error).
    assert voting.set_dots(participant_actor(alice), atelier, own.id, 0).count == 0


def test_one_open_ballot_per_atelier_and_lifecycle(make_atelier, make_participant):
    atelier = make_atelier()
    alice = make_participant(atelier)
    card = make_card(atelier)
    ballot = voting.open_ballot(atelier)
    with pytest.raises(VoteConflict):
        voting.open_ballot(atelier)
    # Even bypassing the check, the partial unique index refuses a second open ballot.
    with pytest.raises(IntegrityError), db.session.begin_nested():
        db.session.add(
            Ballot(atelier_id=atelier.id, status="ouvert", dots_per_participant=3, max_per_card=3)
        )
    assert voting.close_ballot(atelier) is ballot and ballot.status == "clos"
    with pytest.raises(VoteClosed):
        voting.set_dots(participant_actor(alice), atelier, card.id, 1)
    assert not ballot.tallies_public
    voting.reveal_ballot(atelier)
    assert ballot.status == "révélé" and ballot.tallies_public
    assert voting.close_ballot(atelier) is None
    db.session.commit()
    second = voting.open_ballot(atelier)
    assert second.id != ballot.id and voting.current_ballot(atelier) is second


def test_late_joiner_gets_a_full_budget(room, make_participant):
    atelier, alice, _bob, cards = room
    voting.set_dots(participant_actor(alice), atelier, cards[0].id, 2)
    db.session.commit()
    late = make_participant(atelier, display_name="Retardataire")
    ballot = voting.current_ballot(atelier)
    assert voting.my_dots(ballot, late)["dots_left"] == 3
    assert voting.set_dots(participant_actor(late), atelier, cards[0].id, 2).dots_left == 1


def test_tallies_rank_ties_as_ties(room, make_participant):
    atelier, alice, bob, cards = room
    bus, cantine, devoirs = cards
    voting.set_dots(participant_actor(alice), atelier, bus.id, 2)
    voting.set_dots(participant_actor(bob), atelier, cantine.id, 2)
    voting.set_dots(participant_actor(bob), atelier, devoirs.id, 1)
    db.session.commit()
    result = voting.tally(voting.current_ballot(atelier))
    ranking = [(r["titre"], r["dots"], r["rank"], r["tied"]) for r in result["results"]]
    assert ranking == [
        ("Bus", 2, 1, True),
        ("Cantine", 2, 1, True),
        ("Aide aux devoirs", 1, 3, False),
    ]
    assert (result["voted"], result["eligible"], result["dots_counted"]) == (2, 2, 5)


def test_competition_ranks():
    assert voting.competition_ranks([5, 5, 2, 2, 1, 0]) == [1, 1, 3, 3, 5, 6]
    assert voting.competition_ranks([]) == []


def test_participation_counts_people_in_the_atelier_and_voters_who_left(
    room, make_atelier, make_participant
):
    atelier, alice, _bob, cards = room
    make_participant(atelier)
    voting.set_dots(participant_actor(alice), atelier, cards[0].id, 1)
    alice.current_atelier_id = make_atelier(event=atelier.event).id
    db.session.commit()
    assert voting.participation(voting.current_ballot(atelier)) == (1, 3)


def test_scribe_lines_are_set_by_label_and_recorded_as_such(room):
    atelier, alice, _bob, cards = room
    facilitator = facilitator_actor(atelier)
    assert voting.scribe_set(facilitator, atelier, cards[2].id, "Main levée", 7) == 7
    assert voting.scribe_set(facilitator, atelier, cards[2].id, "Main levée", 5) == 5
    voting.scribe_set(facilitator, atelier, cards[2].id, "Bulletins papier", 2)
    db.session.commit()
    rows = db.session.scalars(select(Dot).where(Dot.scribe.is_(True))).all()
    assert sorted((d.scribe_label, d.count, d.participant_id) for d in rows) == [
        ("Bulletins papier", 2, None),
        ("Main levée", 5, None),
    ]
    top = voting.tally(voting.current_ballot(atelier))["results"][0]
    assert (top["titre"], top["dots"], top["scribe_dots"]) == ("Aide aux devoirs", 7, 7)
    with pytest.raises(Forbidden):
        voting.scribe_set(participant_actor(alice), atelier, cards[0].id, "Moi", 3)
    with pytest.raises(ValidationError):
        voting.scribe_set(facilitator, atelier, cards[0].id, "  ", 3)
    voting.scribe_set(facilitator, atelier, cards[2].id, "Main levée", 0)
    assert voting.tally(voting.current_ballot(atelier))["scribe_dots"] == 2


def test_settings_are_validated():
    assert voting.parse_settings({}) == BallotSettings()
    parsed = voting.parse_settings(
        {"dots_per_participant": "5", "max_per_card": 2, "tallies_visible_live": "on"}
    )
    assert parsed == BallotSettings(5, 2, True, True)
    form = voting.parse_settings({"allow_own_card_present": "1"})
    assert form.allow_own_card is False
    with pytest.raises(ValidationError) as caught:
        voting.parse_settings({"dots_per_participant": 0, "max_per_card": "x"})
    assert set(caught.value.errors) == {"dots_per_participant", "max_per_card"}
    with pytest.raises(ValidationError):
        voting.parse_settings({"dots_per_participant": 3, "max_per_card": 4})


def test_round_phase_hook(make_atelier, make_participant):
    atelier = make_atelier()
    voting.on_round_phase(atelier, None, "contributions")
    assert voting.current_ballot(atelier) is None
    voting.on_round_phase(atelier, None, "vote")
    ballot = voting.current_ballot(atelier)
    assert ballot.status == "ouvert" and ballot.dots_per_participant == 3
    voting.on_round_phase(atelier, None, "vote")  # already open: nothing new
    assert db.session.scalar(select(Ballot).where(Ballot.atelier_id == atelier.id)) is ballot
    voting.on_round_phase(atelier, None, "résultats")
    assert ballot.status == "révélé"
    voting.on_round_phase(atelier, None, "clos")
    assert ballot.status == "révélé"  # results stay shown
    db.session.commit()


def test_going_back_to_vote_in_the_same_round_reopens_the_same_ballot(
    make_atelier, make_participant
):
    atelier = make_atelier()
    alice = make_participant(atelier)
    card = make_card(atelier)
    round_ = SimpleNamespace(created_at=utcnow() - timedelta(minutes=5))
    voting.on_round_phase(atelier, round_, "vote")
    ballot = voting.open_ballot_of(atelier)
    voting.set_dots(participant_actor(alice), atelier, card.id, 2)
    voting.on_round_phase(atelier, round_, "resultats")
    db.session.commit()
    voting.on_round_phase(atelier, round_, "vote")  # « Rouvrir le vote »
    db.session.commit()
    assert voting.open_ballot_of(atelier) is ballot and ballot.revealed_at is None
    assert voting.my_dots(ballot, alice)["dots_left"] == 1
    # A later round votes afresh.
    voting.on_round_phase(atelier, round_, "clos")
    later = SimpleNamespace(created_at=utcnow() + timedelta(seconds=1))
    voting.on_round_phase(atelier, later, "vote")
    fresh = voting.open_ballot_of(atelier)
    assert fresh.id != ballot.id and voting.my_dots(fresh, alice)["dots_left"] == 3


def test_ballot_states_are_ordered_for_clients(make_atelier):
    atelier = make_atelier()
    ballot = voting.open_ballot(atelier)
    seen = [voting.ballot_dict(ballot)["changed_us"]]
    voting.close_ballot(atelier)
    seen.append(voting.ballot_dict(ballot)["changed_us"])
    voting.reveal_ballot(atelier)
    seen.append(voting.ballot_dict(ballot)["changed_us"])
    voting.reopen_ballot(ballot)
    seen.append(voting.ballot_dict(ballot)["changed_us"])
    db.session.commit()
    db.session.expire_all()  # read back from the database (SQLite drops the zone)
    seen.append(voting.ballot_dict(voting.current_ballot(atelier))["changed_us"])
    assert seen == sorted(seen) and seen[-1] == seen[-2]


def test_round_phase_reuses_the_last_settings(make_atelier):
    atelier = make_atelier()
    voting.open_ballot(atelier, BallotSettings(5, 2, True, False))
    voting.close_ballot(atelier)
    voting.on_round_phase(atelier, None, "vote")
    ballot = voting.open_ballot_of(atelier)
    assert (ballot.dots_per_participant, ballot.max_per_card, ballot.allow_own_card) == (
        5,
        2,
        False,
    )


def test_merge_moves_dots_and_refunds_above_the_card_max(room):
    atelier, alice, bob, cards = room
    target, source, other = cards
    voting.set_dots(participant_actor(alice), atelier, target.id, 1)
    voting.set_dots(participant_actor(alice), atelier, source.id, 2)  # 1 + 2 > max 2
    voting.set_dots(participant_actor(bob), atelier, source.id, 1)
    voting.set_dots(participant_actor(bob), atelier, other.id, 2)
    voting.scribe_set(facilitator_actor(atelier), atelier, source.id, "Papier", 4)
    voting.scribe_set(facilitator_actor(atelier), atelier, target.id, "Papier", 1)
    db.session.commit()
    voting.on_merge(target, source)
    db.session.commit()
    ballot = voting.current_ballot(atelier)
    assert voting.my_dots(ballot, alice) == {
        "ballot_id": ballot.id,
        "dots": {str(target.id): 2},
        "used": 2,
        "budget": 3,
        "dots_left": 1,
    }
    assert voting.my_dots(ballot, bob)["dots"] == {str(target.id): 1, str(other.id): 2}
    assert db.session.scalar(select(Dot).where(Dot.contribution_id == source.id)) is None
    scribe = db.session.scalar(select(Dot).where(Dot.scribe.is_(True)))
    assert (scribe.contribution_id, scribe.count) == (target.id, 5)


def test_removed_card_gives_its_dots_back(room):
    atelier, alice, _bob, cards = room
    voting.set_dots(participant_actor(alice), atelier, cards[0].id, 2)
    voting.set_dots(participant_actor(alice), atelier, cards[1].id, 1)
    db.session.commit()
    voting.on_card_removed(cards[0])
    db.session.commit()
    mine = voting.my_dots(voting.current_ballot(atelier), alice)
    assert (mine["dots"], mine["dots_left"]) == ({str(cards[1].id): 1}, 2)


def test_vote_state_shows_tallies_only_when_allowed(room):
    atelier, alice, _bob, cards = room
    voting.set_dots(participant_actor(alice), atelier, cards[0].id, 1)
    db.session.commit()
    phone = voting.vote_state(atelier, participant_actor(alice))
    assert phone["tally"] is None and phone["mine"]["dots"] == {str(cards[0].id): 1}
    assert voting.vote_state(atelier, None)["tally"] is None
    assert voting.vote_state(atelier, facilitator_actor(atelier))["tally"]["dots_counted"] == 1
    voting.reveal_ballot(atelier)
    assert voting.vote_state(atelier, None)["tally"]["results"][0]["dots"] == 1


def test_a_late_retry_of_an_old_set_never_undoes_a_newer_one(room):
    """Issue 18.4, two tabs of one voter: A sets 2 (X), B sets 0 (Y), A resends X because its
    ack was lost. X was applied already: the retry answers the current state (0) as a
    duplicate and changes nothing. Failed before the fix: C was back to 2, ``changed``."""
    atelier, alice, _bob, cards = room
    actor = participant_actor(alice)
    first = voting.set_dots(actor, atelier, cards[1].id, 2, "tab-a-x-0001")
    db.session.commit()
    assert first.changed and not first.duplicate
    assert voting.set_dots(actor, atelier, cards[1].id, 0, "tab-b-y-0001").changed
    db.session.commit()
    retry = voting.set_dots(actor, atelier, cards[1].id, 2, "tab-a-x-0001")
    db.session.commit()
    assert retry.duplicate and not retry.changed
    assert (retry.count, retry.used, retry.dots_left, retry.mine["dots"]) == (0, 0, 3, {})
    assert db.session.scalar(select(Dot.count).where(Dot.contribution_id == cards[1].id)) is None
    assert used(alice, atelier) == 0


def test_a_set_that_found_its_count_is_remembered_too(room):
    """A set answered without a change was still applied: its retry after a newer write
    elsewhere must not bring its count back either."""
    atelier, alice, _bob, cards = room
    actor = participant_actor(alice)
    voting.set_dots(actor, atelier, cards[0].id, 1, "tab-b-first")
    same = voting.set_dots(actor, atelier, cards[0].id, 1, "tab-a-same")
    assert not same.changed and not same.duplicate
    voting.set_dots(actor, atelier, cards[0].id, 0, "tab-b-newer")
    db.session.commit()
    retry = voting.set_dots(actor, atelier, cards[0].id, 1, "tab-a-same")
    assert retry.duplicate and retry.count == 0 and used(alice, atelier) == 0


def test_a_refused_set_is_not_remembered_and_a_repeat_is_decided_again(room):
    """Only applied writes are answered duplicate: a set refused for the budget changed
    nothing, so its resend (the phone never heard the refusal) is judged on the state now."""
    atelier, alice, _bob, cards = room
    actor = participant_actor(alice)
    voting.set_dots(actor, atelier, cards[0].id, 2, "full-0001")
    voting.set_dots(actor, atelier, cards[1].id, 1, "full-0002")
    with pytest.raises(BudgetExceeded):
        voting.set_dots(actor, atelier, cards[2].id, 1, "refused-01")
    db.session.rollback()
    voting.set_dots(actor, atelier, cards[1].id, 0, "free-0001")
    again = voting.set_dots(actor, atelier, cards[2].id, 1, "refused-01")
    assert again.changed and not again.duplicate and again.count == 1


def test_the_remembered_ids_are_bounded_per_voter(room):
    from facilitation.models.vote import APPLIED_CLIENT_IDS

    atelier, alice, _bob, cards = room
    actor = participant_actor(alice)
    for i in range(APPLIED_CLIENT_IDS + 5):
        voting.set_dots(actor, atelier, cards[i % 3].id, i % 2, f"tap-{i:06d}")
    db.session.commit()
    stored = db.session.scalar(select(VoterBudget.applied_client_ids)).split()
    assert len(stored) == APPLIED_CLIENT_IDS
    assert stored[-1] == f"tap-{APPLIED_CLIENT_IDS + 4:06d}" and "tap-000000" not in stored
