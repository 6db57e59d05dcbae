"""Dot-voting over Socket.IO (PROTOCOL.md, "Dot-voting"), through the test client."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from facilitation.domain.access import create_facilitator_link
from facilitation.edge.identity import LINKS_KEY
from facilitation.extensions import db
from facilitation.models import Ballot, Dot, VoterBudget
from facilitation.push import votes
from tests.conftest import new_client_id
from tests.support.voting import facilitator_client, make_card


def events(socket, name):
    return [r["args"][0] for r in socket.get_received() if r["name"] == name]


def names(socket):
    return [r["name"] for r in socket.get_received()]


@pytest.fixture
def room(app, make_atelier, joined_client, make_socket):
    """An atelier with two cards, two phones, a facilitator and a projector, all joined."""

    class Room:
        pass

    r = Room()
    r.atelier = make_atelier()
    r.phones = []
    for name in ("Alice", "Bob"):
        client = joined_client(r.atelier, display_name=name)
        socket = make_socket(client)
        socket.client = client
        r.phones.append(socket)
    r.cards = [make_card(r.atelier, titre=t) for t in ("Bus solidaire", "Cantine")]
    r.facilitator = make_socket(facilitator_client(app, r.atelier))
    r.projector = make_socket()
    for socket in [*r.phones, r.facilitator, r.projector]:
        assert socket.emit("atelier:join", {"atelier_id": r.atelier.id}, callback=True)["ok"]
        assert socket.emit("vote:state", {"atelier_id": r.atelier.id}, callback=True)["ok"]
        socket.get_received()
    return r


def open_vote(r, **settings):
    ack = r.facilitator.emit(
        "vote:open", {"atelier_id": r.atelier.id, "settings": settings}, callback=True
    )
    assert ack["ok"], ack
    for socket in [*r.phones, r.facilitator, r.projector]:
        socket.get_received()
    return ack["ballot"]


def dot(socket, r, card, count, client_id=None):
    return socket.emit(
        "dot:set",
        {
            "client_id": client_id or new_client_id(),
            "atelier_id": r.atelier.id,
            "contribution_id": card.id,
            "count": count,
        },
        callback=True,
    )


def test_opening_a_vote_reaches_everyone_in_the_room(room):
    ack = room.facilitator.emit(
        "vote:open",
        {"atelier_id": room.atelier.id, "settings": {"dots_per_participant": 5}},
        callback=True,
    )
    assert ack["ok"] and ack["ballot"]["status"] == "ouvert"
    assert ack["ballot"]["dots_per_participant"] == 5
    for socket in [*room.phones, room.projector]:
        (changed,) = events(socket, "vote:changed")
        assert changed["ballot"]["id"] == ack["ballot"]["id"]
        assert changed["ballot"]["status"] == "ouvert"


def test_participants_and_other_facilitators_cannot_run_the_vote(
    app, room, make_atelier, make_socket
):
    refused = room.phones[0].emit("vote:open", {"atelier_id": room.atelier.id}, callback=True)
    assert refused["ok"] is False and refused["code"] == "forbidden"
    assert db.session.scalar(select(func.count(Ballot.id))) == 0

    other = make_atelier(event=room.atelier.event)
    stranger = make_socket(facilitator_client(app, other))
    for name in ("vote:open", "vote:close", "vote:reveal"):
        ack = stranger.emit(name, {"atelier_id": room.atelier.id}, callback=True)
        assert ack["code"] == "forbidden", (name, ack)
        (error,) = events(stranger, "app:error")
        assert error["event"] == name
    assert db.session.scalar(select(func.count(Ballot.id))) == 0


def test_a_revoked_link_cannot_open_a_vote(app, room, make_socket):
    link, _ = create_facilitator_link(room.atelier.event, room.atelier)
    link.revoked_at = link.created_at
    db.session.commit()
    client = app.test_client()
    with client.session_transaction() as session:
        session[LINKS_KEY] = [link.id]
    ack = make_socket(client).emit("vote:open", {"atelier_id": room.atelier.id}, callback=True)
    assert ack["code"] == "forbidden"


def test_viewers_and_people_of_other_ateliers_cannot_vote(
    room, make_atelier, joined_client, make_socket
):
    open_vote(room)
    viewer = dot(room.projector, room, room.cards[0], 1)
    assert viewer["ok"] is False and viewer["code"] == "not_joined"
    (error,) = events(room.projector, "app:error")
    assert error["event"] == "dot:set" and error["client_id"]
    elsewhere = make_socket(joined_client(make_atelier(event=room.atelier.event), "Léa"))
    assert dot(elsewhere, room, room.cards[0], 1)["code"] == "not_joined"
    facilitator = dot(room.facilitator, room, room.cards[0], 1)
    assert facilitator["code"] == "not_joined"
    assert db.session.scalar(select(func.count(Dot.id))) == 0


def test_dot_set_acks_the_state_and_a_retry_is_harmless(room):
    open_vote(room, dots_per_participant=3)
    cid = new_client_id()
    first = dot(room.phones[0], room, room.cards[0], 2, cid)
    assert first["ok"] and first["duplicate"] is False
    assert (first["count"], first["dots_left"], first["client_id"]) == (2, 1, cid)
    assert first["mine"]["dots"] == {str(room.cards[0].id): 2}
    retry = dot(room.phones[0], room, room.cards[0], 2, cid)
    assert retry["ok"] and retry["duplicate"] is True and retry["dots_left"] == 1
    assert db.session.scalar(select(VoterBudget.used)) == 2
    assert db.session.scalar(select(func.sum(Dot.count))) == 2


def test_budget_refusal_says_where_the_voter_stands(room):
    open_vote(room, dots_per_participant=2)
    assert dot(room.phones[0], room, room.cards[0], 2)["ok"]
    refused = dot(room.phones[0], room, room.cards[1], 1)
    assert refused["ok"] is False and refused["code"] == "budget"
    assert (refused["count"], refused["dots_left"]) == (0, 0)
    assert "retirez" in refused["message"]


@pytest.mark.parametrize("bad", [-1, 4, "deux", None, True])
def test_bad_counts_are_refused(room, bad):
    open_vote(room, dots_per_participant=3)
    ack = dot(room.phones[0], room, room.cards[0], bad)
    assert ack["ok"] is False and ack["code"] == "invalid"


def test_missing_client_id_is_refused(room):
    open_vote(room)
    ack = room.phones[0].emit(
        "dot:set",
        {"atelier_id": room.atelier.id, "contribution_id": room.cards[0].id, "count": 1},
        callback=True,
    )
    assert ack["code"] == "invalid" and "client_id" in ack["errors"]


def test_closed_ballot_refuses_dots(room):
    open_vote(room)
    assert dot(room.phones[0], room, room.cards[0], 1)["ok"]
    assert room.facilitator.emit("vote:close", {"atelier_id": room.atelier.id}, callback=True)["ok"]
    (changed,) = events(room.phones[1], "vote:changed")
    assert changed["ballot"]["status"] == "clos"
    refused = dot(room.phones[0], room, room.cards[0], 0)
    assert refused["code"] == "vote_closed"
    assert db.session.scalar(select(func.sum(Dot.count))) == 1
    again = room.facilitator.emit("vote:close", {"atelier_id": room.atelier.id}, callback=True)
    assert again["code"] == "vote_closed"


def test_tallies_stay_with_the_facilitator_until_revealed(room):
    open_vote(room, dots_per_participant=3)
    dot(room.phones[0], room, room.cards[1], 2)
    dot(room.phones[1], room, room.cards[1], 1)
    votes.flush()
    (tally,) = events(room.facilitator, "vote:tally")
    assert [(r["titre"], r["dots"], r["rank"]) for r in tally["results"]] == [
        ("Cantine", 3, 1),
        ("Bus solidaire", 0, 2),
    ]
    assert (tally["voted"], tally["eligible"]) == (2, 2)
    for socket in [*room.phones, room.projector]:
        received = socket.get_received()
        assert "vote:tally" not in [m["name"] for m in received]
        progress = [m["args"][0] for m in received if m["name"] == "vote:progress"]
        assert progress[-1]["voted"] == 2 and "results" not in progress[-1]

    ack = room.facilitator.emit("vote:reveal", {"atelier_id": room.atelier.id}, callback=True)
    assert ack["ok"] and ack["ballot"]["status"] == "révélé"
    for socket in [*room.phones, room.projector]:
        received = socket.get_received()
        assert [m["name"] for m in received if m["name"].startswith("vote:")] == [
            "vote:changed",
            "vote:tally",
        ]
        tally = next(m["args"][0] for m in received if m["name"] == "vote:tally")
        assert tally["results"][0]["titre"] == "Cantine"


def test_live_tallies_go_to_the_room(room):
    open_vote(room, tallies_visible_live=True)
    dot(room.phones[0], room, room.cards[0], 1)
    votes.flush()
    (tally,) = events(room.projector, "vote:tally")
    assert tally["results"][0]["dots"] == 1


def test_a_burst_of_500_dots_sends_one_tally(room, joined_client, make_socket):
    open_vote(room, dots_per_participant=2)
    phones = list(room.phones)
    for i in range(8):
        socket = make_socket(joined_client(room.atelier, display_name=f"P{i}"))
        socket.emit("vote:state", {"atelier_id": room.atelier.id}, callback=True)
        phones.append(socket)
    sent = 0
    for k in range(500):
        socket = phones[k % len(phones)]
        # Each phone taps its card between 1 and 2 dots: 500 real changes.
        ack = dot(socket, room, room.cards[k % len(phones) % 2], k // len(phones) % 2 + 1)
        assert ack["ok"] and not ack["duplicate"], ack
        sent += 1
    assert sent == 500
    assert "vote:tally" not in names(room.facilitator)  # nothing before the flush
    assert votes.flush() == 1
    assert names(room.facilitator).count("vote:tally") == 1
    assert names(room.projector).count("vote:progress") == 1
    assert votes.flush() == 0  # nothing new, nothing sent


def test_the_background_task_flushes_without_being_asked(app, room):
    open_vote(room)
    app.config["VOTE_TALLY_INTERVAL"] = 0.02
    flusher = votes.flusher(app)
    flusher.flushed.clear()
    try:
        dot(room.phones[0], room, room.cards[0], 1)
        assert flusher.flushed.wait(timeout=10), "the background task never flushed"
        (tally,) = events(room.facilitator, "vote:tally")
        assert tally["dots_counted"] == 1
    finally:
        flusher.stop()


def test_a_reconnecting_phone_gets_its_dots_back_in_the_snapshot(room, make_socket):
    open_vote(room, dots_per_participant=3)
    dot(room.phones[0], room, room.cards[0], 2)
    again = make_socket(room.phones[0].client)  # same cookie, new socket
    again.emit("atelier:join", {"atelier_id": room.atelier.id}, callback=True)
    (snapshot,) = events(again, "atelier:snapshot")
    vote = snapshot["vote"]
    assert vote["ballot"]["status"] == "ouvert"
    assert vote["mine"]["dots"] == {str(room.cards[0].id): 2}
    assert vote["mine"]["dots_left"] == 1
    assert vote["tally"] is None
    viewer_snapshot = make_socket()
    viewer_snapshot.emit("atelier:join", {"atelier_id": room.atelier.id}, callback=True)
    (public,) = events(viewer_snapshot, "atelier:snapshot")
    assert public["vote"]["mine"] is None and public["vote"]["tally"] is None


def test_a_second_tab_follows_the_voters_dots(room, make_socket):
    open_vote(room)
    tab = make_socket(room.phones[0].client)
    tab.emit("vote:state", {"atelier_id": room.atelier.id}, callback=True)
    tab.get_received()
    dot(room.phones[0], room, room.cards[1], 1)
    (mine,) = events(tab, "vote:mine")
    assert mine["dots"] == {str(room.cards[1].id): 1} and mine["dots_left"] == 2
    assert events(room.phones[1], "vote:mine") == []
    # The tab that tapped has the same state in its ack: no second copy.
    assert events(room.phones[0], "vote:mine") == []


def test_scribe_dots_are_for_the_facilitator_only(room):
    open_vote(room)
    payload = {
        "atelier_id": room.atelier.id,
        "contribution_id": room.cards[0].id,
        "label": "Bulletins papier",
        "count": 4,
    }
    assert room.phones[0].emit("dot:scribe", payload, callback=True)["code"] == "forbidden"
    ack = room.facilitator.emit("dot:scribe", payload, callback=True)
    assert ack == {"ok": True, "atelier_id": room.atelier.id, "count": 4}
    votes.flush()
    (tally,) = events(room.facilitator, "vote:tally")
    assert tally["results"][0]["scribe_dots"] == 4 and tally["voted"] == 0


def test_a_late_retry_from_another_tab_answers_duplicate_and_changes_nothing(room, make_socket):
    """Issue 18.4 over Socket.IO: one participant, two tabs (same cookies). Tab A sets the
    card to 2, tab B to 0, then A resends its first set (same client_id, its ack was lost).
    Failed before the fix: ``duplicate: false, changed: true`` and the card back at 2."""
    open_vote(room, dots_per_participant=3)
    tab_a = room.phones[0]
    tab_b = make_socket(tab_a.client)
    assert tab_b.emit("atelier:join", {"atelier_id": room.atelier.id}, callback=True)["ok"]
    card = room.cards[0]
    x = new_client_id()
    assert dot(tab_a, room, card, 2, x)["duplicate"] is False
    newer = dot(tab_b, room, card, 0)
    assert newer["ok"] and newer["changed"] and newer["count"] == 0
    tab_b.get_received()
    retry = dot(tab_a, room, card, 2, x)
    assert retry["ok"] and retry["duplicate"] is True and retry["changed"] is False
    assert retry["client_id"] == x
    assert (retry["count"], retry["dots_left"], retry["mine"]["dots"]) == (0, 3, {})
    assert db.session.scalar(select(func.count(Dot.id))) == 0
    assert db.session.scalar(select(VoterBudget.used)) == 0
    assert "vote:mine" not in names(tab_b)  # nothing changed: the other tab hears nothing
