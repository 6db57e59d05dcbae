"""``flask backup`` / ``flask restore`` (facilitation/ops/backup.py)."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result
from flask import Flask
from sqlalchemy import make_url

from facilitation import create_app
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Participant
from facilitation.ops.backup import pg_dump_command, pg_restore_hint
from tests.conftest import new_client_id


@pytest.fixture
def sqlite_app(app: Flask, app_config: dict[str, Any], tmp_path: Path) -> Iterator[Flask]:
    """A SQLite app whatever the suite's database (its context over the suite's)."""
    from flask_migrate import upgrade

    live = create_app(
        app_config | {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'live.sqlite3'}"}
    )
    with live.app_context():
        upgrade(revision="heads")
        yield live
        db.session.remove()
        db.engine.dispose()


def run(app: Flask, *args: str) -> Result:
    return app.test_cli_runner().invoke(args=list(args), catch_exceptions=False)


def add_card(participant: Participant, titre: str) -> None:
    db.session.add(
        Contribution(
            atelier_id=participant.current_atelier_id,
            participant_id=participant.id,
            client_id=new_client_id(),
            kind="pratique",
            titre=titre,
        )
    )
    db.session.commit()


def titles() -> list[str]:
    db.session.expire_all()
    return sorted(c.titre for c in db.session.query(Contribution))


def test_backup_then_restore_brings_back_the_old_state(
    sqlite_app: Flask,
    make_atelier: Callable[..., Atelier],
    make_participant: Callable[..., Participant],
    tmp_path: Path,
) -> None:
    participant = make_participant(make_atelier())
    add_card(participant, "Avant la sauvegarde")
    target = tmp_path / "sauvegardes" / "matin.sqlite3"

    saved = run(sqlite_app, "backup", str(target))
    add_card(participant, "Après la sauvegarde")
    assert titles() == ["Après la sauvegarde", "Avant la sauvegarde"]
    db.session.remove()
    restored = run(sqlite_app, "restore", str(target), "--yes")

    assert saved.exit_code == 0, saved.output
    assert f"Sauvegarde écrite : {target}" in saved.output
    assert restored.exit_code == 0, restored.output
    assert "Base restaurée" in restored.output
    assert titles() == ["Avant la sauvegarde"]
    # The state before the restore was kept beside the database, not lost.
    (kept,) = (tmp_path).glob("live.before-restore-*.sqlite3")
    with sqlite3.connect(kept) as conn:
        assert conn.execute("SELECT count(*) FROM contribution").fetchone()[0] == 2


def test_the_backup_is_online_and_consistent_during_an_open_write(
    sqlite_app: Flask,
    make_atelier: Callable[..., Atelier],
    make_participant: Callable[..., Participant],
    tmp_path: Path,
) -> None:
    participant = make_participant(make_atelier())
    add_card(participant, "Validée")
    live_file = make_url(sqlite_app.config["SQLALCHEMY_DATABASE_URI"]).database
    writer = sqlite3.connect(live_file, isolation_level=None)
    writer.execute("BEGIN IMMEDIATE")  # a writer in the middle of its transaction
    # A copy of the card with its own client id and title, whatever the other columns are.
    columns = [r[1] for r in writer.execute("PRAGMA table_info(contribution)") if r[1] != "id"]
    values = {"client_id": "'uncommitted-1'", "titre": "'Pas encore validée'"}
    writer.execute(
        f"INSERT INTO contribution ({', '.join(columns)}) "
        f"SELECT {', '.join(values.get(c, c) for c in columns)} FROM contribution LIMIT 1"
    )
    try:
        result = run(sqlite_app, "backup", str(tmp_path))
    finally:
        writer.rollback()
        writer.close()

    assert result.exit_code == 0, result.output
    (copy,) = tmp_path.glob("facilitation-*.sqlite3")
    assert not Path(f"{copy}-wal").exists()  # one self-contained file
    with sqlite3.connect(copy) as conn:
        rows = conn.execute("SELECT titre FROM contribution").fetchall()
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    assert rows == [("Validée",)]


def test_backup_refuses_to_overwrite_without_force(sqlite_app: Flask, tmp_path: Path) -> None:
    target = tmp_path / "b.sqlite3"
    assert run(sqlite_app, "backup", str(target)).exit_code == 0

    again = run(sqlite_app, "backup", str(target))
    forced = run(sqlite_app, "backup", str(target), "--force")

    assert again.exit_code != 0
    assert "existe déjà" in again.output
    assert forced.exit_code == 0


def test_restore_refuses_a_file_that_is_not_a_backup(
    sqlite_app: Flask, make_atelier: Callable[..., Atelier], tmp_path: Path
) -> None:
    make_atelier()
    junk = tmp_path / "notes.sqlite3"
    junk.write_text("pas une base")

    result = run(sqlite_app, "restore", str(junk), "--yes")
    missing = run(sqlite_app, "restore", str(tmp_path / "absent.sqlite3"), "--yes")

    assert result.exit_code != 0
    assert "n'est pas une sauvegarde" in result.output
    assert missing.exit_code != 0
    assert "introuvable" in missing.output
    assert db.session.query(Atelier).count() == 1  # nothing touched


def test_restore_asks_for_confirmation(sqlite_app: Flask, tmp_path: Path) -> None:
    target = tmp_path / "b.sqlite3"
    run(sqlite_app, "backup", str(target))

    result = sqlite_app.test_cli_runner().invoke(args=["restore", str(target)], input="n\n")

    assert result.exit_code != 0
    assert "Remplacer le contenu" in result.output


def test_postgres_commands_keep_the_password_off_the_command_line(tmp_path: Path) -> None:
    uri = "postgresql+psycopg://orga:s3cret@db.example:5433/facilitation"

    dump = pg_dump_command(uri, tmp_path / "x.dump")
    hint = pg_restore_hint(uri, tmp_path / "x.dump")

    assert dump[:3] == ["pg_dump", "--format=custom", "--no-owner"]
    assert "s3cret" not in " ".join(dump) and "s3cret" not in hint
    assert "--dbname=facilitation" in hint and "--port=5433" in hint


def test_backup_of_postgres_runs_pg_dump(
    app: Flask, database_url: str, make_atelier: Callable[..., Atelier], tmp_path: Path
) -> None:
    if make_url(database_url).get_backend_name() != "postgresql":
        pytest.skip("the suite runs on SQLite (TEST_DATABASE_URL not set)")
    make_atelier(title="Atelier sauvegardé")
    target = tmp_path / "pg.dump"

    result = run(app, "backup", str(target))
    restore = run(app, "restore", str(target), "--yes")

    assert result.exit_code == 0, result.output
    assert target.read_bytes().startswith(b"PGDMP")  # pg_dump's custom format
    assert restore.exit_code != 0
    assert "pg_restore --clean" in restore.output
