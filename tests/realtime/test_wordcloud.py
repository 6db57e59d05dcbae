"""« En un mot » over Socket.IO (PROTOCOL.md, "Word cloud"), through the test client."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from facilitation.extensions import db
from facilitation.models import CloudWord
from facilitation.push import wordcloud as push
from tests.conftest import new_client_id
from tests.support.voting import facilitator_client


def events(socket, name):
    return [r["args"][0] for r in socket.get_received() if r["name"] == name]


def word_count():
    return db.session.scalar(select(func.count()).select_from(CloudWord))


@pytest.fixture
def room(app, make_atelier, joined_client, make_socket):
    class Room:
        pass

    r = Room()
    r.atelier = make_atelier()
    r.phones = [make_socket(joined_client(r.atelier, display_name=n)) for n in ("Alice", "Bob")]
    r.facilitator = make_socket(facilitator_client(app, r.atelier))
    r.projector = make_socket()
    for socket in [*r.phones, r.projector]:
        assert socket.emit("atelier:join", {"atelier_id": r.atelier.id}, callback=True)["ok"]
    assert r.facilitator.emit("console:join", {"atelier_id": r.atelier.id}, callback=True)["ok"]
    r.everyone = [*r.phones, r.facilitator, r.projector]
    for socket in r.everyone:
        socket.get_received()
    return r


def open_cloud(r, **kw):
    ack = r.facilitator.emit("cloud:open", {"atelier_id": r.atelier.id, **kw}, callback=True)
    assert ack["ok"], ack
    return ack["cloud"]


def send(socket, r, cloud, text, client_id=None):
    return socket.emit(
        "cloud:send",
        {
            "atelier_id": r.atelier.id,
            "cloud_id": cloud["id"],
            "client_id": client_id or new_client_id(),
            "text": text,
        },
        callback=True,
    )


def test_opening_reaches_every_screen_with_the_default_question(room):
    cloud = open_cloud(room, max_words=2)
    assert cloud["max_words"] == 2 and cloud["status"] == "ouvert"
    for socket in room.everyone:
        (msg,) = events(socket, "cloud:changed")
        assert msg["cloud"]["id"] == cloud["id"]
        assert msg["cloud"]["question"].startswith("En un mot")
        assert msg["version"] >= 1


def test_words_are_coalesced_into_one_tally_per_flush(room):
    cloud = open_cloud(room)
    for socket in room.everyone:
        socket.get_received()
    for socket, text in [(room.phones[0], "Solidarité"), (room.phones[1], "solidarités")]:
        ack = send(socket, room, cloud, text)
        assert ack["ok"] and not ack["duplicate"], ack
    assert events(room.projector, "cloud:tally") == []  # nothing before the flush
    assert push.flush(room.atelier.id) == 1
    (tally,) = events(room.projector, "cloud:tally")
    assert tally["words"] == [{"key": tally["words"][0]["key"], "label": "solidarité", "count": 2}]
    console = events(room.facilitator, "cloud:tally")
    assert any(t.get("moderation") for t in console)


def test_a_resend_stores_one_word(room):
    cloud = open_cloud(room)
    cid = new_client_id()
    first = send(room.phones[0], room, cloud, "écoute", cid)
    again = send(room.phones[0], room, cloud, "écoute", cid)
    assert first["ok"] and again["ok"] and again["duplicate"]
    assert again["word"] == first["word"]
    assert word_count() == 1


def test_bad_words_get_a_french_message(room):
    cloud = open_cloud(room, max_words=1)
    for text in ("", "x" * 41, "les des"):
        ack = send(room.phones[0], room, cloud, text)
        assert not ack["ok"] and ack["code"] == "invalid" and ack["errors"]["text"]
    assert send(room.phones[0], room, cloud, "écoute")["ok"]
    ack = send(room.phones[0], room, cloud, "lien")
    assert not ack["ok"] and "un seul" in ack["errors"]["text"]
    assert word_count() == 1


def test_a_participant_of_another_atelier_cannot_send(
    room, make_atelier, joined_client, make_socket
):
    cloud = open_cloud(room)
    other = make_atelier(event=room.atelier.event)
    stranger = make_socket(joined_client(other, display_name="Chloé"))
    ack = send(stranger, room, cloud, "écoute")
    assert not ack["ok"] and ack["code"] == "not_joined"
    assert not send(room.projector, room, cloud, "écoute")["ok"]  # no participant at all
    assert word_count() == 0


def test_a_closed_cloud_refuses_words(room):
    cloud = open_cloud(room)
    ack = room.facilitator.emit(
        "cloud:close", {"atelier_id": room.atelier.id, "cloud_id": cloud["id"]}, callback=True
    )
    assert ack["ok"] and ack["cloud"]["status"] == "clos"
    msg = events(room.phones[0], "cloud:changed")[-1]  # the open's, then the close's
    assert msg["cloud"] is None and msg["closed"]["id"] == cloud["id"]
    ack = send(room.phones[0], room, cloud, "écoute")
    assert not ack["ok"] and ack["code"] == "cloud_closed"


def test_only_the_facilitator_opens_closes_and_hides(room):
    cloud = open_cloud(room)
    phone = room.phones[0]
    assert phone.emit("cloud:open", {"atelier_id": room.atelier.id}, callback=True)["code"] == (
        "forbidden"
    )
    for name, extra in [
        ("cloud:close", {}),
        ("cloud:hide", {"key": "ecout", "hidden": True}),
    ]:
        ack = phone.emit(
            name, {"atelier_id": room.atelier.id, "cloud_id": cloud["id"], **extra}, callback=True
        )
        assert not ack["ok"] and ack["code"] == "forbidden", (name, ack)


def test_hiding_a_word_takes_it_off_the_projector_and_phones(room):
    cloud = open_cloud(room)
    send(room.phones[0], room, cloud, "écoute")
    send(room.phones[1], room, cloud, "colère")
    push.flush(room.atelier.id)
    key = next(
        w["key"]
        for w in events(room.projector, "cloud:tally")[-1]["words"]
        if w["label"] == "colère"
    )
    ack = room.facilitator.emit(
        "cloud:hide",
        {"atelier_id": room.atelier.id, "cloud_id": cloud["id"], "key": key, "hidden": True},
        callback=True,
    )
    assert ack["ok"] and ack["changed"]
    assert {w["label"]: w["hidden"] for w in ack["tally"]["words"]} == {
        "écoute": False,
        "colère": True,
    }
    (msg,) = events(room.projector, "cloud:changed")
    assert [w["label"] for w in msg["tally"]["words"]] == ["écoute"]
    # A phone joining later does not see it either.
    room.phones[1].emit("atelier:join", {"atelier_id": room.atelier.id}, callback=True)
    (snap,) = events(room.phones[1], "atelier:snapshot")
    assert [w["label"] for w in snap["cloud"]["tally"]["words"]] == ["écoute"]
    assert [w["text"] for w in snap["cloud"]["mine"]] == ["colère"]  # still one's own


def test_a_rejoining_phone_gets_the_open_cloud_its_words_and_the_counts(room):
    cloud = open_cloud(room)
    send(room.phones[0], room, cloud, "écoute")
    room.phones[0].emit("atelier:join", {"atelier_id": room.atelier.id}, callback=True)
    (snap,) = events(room.phones[0], "atelier:snapshot")
    assert snap["cloud"]["cloud"]["id"] == cloud["id"]
    assert [w["text"] for w in snap["cloud"]["mine"]] == ["écoute"]
    assert snap["cloud"]["tally"]["words"][0]["count"] == 1


def test_a_cloud_id_of_another_atelier_is_not_found(room, make_atelier, app):
    other = make_atelier(event=room.atelier.event)
    cloud = open_cloud(room)
    ack = room.facilitator.emit(
        "cloud:close", {"atelier_id": other.id, "cloud_id": cloud["id"]}, callback=True
    )
    assert not ack["ok"]
