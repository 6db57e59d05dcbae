"""Extensions, created unbound and attached to the app in ``create_app``."""

from collections.abc import Callable
from typing import TypeVar

from flask import Flask, current_app
from flask_migrate import Migrate
from flask_socketio import SocketIO
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations portable between SQLite and PostgreSQL.
NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
socketio = SocketIO()

T = TypeVar("T")


def per_app(key: str, make: Callable[[Flask], T], app: Flask | None = None) -> T:
    """The app's one ``make(app)`` (the current app's by default), made on first use and kept
    in ``app.extensions[key]``."""
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    found = app.extensions.get(key)
    if found is None:
        found = app.extensions[key] = make(app)
    return found  # type: ignore[no-any-return]
