"""The facilitator's assistant over Socket.IO: proposals reach the consoles only; accepting
merges or sorts with the console's own actions; a dismissal is stored and never comes back;
nobody but the atelier's facilitators may decide (PROTOCOL.md, « Assistant de l'animateur »)."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from facilitation.domain.contributions import create_contribution
from facilitation.extensions import db
from facilitation.models import AssistantDecision, Category, Contribution
from facilitation.push import assistant
from tests.conftest import new_client_id
from tests.realtime import test_facilitation_protocol as protocol
from tests.realtime.test_facilitation_protocol import events, join, state

#: The protocol tests' ``day`` (an event, two ateliers, two cards, a browser per role).
day = protocol.day


def proposals(socket):
    return events(socket, "assistant:proposals")


def _key(d):
    a, b = sorted((d.mine.id, d.theirs.id))
    return f"d:{a}-{b}"


def _theme_cards(d, make_participant):
    texts = [
        "Épicerie solidaire ouverte sur rendez-vous",
        "Épicerie solidaire mobile dans les quartiers",
        "Livraisons de l'épicerie solidaire à domicile",
    ]
    made = []
    for n, titre in enumerate(texts):
        author = make_participant(d.atelier, display_name=f"Auteur {n}")
        card, _ = create_contribution(
            author, d.atelier, {"client_id": new_client_id(), "titre": titre}
        )
        made.append(card)
    db.session.commit()
    return made


def test_only_the_atelier_consoles_get_the_proposals(day, make_socket):
    d = day()
    console = make_socket(d.clients["facilitator"])
    elsewhere = make_socket(d.clients["facilitator_elsewhere"])
    phone = make_socket(d.clients["participant"])
    projector = make_socket(d.clients["viewer"])
    join(console, d.atelier, "console:join")
    join(elsewhere, d.other, "console:join")
    join(phone, d.atelier)
    join(projector, d.atelier)

    assert assistant.flush() >= 1

    (sent,) = proposals(console)
    assert sent["atelier_id"] == d.atelier.id
    assert [p["key"] for p in sent["duplicates"]] == [_key(d)]
    assert sent["duplicates"][0]["titres"] == ["Appels", "Appels aussi"]
    assert proposals(phone) == [] and proposals(projector) == []
    assert all(p["atelier_id"] == d.other.id for p in proposals(elsewhere))


def test_nothing_is_computed_without_a_console(day, make_socket):
    d = day()
    phone = make_socket(d.clients["participant"])
    join(phone, d.atelier)
    assistant.changed(d.atelier.id)
    before = assistant.flusher().sent
    assistant.flush()
    assert assistant.flusher().sent == before
    assert proposals(phone) == []


def test_a_card_posted_on_a_phone_brings_a_proposal_from_the_background_task(app, day, make_socket):
    """The real background task delivers on its own (no flush called). How fast is measured
    by ``flask loadtest --consoles`` and the README, not asserted here: a busy test machine
    must not fail the suite; the wait below only bounds a hang."""
    d = day()
    console = make_socket(d.clients["facilitator"])
    phone = make_socket(d.clients["participant"])
    join(console, d.atelier, "console:join")
    join(phone, d.atelier)
    assistant.flush()
    console.get_received()
    # The real background task this time, at the configured pace.
    app.config["ASSISTANT_INTERVAL"] = 0.3
    try:
        ack = phone.emit(
            "contribution:create",
            {
                "atelier_id": d.atelier.id,
                "client_id": new_client_id(),
                "kind": "pratique",
                "titre": "Épicerie solidaire sur rendez-vous",
            },
            callback=True,
        )
        assert ack["ok"], ack
        second = phone.emit(
            "contribution:create",
            {
                "atelier_id": d.atelier.id,
                "client_id": new_client_id(),
                "kind": "pratique",
                "titre": "L'épicerie solidaire prend des rendez-vous",
            },
            callback=True,
        )
        assert second["ok"], second
        posted = time.monotonic()
        wanted = {ack["contribution"]["id"], second["contribution"]["id"]}
        found = None
        while found is None and time.monotonic() - posted < 20.0:
            for sent in proposals(console):
                for p in sent["duplicates"]:
                    if set(p["ids"]) == wanted:
                        found = p
            time.sleep(0.05)
        assert found is not None, "the background task sent no proposal"
    finally:
        app.config["ASSISTANT_INTERVAL"] = 0
        assistant.flusher().stop()


def test_accepting_a_duplicate_merges_it_once(day, make_socket):
    d = day()
    console = make_socket(d.clients["facilitator"])
    phone = make_socket(d.clients["participant"])
    join(console, d.atelier, "console:join")
    join(phone, d.atelier)
    phone.get_received()
    payload = {"atelier_id": d.atelier.id, "key": _key(d)}

    ack = console.emit("assistant:accept", payload, callback=True)
    again = console.emit("assistant:accept", payload, callback=True)

    assert ack["ok"] and ack["changed"] is True, ack
    assert again["ok"] and again["changed"] is False, again
    db.session.expire_all()
    source = db.session.get(Contribution, max(d.mine.id, d.theirs.id))
    assert source.merged_into_id == min(d.mine.id, d.theirs.id)
    assert [m["titre"] for m in ack["contribution"]["merged"]] == ["Appels aussi"]
    assert "contribution:removed" in [r["name"] for r in phone.get_received()]
    assert db.session.query(AssistantDecision).count() == 1
    console.get_received()
    assistant.flush()
    (sent,) = proposals(console)
    assert sent["duplicates"] == []


def test_a_dismissed_proposal_is_stored_and_does_not_come_back(day, make_socket):
    d = day()
    console = make_socket(d.clients["facilitator"])
    join(console, d.atelier, "console:join")
    payload = {"atelier_id": d.atelier.id, "key": _key(d)}

    ack = console.emit("assistant:dismiss", payload, callback=True)
    again = console.emit("assistant:dismiss", payload, callback=True)

    assert ack["ok"] and ack["changed"] is True
    assert again["ok"] and again["changed"] is False
    rows = db.session.scalars(select(AssistantDecision)).all()
    assert [(r.key, r.decision) for r in rows] == [(_key(d), "dismissed")]
    console.get_received()
    assistant.flush()
    (sent,) = proposals(console)
    assert sent["duplicates"] == []
    # Still gone for a console that connects later (stored, not remembered by a tab).
    late = make_socket(d.clients["facilitator"])
    join(late, d.atelier, "console:join")
    assistant.flush()
    assert all(p["duplicates"] == [] for p in proposals(late))
    db.session.expire_all()
    assert db.session.get(Contribution, d.theirs.id).merged_into_id is None


def test_accepting_a_theme_makes_a_category_of_its_cards(day, make_socket, make_participant):
    d = day()
    made = _theme_cards(d, make_participant)
    console = make_socket(d.clients["facilitator"])
    phone = make_socket(d.clients["participant"])
    join(console, d.atelier, "console:join")
    join(phone, d.atelier)
    phone.get_received()
    assistant.flush()
    (sent,) = proposals(console)
    (theme,) = [t for t in sent["themes"] if set(t["ids"]) == {c.id for c in made}]
    assert "picerie" in theme["label"].lower()

    ack = console.emit(
        "assistant:accept",
        {
            "atelier_id": d.atelier.id,
            "key": theme["key"],
            "name": theme["label"],
            "card_ids": theme["ids"],
        },
        callback=True,
    )

    assert ack["ok"], ack
    category = db.session.scalar(select(Category).where(Category.name == theme["label"]))
    assert category is not None and ack["category"]["id"] == category.id
    db.session.expire_all()
    assert {db.session.get(Contribution, c.id).category_id for c in made} == {category.id}
    got = [r["name"] for r in phone.get_received()]
    assert "category:created" in got and got.count("contribution:updated") == 3
    # The same tap again (a retry): one category, one decision, nothing broadcast.
    again = console.emit(
        "assistant:accept",
        {
            "atelier_id": d.atelier.id,
            "key": theme["key"],
            "name": theme["label"],
            "card_ids": theme["ids"],
        },
        callback=True,
    )
    assert again["ok"], again
    assert again["card_ids"] == [] and again["category"]["id"] == category.id
    assert db.session.query(Category).filter_by(atelier_id=d.atelier.id).count() == 2
    assert db.session.query(AssistantDecision).count() == 1
    assert phone.get_received() == []
    console.get_received()
    assistant.flush()
    (after,) = proposals(console)
    assert theme["key"] not in [t["key"] for t in after["themes"]]


@pytest.mark.parametrize("role", ["participant", "viewer", "facilitator_elsewhere"])
def test_only_the_atelier_facilitators_may_decide(day, make_socket, role):
    d = day()
    socket = make_socket(d.clients[role])
    before = state(d)
    for name in ("assistant:accept", "assistant:dismiss"):
        ack = socket.emit(name, {"atelier_id": d.atelier.id, "key": _key(d)}, callback=True)
        assert ack["ok"] is False and ack["code"] in ("forbidden", "unauthorized"), (role, ack)
    assert state(d) == before
    assert db.session.query(AssistantDecision).count() == 0


def test_a_bad_proposal_gets_a_clear_answer_and_changes_nothing(day, make_socket):
    d = day()
    console = make_socket(d.clients["facilitator"])
    join(console, d.atelier, "console:join")
    before = state(d)
    for key in (None, "x", "d:1", "d:abc-2", "t:" + "a" * 300, "d:999999-999998"):
        ack = console.emit(
            "assistant:accept", {"atelier_id": d.atelier.id, "key": key}, callback=True
        )
        assert ack["ok"] is False and ack["message"], (key, ack)
    ack = console.emit(
        "assistant:accept",
        {"atelier_id": d.atelier.id, "key": "t:epiceri", "name": "Épicerie", "card_ids": "1"},
        callback=True,
    )
    assert ack["ok"] is False and "card_ids" in ack["errors"]
    ack = console.emit("assistant:dismiss", {"atelier_id": d.atelier.id, "key": 12}, callback=True)
    assert ack["ok"] is False and "key" in ack["errors"]
    assert state(d) == before
