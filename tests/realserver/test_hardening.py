"""Hardening against the shipped server (``python wsgi.py``, eventlet) and real clients:
the same-origin handshake, the payload cap, a SIGKILL during a burst, an online backup."""

from __future__ import annotations

import sqlite3
import threading
import uuid
from pathlib import Path
from typing import Any

import pytest
import requests
import socketio
import websocket
from sqlalchemy import create_engine, text

from facilitation.config import normalise_database_url
from tests.realserver.clients import TIMEOUT, Phone, atelier_ids

pytestmark = pytest.mark.realserver

POLLING = "/socket.io/?EIO=4&transport=polling"
WEBSOCKET = "/socket.io/?EIO=4&transport=websocket"
EVIL = "http://evil.example"


def card(titre: str = "Permanence mobile", **kw: Any) -> dict[str, Any]:
    return {"client_id": f"hd-{uuid.uuid4().hex}", "titre": titre} | kw


def stored_client_ids(server: Any) -> set[str]:
    """The cards in the server's database, read directly (not through the server)."""
    engine = create_engine(normalise_database_url(server.env["DATABASE_URL"]))
    try:
        with engine.connect() as conn:
            return set(conn.execute(text("SELECT client_id FROM contribution")).scalars())
    finally:
        engine.dispose()


# ---------------------------------------------------------------------------- origin
def test_a_polling_handshake_from_another_origin_is_refused(live_server: Any) -> None:
    foreign = requests.get(live_server.url + POLLING, headers={"Origin": EVIL}, timeout=TIMEOUT)
    ours = requests.get(
        live_server.url + POLLING, headers={"Origin": live_server.url}, timeout=TIMEOUT
    )

    assert foreign.status_code == 400
    assert "Access-Control-Allow-Origin" not in foreign.headers
    assert ours.status_code == 200
    assert ours.text.startswith("0{")  # the Engine.IO open packet


def test_a_websocket_handshake_from_another_origin_is_refused(live_server: Any) -> None:
    ws_url = live_server.url.replace("http://", "ws://") + WEBSOCKET

    with pytest.raises(websocket.WebSocketBadStatusException) as refused:
        websocket.create_connection(ws_url, origin=EVIL, timeout=TIMEOUT)
    ours = websocket.create_connection(ws_url, origin=live_server.url, timeout=TIMEOUT)
    try:
        opened = ours.recv()
    finally:
        ours.close()

    assert refused.value.status_code == 400
    assert opened.startswith("0{")


def test_a_socketio_client_claiming_another_origin_cannot_connect(
    live_server: Any, phones: list[Phone]
) -> None:
    here = atelier_ids(live_server.url)[0]
    phone = Phone(live_server.url, "Origine")
    phones.append(phone)
    phone.join_event(here)

    with pytest.raises(socketio.exceptions.ConnectionError):
        phone.sio.connect(
            live_server.url,
            headers={"Cookie": phone.cookie_header, "Origin": EVIL},
            transports=["websocket"],
            wait_timeout=TIMEOUT,
        )


def test_http_answers_carry_the_security_headers(live_server: Any) -> None:
    response = requests.get(live_server.url + "/", timeout=TIMEOUT)

    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert f"ws://127.0.0.1:{live_server.port}" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"


# ---------------------------------------------------------------------------- payload cap
def test_a_message_over_the_payload_cap_drops_that_socket_only(
    live_server: Any, phones: list[Phone]
) -> None:
    here = atelier_ids(live_server.url)[0]
    big, neighbour = Phone(live_server.url, "Bavard"), Phone(live_server.url, "Voisin")
    phones.extend([big, neighbour])
    for phone in (big, neighbour):
        phone.join_event(here)
        phone.connect()
        phone.join_atelier(here)
    dropped = threading.Event()
    big.sio.on("disconnect", lambda *_: dropped.set())
    oversized = card(description="x" * (200 * 1024), atelier_id=here)  # cap: 64 KiB

    big.sio.emit("contribution:create", oversized)

    assert dropped.wait(TIMEOUT), "the server kept a socket that sent 200 KiB"
    assert oversized["client_id"] not in stored_client_ids(live_server)
    # The server and the other phones carry on.
    ack = neighbour.call("contribution:create", {"atelier_id": here, **card()})
    assert ack["ok"] is True, ack
    assert requests.get(live_server.url + "/healthz", timeout=TIMEOUT).status_code == 200


# ---------------------------------------------------------------------------- SIGKILL
@pytest.mark.parametrize(
    "database", [pytest.param("sqlite"), pytest.param("postgres", marks=pytest.mark.postgres)]
)
def test_every_acknowledged_card_survives_a_sigkill_during_a_burst(
    live_server_factory: Any, phones: list[Phone], database: str, record_property: Any
) -> None:
    server = live_server_factory(database=database)
    here = atelier_ids(server.url)[0]
    writers = [Phone(server.url, f"Rafale {n}", reconnection=True) for n in range(4)]
    phones.extend(writers)
    for phone in writers:
        phone.join_event(here)
        phone.connect()
        phone.join_atelier(here)

    before = stored_client_ids(server)
    acked: list[str] = []
    sent: list[str] = []
    progress = threading.Condition()
    stop = threading.Event()

    def burst(phone: Phone) -> None:
        while not stop.is_set():
            payload = {"atelier_id": here, **card(f"Carte de {phone.name}")}
            with progress:
                sent.append(payload["client_id"])
            try:
                ack = phone.sio.call("contribution:create", payload, timeout=5)
            except Exception:  # the server died under us: this write is unacknowledged
                return
            if isinstance(ack, dict) and ack.get("ok") is True:
                with progress:
                    acked.append(payload["client_id"])
                    progress.notify_all()

    threads = [threading.Thread(target=burst, args=(p,), daemon=True) for p in writers]
    for thread in threads:
        thread.start()
    with progress:
        assert progress.wait_for(lambda: len(acked) >= 40, timeout=60), len(acked)
    server.kill()  # SIGKILL while the four phones are still sending
    stop.set()
    for thread in threads:
        thread.join(timeout=15)
        assert not thread.is_alive()
    with progress:
        acknowledged = set(acked)
        attempted = set(sent)

    stored = stored_client_ids(server)
    missing = acknowledged - stored
    record_property("acknowledged", len(acknowledged))
    record_property("sent", len(attempted))
    record_property("stored_unacknowledged", len((stored - before) - acknowledged))
    assert not missing, f"{len(missing)} acknowledged cards lost by the SIGKILL"
    assert stored - before <= attempted  # nothing invented (unacknowledged ones may be there)

    # Restarted, every phone reconnects by itself and its snapshot has every acknowledged card.
    seen = {}
    for phone in writers:
        phone.on_connect = lambda phone=phone: phone.sio.emit("atelier:join", {"atelier_id": here})
        seen[phone.name] = len(phone.received)
    server.start()
    for phone in writers:
        snapshot = phone.wait_for("atelier:snapshot", after=seen[phone.name], timeout=30)
        on_wall = {c["client_id"] for c in snapshot["contributions"]}
        assert acknowledged <= on_wall, phone.name


# ---------------------------------------------------------------------------- backup
def test_backup_while_the_server_runs_has_every_acknowledged_card(
    live_server: Any, phones: list[Phone], tmp_path: Path
) -> None:
    here = atelier_ids(live_server.url)[0]
    phone = Phone(live_server.url, "Sauvegarde")
    phones.append(phone)
    phone.join_event(here)
    phone.connect()
    phone.join_atelier(here)
    acked = []
    for n in range(5):
        payload = {"atelier_id": here, **card(f"Avant sauvegarde {n}")}
        assert phone.call("contribution:create", payload)["ok"] is True
        acked.append(payload["client_id"])
    target = tmp_path / "pendant.sqlite3"

    result = live_server.flask("backup", str(target))

    assert "Sauvegarde écrite" in result.stdout
    with sqlite3.connect(target) as conn:
        saved = {row[0] for row in conn.execute("SELECT client_id FROM contribution")}
    assert set(acked) <= saved
    # The server kept answering throughout.
    after = {"atelier_id": here, **card("Après sauvegarde")}
    assert phone.call("contribution:create", after)["ok"] is True


# ---------------------------------------------------------------------------- rate limits
@pytest.mark.redis
def test_two_workers_share_a_participants_write_bucket_in_redis(
    live_server_factory: Any, phones: list[Phone], test_redis_url: str
) -> None:
    limits = {
        "SOCKETIO_MESSAGE_QUEUE": test_redis_url,
        "RATELIMIT_ENABLED": "1",
        # Fresh keys: the participant ids of a new database start again at 1.
        "RATELIMIT_KEY_PREFIX": f"test-{uuid.uuid4().hex}:",
        "SOCKET_RATE_BURST": "3",
        "SOCKET_RATE_PER_SECOND": "0.001",
    }
    a = live_server_factory(**limits)
    b = live_server_factory(share_db_with=a, **limits)
    here = atelier_ids(a.url)[0]
    on_a = Phone(a.url, "Deux onglets")
    phones.append(on_a)
    on_a.join_event(here)
    on_a.connect()
    on_b = Phone(b.url, "Deux onglets")  # the same browser cookie, on the other worker
    phones.append(on_b)
    on_b.http.cookies.update(on_a.http.cookies)
    on_b.connect()

    acks = [on_a.call("contribution:create", {"atelier_id": here, **card()}) for _ in range(2)]
    acks += [on_b.call("contribution:create", {"atelier_id": here, **card()}) for _ in range(2)]

    assert [ack["ok"] for ack in acks] == [True, True, True, False]
    assert acks[3]["code"] == "rate_limited"
    assert "réessayez dans" in acks[3]["message"]
