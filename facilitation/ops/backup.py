"""Online backup and restore of the database (``flask --app facilitation backup|restore``).

SQLite: SQLite's backup API copies a consistent snapshot while the server keeps running
(WAL: writers are not blocked); the copy is a single self-contained file, checked with
``PRAGMA integrity_check``. Restore copies a backup back into the live file with the same API,
after keeping the current database beside it (``*.before-restore-<time>.sqlite3``).

PostgreSQL: ``pg_dump --format=custom`` when it is installed (the command is printed
otherwise); restore with ``pg_restore``, whose command is printed: it replaces a whole
database and is left to the operator on purpose.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

import click
from flask import current_app
from sqlalchemy.engine import URL, make_url


class BackupError(Exception):
    """The backup or restore did not happen; the message says why (French)."""


@dataclass(frozen=True)
class Outcome:
    path: Path
    detail: str


def _stamp() -> str:
    return datetime.now(UTC).strftime("%Y%m%d-%H%M%S")


def sqlite_path(uri: str) -> Path | None:
    """The database file of a SQLite URI, or None for another database."""
    url = make_url(uri)
    if url.get_backend_name() != "sqlite":
        return None
    if not url.database or url.database == ":memory:":
        raise BackupError("Base SQLite en mémoire : rien à sauvegarder.")
    return Path(url.database)


def _target(dest: Path, suffix: str) -> Path:
    """``dest`` itself, or a dated file inside it when it is a directory."""
    if dest.is_dir():
        return dest / f"facilitation-{_stamp()}{suffix}"
    return dest


def backup_sqlite(db_path: Path, dest: Path, *, force: bool = False) -> Outcome:
    """Copy a consistent snapshot of ``db_path`` to ``dest`` while it stays in use."""
    if not db_path.exists():
        raise BackupError(f"Base introuvable : {db_path}")
    target = _target(dest, ".sqlite3")
    if target.exists() and not force:
        raise BackupError(f"{target} existe déjà (--force pour l'écraser).")
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_name(target.name + ".partial")
    partial.unlink(missing_ok=True)
    source = sqlite3.connect(f"file:{db_path}?mode=ro", uri=True, timeout=30)
    copy = sqlite3.connect(partial)
    try:
        source.backup(copy, pages=1024)  # in steps, so writers get the lock in between
        # One self-contained file: no -wal/-shm beside the copy.
        copy.execute("PRAGMA journal_mode=DELETE")
        check = copy.execute("PRAGMA integrity_check").fetchone()[0]
        if check != "ok":
            raise BackupError(f"Copie corrompue ({check}) : sauvegarde annulée.")
        tables = copy.execute("SELECT count(*) FROM sqlite_master WHERE type='table'").fetchone()
    finally:
        copy.close()
        source.close()
    partial.replace(target)  # the backup appears only once complete
    size = target.stat().st_size
    return Outcome(target, f"{tables[0]} tables, {size / 1024:.0f} Kio")


def _check_backup_file(src: Path) -> None:
    if not src.is_file():
        raise BackupError(f"Sauvegarde introuvable : {src}")
    try:
        conn = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
        try:
            conn.execute("SELECT version_num FROM alembic_version").fetchall()
            check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        raise BackupError(f"{src} n'est pas une sauvegarde de facilitation ({exc}).") from exc
    if check != "ok":
        raise BackupError(f"{src} est corrompue ({check}) : restauration annulée.")


def restore_sqlite(db_path: Path, src: Path) -> Outcome:
    """Replace the content of ``db_path`` with the backup ``src``; keep the current one aside."""
    _check_backup_file(src)
    kept: Path | None = None
    if db_path.exists():
        kept = db_path.with_name(f"{db_path.stem}.before-restore-{_stamp()}.sqlite3")
        backup_sqlite(db_path, kept)
    db_path.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(f"file:{src}?mode=ro", uri=True)
    live = sqlite3.connect(db_path, timeout=30)
    try:
        source.backup(live)  # takes the write lock: concurrent writers wait, then see it
        live.execute("PRAGMA journal_mode=WAL")
    finally:
        live.close()
        source.close()
    detail = f"base précédente gardée dans {kept}" if kept else "aucune base précédente"
    return Outcome(db_path, detail)


# ---------------------------------------------------------------------------- PostgreSQL
def _pg_env(url: URL) -> dict[str, str]:
    """libpq variables, so the password never appears on a command line."""
    env = dict(os.environ)
    for name, value in (
        ("PGHOST", url.host),
        ("PGPORT", url.port),
        ("PGUSER", url.username),
        ("PGPASSWORD", url.password),
        ("PGDATABASE", url.database),
    ):
        if value:
            env[name] = str(value)
    return env


def pg_dump_command(uri: str, dest: Path) -> list[str]:
    url = make_url(uri)
    return ["pg_dump", "--format=custom", "--no-owner", f"--file={dest}", url.database or ""]


def pg_restore_hint(uri: str, src: Path) -> str:
    url = make_url(uri)
    return (
        f"pg_restore --clean --if-exists --no-owner --single-transaction "
        f"--host={url.host or 'localhost'} --port={url.port or 5432} "
        f"--username={url.username or 'postgres'} --dbname={url.database} {src}"
    )


def backup_postgres(uri: str, dest: Path, *, force: bool = False) -> Outcome:
    """Run ``pg_dump`` (consistent: one snapshot transaction) or raise with the command."""
    target = _target(dest, ".dump")
    command = pg_dump_command(uri, target)
    if shutil.which("pg_dump") is None:
        raise BackupError(
            "pg_dump n'est pas installé ici. Lancez sur une machine qui l'a :\n  "
            + " ".join(command)
            + "\n(avec PGHOST, PGUSER, PGPASSWORD de DATABASE_URL dans l'environnement)"
        )
    if target.exists() and not force:
        raise BackupError(f"{target} existe déjà (--force pour l'écraser).")
    target.parent.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        command, env=_pg_env(make_url(uri)), capture_output=True, text=True, timeout=3600
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump a échoué ({result.returncode}) : {result.stderr.strip()}")
    return Outcome(target, f"{target.stat().st_size / 1024:.0f} Kio (format pg_dump custom)")


# ---------------------------------------------------------------------------- commands
@click.command("backup")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--force", is_flag=True, help="Écraser PATH s'il existe.")
def backup_command(path: Path, force: bool) -> None:
    """Sauvegarder la base pendant que le serveur tourne (PATH : fichier ou dossier)."""
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        db_file = sqlite_path(uri)
        if db_file is not None:
            outcome = backup_sqlite(db_file, path, force=force)
        else:
            outcome = backup_postgres(uri, path, force=force)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Sauvegarde écrite : {outcome.path} ({outcome.detail})")


@click.command("restore")
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Ne pas demander de confirmation.")
def restore_command(path: Path, yes: bool) -> None:
    """Remplacer la base par la sauvegarde PATH (SQLite ; la base actuelle est gardée à côté).

    Arrêtez le serveur avant, relancez-le après : les téléphones se resynchronisent seuls.
    """
    uri = current_app.config["SQLALCHEMY_DATABASE_URI"]
    try:
        db_file = sqlite_path(uri)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    if db_file is None:
        raise click.ClickException(
            "Base PostgreSQL : restaurez avec pg_restore, serveur arrêté :\n  "
            + pg_restore_hint(uri, path)
        )
    if not yes:
        click.confirm(f"Remplacer le contenu de {db_file} par {path} ?", abort=True)
    from facilitation.extensions import db

    db.engine.dispose()  # no pooled connection of this process holds the old file open
    try:
        outcome = restore_sqlite(db_file, path)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from exc
    click.echo(f"Base restaurée depuis {path} ({outcome.detail})")
