"""Bounded retries of a write when SQLite is busy, then a clear refusal (never silent).

SQLite lets one writer at a time. Each statement already waits up to
``SQLITE_BUSY_TIMEOUT_MS`` for the lock, cooperatively (edge/sqlite.py); if the lock is still
held after that, the whole unit of
work (validate → domain → commit) is run again up to ``SQLITE_WRITE_RETRIES`` times, then
``Busy`` is raised: the sender gets the French message and code ``busy``, nothing is stored
half-way. PostgreSQL does not raise these errors (row locks wait), so this is a no-op there.
"""

from __future__ import annotations

import logging
import random
import sqlite3
import time
from collections.abc import Callable
from typing import TypeVar

from flask import current_app
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from facilitation.domain.errors import Busy
from facilitation.extensions import db

log = logging.getLogger(__name__)

T = TypeVar("T")

_SQLITE_BUSY = 5
_SQLITE_LOCKED = 6


def is_busy(exc: BaseException) -> bool:
    """Is this SQLite's "database is locked/busy", as opposed to any other failure?"""
    orig = getattr(exc, "orig", exc)
    if not isinstance(orig, sqlite3.OperationalError):
        return False
    code = getattr(orig, "sqlite_errorcode", None)
    if isinstance(code, int):
        return code & 0xFF in (_SQLITE_BUSY, _SQLITE_LOCKED)
    message = str(orig).lower()
    return "locked" in message or "busy" in message


def with_write_retries(unit: Callable[[], T], retries: int | None = None) -> T:
    """Run ``unit`` (which commits); on SQLite busy roll back and run it again, bounded.

    Raises ``Busy`` when every attempt found the database locked.
    """
    if retries is None:
        retries = int(current_app.config.get("SQLITE_WRITE_RETRIES", 2))
    attempt = 0
    while True:
        try:
            return unit()
        except PoolTimeout as exc:
            # No free connection within DB_POOL_TIMEOUT: nothing was stored,
            # the worker is overloaded, not broken: ``busy`` tells the phone to resend.
            db.session.rollback()
            log.warning("no database connection free within the pool timeout: answered busy")
            raise Busy() from exc
        except OperationalError as exc:
            db.session.rollback()
            if not is_busy(exc):
                raise
            if attempt >= retries:
                log.error("SQLite still busy after %d attempts: write refused", attempt + 1)
                raise Busy() from exc
            attempt += 1
            log.warning("SQLite busy: retrying the write (%d/%d)", attempt, retries)
            # A little jitter so that waiting writers do not all retry at the same instant.
            time.sleep(0.05 * attempt + random.random() * 0.05)
