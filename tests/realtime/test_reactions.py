"""« Moi aussi » events (PROTOCOL.md, « Réactions aux pratiques »): authorised, idempotent,
coalesced counts to the room after the commit, the author alone reads who reacted."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from facilitation.domain import profiles
from facilitation.extensions import db
from facilitation.models import Contribution, Participant, Reaction
from facilitation.models.base import utcnow
from facilitation.push import reactions as reactions_push
from tests.conftest import new_client_id


def events(socket, name):
    return [r["args"][0] for r in socket.get_received() if r["name"] == name]


@pytest.fixture
def atelier(make_atelier):
    return make_atelier()


@pytest.fixture
def phone(joined_client, make_socket):
    """Factory: ``(socket, participant)`` of a phone in ``atelier``'s room, inbox drained."""

    def make(atelier, name="Nadia", structure="CCAS"):
        socket = make_socket(joined_client(atelier, display_name=name, structure=structure))
        assert socket.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)["ok"]
        socket.get_received()
        person = db.session.scalar(
            select(Participant)
            .where(Participant.display_name == name, Participant.event_id == atelier.event_id)
            .order_by(Participant.id.desc())
        )
        return socket, person

    return make


@pytest.fixture
def pratique(make_participant):
    def make(atelier, author=None, **kw):
        author = author or make_participant(atelier)
        card = Contribution(
            atelier_id=atelier.id,
            participant_id=author.id,
            client_id=new_client_id(),
            kind="pratique",
            titre=kw.pop("titre", "Permanence mobile"),
            **kw,
        )
        db.session.add(card)
        db.session.commit()
        return card

    return make


def react(socket, atelier, card_id, kind="nous_aussi", on=True, cid=None):
    return socket.emit(
        "reaction:set",
        {
            "atelier_id": atelier.id,
            "contribution_id": card_id,
            "kind": kind,
            "on": on,
            "client_id": cid or new_client_id(),
        },
        callback=True,
    )


def rows():
    db.session.expire_all()
    return db.session.scalar(select(func.count(Reaction.id)))


def test_a_tap_is_acked_and_the_room_gets_one_coalesced_count(
    atelier, phone, pratique, make_socket
):
    card = pratique(atelier)
    a, _ = phone(atelier, "Awa")
    b, _ = phone(atelier, "Bruno")
    screen = make_socket()
    screen.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    screen.get_received()

    ack = react(a, atelier, card.id)
    assert ack["ok"] is True, ack
    assert ack["mine"] == ["nous_aussi"] and ack["counts"] == {"nous_aussi": 1, "interesse": 0}
    assert react(b, atelier, card.id)["ok"]
    assert react(b, atelier, card.id, "interesse")["ok"]
    # Nothing before the flush: three taps, one message per socket.
    assert events(screen, "reaction:counts") == []
    assert reactions_push.flush() == 1
    (msg,) = events(screen, "reaction:counts")
    assert msg == {
        "atelier_id": atelier.id,
        "counts": {str(card.id): {"nous_aussi": 2, "interesse": 1}},
    }
    assert len(events(a, "reaction:counts")) == 1


def test_same_state_twice_is_one_row_and_retract_is_allowed(atelier, phone, pratique):
    card = pratique(atelier)
    a, _ = phone(atelier)
    cid = new_client_id()
    first = react(a, atelier, card.id, cid=cid)
    again = react(a, atelier, card.id, cid=cid)
    assert first["duplicate"] is False and again["duplicate"] is True
    assert again["client_id"] == cid
    assert rows() == 1
    assert reactions_push.flush() == 1
    off = react(a, atelier, card.id, on=False)
    assert off["ok"] and off["mine"] == [] and off["counts"]["nous_aussi"] == 0
    assert rows() == 0


def test_other_tabs_of_the_same_person_follow(atelier, joined_client, make_socket, pratique):
    card = pratique(atelier)
    browser = joined_client(atelier, display_name="Tabs")
    one, two = make_socket(browser), make_socket(browser)
    for s in (one, two):
        s.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    # The second tab subscribes to its person's room by reacting once (like dot:set).
    react(two, atelier, card.id, "interesse")
    one.get_received(), two.get_received()
    react(one, atelier, card.id)
    (mine,) = events(two, "reaction:mine")
    assert mine["contribution_id"] == card.id and mine["mine"] == ["interesse", "nous_aussi"]
    assert events(one, "reaction:mine") == []


def test_the_join_snapshot_carries_counts_and_my_reactions(atelier, phone, pratique, make_socket):
    card = pratique(atelier)
    a, _ = phone(atelier, "Awa")
    react(a, atelier, card.id, "interesse")
    a.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    (snap,) = events(a, "atelier:snapshot")
    assert snap["reactions"] == {str(card.id): {"nous_aussi": 0, "interesse": 1}}
    assert snap["my_reactions"] == {str(card.id): ["interesse"]}
    screen = make_socket()
    screen.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    (snap,) = events(screen, "atelier:snapshot")
    assert snap["reactions"][str(card.id)]["interesse"] == 1
    assert snap["my_reactions"] == {}


def test_a_viewer_another_ateliers_or_events_participant_are_refused(
    atelier, phone, pratique, make_atelier, make_socket
):
    card = pratique(atelier)
    projector = make_socket()
    ack = react(projector, atelier, card.id)
    assert ack["ok"] is False and ack["code"] == "not_joined"
    neighbour, _ = phone(make_atelier(event=atelier.event), "Voisine")
    ack = react(neighbour, atelier, card.id)
    assert ack["code"] == "not_joined"
    # The same phone naming its own atelier and this card: the card is not there.
    stranger_atelier = make_atelier()
    stranger, _ = phone(stranger_atelier, "Ailleurs")
    assert react(stranger, atelier, card.id)["ok"] is False
    assert react(stranger, stranger_atelier, card.id)["code"] == "not_found"
    assert rows() == 0


def test_own_card_hidden_withdrawn_and_merged_refuse_in_french(atelier, phone, pratique):
    me_socket, me = phone(atelier, "Autrice")
    own = pratique(atelier, author=me)
    ack = react(me_socket, atelier, own.id)
    assert ack["code"] == "forbidden" and "propre pratique" in ack["message"]
    other, _ = phone(atelier, "Autre")
    hidden = pratique(atelier, hidden=True)
    withdrawn = pratique(atelier, withdrawn_at=utcnow())
    merged = pratique(atelier, merged_into_id=own.id)
    assert "masquée" in react(other, atelier, hidden.id)["message"]
    assert "retirée" in react(other, atelier, withdrawn.id)["message"]
    assert "regroupée" in react(other, atelier, merged.id)["message"]
    assert rows() == 0


@pytest.mark.parametrize(
    "change",
    [
        {"kind": "bravo"},
        {"kind": ["nous_aussi"]},
        {"on": "yes"},
        {"on": None},
        {"contribution_id": "abc"},
        {"contribution_id": -4},
        {"contribution_id": 2**53},
        {"contribution_id": 999999},
        {"client_id": ""},
        {"atelier_id": "x"},
    ],
)
def test_bad_input_gets_a_french_message_and_stores_nothing(atelier, phone, pratique, change):
    card = pratique(atelier)
    a, _ = phone(atelier)
    payload = {
        "atelier_id": atelier.id,
        "contribution_id": card.id,
        "kind": "nous_aussi",
        "on": True,
        "client_id": new_client_id(),
    } | change
    ack = a.emit("reaction:set", payload, callback=True)
    assert ack["ok"] is False and ack["message"], ack
    assert ack["code"] in {"invalid", "not_found"}
    assert rows() == 0
    assert reactions_push.flush() == 0


def test_the_author_reads_who_reacted_visible_profiles_only(atelier, phone, pratique):
    author_socket, author = phone(atelier, "Autrice")
    card = pratique(atelier, author=author)
    seen_socket, seen = phone(atelier, "Inès", structure="CCAS de Chatou")
    profiles.save_profile(seen, {"visible": "on"})
    shy_socket, shy = phone(atelier, "Discret", structure="Mairie du Pecq")
    db.session.commit()
    react(seen_socket, atelier, card.id)
    react(shy_socket, atelier, card.id)
    ack = author_socket.emit(
        "reaction:who", {"atelier_id": atelier.id, "contribution_id": card.id}, callback=True
    )
    assert ack["ok"] is True
    entry = ack["reactions"]["nous_aussi"]
    assert entry["count"] == 2 and entry["others"] == 1
    assert [p["display_name"] for p in entry["people"]] == ["Inès"]
    assert "Mairie du Pecq" not in str(ack)
    refused = shy_socket.emit(
        "reaction:who", {"atelier_id": atelier.id, "contribution_id": card.id}, callback=True
    )
    assert refused["ok"] is False and refused["code"] == "forbidden"
