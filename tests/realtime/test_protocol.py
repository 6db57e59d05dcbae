"""The Socket.IO protocol of PROTOCOL.md, through Flask-SocketIO's test client."""

import pytest

from facilitation.extensions import db
from facilitation.models import Atelier, Contribution
from facilitation.push import presence as presence_broadcast
from tests.conftest import new_client_id
from tests.support.csrf import form_token


def events(socket, name):
    return [r["args"][0] for r in socket.get_received() if r["name"] == name]


def received(socket):
    return [(r["name"], r["args"][0]) for r in socket.get_received()]


def card(atelier, **kw):
    return {
        "client_id": new_client_id(),
        "atelier_id": atelier.id,
        "titre": "Appels de convivialité",
        "description": "Chaque semaine",
        "structure": "CCAS",
        "commune": "Le Pecq",
        "public_concerne": "Personnes âgées",
    } | kw


@pytest.fixture
def phone(joined_client, make_socket):
    """Factory: a phone (cookies + socket) that joined ``atelier`` and drained its inbox."""

    def make(atelier, name="Nadia"):
        socket = make_socket(joined_client(atelier, display_name=name))
        assert socket.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)["ok"]
        socket.get_received()
        return socket

    return make


def test_join_sends_a_full_snapshot(make_atelier, joined_client, make_socket):
    atelier = make_atelier(title="Isolement", question="Qu'est-ce qui a marché ?")
    socket = make_socket(joined_client(atelier))
    ack = socket.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    assert ack == {"ok": True, "version": 0}
    (snapshot,) = events(socket, "atelier:snapshot")
    assert snapshot["atelier"]["title"] == "Isolement"
    assert snapshot["atelier"]["question"] == "Qu'est-ce qui a marché ?"
    assert snapshot["atelier"]["sequence"]["kind"] == "ateliers_pratiques"
    assert snapshot["version"] == 0
    assert snapshot["contributions"] == []
    assert snapshot["connected"] == 1


def test_a_card_reaches_the_room_and_only_the_room(make_atelier, phone, make_socket):
    atelier = make_atelier()
    other = make_atelier(event=atelier.event)
    author, neighbour, stranger = phone(atelier), phone(atelier, "Karim"), phone(other, "Léa")
    projector = make_socket()  # no cookie: a read-only viewer
    projector.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    projector.get_received()

    payload = card(atelier)
    ack = author.emit("contribution:create", payload, callback=True)

    assert ack["ok"] is True and ack["duplicate"] is False
    assert ack["contribution"]["titre"] == "Appels de convivialité"
    for socket in (author, neighbour, projector):
        (delta,) = events(socket, "contribution:created")
        assert delta["atelier_id"] == atelier.id
        assert delta["version"] == 1
        assert delta["contribution"]["client_id"] == payload["client_id"]
        assert delta["contribution"]["author"]["display_name"] == "Nadia"
    assert received(stranger) == []


def test_a_resent_card_is_stored_once_and_not_broadcast_again(make_atelier, phone):
    atelier = make_atelier()
    author, neighbour = phone(atelier), phone(atelier, "Karim")
    payload = card(atelier)
    first = author.emit("contribution:create", payload, callback=True)
    again = author.emit("contribution:create", payload, callback=True)
    assert again["ok"] is True and again["duplicate"] is True
    assert again["contribution"]["id"] == first["contribution"]["id"]
    assert len(events(neighbour, "contribution:created")) == 1
    assert db.session.query(Contribution).count() == 1


def test_rejoining_returns_the_current_state(make_atelier, phone):
    atelier = make_atelier()
    author = phone(atelier)
    author.emit("contribution:create", card(atelier, titre="Premier"), callback=True)
    author.emit("contribution:create", card(atelier, titre="Second"), callback=True)
    author.disconnect()
    author.connect()
    author.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    (snapshot,) = events(author, "atelier:snapshot")
    assert snapshot["version"] == 2
    assert [c["titre"] for c in snapshot["contributions"]] == ["Second", "Premier"]


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"titre": ""}, "titre"),
        ({"titre": "x" * 121}, "titre"),
        ({"description": "x" * 2001}, "description"),
        ({"public_concerne": ["pas", "un", "texte"]}, "public_concerne"),
        ({"client_id": "court"}, "client_id"),
        ({"client_id": None}, "client_id"),
    ],
)
def test_invalid_cards_are_refused_with_an_error_event(make_atelier, phone, change, field):
    atelier = make_atelier()
    author, neighbour = phone(atelier), phone(atelier, "Karim")
    ack = author.emit("contribution:create", card(atelier, **change), callback=True)
    assert ack["ok"] is False and ack["code"] == "invalid"
    assert field in ack["errors"]
    (error,) = events(author, "app:error")
    assert error["event"] == "contribution:create" and field in error["errors"]
    assert received(neighbour) == []
    assert db.session.query(Contribution).count() == 0
    assert db.session.get(Atelier, atelier.id).version == 0


@pytest.mark.parametrize("payload", [None, "texte", 42, ["liste"]])
def test_payloads_that_are_not_objects_are_refused(make_atelier, phone, payload):
    atelier = make_atelier()
    author = phone(atelier)
    ack = author.emit("contribution:create", payload, callback=True)
    assert ack["ok"] is False
    assert events(author, "app:error")[0]["event"] == "contribution:create"


def test_unknown_atelier_is_refused(make_atelier, phone):
    atelier = make_atelier()
    author = phone(atelier)
    for event in ("atelier:join", "contribution:create"):
        ack = author.emit(event, card(atelier, atelier_id=999999), callback=True)
        assert ack["ok"] is False and ack["code"] == "not_found"


def test_a_viewer_without_identity_cannot_post(make_atelier, make_socket):
    atelier = make_atelier()
    projector = make_socket()
    projector.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    ack = projector.emit("contribution:create", card(atelier), callback=True)
    assert ack["ok"] is False and ack["code"] == "not_joined"
    assert db.session.query(Contribution).count() == 0


def test_a_participant_cannot_post_into_another_atelier(make_atelier, phone):
    atelier = make_atelier()
    other = make_atelier(event=atelier.event)
    author = phone(atelier)
    ack = author.emit("contribution:create", card(other), callback=True)
    assert ack["ok"] is False and ack["code"] == "not_joined"


def test_closed_event_refuses_cards(make_atelier, phone):
    atelier = make_atelier()
    author = phone(atelier)
    atelier.event.status = "clos"
    db.session.commit()
    ack = author.emit("contribution:create", card(atelier), callback=True)
    assert ack["ok"] is False and ack["code"] == "closed"


def test_presence_counts_people_and_follows_them(make_atelier, phone, make_socket):
    atelier = make_atelier()
    other = make_atelier(event=atelier.event)
    first = phone(atelier)
    second = phone(atelier, "Karim")
    presence_broadcast.flush()  # presence is coalesced (push/presence.py)
    assert events(first, "presence")[-1] == {"atelier_id": atelier.id, "connected": 2}
    second.emit("atelier:join", {"atelier_id": other.id}, callback=True)
    presence_broadcast.flush()
    assert events(first, "presence")[-1]["connected"] == 1
    second.disconnect()
    first.emit("atelier:leave", {"atelier_id": atelier.id}, callback=True)
    assert first.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)["ok"]
    assert events(first, "atelier:snapshot")[-1]["connected"] == 1


def test_a_card_posted_without_javascript_is_broadcast(make_atelier, joined_client, phone):
    atelier = make_atelier()
    neighbour = phone(atelier, "Karim")
    browser = joined_client(atelier)
    token = form_token(browser, f"/e/{atelier.event.slug}/a/{atelier.id}")
    response = browser.post(
        f"/e/{atelier.event.slug}/a/{atelier.id}/contributions",
        data={"client_id": new_client_id(), "titre": "Sans JavaScript", "csrf_token": token},
    )
    assert response.status_code == 303
    (delta,) = events(neighbour, "contribution:created")
    assert delta["contribution"]["titre"] == "Sans JavaScript"


def test_presence_is_coalesced_one_message_per_atelier_with_the_latest_count(
    make_atelier, phone, make_socket
):
    atelier = make_atelier()
    other = make_atelier(event=atelier.event)
    watcher = make_socket()  # the projector: a viewer, not counted
    watcher.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    elsewhere = phone(other, "Léa")
    presence_broadcast.flush()
    watcher.get_received()
    elsewhere.get_received()

    joined = [phone(atelier, f"Personne {n}") for n in range(5)]
    # Five joins and a departure: nothing sent to the room yet, every snapshot is exact.
    joined[-1].disconnect()
    assert events(watcher, "presence") == []
    assert [events(s, "presence") for s in joined[:-1]] == [[]] * 4

    assert presence_broadcast.flush() == 1  # one atelier changed: one message
    assert events(watcher, "presence") == [{"atelier_id": atelier.id, "connected": 4}]
    for socket in joined[:-1]:
        assert events(socket, "presence") == [{"atelier_id": atelier.id, "connected": 4}]
    assert events(elsewhere, "presence") == []  # the other room did not change
    assert presence_broadcast.flush() == 0  # nothing new, nothing sent


def test_a_join_snapshot_carries_the_count_without_waiting_for_presence(
    make_atelier, phone, joined_client, make_socket
):
    atelier = make_atelier()
    phone(atelier)
    phone(atelier, "Karim")
    third = make_socket(joined_client(atelier, display_name="Zoé"))
    third.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    (snapshot,) = events(third, "atelier:snapshot")
    assert snapshot["connected"] == 3
    assert events(third, "presence") == []
