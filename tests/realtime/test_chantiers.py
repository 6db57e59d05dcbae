"""The chantier events of PROTOCOL.md: broadcast to the room only, idempotent, authorised."""

import json

import pytest

from facilitation.domain import access
from facilitation.edge.identity import LINKS_KEY
from facilitation.extensions import db
from facilitation.models import Atelier, ChantierAddition, ChantierComment, Engagement
from tests.conftest import new_client_id


def events(socket, name):
    return [r["args"][0] for r in socket.get_received() if r["name"] == name]


@pytest.fixture
def afternoon(make_event, make_atelier):
    def make(event=None):
        event = event or make_event(communes=["Le Pecq", "Chatou", "Montesson"])
        return make_atelier(event=event, kind="ateliers_chantiers")

    return make


@pytest.fixture
def phone(joined_client, make_socket):
    """Factory: a phone (cookies + socket) in ``atelier``'s room, inbox drained."""

    def make(atelier, name="Nadia"):
        socket = make_socket(joined_client(atelier, display_name=name))
        assert socket.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)["ok"]
        socket.get_received()
        return socket

    return make


@pytest.fixture
def projector(make_socket):
    def make(atelier):
        socket = make_socket()
        socket.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
        socket.get_received()
        return socket

    return make


def propose(socket, atelier, **kw):
    payload = {
        "client_id": new_client_id(),
        "atelier_id": atelier.id,
        "titre": "Annuaire partagé des structures",
        "constat": "On ne se connaît pas d'une commune à l'autre.",
        "communes": ["Chatou", "Le Pecq"],
    } | kw
    ack = socket.emit("chantier:create", payload, callback=True)
    assert ack["ok"] is True, ack
    socket.get_received()
    return ack["contribution"]


def test_a_chantier_reaches_the_room_with_its_fields(afternoon, phone, projector):
    atelier = afternoon()
    author, neighbour = phone(atelier), phone(atelier, "Karim")
    screen = projector(atelier)
    stranger = phone(afternoon(event=atelier.event), "Léa")
    ack = author.emit(
        "chantier:create",
        {
            "client_id": new_client_id(),
            "atelier_id": atelier.id,
            "titre": "Guichet unique itinérant",
            "objectif": "Aller vers",
            "communes": ["Montesson", "Le Pecq"],
        },
        callback=True,
    )
    assert ack["ok"] is True and ack["duplicate"] is False
    for socket in (author, neighbour, screen):
        (delta,) = events(socket, "contribution:created")
        assert delta["version"] == 1
        assert delta["contribution"]["kind"] == "chantier"
        assert delta["contribution"]["chantier"]["fields"]["objectif"] == "Aller vers"
        assert delta["contribution"]["chantier"]["communes"] == ["Le Pecq", "Montesson"]
    assert stranger.get_received() == []

    author.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    (snapshot,) = events(author, "atelier:snapshot")
    (chantier,) = snapshot["chantiers"]
    assert chantier["id"] == ack["contribution"]["id"]
    assert chantier["fields"]["objectif"] == "Aller vers"


def test_additions_are_live_idempotent_and_keep_their_author(afternoon, phone, projector):
    atelier = afternoon()
    author, karim = phone(atelier), phone(atelier, "Karim")
    screen = projector(atelier)
    card = propose(author, atelier)
    karim.get_received()
    screen.get_received()

    payload = {
        "client_id": new_client_id(),
        "chantier_id": card["id"],
        "field": "partenaires",
        "text": "La CAF des Yvelines",
    }
    first = karim.emit("chantier:add", payload, callback=True)
    again = karim.emit("chantier:add", payload, callback=True)
    assert first["ok"] and not first["duplicate"]
    assert again["ok"] and again["duplicate"] and again["addition_id"] == first["addition_id"]
    for socket in (author, karim, screen):
        (update,) = events(socket, "chantier:updated")
        assert update["atelier_id"] == atelier.id and update["version"] == 2
        (addition,) = update["chantier"]["additions"]
        assert addition["author"]["display_name"] == "Karim"
        assert addition["text"] == "La CAF des Yvelines"
    assert db.session.query(ChantierAddition).count() == 1

    comment = {"client_id": new_client_id(), "chantier_id": card["id"], "text": "J'en suis !"}
    assert author.emit("chantier:comment", comment, callback=True)["ok"]
    assert author.emit("chantier:comment", comment, callback=True)["duplicate"] is True
    (update,) = events(screen, "chantier:updated")
    assert update["version"] == 3
    assert update["chantier"]["comments"][0]["author"]["display_name"] == "Nadia"
    assert db.session.query(ChantierComment).count() == 1


def test_refused_writes_change_nothing_and_say_why(afternoon, phone, projector):
    atelier = afternoon()
    author = phone(atelier)
    card = propose(author, atelier)
    screen = projector(atelier)
    outsider = phone(afternoon(event=atelier.event), "Léa")
    base = {"chantier_id": card["id"], "field": "objectif", "text": "x"}
    cases = [
        (screen, "chantier:add", base, "not_joined"),
        (outsider, "chantier:add", base, "not_joined"),
        (outsider, "chantier:comment", base, "not_joined"),
        (author, "chantier:consolidate", base, "forbidden"),
        (screen, "chantier:engage", base, "not_joined"),
        (author, "chantier:add", base | {"field": "inconnu"}, "invalid"),
        (author, "chantier:add", base | {"chantier_id": 999999}, "not_found"),
        (author, "chantier:add", {**base, "client_id": "court"}, "invalid"),
    ]
    for socket, name, payload, code in cases:
        payload = {"client_id": new_client_id()} | payload
        ack = socket.emit(name, payload, callback=True)
        assert ack["ok"] is False and ack["code"] == code, (name, ack)
        (error,) = events(socket, "app:error")
        assert error["event"] == name
    assert events(author, "chantier:updated") == []
    assert db.session.query(ChantierAddition).count() == 0
    assert db.session.get(Atelier, atelier.id).version == 1


def test_chantiers_are_not_created_in_morning_ateliers(make_atelier, phone):
    morning = make_atelier()
    socket = phone(morning)
    ack = socket.emit(
        "chantier:create",
        {"client_id": new_client_id(), "atelier_id": morning.id, "titre": "Hors sujet"},
        callback=True,
    )
    assert ack["ok"] is False and ack["code"] == "forbidden"


def test_the_facilitator_consolidates_live(afternoon, phone, app, make_socket):
    atelier = afternoon()
    author = phone(atelier)
    card = propose(author, atelier)
    link, _token = access.create_facilitator_link(atelier.event, atelier, label="Camille")
    db.session.commit()
    browser = app.test_client()
    with browser.session_transaction() as session:
        session[LINKS_KEY] = [link.id]
    console = make_socket(browser)
    payload = {
        "client_id": new_client_id(),
        "chantier_id": card["id"],
        "field": "constat",
        "text": "Synthèse de l'atelier",
    }
    ack = console.emit("chantier:consolidate", payload, callback=True)
    assert ack["ok"] and not ack["duplicate"]
    assert console.emit("chantier:consolidate", payload, callback=True)["duplicate"] is True
    (update,) = events(author, "chantier:updated")
    assert update["chantier"]["fields"]["constat"] == "Synthèse de l'atelier"
    assert update["chantier"]["consolidated"]["constat"]["by"] == "Camille"
    got = console.emit("chantier:get", {"chantier_id": card["id"]}, callback=True)
    assert got["can_consolidate"] is True and "contacts" not in got


def test_engagements_never_broadcast_a_contact(afternoon, phone, projector):
    atelier = afternoon()
    porteur, karim, lea = phone(atelier), phone(atelier, "Karim"), phone(atelier, "Léa")
    card = propose(porteur, atelier)
    screen = projector(atelier)
    for socket in (karim, lea):
        socket.get_received()

    engage = {
        "client_id": new_client_id(),
        "chantier_id": card["id"],
        "contact": "karim@example.org",
        "consent": True,
    }
    ack = karim.emit("chantier:engage", engage, callback=True)
    assert ack["ok"] and ack["mine"]["contact"] == "karim@example.org"
    assert karim.emit("chantier:engage", engage, callback=True)["duplicate"] is True
    refused = lea.emit(
        "chantier:engage",
        {"client_id": new_client_id(), "chantier_id": card["id"], "contact": "lea@example.org"},
        callback=True,
    )
    assert refused["ok"] is False and "consent" in refused["errors"]

    for socket in (porteur, karim, lea, screen):
        updates = events(socket, "chantier:updated")
        assert len(updates) == 1
        assert updates[0]["chantier"]["engagements"]["count"] == 1
        assert "example.org" not in json.dumps(updates)
    assert db.session.query(Engagement).count() == 1

    for socket in (lea, screen):
        got = socket.emit("chantier:get", {"chantier_id": card["id"]}, callback=True)
        assert "contacts" not in got and "example.org" not in json.dumps(got)
    mine = porteur.emit("chantier:get", {"chantier_id": card["id"]}, callback=True)
    assert [c["contact"] for c in mine["contacts"]] == ["karim@example.org"]

    out = karim.emit(
        "chantier:disengage",
        {"client_id": new_client_id(), "chantier_id": card["id"]},
        callback=True,
    )
    assert out["ok"] and out["chantier"]["engagements"]["count"] == 0
    assert events(screen, "chantier:updated")[-1]["chantier"]["engagements"]["count"] == 0
    assert db.session.query(Engagement).count() == 0
