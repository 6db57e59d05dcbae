"""SQLite connections that wait for a lock without stopping the other phones.

SQLite's own busy handler sleeps inside C. Under eventlet every phone of the worker shares one
OS thread, so a write waiting there for a lock held by another process (a ``flask`` command, a
backup, the ``sqlite3`` shell) froze the whole worker: reads, health checks and heartbeats
included, and phones dropped. Here the C handler waits only a short slice; between slices the
statement is retried after ``time.sleep``, which eventlet makes cooperative, until the
configured total. Then SQLite's "database is locked" goes up as before, and
``edge.dbretry.with_write_retries`` answers ``busy``.

Retrying one statement after SQLITE_BUSY is safe: the failed statement did nothing. A busy
snapshot (a read transaction that can no longer become a write one) is raised at once: only a
new transaction helps, which ``with_write_retries`` makes.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

#: Seconds SQLite's C busy handler may block the worker in one go.
SLICE = 0.02
_BUSY = 5
_LOCKED = 6
_BUSY_SNAPSHOT = 517


def _retryable(exc: sqlite3.OperationalError) -> bool:
    code = getattr(exc, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code != _BUSY_SNAPSHOT and code & 0xFF in (_BUSY, _LOCKED)
    return "locked" in str(exc).lower()


def _waiting(call: Any, total: float) -> Any:
    deadline = time.monotonic() + total
    pause = SLICE
    while True:
        try:
            return call()
        except sqlite3.OperationalError as exc:
            if not _retryable(exc) or time.monotonic() >= deadline:
                raise
        time.sleep(pause)  # green under eventlet: the other phones are served meanwhile
        pause = min(pause * 2, 0.2)


class CooperativeCursor(sqlite3.Cursor):
    total: float = 5.0

    def execute(self, sql: str, parameters: Any = (), /) -> CooperativeCursor:
        return _waiting(lambda: super(CooperativeCursor, self).execute(sql, parameters), self.total)

    def executemany(self, sql: str, seq_of_parameters: Any, /) -> CooperativeCursor:
        rows = list(seq_of_parameters)  # an iterator could not be replayed after a retry
        return _waiting(lambda: super(CooperativeCursor, self).executemany(sql, rows), self.total)


class CooperativeConnection(sqlite3.Connection):
    total: float = 5.0
    cursor_class: type[CooperativeCursor] = CooperativeCursor

    def cursor(self, factory: Any = None) -> Any:  # type: ignore[override]
        return super().cursor(factory or self.cursor_class)

    def commit(self) -> None:
        _waiting(super().commit, self.total)


def connection_factory(total_seconds: float) -> type[CooperativeConnection]:
    """A ``sqlite3.connect(factory=...)`` class waiting up to ``total_seconds`` per statement.

    Pass it with ``timeout=SLICE`` so that SQLite's C handler only covers one slice.
    """
    cursor = type("Cursor", (CooperativeCursor,), {"total": total_seconds})
    return type(
        "Connection", (CooperativeConnection,), {"total": total_seconds, "cursor_class": cursor}
    )


def scrub_deleted(engine: Any, tables: tuple[str, ...] = ()) -> bool:
    """After a purge or a deletion is committed: leave nothing of the old rows on disk.

    SQLite (``secure_delete`` is on, so freed pages and cells of the main file are zeroed):
    the write-ahead log still holds earlier copies of the pages, so it is checkpointed into
    the main file and truncated. PostgreSQL: ``VACUUM`` of ``tables`` removes the dead
    tuples from tables and indexes and lets their space be reused; the bytes may stay until
    overwritten, in the server's WAL and in backups (the README says what the operator does).
    Returns False when SQLite could not truncate its log (a reader kept it busy throughout).
    """
    if engine.dialect.name == "sqlite":
        with engine.connect() as connection:
            for _ in range(20):
                busy, _log_pages, _moved = connection.exec_driver_sql(
                    "PRAGMA wal_checkpoint(TRUNCATE)"
                ).one()
                if not busy:
                    return True
                time.sleep(0.05)
        return False
    if engine.dialect.name == "postgresql" and tables:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
            for table in tables:
                connection.exec_driver_sql(f'VACUUM "{table}"')
    return True
