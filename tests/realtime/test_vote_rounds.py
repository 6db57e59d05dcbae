"""The console's vote panel over Socket.IO: it moves the round, so every phone and the
projector get the phase and the ballot together, and a phone that comes back sees both."""

from __future__ import annotations

import pytest

from facilitation.domain.phases import current_round
from facilitation.extensions import db
from facilitation.models import RoundTransition
from tests.support.voting import facilitator_client, make_card


def received(socket) -> list[tuple[str, dict]]:
    return [(m["name"], m["args"][0]) for m in socket.get_received()]


@pytest.fixture
def room(app, make_atelier, joined_client, make_socket):
    """An atelier with a card, a phone, a projector and a facilitator console, all joined."""

    class Room:
        pass

    r = Room()
    r.atelier = make_atelier()
    r.phone_client = joined_client(r.atelier, display_name="Alice")
    r.phone = make_socket(r.phone_client)
    r.card = make_card(r.atelier, titre="Bus solidaire")
    r.console = make_socket(facilitator_client(app, r.atelier))
    r.projector = make_socket()
    for socket, name in ((r.phone, "atelier:join"), (r.projector, "atelier:join")):
        assert socket.emit(name, {"atelier_id": r.atelier.id}, callback=True)["ok"]
    assert r.console.emit("console:join", {"atelier_id": r.atelier.id}, callback=True)["ok"]
    for socket in (r.phone, r.projector, r.console):
        socket.get_received()
    return r


def panel(r, name, **payload):
    return r.console.emit(name, {"atelier_id": r.atelier.id, **payload}, callback=True)


def test_opening_from_the_panel_switches_phase_and_ballot_together(room):
    version = room.atelier.version
    ack = panel(room, "vote:open", settings={"dots_per_participant": 4})

    assert ack["ok"], ack
    assert ack["round"]["phase"] == "vote" and ack["ballot"]["status"] == "ouvert"
    assert ack["version"] == version + 1
    for socket in (room.phone, room.projector, room.console):
        messages = received(socket)
        kinds = [name for name, _ in messages if name in ("round:changed", "vote:changed")]
        assert kinds == ["round:changed", "vote:changed"]
        rounds = [m for name, m in messages if name == "round:changed"]
        ballots = [m for name, m in messages if name == "vote:changed"]
        assert rounds[0]["round"]["phase"] == "vote" and rounds[0]["version"] == version + 1
        assert ballots[0]["ballot"]["status"] == "ouvert"
        assert ballots[0]["ballot"]["dots_per_participant"] == 4
    (audit,) = db.session.query(RoundTransition).all()
    assert (audit.from_phase, audit.to_phase, audit.reason) == ("contributions", "vote", "manual")

    # The phone can vote now, and cannot post a card any more.
    dot = room.phone.emit(
        "dot:set",
        {
            "client_id": "dot-after-open-1",
            "atelier_id": room.atelier.id,
            "contribution_id": room.card.id,
            "count": 1,
        },
        callback=True,
    )
    assert dot["ok"], dot


def test_closing_and_revealing_from_the_panel_move_the_round(room):
    assert panel(room, "vote:open")["ok"]
    closed = panel(room, "vote:close")
    assert closed["ok"] and closed["round"]["phase"] == "clos"
    assert closed["ballot"]["status"] == "clos"
    room.phone.get_received()

    revealed = panel(room, "vote:reveal")

    assert revealed["ok"] and revealed["round"]["phase"] == "resultats"
    assert revealed["ballot"]["status"] == "révélé"
    names = [name for name, _ in received(room.phone)]
    assert names.index("round:changed") < names.index("vote:changed")
    assert "vote:tally" in names
    # A phone that was away gets the same truth in its snapshot.
    room.phone.disconnect()
    room.phone.connect()
    assert room.phone.emit("atelier:join", {"atelier_id": room.atelier.id}, callback=True)["ok"]
    (snapshot,) = [m for name, m in received(room.phone) if name == "atelier:snapshot"]
    assert snapshot["round"]["phase"] == "resultats"
    assert snapshot["vote"]["ballot"]["status"] == "révélé"
    assert [t.to_phase for t in db.session.query(RoundTransition).order_by("id")] == [
        "vote",
        "clos",
        "resultats",
    ]


def test_the_panel_refuses_what_the_round_cannot_do_and_changes_nothing(room):
    current_round(room.atelier).phase = "preparation"
    db.session.commit()
    refused = panel(room, "vote:open")
    assert refused["ok"] is False and "préparation" in refused["message"]
    assert db.session.query(RoundTransition).count() == 0
    assert not [n for n, _ in received(room.phone) if n in ("round:changed", "vote:changed")]


def test_a_round_move_sends_the_ballot_at_once(room):
    """From the round panel too: vote:changed follows round:changed without a tally tick."""
    rnd = current_round(room.atelier)
    ack = room.console.emit(
        "round:transition",
        {"atelier_id": room.atelier.id, "round_id": rnd.id, "to": "vote"},
        callback=True,
    )
    assert ack["ok"]
    messages = received(room.phone)
    assert [n for n, _ in messages if n in ("round:changed", "vote:changed")] == [
        "round:changed",
        "vote:changed",
    ]
    back = room.console.emit(
        "round:transition",
        {"atelier_id": room.atelier.id, "round_id": rnd.id, "to": "contributions"},
        callback=True,
    )
    assert back["ok"]
    (changed,) = [m for n, m in received(room.phone) if n == "vote:changed"]
    assert changed["ballot"]["status"] == "clos"
