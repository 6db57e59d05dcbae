"""Purged and deleted data leave nothing readable in the database files."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from pathlib import Path

from flask import Flask
from sqlalchemy import text

from facilitation.extensions import db
from facilitation.models import Atelier, Participant
from tests.support.csrf import form_token


def database_bytes() -> bytes:
    """The SQLite database as it lies on disk: main file, write-ahead log, shared memory."""
    main = Path(db.engine.url.database or "")
    return b"".join(
        path.read_bytes()
        for path in (main, Path(f"{main}-wal"), Path(f"{main}-shm"))
        if path.exists()
    )


def vacuums() -> int:
    return db.session.execute(
        text("SELECT vacuum_count FROM pg_stat_user_tables WHERE relname = 'participant'")
    ).scalar_one()


def wait_for_more_vacuums(before: int) -> int:
    deadline = time.monotonic() + 5
    while (after := vacuums()) <= before and time.monotonic() < deadline:
        db.session.rollback()
        time.sleep(0.1)
    return after


def test_a_purge_leaves_no_name_in_the_database_files(
    app: Flask,
    make_atelier: Callable[..., Atelier],
    make_participant: Callable[..., Participant],
) -> None:
    marker = f"Marqueur{uuid.uuid4().hex}"
    atelier = make_atelier()
    make_participant(atelier, display_name=marker)
    sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        assert marker.encode() in database_bytes()  # the test can see a name on disk
    else:
        before = vacuums()

    result = app.test_cli_runner().invoke(args=["purge", atelier.event.slug, "--yes"])

    assert result.exit_code == 0, result.output
    if sqlite:
        assert marker.encode() not in database_bytes()
    else:
        assert wait_for_more_vacuums(before) > before


def test_mes_donnees_leaves_no_name_in_the_database_files(
    app: Flask, make_atelier: Callable[..., Atelier], joined_client: Callable[..., object]
) -> None:
    marker = f"Marqueur{uuid.uuid4().hex}"
    atelier = make_atelier()
    client = joined_client(atelier, display_name=marker)
    sqlite = db.engine.dialect.name == "sqlite"
    if sqlite:
        assert marker.encode() in database_bytes()
    else:
        before = vacuums()
    slug = atelier.event.slug

    answer = client.post(  # type: ignore[attr-defined]
        f"/e/{slug}/mes-donnees/supprimer",
        data={
            "csrf_token": form_token(client, f"/e/{slug}/mes-donnees"),
            "confirm": "1",
            "cards": "keep",
        },
    )

    assert answer.status_code == 303
    if sqlite:
        assert marker.encode() not in database_bytes()
    else:
        assert wait_for_more_vacuums(before) > before
