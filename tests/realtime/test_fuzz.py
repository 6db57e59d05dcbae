"""Fuzz every Socket.IO event with random and malformed payloads (hypothesis).

For each event registered on the server (discovered, so new events are fuzzed too), from an
anonymous viewer, a participant and the event's organizer:

- the server never fails (no ``server_error`` code in the ack or in ``app:error``);
- a refused payload changes nothing (every table's row count and the ateliers' versions);
- the viewer, who has no role, changes nothing at all.

``FUZZ_EXAMPLES`` (default 30) sets the number of payloads per event (senders drawn at random).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask_socketio.test_client import SocketIOTestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

import facilitation.realtime  # noqa: F401  (registers every event handler)
from facilitation.extensions import db, socketio
from facilitation.models import Atelier, Contribution, Participant
from tests.conftest import new_client_id
from tests.support.fuzz import JSON, build_world, fingerprint

EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "30"))

#: Every event the server handles, except the connection's own.
EVENTS = sorted({h[0] for h in socketio.handlers} - {"connect", "disconnect"})

#: Keys the handlers read today, and a few they might read tomorrow.
KEYS = [
    "atelier_id",
    "client_id",
    "titre",
    "description",
    "structure",
    "commune",
    "public_concerne",
    "contribution_id",
    "chantier_id",
    "pratique_id",
    "card_id",
    "round_id",
    "category_id",
    "ballot_id",
    "participant_id",
    "event_id",
    "id",
    "dots",
    "count",
    "phase",
    "duration",
    "seconds",
    "text",
    "message",
    "kind",
    "status",
    "version",
    "target_id",
    "ids",
    "order",
    "contact",
    "on",
]


def payloads(ids: list[int]) -> st.SearchStrategy[Any]:
    """Anything, or an object with known keys holding real ids, edge numbers or junk.

    ``ids[0]`` is the atelier the senders are in.
    """
    near_valid = (
        st.sampled_from(ids)
        | st.sampled_from([0, -1, 2**31, 2**63, 10**30, True, "1", " 1 ", "1.0"])
        | JSON
    )
    shaped = st.dictionaries(st.sampled_from(KEYS), near_valid, max_size=6)
    with_client_id = shaped.map(lambda d: d | {"client_id": new_client_id()})
    # In the right atelier with a fresh client id: the payloads that get past the first checks.
    in_atelier = st.fixed_dictionaries(
        {"atelier_id": st.just(ids[0]), "client_id": st.builds(new_client_id)},
        optional={k: near_valid for k in KEYS if k not in ("atelier_id", "client_id")},
    )
    return JSON | shaped | with_client_id | in_atelier


def failures(ack: Any, errors: list[Any]) -> list[Any]:
    found = [e for e in errors if isinstance(e, dict) and e.get("code") == "server_error"]
    if isinstance(ack, dict) and ack.get("code") == "server_error":
        found.append(ack)
    return found


@pytest.fixture
def senders(
    app: Flask,
    make_atelier: Callable[..., Atelier],
    make_participant: Callable[..., Participant],
    joined_client: Callable[..., Any],
    make_socket: Callable[..., SocketIOTestClient],
) -> tuple[dict[str, SocketIOTestClient], list[int]]:
    """A viewer, a participant and an organizer on one atelier with a card on its wall."""
    world = build_world(app, make_atelier, make_participant, joined_client)
    atelier = world.atelier
    clients = {
        "viewer": make_socket(),
        "participant": make_socket(world.participant),
        "organizer": make_socket(world.organizer_browser),
    }
    for socket in clients.values():
        socket.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    ids = [atelier.id] + sorted(
        {world.other.id, world.organizer.id, atelier.event_id}
        | {a.id for a in db.session.scalars(select(Atelier))}
        | {c.id for c in db.session.scalars(select(Contribution))}
        | {p.id for p in db.session.scalars(select(Participant))}
    )
    return clients, ids


@pytest.mark.parametrize("event", EVENTS)
def test_no_payload_breaks_an_event_or_changes_state_when_refused(
    senders: tuple[dict[str, SocketIOTestClient], list[int]], event: str
) -> None:
    clients, ids = senders
    accepted: dict[str, int] = dict.fromkeys(clients, 0)

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )
    @given(payload=payloads(ids), who=st.sampled_from(sorted(clients)))
    def check(payload: Any, who: str) -> None:
        socket = clients[who]
        socket.get_received()
        before = fingerprint()
        ack = socket.emit(event, payload, callback=True)
        errors = [r["args"][0] for r in socket.get_received() if r["name"] == "app:error"]

        assert not failures(ack, errors), (event, who, payload, ack, errors)
        refused = not (isinstance(ack, dict) and ack.get("ok") is True)
        # A viewer (no participant, no role) never changes anything, even when answered ok.
        if refused or who == "viewer":
            assert fingerprint() == before, (event, who, payload, ack)
        else:
            accepted[who] += 1

    check()
    if os.environ.get("FUZZ_REPORT"):  # how deep the payloads got: accepted ones per sender
        print(f"\n{event}: accepted {accepted}")


#: Values the adversarial pass found breaking events: text that cannot be encoded or put in
#: XML, digits that are not ASCII, ids beyond INTEGER (PostgreSQL) and 64 bits (SQLite).
BAD_VALUES = [
    "\ud800",
    "x \ufffe\uffff",
    "a\x85b\x9f",
    "٣",
    "²",
    2**31,
    2**63,
    2**64,
    "9223372036854775808",
]


@pytest.mark.parametrize("event", EVENTS)
def test_bad_text_and_out_of_range_ids_never_break_an_event(
    senders: tuple[dict[str, SocketIOTestClient], list[int]], event: str
) -> None:
    clients, ids = senders
    broken = []
    for who in ("participant", "organizer"):
        socket = clients[who]
        for key in KEYS:
            if key in ("atelier_id", "client_id"):
                continue
            for bad in BAD_VALUES:
                socket.get_received()
                payload = {"atelier_id": ids[0], "client_id": new_client_id(), key: bad}
                ack = socket.emit(event, payload, callback=True)
                errors = [r["args"][0] for r in socket.get_received() if r["name"] == "app:error"]
                if failures(ack, errors):
                    broken.append((who, key, bad))
    assert not broken, broken
