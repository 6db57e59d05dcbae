"""Socket.IO hardening: same-origin connect, rate limits, unknown fields, SQLite busy.

Through Flask-SocketIO's test client, which calls our ``connect`` handler directly (the
handshake-level check of python-engineio is proved against the real server in
tests/realserver/test_hardening.py).
"""

from __future__ import annotations

import logging
import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio.test_client import SocketIOTestClient

from facilitation import create_app
from facilitation.extensions import db, socketio
from facilitation.models import Atelier, Contribution, Event
from tests.conftest import new_client_id
from tests.support.csrf import form_token


def card(atelier: Atelier, **kw: Any) -> dict[str, Any]:
    return {"client_id": new_client_id(), "atelier_id": atelier.id, "titre": "Jardin partagé"} | kw


def events(socket: SocketIOTestClient, name: str) -> list[dict[str, Any]]:
    return [r["args"][0] for r in socket.get_received() if r["name"] == name]


def cards() -> int:
    db.session.expire_all()
    return db.session.query(Contribution).count()


def join(app: Flask, atelier: Atelier, name: str) -> FlaskClient:
    """A browser of ``app`` that joined ``atelier`` through the real form."""
    client = app.test_client()
    url = f"/e/{atelier.event.slug}/rejoindre"
    data = {
        "csrf_token": form_token(client, url),
        "display_name": name,
        "structure": "CCAS",
        "atelier_id": str(atelier.id),
        "consent": "on",
    }
    assert client.post(url, data=data).status_code == 303
    return client


@pytest.fixture
def sockets() -> Iterator[Callable[..., SocketIOTestClient]]:
    """Factory: a socket on ``app`` (optionally with the cookies of ``browser``)."""
    opened: list[SocketIOTestClient] = []

    def make(app: Flask, browser: FlaskClient | None = None, **kw: Any) -> SocketIOTestClient:
        client = socketio.test_client(app, flask_test_client=browser, **kw)
        opened.append(client)
        return client

    yield make
    for client in opened:
        if client.is_connected():
            client.disconnect()


# ---------------------------------------------------------------------------- origin
@pytest.mark.parametrize(
    "origin", ["http://evil.example", "https://facilitation.test", "http://facilitation.test.evil"]
)
def test_a_socket_from_another_origin_is_refused_in_connect(
    app: Flask, sockets: Callable[..., SocketIOTestClient], origin: str
) -> None:
    socket = sockets(app, headers={"Origin": origin})

    assert not socket.is_connected()


@pytest.mark.parametrize("headers", [{"Origin": "http://facilitation.test"}, {}])
def test_a_socket_from_our_own_pages_or_without_origin_connects(
    app: Flask, sockets: Callable[..., SocketIOTestClient], headers: dict[str, str]
) -> None:
    assert sockets(app, headers=headers).is_connected()


def test_public_base_url_is_an_allowed_origin(
    app_config: dict[str, Any], _migrated: None, sockets: Callable[..., SocketIOTestClient]
) -> None:
    public = create_app(app_config | {"PUBLIC_BASE_URL": "https://atelier.example.org/"})

    assert sockets(public, headers={"Origin": "https://atelier.example.org"}).is_connected()
    assert not sockets(public, headers={"Origin": "https://other.example.org"}).is_connected()


# ---------------------------------------------------------------------------- rate limits
@pytest.fixture
def limited(app_config: dict[str, Any], _migrated: None) -> Flask:
    """Limits on: a burst of 3 writes, then one per 1000 s (never within a test)."""
    return create_app(
        app_config
        | {"RATELIMIT_ENABLED": True, "SOCKET_RATE_BURST": 3, "SOCKET_RATE_PER_SECOND": 0.001}
    )


def test_writes_beyond_the_burst_are_refused_as_rate_limited(
    limited: Flask,
    make_atelier: Callable[..., Atelier],
    sockets: Callable[..., SocketIOTestClient],
) -> None:
    atelier = make_atelier()
    author = sockets(limited, join(limited, atelier, "Nadia"))
    neighbour = sockets(limited, join(limited, atelier, "Karim"))

    acks = [author.emit("contribution:create", card(atelier), callback=True) for _ in range(4)]

    assert [a["ok"] for a in acks] == [True, True, True, False]
    refused = acks[3]
    assert refused["code"] == "rate_limited"
    assert refused["event"] == "contribution:create"
    assert "réessayez dans" in refused["message"]
    assert refused["retry_after"] >= 1
    assert events(author, "app:error")[-1]["code"] == "rate_limited"
    assert cards() == 3
    # Another participant has their own bucket.
    assert neighbour.emit("contribution:create", card(atelier), callback=True)["ok"] is True


def test_a_participant_cannot_escape_the_limit_with_a_second_socket(
    limited: Flask,
    make_atelier: Callable[..., Atelier],
    sockets: Callable[..., SocketIOTestClient],
) -> None:
    atelier = make_atelier()
    browser = join(limited, atelier, "Nadia")
    first, second = sockets(limited, browser), sockets(limited, browser)

    for _ in range(3):
        assert first.emit("contribution:create", card(atelier), callback=True)["ok"]
    ack = second.emit("contribution:create", card(atelier), callback=True)

    assert ack["code"] == "rate_limited"


def test_copies_of_an_older_cookie_do_not_multiply_the_limit(
    limited: Flask,
    make_event: Callable[..., Event],
    make_atelier: Callable[..., Atelier],
    sockets: Callable[..., SocketIOTestClient],
) -> None:
    atelier = make_atelier()
    browser = join(limited, atelier, "Nadia")
    # The same cookie copied into another browser, which then joins another event: its
    # cookie now holds Nadia and a new participant, and used to count as someone else.
    copy = limited.test_client()
    for cookie in browser._cookies.values():
        copy.set_cookie(cookie.key, cookie.value, domain=cookie.domain)
    elsewhere = make_atelier(make_event())
    url = f"/e/{elsewhere.event.slug}/rejoindre"
    data = {
        "csrf_token": form_token(copy, url),
        "display_name": "Autre",
        "structure": "CCAS",
        "atelier_id": str(elsewhere.id),
        "consent": "on",
    }
    assert copy.post(url, data=data).status_code == 303

    first, second = sockets(limited, browser), sockets(limited, copy)
    for _ in range(3):
        assert first.emit("contribution:create", card(atelier), callback=True)["ok"]
    ack = second.emit("contribution:create", card(atelier), callback=True)

    assert ack["code"] == "rate_limited"


def test_reads_have_their_own_bucket(
    limited: Flask,
    make_atelier: Callable[..., Atelier],
    sockets: Callable[..., SocketIOTestClient],
) -> None:
    atelier = make_atelier()
    author = sockets(limited, join(limited, atelier, "Nadia"))
    for _ in range(3):
        author.emit("contribution:create", card(atelier), callback=True)

    # Writes exhausted; a resync (atelier:join) still works: the read bucket is separate.
    assert author.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)["ok"] is True


def test_the_limits_are_off_in_the_test_configuration(
    app: Flask, make_atelier: Callable[..., Atelier], sockets: Callable[..., SocketIOTestClient]
) -> None:
    atelier = make_atelier()
    author = sockets(app, join(app, atelier, "Nadia"))

    acks = [author.emit("contribution:create", card(atelier), callback=True) for _ in range(30)]

    assert all(a["ok"] for a in acks)


# ---------------------------------------------------------------------------- input
def test_unknown_fields_are_ignored(
    app: Flask, make_atelier: Callable[..., Atelier], sockets: Callable[..., SocketIOTestClient]
) -> None:
    atelier = make_atelier()
    author = sockets(app, join(app, atelier, "Nadia"))
    payload = card(atelier) | {
        "participant_id": 999,
        "id": 1,
        "author": {"display_name": "Usurpateur"},
        "kind": "chantier",
        "created_at": "2000-01-01T00:00:00Z",
        "__proto__": {"admin": True},
    }

    ack = author.emit("contribution:create", payload, callback=True)

    assert ack["ok"] is True
    stored = ack["contribution"]
    assert stored["author"]["display_name"] == "Nadia"
    assert stored["kind"] == "pratique"
    assert not stored["created_at"].startswith("2000")
    assert "__proto__" not in stored


@pytest.mark.parametrize("atelier_id", [2**31, 2**63, -(2**31), "99999999999999999999"])
def test_ids_beyond_the_integer_columns_are_refused_not_a_server_error(
    app: Flask,
    make_atelier: Callable[..., Atelier],
    sockets: Callable[..., SocketIOTestClient],
    atelier_id: Any,
) -> None:
    atelier = make_atelier()
    author = sockets(app, join(app, atelier, "Nadia"))

    for name in ("atelier:join", "contribution:create"):
        ack = author.emit(name, card(atelier, atelier_id=atelier_id), callback=True)
        assert ack["code"] == "invalid", (name, ack)


def test_the_socket_payload_cap_is_configured_on_the_server(app: Flask) -> None:
    assert socketio.server.eio.max_http_buffer_size == app.config["SOCKETIO_MAX_PAYLOAD"]
    assert app.config["SOCKETIO_MAX_PAYLOAD"] == 64 * 1024
    assert app.config["MAX_CONTENT_LENGTH"] == 1024 * 1024


# ---------------------------------------------------------------------------- SQLite busy
@pytest.fixture
def sqlite_app(
    app: Flask, app_config: dict[str, Any], tmp_path: Path
) -> Iterator[tuple[Flask, Path]]:
    """A SQLite app (whatever the suite's database) with a short busy timeout.

    Its context is pushed over the suite's, so the factories write to its database.
    """
    from flask_migrate import upgrade

    path = tmp_path / "busy.sqlite3"
    busy = create_app(
        app_config
        | {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}",
            "SQLITE_BUSY_TIMEOUT_MS": 100,
            "SQLITE_WRITE_RETRIES": 2,
        }
    )
    with busy.app_context():
        upgrade(revision="heads")
        yield busy, path
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def write_lock(sqlite_app: tuple[Flask, Path]) -> Iterator[sqlite3.Connection]:
    """A second connection, ready to hold SQLite's write lock (``BEGIN IMMEDIATE``)."""
    conn = sqlite3.connect(sqlite_app[1], isolation_level=None, check_same_thread=False)
    yield conn
    if conn.in_transaction:
        conn.rollback()
    conn.close()


def test_a_write_during_a_held_lock_fails_with_a_clear_french_error(
    sqlite_app: tuple[Flask, Path],
    write_lock: sqlite3.Connection,
    make_atelier: Callable[..., Atelier],
    sockets: Callable[..., SocketIOTestClient],
    caplog: pytest.LogCaptureFixture,
) -> None:
    busy, _ = sqlite_app
    atelier = make_atelier()
    author = sockets(busy, join(busy, atelier, "Nadia"))
    payload = card(atelier)

    write_lock.execute("BEGIN IMMEDIATE")
    with caplog.at_level(logging.WARNING, logger="facilitation.edge.dbretry"):
        ack = author.emit("contribution:create", payload, callback=True)
    write_lock.rollback()

    assert ack["ok"] is False
    assert ack["code"] == "busy"
    assert "réessayez" in ack["message"]
    assert ack["client_id"] == payload["client_id"]
    assert events(author, "app:error")[-1]["code"] == "busy"
    retries = [r for r in caplog.records if "retrying" in r.getMessage()]
    assert len(retries) == 2  # bounded: SQLITE_WRITE_RETRIES
    assert cards() == 0
    # Once the lock is gone the phone's retry (same client id) stores the card once.
    assert author.emit("contribution:create", payload, callback=True)["ok"] is True
    assert author.emit("contribution:create", payload, callback=True)["duplicate"] is True
    assert cards() == 1


def test_a_write_succeeds_when_the_lock_is_released_between_retries(
    sqlite_app: tuple[Flask, Path],
    write_lock: sqlite3.Connection,
    make_atelier: Callable[..., Atelier],
    sockets: Callable[..., SocketIOTestClient],
) -> None:
    busy, _ = sqlite_app
    atelier = make_atelier()
    author = sockets(busy, join(busy, atelier, "Nadia"))

    class ReleaseOnRetry(logging.Handler):
        """The other writer finishes just as ours is about to retry."""

        def emit(self, record: logging.LogRecord) -> None:
            if "retrying" in record.getMessage() and write_lock.in_transaction:
                write_lock.rollback()

    handler = ReleaseOnRetry(level=logging.WARNING)
    logger = logging.getLogger("facilitation.edge.dbretry")
    logger.addHandler(handler)
    write_lock.execute("BEGIN IMMEDIATE")
    try:
        ack = author.emit("contribution:create", card(atelier), callback=True)
    finally:
        logger.removeHandler(handler)

    assert ack["ok"] is True
    assert cards() == 1


def test_an_http_write_during_a_held_lock_answers_a_french_503(
    sqlite_app: tuple[Flask, Path],
    write_lock: sqlite3.Connection,
    make_atelier: Callable[..., Atelier],
) -> None:
    busy, _ = sqlite_app
    atelier = make_atelier()
    browser = join(busy, atelier, "Nadia")
    wall = f"/e/{atelier.event.slug}/a/{atelier.id}"
    token = form_token(browser, wall)

    write_lock.execute("BEGIN IMMEDIATE")
    response = browser.post(
        f"{wall}/contributions",
        data={"csrf_token": token, "client_id": new_client_id(), "titre": "Maraude"},
        headers={"Referer": f"http://facilitation.test{wall}"},
    )
    write_lock.rollback()

    assert response.status_code == 503
    html = response.get_data(as_text=True)
    assert "Serveur occupé" in html
    assert "réessayez" in html
    assert "Maraude</textarea>" in html  # what was typed is shown back
    assert cards() == 0
