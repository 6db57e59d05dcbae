"""Rounds, moderation, projector and control-room events over Socket.IO (PROTOCOL.md,
"Facilitation"): the authorisation matrix (each event × each role) and what reaches whom."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pytest
from flask.testing import FlaskClient
from sqlalchemy import select

from facilitation.domain import access, rounds
from facilitation.domain.contributions import create_contribution
from facilitation.domain.phases import current_round
from facilitation.extensions import db
from facilitation.jobs import round_timers
from facilitation.models import (
    Announcement,
    Atelier,
    Category,
    Contribution,
    Event,
    Organizer,
    Participant,
    Round,
    RoundTransition,
)
from facilitation.models.round import Phase
from tests.conftest import new_client_id

PASSWORD_HASH = "scrypt:unused-in-these-tests"


def events(socket, name):
    return [r["args"][0] for r in socket.get_received() if r["name"] == name]


def names(socket):
    return [r["name"] for r in socket.get_received()]


@dataclass
class Day:
    """One event with two ateliers, cards, and a browser (HTTP client) per role."""

    atelier: Atelier
    other: Atelier
    mine: Contribution  # the participant's own card
    theirs: Contribution  # someone else's card in the same atelier
    category: Category
    clients: dict[str, FlaskClient]


ROLES = [
    "organizer",
    "organizer_elsewhere",
    "facilitator",
    "facilitator_elsewhere",
    "participant",
    "viewer",
]


@pytest.fixture
def day(app, make_atelier, make_participant, joined_client):
    """Factory: a ``Day`` with every role's browser."""

    def make() -> Day:
        atelier = make_atelier(title="Isolement")
        other = make_atelier(event=atelier.event, title="Numérique")
        foreign = make_atelier(title="Ailleurs")
        # Accounts made directly: hashing a password per case would slow the matrix down.
        organizer = Organizer(email="agence@example.org", password_hash=PASSWORD_HASH)
        stranger = Organizer(email="autre@example.org", password_hash=PASSWORD_HASH)
        db.session.add_all([organizer, stranger])
        db.session.flush()
        access.grant_event(organizer, atelier.event)
        access.grant_event(stranger, foreign.event)
        _link, token = access.create_facilitator_link(atelier.event, atelier, "Samia")
        _other, other_token = access.create_facilitator_link(atelier.event, other, "Paul")
        category = Category(atelier_id=atelier.id, name="Lien social")
        db.session.add(category)
        db.session.commit()

        clients: dict[str, FlaskClient] = {}
        for role, account in (("organizer", organizer), ("organizer_elsewhere", stranger)):
            client = app.test_client()
            with client.session_transaction() as session:
                session["organizer_id"] = account.id
                session["organizer_session"] = account.session_version
            clients[role] = client
        for role, secret in (("facilitator", token), ("facilitator_elsewhere", other_token)):
            client = app.test_client()
            assert client.get(f"/f/{secret}").status_code == 303
            clients[role] = client
        clients["participant"] = joined_client(atelier, display_name="Nadia")
        clients["viewer"] = app.test_client()

        nadia = db.session.scalar(select(Participant).where(Participant.display_name == "Nadia"))
        mine, _ = create_contribution(
            nadia, atelier, {"client_id": new_client_id(), "titre": "Appels"}
        )
        karim = make_participant(atelier, display_name="Karim")
        theirs, _ = create_contribution(
            karim, atelier, {"client_id": new_client_id(), "titre": "Appels aussi"}
        )
        db.session.commit()
        return Day(atelier, other, mine, theirs, category, clients)

    return make


def state(day: Day) -> tuple[Any, ...]:
    """Everything an event could change, to prove a refusal changed nothing."""
    db.session.expire_all()
    atelier = db.session.get(Atelier, day.atelier.id)
    cards = db.session.scalars(select(Contribution).order_by(Contribution.id)).all()
    return (
        atelier.version,
        atelier.projector_mode,
        atelier.projector_focus_id,
        [(r.number, r.phase, r.timer_ends_at) for r in db.session.scalars(select(Round))],
        db.session.query(RoundTransition).count(),
        [
            (c.titre, c.hidden, c.pinned, c.category_id, c.merged_into_id, c.withdrawn_at)
            for c in cards
        ],
        db.session.query(Category).count(),
        db.session.get(Event, atelier.event_id).current_sequence_id,
        [(a.text, a.withdrawn_at) for a in db.session.scalars(select(Announcement))],
    )


FACILITATORS = {"organizer", "facilitator"}
ORGANIZERS = {"organizer"}
AUTHOR = {"participant"}


def _close_round(day: Day) -> None:
    rnd = current_round(day.atelier)
    rnd.phase = Phase.CLOS.value
    db.session.commit()


def _announce(day: Day) -> None:
    made = Announcement(
        event_id=day.atelier.event_id, client_id=new_client_id(), text="Pause", sent_by=""
    )
    db.session.add(made)
    db.session.commit()
    day.announcement_id = made.id  # type: ignore[attr-defined]


#: event -> (roles allowed, payload builder, optional set-up)
MATRIX: dict[str, tuple[set[str], Any, Any]] = {
    "console:join": (FACILITATORS, lambda d: {"atelier_id": d.atelier.id}, None),
    "round:create": (FACILITATORS, lambda d: {"atelier_id": d.atelier.id}, _close_round),
    "round:transition": (
        FACILITATORS,
        lambda d: {
            "atelier_id": d.atelier.id,
            "round_id": current_round(d.atelier).id,
            "to": "vote",
        },
        None,
    ),
    "round:timer": (
        FACILITATORS,
        lambda d: {
            "atelier_id": d.atelier.id,
            "round_id": current_round(d.atelier).id,
            "action": "start",
            "seconds": 600,
        },
        None,
    ),
    "moderation:edit": (
        FACILITATORS,
        lambda d: {"atelier_id": d.atelier.id, "contribution_id": d.theirs.id, "titre": "Net"},
        None,
    ),
    "moderation:hide": (
        FACILITATORS,
        lambda d: {"atelier_id": d.atelier.id, "contribution_id": d.theirs.id, "hidden": True},
        None,
    ),
    "moderation:pin": (
        FACILITATORS,
        lambda d: {"atelier_id": d.atelier.id, "contribution_id": d.theirs.id, "pinned": True},
        None,
    ),
    "moderation:categorize": (
        FACILITATORS,
        lambda d: {
            "atelier_id": d.atelier.id,
            "contribution_id": d.theirs.id,
            "category_id": d.category.id,
        },
        None,
    ),
    "moderation:merge": (
        FACILITATORS,
        lambda d: {"atelier_id": d.atelier.id, "target_id": d.mine.id, "source_id": d.theirs.id},
        None,
    ),
    "category:create": (
        FACILITATORS,
        lambda d: {"atelier_id": d.atelier.id, "name": "Mobilité"},
        None,
    ),
    "projector:mode": (
        FACILITATORS,
        lambda d: {"atelier_id": d.atelier.id, "mode": "card", "contribution_id": d.mine.id},
        None,
    ),
    "control:join": (ORGANIZERS, lambda d: {"event_id": d.atelier.event_id}, None),
    "control:snapshot": (ORGANIZERS, lambda d: {"event_id": d.atelier.event_id}, None),
    "announcement:send": (
        ORGANIZERS,
        lambda d: {
            "event_id": d.atelier.event_id,
            "client_id": new_client_id(),
            "text": "Retour en plénière à 15h45",
        },
        None,
    ),
    "announcement:clear": (
        ORGANIZERS,
        lambda d: {"event_id": d.atelier.event_id, "announcement_id": d.announcement_id},
        _announce,
    ),
    "agenda:next": (ORGANIZERS, lambda d: {"event_id": d.atelier.event_id}, None),
    "contribution:update": (
        AUTHOR,
        lambda d: {"atelier_id": d.atelier.id, "client_id": d.mine.client_id, "titre": "Mieux"},
        None,
    ),
    "contribution:withdraw": (
        AUTHOR,
        lambda d: {"atelier_id": d.atelier.id, "client_id": d.mine.client_id},
        None,
    ),
}
READS = {"console:join", "control:join", "control:snapshot"}

CASES = [(name, role) for name in MATRIX for role in ROLES]


@pytest.mark.parametrize(("name", "role"), CASES, ids=[f"{n}-{r}" for n, r in CASES])
def test_authorisation_matrix(day, make_socket, name, role):
    d = day()
    allowed, payload, setup = MATRIX[name]
    if setup:
        setup(d)
    socket = make_socket(d.clients[role])
    body = payload(d)
    before = state(d)

    ack = socket.emit(name, body, callback=True)

    after = state(d)
    if role in allowed:
        assert ack["ok"] is True, ack
        assert "app:error" not in names(socket)
        if name not in READS:
            assert after != before, "an allowed write changed nothing"
    else:
        assert ack["ok"] is False and ack["code"] in {"forbidden", "not_joined", "not_found"}
        (error,) = events(socket, "app:error")
        assert error["event"] == name and error["message"]
        assert after == before


# ------------------------------------------------------------------------- behaviour
def join(socket, atelier, event="atelier:join"):
    ack = socket.emit(event, {"atelier_id": atelier.id}, callback=True)
    assert ack["ok"], ack
    return ack


def test_a_phase_change_reaches_every_phone_and_the_projector(day, make_socket):
    d = day()
    console = make_socket(d.clients["facilitator"])
    phone = make_socket(d.clients["participant"])
    projector = make_socket(d.clients["viewer"])
    join(console, d.atelier, "console:join")
    (snapshot,) = events(console, "atelier:snapshot")
    assert snapshot["round"]["phase"] == "contributions"
    assert snapshot["round"]["allowed"] == ["preparation", "vote", "clos"]
    join(phone, d.atelier)
    join(projector, d.atelier)
    for s in (console, phone, projector):
        s.get_received()
    version = snapshot["version"]

    ack = console.emit(
        "round:transition",
        {"atelier_id": d.atelier.id, "round_id": snapshot["round"]["id"], "to": "vote"},
        callback=True,
    )

    assert ack["ok"] and ack["round"]["phase"] == "vote"
    for s in (console, phone, projector):
        (delta,) = events(s, "round:changed")
        assert delta["version"] == version + 1
        assert delta["round"]["phase"] == "vote" and delta["round"]["phase_label"] == "vote"
    # The phone cannot post any more, and a phone that comes back gets the phase.
    refused = phone.emit(
        "contribution:create",
        {"atelier_id": d.atelier.id, "client_id": new_client_id(), "titre": "Trop tard"},
        callback=True,
    )
    assert refused["code"] == "closed" and "vote" in refused["message"]
    phone.disconnect()
    phone.connect()
    join(phone, d.atelier)
    (again,) = events(phone, "atelier:snapshot")
    assert again["round"]["phase"] == "vote"


def test_the_snapshot_carries_the_server_clock_and_the_timer(day, make_socket):
    d = day()
    console = make_socket(d.clients["facilitator"])
    join(console, d.atelier, "console:join")
    rnd = current_round(d.atelier)
    ack = console.emit(
        "round:timer",
        {"atelier_id": d.atelier.id, "round_id": rnd.id, "action": "start", "seconds": 300},
        callback=True,
    )
    timer = ack["round"]["timer"]
    assert timer["state"] == "running" and timer["duration"] == 300
    assert timer["ends_at"] and 299 <= timer["remaining"] <= 300
    phone = make_socket(d.clients["participant"])
    join(phone, d.atelier)
    (snapshot,) = events(phone, "atelier:snapshot")
    assert snapshot["server_time"] and snapshot["round"]["timer"]["ends_at"] == timer["ends_at"]


def test_the_ticker_alerts_at_zero_by_default_and_tells_the_room(app, day, make_socket):
    d = day()
    phone = make_socket(d.clients["participant"])
    join(phone, d.atelier)
    phone.get_received()
    rnd = current_round(d.atelier)
    from datetime import timedelta

    from facilitation.models.base import utcnow

    rnd.timer_ends_at = utcnow() - timedelta(seconds=1)
    rnd.timer_duration = 60
    db.session.commit()

    assert round_timers.tick(app) == 1
    assert round_timers.tick(app) == 0  # another worker's tick finds nothing to do

    (delta,) = events(phone, "round:changed")
    assert delta["round"]["phase"] == "contributions"  # « alerte seulement »: still collecting
    assert delta["round"]["timer"]["state"] == "ended"
    assert delta["round"]["at_zero"] == "alert"
    assert rounds.transitions(db.session.get(Round, rnd.id)) == []


def test_the_facilitator_chooses_advance_and_the_ticker_opens_the_vote(app, day, make_socket):
    d = day()
    console = make_socket(d.clients["facilitator"])
    phone = make_socket(d.clients["participant"])
    join(console, d.atelier, "console:join")
    join(phone, d.atelier)
    rnd = current_round(d.atelier)
    refused = phone.emit(
        "round:at_zero",
        {"atelier_id": d.atelier.id, "round_id": rnd.id, "at_zero": "advance"},
        callback=True,
    )
    assert not refused["ok"]
    bad = console.emit(
        "round:at_zero",
        {"atelier_id": d.atelier.id, "round_id": rnd.id, "at_zero": "explode"},
        callback=True,
    )
    assert not bad["ok"]
    ack = console.emit(
        "round:at_zero",
        {"atelier_id": d.atelier.id, "round_id": rnd.id, "at_zero": "advance"},
        callback=True,
    )
    assert ack["ok"] and ack["round"]["at_zero"] == "advance"
    phone.get_received()
    from datetime import timedelta

    from facilitation.models.base import utcnow

    rnd = db.session.get(Round, rnd.id)
    rnd.timer_ends_at = utcnow() - timedelta(seconds=1)
    rnd.timer_duration = 60
    db.session.commit()

    assert round_timers.tick(app) == 1
    received = phone.get_received()
    (delta,) = [r["args"][0] for r in received if r["name"] == "round:changed"]
    assert delta["round"]["phase"] == "vote"
    (ballot,) = [r["args"][0] for r in received if r["name"] == "vote:changed"]
    assert ballot["ballot"]["status"] == "ouvert"
    trail = rounds.transitions(db.session.get(Round, rnd.id))
    assert [(t.to_phase, t.reason) for t in trail] == [("vote", "timer")]


def test_hidden_cards_never_reach_phones_but_stay_on_the_console(day, make_socket):
    d = day()
    console = make_socket(d.clients["facilitator"])
    phone = make_socket(d.clients["participant"])
    join(console, d.atelier, "console:join")
    join(phone, d.atelier)
    console.get_received()
    phone.get_received()

    ack = console.emit(
        "moderation:hide",
        {"atelier_id": d.atelier.id, "contribution_id": d.theirs.id, "hidden": True},
        callback=True,
    )
    assert ack["ok"] and ack["changed"]
    (removed,) = events(phone, "contribution:removed")
    assert removed == {
        "atelier_id": d.atelier.id,
        "version": ack["version"],
        "id": d.theirs.id,
        "reason": "hidden",
        "merged_into_id": None,
    }
    received = console.get_received()
    full = [r["args"][0] for r in received if r["name"] == "moderation:card"]
    assert full[0]["contribution"]["hidden"] is True
    assert full[0]["contribution"]["titre"] == "Appels aussi"
    # Idempotent: hiding again changes nothing and broadcasts nothing.
    again = console.emit(
        "moderation:hide",
        {"atelier_id": d.atelier.id, "contribution_id": d.theirs.id, "hidden": True},
        callback=True,
    )
    assert again["ok"] and again["changed"] is False
    assert events(phone, "contribution:removed") == []
    # A phone's snapshot leaves it out, the console's keeps it.
    join(phone, d.atelier)
    (snap,) = events(phone, "atelier:snapshot")
    assert d.theirs.id not in [c["id"] for c in snap["contributions"]]
    join(console, d.atelier, "console:join")
    (snap,) = events(console, "atelier:snapshot")
    assert d.theirs.id in [c["id"] for c in snap["contributions"]]


def test_a_merged_card_keeps_both_authors_and_texts(day, make_socket):
    d = day()
    console = make_socket(d.clients["facilitator"])
    phone = make_socket(d.clients["participant"])
    join(console, d.atelier, "console:join")
    join(phone, d.atelier)
    phone.get_received()
    ack = console.emit(
        "moderation:merge",
        {"atelier_id": d.atelier.id, "target_id": d.mine.id, "source_id": d.theirs.id},
        callback=True,
    )
    assert ack["ok"]
    merged = ack["contribution"]["merged"]
    assert [(m["titre"], m["author"]["display_name"]) for m in merged] == [
        ("Appels aussi", "Karim")
    ]
    assert ack["contribution"]["author"]["display_name"] == "Nadia"
    got = names(phone)
    assert "contribution:removed" in got and "contribution:updated" in got


def test_an_author_edits_and_withdraws_their_card_idempotently(day, make_socket):
    d = day()
    phone = make_socket(d.clients["participant"])
    join(phone, d.atelier)
    phone.get_received()
    payload = {
        "atelier_id": d.atelier.id,
        "client_id": d.mine.client_id,
        "titre": "Appels hebdomadaires",
    }
    first = phone.emit("contribution:update", payload, callback=True)
    again = phone.emit("contribution:update", payload, callback=True)
    assert first["ok"] and first["contribution"]["edited"] is True and not first["duplicate"]
    assert again["ok"] and again["duplicate"] is True
    (updated,) = events(phone, "contribution:updated")
    assert updated["contribution"]["titre"] == "Appels hebdomadaires"

    gone = {"atelier_id": d.atelier.id, "client_id": d.mine.client_id}
    assert phone.emit("contribution:withdraw", gone, callback=True)["duplicate"] is False
    assert phone.emit("contribution:withdraw", gone, callback=True)["duplicate"] is True
    (removed,) = events(phone, "contribution:removed")
    assert removed["reason"] == "withdrawn"


def test_authors_cannot_change_cards_once_contributions_are_closed(day, make_socket):
    d = day()
    _close_round(d)
    phone = make_socket(d.clients["participant"])
    ack = phone.emit(
        "contribution:update",
        {"atelier_id": d.atelier.id, "client_id": d.mine.client_id, "titre": "Trop tard"},
        callback=True,
    )
    assert ack["code"] == "closed"


def test_announcements_reach_every_atelier_of_the_event(day, make_socket):
    d = day()
    organizer = make_socket(d.clients["organizer"])
    assert organizer.emit("control:join", {"event_id": d.atelier.event_id}, callback=True)["ok"]
    phone = make_socket(d.clients["participant"])
    join(phone, d.atelier)
    elsewhere = make_socket(d.clients["viewer"])
    join(elsewhere, d.other)
    for s in (organizer, phone, elsewhere):
        s.get_received()
    organizer.emit(
        "announcement:send",
        {
            "event_id": d.atelier.event_id,
            "client_id": new_client_id(),
            "text": "Retour en plénière à 15h45",
        },
        callback=True,
    )
    for s in (organizer, phone, elsewhere):
        (message,) = events(s, "announcement")
        assert message["text"] == "Retour en plénière à 15h45"


def test_the_control_room_sees_every_atelier_and_moves_the_day_on(day, make_socket):
    d = day()
    organizer = make_socket(d.clients["organizer"])
    console = make_socket(d.clients["facilitator"])
    join(console, d.atelier, "console:join")
    ack = organizer.emit("control:join", {"event_id": d.atelier.event_id}, callback=True)
    rows = {a["id"]: a for a in ack["ateliers"]}
    assert rows[d.atelier.id]["cards"] == 2 and rows[d.atelier.id]["facilitators"] == 1
    assert rows[d.atelier.id]["round"]["phase"] == "contributions"
    assert "no_facilitator" in rows[d.other.id]["warnings"]
    assert "no_facilitator" not in rows[d.atelier.id]["warnings"]
    assert ack["agenda"]["current"] is None and ack["agenda"]["next"]["kind"] == "accueil"

    moved = organizer.emit("agenda:next", {"event_id": d.atelier.event_id}, callback=True)
    assert moved["agenda"]["current"]["kind"] == "accueil"
    assert moved["agenda"]["next"]["kind"] == "ateliers_pratiques"


def test_the_api_shows_each_ateliers_phase(day, app):
    d = day()
    _close_round(d)
    data = app.test_client().get(f"/api/events/{d.atelier.event.slug}").get_json()
    phases = {a["id"]: a["phase"] for a in data["ateliers"]}
    assert phases[d.atelier.id] == "clos" and phases[d.other.id] == "contributions"
