"""Dot-voting on the shipped server (eventlet, real websockets): two tabs of one phone tapping
at once cannot overspend the budget, on SQLite and on PostgreSQL; the coalesced tally reaches
the room from the background task; a reconnecting tab gets its dots back."""

from __future__ import annotations

import re
import threading
import uuid
from typing import Any

import pytest
import requests

from tests.realserver.clients import SLUG, TIMEOUT, Phone, atelier_ids

pytestmark = [
    pytest.mark.realserver,
    pytest.mark.parametrize(
        "live_server",
        [pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)],
        indirect=True,
    ),
]


def facilitator(live_server: Any, atelier_id: int) -> Phone:
    """A browser that opened a facilitator link of ``atelier_id`` (its cookie holds it)."""
    out = live_server.flask("facilitator-link", SLUG, "--atelier", str(atelier_id)).stdout
    match = re.search(r"/f/(\S+)", out)
    assert match, out
    person = Phone(live_server.url, "Animatrice")
    response = person.http.get(f"{live_server.url}/f/{match.group(1)}", timeout=TIMEOUT)
    assert response.status_code == 200, response.text[:300]
    return person.connect()


def post(phone: Phone, atelier_id: int, titre: str) -> int:
    ack = phone.call(
        "contribution:create",
        {"client_id": uuid.uuid4().hex, "atelier_id": atelier_id, "titre": titre},
    )
    assert ack["ok"], ack
    return int(ack["contribution"]["id"])


def test_two_tabs_tapping_at_once_never_exceed_the_budget(live_server, phones) -> None:  # type: ignore[no-untyped-def]
    here = atelier_ids(live_server.url)[-1]
    animatrice = facilitator(live_server, here)
    phones.append(animatrice)
    poster = Phone(live_server.url, "Auteur")
    phones.append(poster)
    poster.join_event(here)
    poster.connect().join_atelier(here)
    cards = [post(poster, here, f"Chantier {i} {uuid.uuid4().hex[:4]}") for i in range(6)]

    opened = animatrice.call(
        "vote:open",
        {
            "atelier_id": here,
            "settings": {
                "dots_per_participant": 3,
                "max_per_card": 1,
                "tallies_visible_live": True,
            },
        },
    )
    assert opened["ok"], opened

    # One participant, two tabs (two websockets with the same cookie).
    tab_a = Phone(live_server.url, "Voix")
    phones.append(tab_a)
    tab_a.join_event(here)
    tab_a.connect().join_atelier(here)
    tab_b = Phone(live_server.url, "Voix")
    phones.append(tab_b)
    tab_b.http.cookies.update(tab_a.http.cookies)
    tab_b.connect().join_atelier(here)
    watcher = Phone(live_server.url, "Projecteur")
    phones.append(watcher)
    watcher.connect().join_atelier(here)

    acks: list[dict[str, Any]] = [{}] * len(cards)
    barrier = threading.Barrier(len(cards))

    def tap(i: int) -> None:
        tab = tab_a if i % 2 else tab_b
        barrier.wait()
        acks[i] = tab.call(
            "dot:set",
            {
                "client_id": uuid.uuid4().hex,
                "atelier_id": here,
                "contribution_id": cards[i],
                "count": 1,
            },
        )

    threads = [threading.Thread(target=tap, args=(i,)) for i in range(len(cards))]
    for t in threads:
        t.start()
    for t in threads:
        t.join()

    accepted = {cards[i] for i, a in enumerate(acks) if a.get("ok")}
    refused = [a for a in acks if not a.get("ok")]
    assert len(accepted) == 3, acks
    assert all(a["code"] == "budget" for a in refused), refused

    tally = requests.get(f"{live_server.url}/api/ateliers/{here}/tally", timeout=TIMEOUT).json()
    counted = {r["contribution_id"]: r["dots"] for r in tally["tally"]["results"] if r["dots"]}
    assert counted == dict.fromkeys(accepted, 1)  # every acknowledged dot, and only those
    assert tally["tally"]["dots_counted"] == 3

    # The background task sends the room a coalesced tally with all three dots.
    watcher.wait_for("vote:tally", lambda t: t["dots_counted"] == 3)

    # A third tab (a reload) gets this participant's dots back in its snapshot.
    reload = Phone(live_server.url, "Voix")
    phones.append(reload)
    reload.http.cookies.update(tab_a.http.cookies)
    snapshot = reload.connect().join_atelier(here)
    mine = snapshot["vote"]["mine"]
    assert {int(k) for k in mine["dots"]} == accepted and mine["dots_left"] == 0
