"""« Tour anonyme » and « validation des cartes » over Socket.IO (PROTOCOL.md): anonymity holds
in every raw payload the projector, the phones and the console receive; the approval queue
(pending cards seen by nobody but the consoles and their author, accept → one broadcast,
decline with a reason, across a reconnection and an app restart), authorisation, idempotence."""

from __future__ import annotations

import json

import pytest
from sqlalchemy import select

from facilitation import create_app
from facilitation.domain.phases import current_round
from facilitation.extensions import db, socketio
from facilitation.models import Atelier, Contribution
from tests.conftest import new_client_id
from tests.realtime.test_facilitation_protocol import (  # noqa: F401  (the fixture)
    ROLES,
    day,
    events,
    join,
    names,
)

NAME = "Zoé Secrète"
STRUCTURE = "Mairie Cachée"
COMMUNE = "Villeneuve-Discrète"


def raw(socket) -> str:
    """Everything ``socket`` received, as the JSON that went over the wire."""
    return json.dumps(socket.get_received(), ensure_ascii=False)


def leaks(text: str) -> list[str]:
    return [s for s in (NAME, STRUCTURE, COMMUNE) if s in text]


@pytest.fixture
def room(app, make_atelier, joined_client, make_socket, day):  # noqa: F811
    """An atelier with a console, the author's phone, another phone and a projector."""

    def make(anonymous: bool = False, approval: bool = False):
        d = day()
        author = joined_client(d.atelier, display_name=NAME, structure=STRUCTURE)
        sockets = {
            "console": make_socket(d.clients["facilitator"]),
            "author": make_socket(author),
            "phone": make_socket(d.clients["participant"]),
            "projector": make_socket(d.clients["viewer"]),
        }
        join(sockets["console"], d.atelier, "console:join")
        rnd = current_round(d.atelier)
        if anonymous:
            ack = sockets["console"].emit(
                "round:anonymous",
                {"atelier_id": d.atelier.id, "round_id": rnd.id, "anonymous": True},
                callback=True,
            )
            assert ack["ok"] and ack["round"]["anonymous"] is True, ack
        if approval:
            ack = sockets["console"].emit(
                "approval:set", {"atelier_id": d.atelier.id, "enabled": True}, callback=True
            )
            assert ack["ok"] and ack["enabled"] is True, ack
        for name in ("author", "phone", "projector"):
            join(sockets[name], d.atelier)
        return d, author, sockets

    return make


def post(socket, atelier, titre="Café des aidants", **extra):
    payload = {
        "atelier_id": atelier.id,
        "client_id": new_client_id(),
        "titre": titre,
        "description": "Un lieu pour souffler.",
        "structure": STRUCTURE,
        "commune": COMMUNE,
        **extra,
    }
    ack = socket.emit("contribution:create", payload, callback=True)
    assert ack["ok"], ack
    return payload, ack


# ------------------------------------------------------------------------- anonymity
def test_an_anonymous_card_names_nobody_in_any_payload(room, make_socket):
    d, author_client, s = room(anonymous=True)
    # The phone says so before posting: the round in its snapshot is anonymous.
    (snap,) = events(s["author"], "atelier:snapshot")
    assert snap["round"]["anonymous"] is True
    for socket in s.values():
        socket.get_received()

    _payload, ack = post(s["author"], d.atelier)
    card_id = ack["contribution"]["id"]
    # The author's own ack says « votre carte », without their name either.
    assert ack["contribution"]["mine"] is True and ack["contribution"]["anonymous"] is True
    # The facilitator edits and pins it: every delta too.
    for event, body in (
        ("moderation:edit", {"titre": "Café des aidants (mardi)"}),
        ("moderation:pin", {"pinned": True}),
        ("moderation:hide", {"hidden": True}),
        ("moderation:hide", {"hidden": False}),
    ):
        ack = s["console"].emit(
            event, {"atelier_id": d.atelier.id, "contribution_id": card_id, **body}, callback=True
        )
        assert ack["ok"], ack
        assert not leaks(json.dumps(ack, ensure_ascii=False))

    for name in ("console", "phone", "projector"):
        text = raw(s[name])
        assert "Café des aidants" in text, name  # the card did reach them
        assert leaks(text) == [], (name, leaks(text))

    # Snapshots after a reconnection too: console, phone, projector, and the HTML pages.
    for name, event in (("console", "console:join"), ("phone", "atelier:join")):
        join(s[name], d.atelier, event)
        assert leaks(raw(s[name])) == []
    fresh = make_socket(d.clients["viewer"])
    join(fresh, d.atelier)
    assert leaks(raw(fresh)) == []
    slug = d.atelier.event.slug
    # The test client's requests share this test's app context, so its session: rows the
    # sockets changed (the round made anonymous) must be read again, as a real request would.
    db.session.expire_all()
    for client, url in (
        (d.clients["facilitator"], f"/animation/e/{slug}/a/{d.atelier.id}"),
        (d.clients["viewer"], f"/e/{slug}/a/{d.atelier.id}/projecteur"),
        (d.clients["participant"], f"/e/{slug}/a/{d.atelier.id}"),
    ):
        page = client.get(url)
        assert page.status_code == 200, url
        html = page.get_data(as_text=True)
        assert "Café des aidants" in html and leaks(html) == [], url
    # The phone's form says it before posting, from the first paint (no script needed).
    wall_page = d.clients["participant"].get(f"/e/{slug}/a/{d.atelier.id}").get_data(as_text=True)
    assert '<p class="form-notice form-notice--anonymous" id="anonymous-notice">' in wall_page
    assert "Tour anonyme : votre nom et votre structure ne seront pas affichés." in wall_page

    # The author's phone still knows the card is theirs (« votre carte »).
    s["author"].get_received()
    join(s["author"], d.atelier)
    (mine,) = events(s["author"], "atelier:snapshot")
    assert card_id in mine["mine"]["ids"]


def test_cards_posted_anonymously_stay_anonymous_when_the_round_stops_being(room):
    d, _author, s = room(anonymous=True)
    _p, before = post(s["author"], d.atelier, titre="Avant")
    rnd = current_round(d.atelier)
    ack = s["console"].emit(
        "round:anonymous",
        {"atelier_id": d.atelier.id, "round_id": rnd.id, "anonymous": False},
        callback=True,
    )
    assert ack["ok"] and ack["round"]["anonymous"] is False
    # Phones hear it at once (the line above the form goes away).
    (changed,) = events(s["phone"], "round:changed")
    assert changed["round"]["anonymous"] is False
    _p, after = post(s["author"], d.atelier, titre="Après")
    join(s["projector"], d.atelier)
    snap = events(s["projector"], "atelier:snapshot")[-1]
    cards = {c["titre"]: c for c in snap["contributions"]}
    assert cards["Avant"]["author"] is None and cards["Avant"]["structure"] == ""
    assert cards["Après"]["author"]["display_name"] == NAME
    assert cards["Après"]["structure"] == STRUCTURE
    assert before["contribution"]["anonymous"] and not after["contribution"]["anonymous"]


def test_the_author_still_edits_and_withdraws_an_anonymous_card(room):
    d, _author, s = room(anonymous=True)
    payload, _ack = post(s["author"], d.atelier)
    ack = s["author"].emit(
        "contribution:update",
        {"atelier_id": d.atelier.id, "client_id": payload["client_id"], "titre": "Corrigé"},
        callback=True,
    )
    assert ack["ok"] and ack["contribution"]["titre"] == "Corrigé"
    assert leaks(raw(s["projector"])) == []
    ack = s["author"].emit(
        "contribution:withdraw",
        {"atelier_id": d.atelier.id, "client_id": payload["client_id"]},
        callback=True,
    )
    assert ack["ok"], ack


# ------------------------------------------------------------------------- approval
def test_a_pending_card_reaches_only_the_console_and_its_author(room):
    d, _author, s = room(approval=True)
    for socket in s.values():
        socket.get_received()
    _payload, ack = post(s["author"], d.atelier)
    card = ack["contribution"]
    assert card["status"] == "pending" and card["mine"] is True
    for name in ("phone", "projector"):
        assert "Café des aidants" not in raw(s[name]), name
    (queued,) = events(s["console"], "approval:queued")
    assert queued["contribution"]["id"] == card["id"]
    # The author's other tabs hear it too.
    assert events(s["author"], "approval:mine")[0]["contribution"]["status"] == "pending"
    # Reconnections: the projector and the other phone still see nothing; the console's
    # snapshot carries the queue, the author's their waiting card.
    join(s["projector"], d.atelier)
    assert "Café des aidants" not in raw(s["projector"])
    join(s["console"], d.atelier, "console:join")
    console_snap = events(s["console"], "atelier:snapshot")[-1]
    assert [c["id"] for c in console_snap["queue"]] == [card["id"]]
    assert card["id"] not in [c["id"] for c in console_snap["contributions"]]
    join(s["author"], d.atelier)
    author_snap = events(s["author"], "atelier:snapshot")[-1]
    assert [c["id"] for c in author_snap["mine"]["waiting"]] == [card["id"]]
    assert author_snap["atelier"]["card_approval"] is True


def test_accept_broadcasts_once_and_is_idempotent(room):
    d, _author, s = room(approval=True)
    _payload, ack = post(s["author"], d.atelier)
    card_id = ack["contribution"]["id"]
    for socket in s.values():
        socket.get_received()
    body = {"atelier_id": d.atelier.id, "contribution_id": card_id, "titre": "Café (relu)"}
    first = s["console"].emit("approval:accept", body, callback=True)
    second = s["console"].emit("approval:accept", body, callback=True)
    assert first["ok"] and first["changed"] is True
    assert second["ok"] and second["changed"] is False
    for name in ("phone", "projector"):
        created = events(s[name], "contribution:created")
        assert [c["contribution"]["titre"] for c in created] == ["Café (relu)"], name
    assert events(s["author"], "approval:mine")[-1]["contribution"]["status"] == "accepted"
    assert events(s["console"], "approval:decided")[0]["status"] == "accepted"
    db.session.expire_all()
    assert db.session.get(Contribution, card_id).status == "accepted"


def test_decline_with_a_reason_reaches_the_author_only(room):
    d, _author, s = room(approval=True)
    payload, ack = post(s["author"], d.atelier)
    card_id = ack["contribution"]["id"]
    for socket in s.values():
        socket.get_received()
    body = {"atelier_id": d.atelier.id, "contribution_id": card_id, "reason": "Trop vague"}
    first = s["console"].emit("approval:decline", body, callback=True)
    again = s["console"].emit("approval:decline", body, callback=True)
    assert first["changed"] is True and again["changed"] is False
    (mine,) = events(s["author"], "approval:mine")
    assert mine["contribution"]["status"] == "declined"
    assert mine["contribution"]["decline_reason"] == "Trop vague"
    assert mine["contribution"]["titre"] == "Café des aidants"  # the text is kept
    for name in ("phone", "projector"):
        assert "Trop vague" not in raw(s[name]) and "Café" not in raw(s[name])
    # The author's snapshot keeps it with the reason; reworking sends it back to the queue.
    join(s["author"], d.atelier)
    (waiting,) = events(s["author"], "atelier:snapshot")[-1]["mine"]["waiting"]
    assert waiting["decline_reason"] == "Trop vague"
    ack = s["author"].emit(
        "contribution:update",
        {"atelier_id": d.atelier.id, "client_id": payload["client_id"], "titre": "Plus précis"},
        callback=True,
    )
    assert ack["ok"] and ack["contribution"]["status"] == "pending"
    assert events(s["console"], "approval:queued")[-1]["contribution"]["titre"] == "Plus précis"


def test_an_accepted_card_is_not_declined(room):
    d, _author, s = room(approval=True)
    _payload, ack = post(s["author"], d.atelier)
    body = {"atelier_id": d.atelier.id, "contribution_id": ack["contribution"]["id"]}
    assert s["console"].emit("approval:accept", body, callback=True)["ok"]
    refused = s["console"].emit("approval:decline", body, callback=True)
    assert refused["ok"] is False and refused["message"]


def test_the_same_post_twice_is_one_waiting_card(room):
    d, _author, s = room(approval=True)
    payload, _ = post(s["author"], d.atelier)
    again = s["author"].emit("contribution:create", payload, callback=True)
    assert again["ok"] and again["contribution"]["status"] == "pending"
    rows = db.session.scalars(
        select(Contribution).where(Contribution.client_id == payload["client_id"])
    ).all()
    assert len(rows) == 1


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("event", ["approval:accept", "approval:decline"])
def test_only_facilitators_decide(room, make_socket, role, event):
    d, _author, s = room(approval=True)
    _payload, ack = post(s["author"], d.atelier)
    card_id = ack["contribution"]["id"]
    socket = make_socket(d.clients[role])
    answer = socket.emit(
        event, {"atelier_id": d.atelier.id, "contribution_id": card_id}, callback=True
    )
    db.session.expire_all()
    status = db.session.get(Contribution, card_id).status
    if role in {"organizer", "facilitator"}:
        assert answer["ok"], answer
        assert status != "pending"
    else:
        assert answer["ok"] is False and answer["code"] in {"forbidden", "not_found"}
        assert status == "pending"
        assert "app:error" in names(socket)


@pytest.mark.parametrize("role", ROLES)
def test_only_facilitators_change_the_settings(day, make_socket, role):  # noqa: F811
    d = day()
    socket = make_socket(d.clients[role])
    rnd = current_round(d.atelier)
    a = socket.emit("approval:set", {"atelier_id": d.atelier.id, "enabled": True}, callback=True)
    b = socket.emit(
        "round:anonymous",
        {"atelier_id": d.atelier.id, "round_id": rnd.id, "anonymous": True},
        callback=True,
    )
    db.session.expire_all()
    atelier = db.session.get(Atelier, d.atelier.id)
    allowed = role in {"organizer", "facilitator"}
    assert a["ok"] is allowed and b["ok"] is allowed
    assert atelier.card_approval is allowed
    assert current_round(atelier).anonymous is allowed


def test_bad_settings_are_refused_in_french(day, make_socket):  # noqa: F811
    d = day()
    socket = make_socket(d.clients["facilitator"])
    ack = socket.emit("approval:set", {"atelier_id": d.atelier.id, "enabled": "yes"}, callback=True)
    assert ack["ok"] is False and ack["errors"]["value"] == "Oui ou non attendu."
    ack = socket.emit(
        "approval:decline",
        {"atelier_id": d.atelier.id, "contribution_id": d.theirs.id, "reason": "x" * 301},
        callback=True,
    )
    assert ack["ok"] is False


def test_turning_approval_off_keeps_waiting_cards_waiting(room):
    d, _author, s = room(approval=True)
    _p, waiting = post(s["author"], d.atelier, titre="En file")
    ack = s["console"].emit(
        "approval:set", {"atelier_id": d.atelier.id, "enabled": False}, callback=True
    )
    assert ack["ok"] and ack["changed"]
    (settings,) = events(s["phone"], "atelier:settings")
    assert settings["card_approval"] is False
    _p, direct = post(s["author"], d.atelier, titre="Directe")
    assert direct["contribution"]["status"] == "accepted"
    join(s["console"], d.atelier, "console:join")
    snap = events(s["console"], "atelier:snapshot")[-1]
    assert [c["titre"] for c in snap["queue"]] == ["En file"]
    assert waiting["contribution"]["status"] == "pending"


def test_the_queue_survives_an_app_restart(room, app_config):
    """A new app instance on the same database (a restart) gives the console its queue and
    the author their waiting card back."""
    d, author_client, s = room(approval=True)
    _p, ack = post(s["author"], d.atelier)
    card_id = ack["contribution"]["id"]
    facilitator_cookie = d.clients["facilitator"]
    # The old server goes away with its sockets (presence is left clean for the next tests).
    for socket in s.values():
        socket.disconnect()
    restarted = create_app(app_config)
    with restarted.app_context():
        console = socketio.test_client(restarted, flask_test_client=facilitator_cookie)
        phone = socketio.test_client(restarted, flask_test_client=author_client)
        try:
            join(console, d.atelier, "console:join")
            (snap,) = events(console, "atelier:snapshot")
            assert [c["id"] for c in snap["queue"]] == [card_id]
            join(phone, d.atelier)
            (mine,) = events(phone, "atelier:snapshot")
            assert [c["id"] for c in mine["mine"]["waiting"]] == [card_id]
            accepted = console.emit(
                "approval:accept",
                {"atelier_id": d.atelier.id, "contribution_id": card_id},
                callback=True,
            )
            assert accepted["ok"] and accepted["changed"]
        finally:
            console.disconnect()
            phone.disconnect()
            db.session.remove()
