"""Idempotent writes (ARCHITECTURE.md): the same write arriving twice stores one row."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from sqlalchemy.exc import IntegrityError

from facilitation.extensions import db

Row = TypeVar("Row")


def add_once(row: Row, stored: Callable[[], Row | None]) -> tuple[Row, bool]:
    """Add ``row`` in a savepoint: ``(row, True)``. When a unique constraint refuses it (the
    same write racing in from a retry, a double tap or another worker), ``(stored(), False)``:
    the row the other request stored. ``IntegrityError`` when ``stored()`` finds none."""
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        found = stored()
        if found is None:
            raise
        return found, False
    return row, True
