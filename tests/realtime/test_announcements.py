"""The control room's announcements over Socket.IO: stored, sent once per client id, in the
snapshot of a phone that joins later, withdrawn from every screen."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from facilitation.domain import access
from facilitation.extensions import db
from facilitation.models import Announcement, Organizer
from tests.conftest import new_client_id


def events(socket, name):
    return [r["args"][0] for r in socket.get_received() if r["name"] == name]


@pytest.fixture
def regie(app, make_atelier, make_socket):
    """Factory: ``(atelier, organizer socket)``, the organizer in the control room."""

    def make():
        atelier = make_atelier()
        organizer = Organizer(email=f"regie-{new_client_id()[:6]}@example.org", password_hash="x")
        db.session.add(organizer)
        db.session.flush()
        access.grant_event(organizer, atelier.event)
        db.session.commit()
        client = app.test_client()
        with client.session_transaction() as session:
            session["organizer_id"] = organizer.id
            session["organizer_session"] = organizer.session_version
        socket = make_socket(client)
        ack = socket.emit("control:join", {"event_id": atelier.event_id}, callback=True)
        assert ack["ok"] and ack["announcement"] is None
        return atelier, socket

    return make


def send(socket, atelier, text="Retour en plénière à 15h45", client_id=None, **extra):
    return socket.emit(
        "announcement:send",
        {
            "event_id": atelier.event_id,
            "client_id": client_id or new_client_id(),
            "text": text,
            **extra,
        },
        callback=True,
    )


def join(socket, atelier):
    assert socket.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)["ok"]
    (snapshot,) = events(socket, "atelier:snapshot")
    return snapshot


def test_a_phone_that_joins_later_gets_the_current_announcement(regie, joined_client, make_socket):
    atelier, organizer = regie()
    ack = send(organizer, atelier)
    assert ack["ok"] and ack["duplicate"] is False
    sent = ack["announcement"]
    assert sent["text"] == "Retour en plénière à 15h45"
    # The same instant, in the event's time zone (Paris: UTC+1 or UTC+2).
    local, utc = datetime.fromisoformat(sent["at_local"]), datetime.fromisoformat(sent["at"])
    assert local == utc and local.utcoffset() in (timedelta(hours=1), timedelta(hours=2))

    phone = make_socket(joined_client(atelier, display_name="Nadia"))
    snapshot = join(phone, atelier)
    assert snapshot["announcement"] == sent
    # The control room sees it too (a reload of the régie).
    again = organizer.emit("control:snapshot", {"event_id": atelier.event_id}, callback=True)
    assert again["announcement"]["id"] == sent["id"]


def test_a_retried_send_is_stored_and_broadcast_once(regie, make_socket):
    atelier, organizer = regie()
    projector = make_socket()
    join(projector, atelier)
    organizer.get_received()
    cid = new_client_id()

    first = send(organizer, atelier, client_id=cid)
    retry = send(organizer, atelier, client_id=cid)

    assert retry["ok"] and retry["duplicate"] is True
    assert retry["announcement"]["id"] == first["announcement"]["id"]
    assert db.session.query(Announcement).count() == 1
    (message,) = events(projector, "announcement")
    assert message["id"] == first["announcement"]["id"]


def test_withdrawing_clears_every_screen_and_the_snapshot(regie, joined_client, make_socket):
    atelier, organizer = regie()
    phone = make_socket(joined_client(atelier, display_name="Nadia"))
    sent = send(organizer, atelier)["announcement"]
    join(phone, atelier)
    organizer.get_received()

    ack = organizer.emit(
        "announcement:clear",
        {"event_id": atelier.event_id, "announcement_id": sent["id"]},
        callback=True,
    )

    assert ack["ok"] and ack["duplicate"] is False and ack["announcement"]["withdrawn"]
    for socket in (phone, organizer):
        (cleared,) = events(socket, "announcement:cleared")
        assert cleared == {"event_id": atelier.event_id, "id": sent["id"]}
    phone.disconnect()
    phone.connect()
    assert join(phone, atelier)["announcement"] is None
    twice = organizer.emit(
        "announcement:clear",
        {"event_id": atelier.event_id, "announcement_id": sent["id"]},
        callback=True,
    )
    assert twice["ok"] and twice["duplicate"] is True
    assert events(organizer, "announcement:cleared") == []


def test_refusals_answer_in_french_and_store_nothing(regie, joined_client, make_socket):
    atelier, organizer = regie()
    missing = organizer.emit(
        "announcement:send",
        {"event_id": atelier.event_id, "text": "Sans identifiant"},
        callback=True,
    )
    assert missing["code"] == "invalid" and "client_id" in missing["errors"]
    empty = send(organizer, atelier, text="   ")
    assert empty["code"] == "invalid" and "text" in empty["errors"]
    phone = make_socket(joined_client(atelier, display_name="Nadia"))
    forged = send(phone, atelier)
    assert forged["code"] == "forbidden"
    assert db.session.query(Announcement).count() == 0
