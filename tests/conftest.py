"""Fixtures: an app per test on a migrated database, and factories that return new data.

SQLite (a file in pytest's tmp dir) by default; with ``TEST_DATABASE_URL`` the same suite
runs on a throwaway PostgreSQL database created on that server and dropped at the end.
Each test owns its data: every table is emptied after each test.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Callable, Iterator
from datetime import date, time
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from flask_socketio.test_client import SocketIOTestClient
from sqlalchemy import make_url, text

from facilitation import create_app
from facilitation.config import normalise_database_url
from facilitation.extensions import db, socketio
from facilitation.models import Atelier, Event, Participant, Sequence
from facilitation.models.base import utcnow
from tests.support.csrf import form_token

pytest_plugins = ["tests.support.live_server", "tests.support.strict_skips"]


def _create_postgres_database(admin_url: str) -> tuple[str, Callable[[], None]]:
    import psycopg

    url = make_url(normalise_database_url(admin_url))
    name = f"facilitation_t_{uuid.uuid4().hex[:10]}"
    dsn = url.set(drivername="postgresql", database=url.database or "postgres")
    plain = dsn.render_as_string(hide_password=False)
    with psycopg.connect(plain, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop() -> None:
        with psycopg.connect(plain, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    return url.set(database=name).render_as_string(hide_password=False), drop


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    admin = os.environ.get("TEST_DATABASE_URL")
    if admin:
        url, drop = _create_postgres_database(admin)
        yield url
        drop()
    else:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"


@pytest.fixture(scope="session")
def app_config(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "SECRET_KEY": "test-secret-key",
        "SOCKETIO_ASYNC_MODE": "threading",
        "SOCKETIO_MESSAGE_QUEUE": None,
        "INSTANCE_PATH": str(tmp_path_factory.mktemp("instance")),
        "SERVER_NAME": "facilitation.test",
        # Vote tallies go out when a test calls push.votes.flush(), not from a background
        # task that would outlive the test (facilitation/push/votes.py).
        "VOTE_TALLY_INTERVAL": 0,
        # Same for the coalesced ``presence`` (facilitation/push/presence.py).
        "PRESENCE_INTERVAL": 0,
        # Same for the facilitator's assistant (facilitation/push/assistant.py).
        "ASSISTANT_INTERVAL": 0,
        # Same for « Moi aussi » counts (facilitation/push/reactions.py).
        "REACTION_INTERVAL": 0,
        # And for the word cloud's tallies (facilitation/push/wordcloud.py).
        "CLOUD_TALLY_INTERVAL": 0,
        # And the who's who after plain joins (facilitation/push/interconnaissance.py).
        "WHOSWHO_INTERVAL": 0,
        # Limits off except in the tests of the limits themselves (tests/web/test_ratelimit.py).
        "RATELIMIT_ENABLED": False,
    }


@pytest.fixture(scope="session")
def _migrated(app_config: dict[str, Any]) -> None:
    """Build the schema with the migrations, as ``make run`` does, once per session."""
    from flask_migrate import upgrade

    app = create_app(app_config)
    with app.app_context():
        upgrade(revision="heads")
        db.engine.dispose()


@pytest.fixture
def app(app_config: dict[str, Any], _migrated: None) -> Iterator[Flask]:
    app = create_app(app_config)
    with app.app_context():
        yield app
        db.session.remove()
        tables = [t.name for t in reversed(db.metadata.sorted_tables)]
        with db.engine.begin() as conn:
            if conn.dialect.name == "postgresql":
                conn.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
            else:
                # event and sequence point at each other (the current sequence): checked at
                # the commit, when every table is empty, whatever the order of the deletes.
                conn.execute(text("PRAGMA defer_foreign_keys=ON"))
                for table in tables:
                    conn.execute(text(f"DELETE FROM {table}"))
        db.engine.dispose()


_counter = itertools.count(1)


@pytest.fixture
def make_event(app: Flask) -> Callable[..., Event]:
    """Factory: an open event with a programme of one pratiques and one chantiers sequence."""

    def make(**overrides: Any) -> Event:
        n = next(_counter)
        fields: dict[str, Any] = {
            "slug": f"evenement-{n}",
            "title": f"Événement {n}",
            "date": date(2021, 6, 24),
            "venue": "Théâtre",
            "city": "Saint-Germain-en-Laye",
            "join_code": f"EV{n:04d}",
            "communes": ["Le Pecq", "Chatou"],
        }
        fields.update(overrides)
        event = Event(**fields)
        db.session.add(event)
        db.session.flush()
        for position, (kind, start, end) in enumerate(
            [
                ("accueil", time(9), time(9, 30)),
                ("ateliers_pratiques", time(10), time(12)),
                ("ateliers_chantiers", time(13, 30), time(15, 30)),
            ]
        ):
            db.session.add(
                Sequence(
                    event=event,
                    position=position,
                    kind=kind,
                    title=kind.replace("_", " ").capitalize(),
                    starts_at=start,
                    ends_at=end,
                )
            )
        db.session.commit()
        return event

    return make


@pytest.fixture
def make_atelier(app: Flask, make_event: Callable[..., Event]) -> Callable[..., Atelier]:
    """Factory: an atelier in the given event's pratiques (or chantiers) sequence."""

    def make(event: Event | None = None, kind: str = "ateliers_pratiques", **kw: Any) -> Atelier:
        event = event or make_event()
        sequence = next(s for s in event.sequences if s.kind == kind)
        fields: dict[str, Any] = {"title": f"Atelier {next(_counter)}", "question": "Quoi ?"}
        fields.update(kw)
        atelier = Atelier(event_id=event.id, sequence=sequence, **fields)
        db.session.add(atelier)
        db.session.commit()
        return atelier

    return make


@pytest.fixture
def make_participant(app: Flask) -> Callable[..., Participant]:
    """Factory: a participant of ``atelier``'s event, placed in that atelier."""

    def make(atelier: Atelier, **kw: Any) -> Participant:
        fields: dict[str, Any] = {
            "display_name": f"Personne {next(_counter)}",
            "structure": "CCAS",
            "commune": "Le Pecq",
        }
        fields.update(kw)
        participant = Participant(
            event_id=atelier.event_id,
            current_atelier_id=atelier.id,
            consent_at=utcnow(),
            **fields,
        )
        db.session.add(participant)
        db.session.commit()
        return participant

    return make


@pytest.fixture
def joined_client(app: Flask) -> Callable[..., FlaskClient]:
    """Factory: a browser (HTTP client with its own cookies) that joined ``atelier``."""

    def make(atelier: Atelier, display_name: str = "Nadia", structure: str = "CCAS") -> FlaskClient:
        client = app.test_client()
        url = f"/e/{atelier.event.slug}/rejoindre"
        response = client.post(
            url,
            data={
                "csrf_token": form_token(client, url),  # as a browser: the form's token
                "display_name": display_name,
                "structure": structure,
                "commune": "Le Pecq",
                "atelier_id": str(atelier.id),
                "consent": "on",
            },
        )
        assert response.status_code == 303, response.get_data(as_text=True)
        return client

    return make


@pytest.fixture
def make_socket(app: Flask) -> Iterator[Callable[..., SocketIOTestClient]]:
    """Factory: a Socket.IO test client, sharing cookies with ``flask_client`` if given."""
    clients: list[SocketIOTestClient] = []

    def make(flask_client: FlaskClient | None = None) -> SocketIOTestClient:
        client = socketio.test_client(app, flask_test_client=flask_client)
        assert client.is_connected()
        clients.append(client)
        return client

    yield make
    for client in clients:
        if client.is_connected():
            client.disconnect()


def new_client_id() -> str:
    return uuid.uuid4().hex
