"""The shipped server (``python wsgi.py``, eventlet) with real Socket.IO clients on a real
websocket: what the Flask-SocketIO test client cannot show (cookies over the handshake,
rooms across sockets, delivery order, a restart)."""

from __future__ import annotations

import uuid

import pytest

from tests.realserver.clients import Phone, atelier_ids, card_count

pytestmark = [
    pytest.mark.realserver,
    pytest.mark.parametrize(
        "live_server",
        [pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)],
        indirect=True,
    ),
]


def card(client_id: str, titre: str = "Une épicerie solidaire itinérante") -> dict[str, str]:
    return {
        "client_id": client_id,
        "titre": titre,
        "description": "Un camion qui passe chaque semaine dans les quartiers éloignés.",
        "structure": "CCAS",
        "commune": "Saint-Germain-en-Laye",
        "public_concerne": "Personnes âgées isolées",
    }


def test_card_reaches_its_atelier_room_once(live_server, phones) -> None:  # type: ignore[no-untyped-def]
    here, elsewhere = atelier_ids(live_server.url)[:2]
    before = card_count(live_server.url, here)

    alice, bob, chloe = (Phone(live_server.url, n) for n in ("Alice", "Bob", "Chloé"))
    phones.extend([alice, bob, chloe])
    for phone, atelier in ((alice, here), (bob, here), (chloe, elsewhere)):
        phone.join_event(atelier)
        phone.connect()
    alice.join_atelier(here)
    version = bob.join_atelier(here)["version"]
    chloe.join_atelier(elsewhere)

    cid = f"rs-{uuid.uuid4().hex}"
    ack = alice.call("contribution:create", {"atelier_id": here, **card(cid)})
    assert ack["ok"] is True, ack
    assert ack["duplicate"] is False
    stored = ack["contribution"]
    assert stored["client_id"] == cid
    assert stored["author"]["display_name"] == "Alice"

    got = bob.wait_for("contribution:created", lambda p: p["contribution"]["client_id"] == cid)
    assert got["atelier_id"] == here
    assert got["version"] == version + 1
    # The author's ack adds what only the author sees (« votre carte », a decline reason).
    author_only = {"mine", "decline_reason"}
    assert got["contribution"] == {k: v for k, v in stored.items() if k not in author_only}
    assert stored["mine"] is True

    # Another atelier hears nothing: after a round trip on Chloé's socket, anything sent to it
    # before would have arrived (one websocket delivers in order).
    chloe.barrier(elsewhere)
    assert chloe.events("contribution:created") == []

    # The same client_id again (a retry after a dropped connection): one card, no broadcast.
    again = alice.call("contribution:create", {"atelier_id": here, **card(cid)})
    assert again["ok"] is True, again
    assert again["duplicate"] is True
    assert again["contribution"]["id"] == stored["id"]
    bob.barrier(here)
    created = [
        p for p in bob.events("contribution:created") if p["contribution"]["client_id"] == cid
    ]
    assert len(created) == 1
    assert card_count(live_server.url, here) == before + 1


def test_restart_keeps_cards_and_participant_cookie(live_server, phones) -> None:  # type: ignore[no-untyped-def]
    """The cookie survives a restart (stable SECRET_KEY), the client reconnects, re-joins and
    the snapshot it gets carries the card written before the restart."""
    here = atelier_ids(live_server.url)[0]
    dana = Phone(live_server.url, "Dana", reconnection=True)
    phones.append(dana)
    dana.join_event(here)
    dana.connect()
    dana.join_atelier(here)
    cid = f"rs-{uuid.uuid4().hex}"
    ack = dana.call("contribution:create", {"atelier_id": here, **card(cid, "Avant redémarrage")})
    assert ack["ok"] is True, ack

    # What the browser client does on every (re)connect: ask for the atelier again.
    dana.on_connect = lambda: dana.sio.emit("atelier:join", {"atelier_id": here})
    seen = len(dana.received)
    live_server.restart()

    snapshot = dana.wait_for("atelier:snapshot", after=seen, timeout=30)
    assert dana.connects >= 2
    assert cid in [c["client_id"] for c in snapshot["contributions"]]

    # Still the same participant after the restart: posting works with the old cookie.
    cid2 = f"rs-{uuid.uuid4().hex}"
    ack2 = dana.call("contribution:create", {"atelier_id": here, **card(cid2, "Après")})
    assert ack2["ok"] is True, ack2
    assert ack2["contribution"]["author"]["id"] == ack["contribution"]["author"]["id"]
