"""Chantiers on the real eventlet server: double taps from two tabs store once, and the
room's update crosses workers through the message queue."""

from __future__ import annotations

import uuid
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import pytest

from tests.realserver.clients import Phone, event_json


def chantier_atelier(base_url: str) -> int:
    for sequence in event_json(base_url)["programme"]:
        if sequence["kind"] == "ateliers_chantiers":
            return sequence["ateliers"][0]["id"]
    raise AssertionError("the demo day has no chantier atelier")


def second_tab(phone: Phone) -> Phone:
    """Another socket of the same browser (same participant cookie)."""
    tab = Phone(phone.base_url, phone.name)
    tab.http.cookies.update(phone.http.cookies)
    return tab


def propose(phone: Phone, atelier_id: int) -> dict[str, Any]:
    ack = phone.call(
        "chantier:create",
        {
            "atelier_id": atelier_id,
            "client_id": f"rs-{uuid.uuid4().hex}",
            "titre": "Un réseau de veille des personnes isolées",
            "communes": ["Chatou", "Le Pecq"],
        },
    )
    assert ack["ok"] is True, ack
    return ack["contribution"]


@pytest.mark.realserver
@pytest.mark.parametrize(
    "live_server",
    [pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)],
    indirect=True,
)
def test_double_taps_from_two_tabs_store_once(live_server, phones) -> None:  # type: ignore[no-untyped-def]
    here = chantier_atelier(live_server.url)
    alice, bob = Phone(live_server.url, "Alice"), Phone(live_server.url, "Bob")
    phones.extend([alice, bob])
    for phone in (alice, bob):
        phone.join_event(here)
        phone.connect()
        phone.join_atelier(here)
    tab = second_tab(bob)
    phones.append(tab)
    tab.connect()
    tab.join_atelier(here)
    card = propose(alice, here)

    add = {
        "chantier_id": card["id"],
        "client_id": f"rs-{uuid.uuid4().hex}",
        "field": "partenaires",
        "text": "Les gardiens d'immeuble du bailleur",
    }
    engage = {
        "chantier_id": card["id"],
        "client_id": f"rs-{uuid.uuid4().hex}",
        "contact": "bob@example.org",
        "consent": True,
    }
    sends = [(socket, name, payload) for socket in (bob, tab, bob, tab)
             for name, payload in (("chantier:add", add), ("chantier:engage", engage))]  # fmt: skip
    with ThreadPoolExecutor(len(sends)) as pool:
        acks = list(pool.map(lambda s: s[0].call(s[1], s[2]), sends))
    assert all(a["ok"] for a in acks), acks
    adds = [a for (_, name, _), a in zip(sends, acks, strict=True) if name == "chantier:add"]
    engages = [a for (_, name, _), a in zip(sends, acks, strict=True) if name == "chantier:engage"]
    assert sum(not a["duplicate"] for a in adds) == 1
    assert sum(not a["duplicate"] for a in engages) == 1
    assert len({a["addition_id"] for a in adds}) == 1

    alice.barrier(here)
    final = alice.call("chantier:get", {"chantier_id": card["id"]})
    assert len(final["chantier"]["additions"]) == 1
    assert final["chantier"]["engagements"]["count"] == 1
    assert [c["contact"] for c in final["contacts"]] == ["bob@example.org"]  # Alice is porteur
    updates = [u for u in alice.events("chantier:updated") if u["chantier"]["id"] == card["id"]]
    assert len(updates) == 2  # one per real change, none for the retries
    assert all("bob@example.org" not in str(u) for u in updates)


@pytest.mark.realserver
@pytest.mark.redis
@pytest.mark.postgres
def test_a_chantier_update_crosses_workers(live_server_factory, test_redis_url, phones) -> None:  # type: ignore[no-untyped-def]
    first = live_server_factory(database="postgres", SOCKETIO_MESSAGE_QUEUE=test_redis_url)
    second = live_server_factory(share_db_with=first, SOCKETIO_MESSAGE_QUEUE=test_redis_url)
    here = chantier_atelier(first.url)
    alice, bob = Phone(first.url, "Alice"), Phone(second.url, "Bob")
    phones.extend([alice, bob])
    for phone in (alice, bob):
        phone.join_event(here)
        phone.connect()
        phone.join_atelier(here)
    card = propose(alice, here)
    bob.wait_for("contribution:created", lambda p: p["contribution"]["id"] == card["id"])
    ack = bob.call(
        "chantier:comment",
        {"chantier_id": card["id"], "client_id": f"rs-{uuid.uuid4().hex}", "text": "J'en suis"},
    )
    assert ack["ok"] is True, ack
    got = alice.wait_for("chantier:updated", lambda p: p["chantier"]["id"] == card["id"])
    assert got["chantier"]["comments"][0]["text"] == "J'en suis"
