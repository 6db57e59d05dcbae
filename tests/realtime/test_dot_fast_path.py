"""A tap's fast path (``voting.quick_set_dots``, issue 21): the socket's participant and the
atelier's event are known without a query, but every rule is checked again in SQL with the
write, so what changed since the last tap refuses the next one, with the ordinary message."""

from __future__ import annotations

import pytest
from sqlalchemy import delete, select

from facilitation.domain.phases import current_round
from facilitation.domain.privacy.person import forget_participant
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Event, Participant
from facilitation.models.contribution import CardStatus
from facilitation.models.event import EventStatus
from facilitation.models.vote import Dot, VoterBudget
from tests.conftest import new_client_id
from tests.realtime.test_statement_budget import DOT_SET_BUDGET, statements
from tests.support.voting import facilitator_client, make_card


@pytest.fixture
def room(app, make_atelier, joined_client, make_socket):
    """One atelier with a vote open, a phone that already tapped once (its identity is
    known to the worker), a second phone, and the facilitator's console."""

    class Room:
        pass

    r = Room()
    r.atelier = make_atelier()
    r.atelier_id = r.atelier.id
    r.phone = make_socket(joined_client(r.atelier, display_name="Alice"))
    r.other = make_socket(joined_client(r.atelier, display_name="Bob"))
    r.cards = [make_card(r.atelier, titre=t).id for t in ("Bus solidaire", "Cantine")]
    r.console = make_socket(facilitator_client(app, r.atelier))
    for socket in (r.phone, r.other):
        assert socket.emit("atelier:join", {"atelier_id": r.atelier_id}, callback=True)["ok"]
    assert r.console.emit("console:join", {"atelier_id": r.atelier_id}, callback=True)["ok"]
    opened = r.console.emit(
        "vote:open",
        {"atelier_id": r.atelier_id, "settings": {"dots_per_participant": 5}},
        callback=True,
    )
    assert opened["ok"], opened
    assert tap(r, r.cards[0], 1)["ok"]
    r.alice = db.session.scalar(select(Participant).where(Participant.display_name == "Alice"))
    return r


def tap(r, card_id, count, socket=None, cid=None):
    payload = {
        "client_id": cid or new_client_id(),
        "atelier_id": r.atelier_id,
        "contribution_id": card_id,
        "count": count,
    }
    return (socket or r.phone).emit("dot:set", payload, callback=True)


def stored(participant_id: int) -> dict[int, int]:
    db.session.expire_all()
    return {
        c: n
        for c, n in db.session.execute(
            select(Dot.contribution_id, Dot.count).where(Dot.participant_id == participant_id)
        )
    }


def test_a_known_phone_taps_in_five_statements_and_keeps_every_guarantee(app, room):
    with statements(app) as seen:
        ack = tap(room, room.cards[1], 2)
    assert ack["ok"], ack
    assert len(seen) <= 5 <= DOT_SET_BUDGET, "\n".join(seen)
    assert ack["mine"]["dots"] == {str(room.cards[0]): 1, str(room.cards[1]): 2}
    assert ack["dots_left"] == 2 and ack["changed"] is True
    # Idempotent: the same client_id again changes nothing and answers duplicate.
    cid = new_client_id()
    assert tap(room, room.cards[1], 3, cid=cid)["count"] == 3
    again = tap(room, room.cards[1], 0, cid=cid)
    assert again["ok"] and again["duplicate"] is True and again["count"] == 3
    # The budget is still checked in the transaction: 1 + 3 + 2 > 5.
    over = tap(room, room.cards[0], 3)
    assert over["ok"] is False and over["code"] == "budget"
    assert stored(room.alice.id) == {room.cards[0]: 1, room.cards[1]: 3}
    budget = db.session.get(VoterBudget, (ack["ballot_id"], room.alice.id))
    assert budget.used == 4


def test_a_phone_moved_to_another_atelier_is_refused_at_its_next_tap(room, make_atelier):
    other = make_atelier(event=room.atelier.event)
    room.alice.current_atelier_id = other.id
    db.session.commit()
    refused = tap(room, room.cards[1], 1)
    assert refused["ok"] is False and refused["code"] == "not_joined", refused
    assert stored(room.alice.id) == {room.cards[0]: 1}


def test_a_forgotten_participant_is_refused_at_their_next_tap(room):
    forget_participant(room.alice)  # « Mes données » → supprimer
    db.session.commit()
    refused = tap(room, room.cards[1], 1)
    assert refused["ok"] is False and refused["code"] == "not_joined", refused
    assert stored(room.alice.id) == {}


def test_a_purged_participant_is_refused_at_their_next_tap(room):
    pid = room.alice.id
    db.session.execute(delete(VoterBudget).where(VoterBudget.participant_id == pid))
    db.session.execute(delete(Dot).where(Dot.participant_id == pid))
    db.session.execute(delete(Participant).where(Participant.id == pid))
    db.session.commit()
    refused = tap(room, room.cards[1], 1)
    assert refused["ok"] is False and refused["code"] == "not_joined", refused
    assert stored(pid) == {}


def test_a_phase_change_refuses_the_next_tap_though_the_phone_is_known(room):
    rnd = current_round(db.session.get(Atelier, room.atelier_id))
    moved = room.console.emit(
        "round:transition",
        {"atelier_id": room.atelier_id, "round_id": rnd.id, "to": "contributions"},
        callback=True,
    )
    assert moved["ok"], moved
    refused = tap(room, room.cards[1], 1)
    assert refused["ok"] is False and refused["code"] == "vote_closed", refused
    assert stored(room.alice.id) == {room.cards[0]: 1}


def test_a_closed_event_refuses_the_next_tap(room):
    event = db.session.get(Event, room.atelier.event_id)
    event.status = EventStatus.CLOSED.value
    db.session.commit()
    refused = tap(room, room.cards[1], 1)
    assert refused["ok"] is False and refused["code"] == "closed", refused


def test_a_hidden_card_and_bad_counts_are_refused_as_before(room):
    card = db.session.get(Contribution, room.cards[1])
    card.hidden = True
    db.session.commit()
    missing = tap(room, room.cards[1], 1)
    assert missing["ok"] is False and missing["code"] == "not_found", missing
    too_many = tap(room, room.cards[0], 99)
    assert too_many["ok"] is False and too_many["code"] == "invalid", too_many
    assert too_many["errors"].get("count")
    # Digits as a string still work (the ordinary path takes them).
    assert tap(room, str(room.cards[0]), "2")["count"] == 2


@pytest.mark.parametrize("status", [CardStatus.PENDING, CardStatus.DECLINED])
def test_a_card_not_approved_takes_no_dot(room, status):
    """A card waiting for approval (or declined) is on no wall: a tap that names its id
    anyway is refused by the fast path's own read, as by the ordinary path."""
    card = db.session.get(Contribution, room.cards[1])
    card.status = status.value
    db.session.commit()
    refused = tap(room, room.cards[1], 1)
    assert refused["ok"] is False and refused["code"] == "not_found", refused
    assert room.cards[1] not in stored(room.alice.id)


def test_a_phone_of_another_event_cannot_tap_here(room, make_atelier, joined_client, make_socket):
    elsewhere = make_atelier()
    stranger = make_socket(joined_client(elsewhere, display_name="Zoé"))
    assert stranger.emit("atelier:join", {"atelier_id": elsewhere.id}, callback=True)["ok"]
    refused = tap(room, room.cards[1], 1, socket=stranger)
    assert refused["ok"] is False and refused["code"] == "not_joined", refused


def test_own_card_rule_holds_on_the_fast_path(app, make_atelier, joined_client, make_socket):
    atelier = make_atelier()
    phone = make_socket(joined_client(atelier, display_name="Alice"))
    assert phone.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)["ok"]
    alice = db.session.scalar(select(Participant).where(Participant.display_name == "Alice"))
    own, other = make_card(atelier, author=alice).id, make_card(atelier).id
    console = make_socket(facilitator_client(app, atelier))
    opened = console.emit(
        "vote:open",
        {
            "atelier_id": atelier.id,
            "settings": {"dots_per_participant": 3, "allow_own_card": False},
        },
        callback=True,
    )
    assert opened["ok"], opened
    payload = {"atelier_id": atelier.id, "count": 1}
    ok = phone.emit(
        "dot:set",
        {**payload, "client_id": new_client_id(), "contribution_id": other},
        callback=True,
    )
    assert ok["ok"], ok
    refused = phone.emit(
        "dot:set", {**payload, "client_id": new_client_id(), "contribution_id": own}, callback=True
    )
    assert refused["ok"] is False and refused["code"] == "forbidden", refused
