"""Configuration: defaults, then environment variables, then ``instance/config.py``."""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
INSTANCE_PATH = REPO_ROOT / "instance"

#: The development key is generated once and kept in instance/ so that participants'
#: signed cookies survive a server restart.
_SECRET_FILE = "secret_key"

ENV_KEYS = (
    "DATABASE_URL",
    "SECRET_KEY",
    "SOCKETIO_MESSAGE_QUEUE",
    "SOCKETIO_ASYNC_MODE",
    "PUBLIC_BASE_URL",
    # Enables the operator-only load-test endpoints (facilitation/loadtest/http.py).
    "LOADTEST_TOKEN",
)


def defaults(instance_path: Path) -> dict[str, Any]:
    """The configuration a fresh clone runs with: SQLite in instance/, one worker."""
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance_path / 'facilitation.sqlite3'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        "SECRET_KEY": None,
        "SOCKETIO_MESSAGE_QUEUE": None,
        # The only place the async framework is named: the code never imports eventlet.
        "SOCKETIO_ASYNC_MODE": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 30,
        "PUBLIC_BASE_URL": None,
        "SQLITE_BUSY_TIMEOUT_MS": 5000,
    }


def from_env(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """Settings given in the environment, under their app names."""
    out: dict[str, Any] = {}
    for key in ENV_KEYS:
        value = environ.get(key)
        if value:
            name = "SQLALCHEMY_DATABASE_URI" if key == "DATABASE_URL" else key
            out[name] = normalise_database_url(value) if key == "DATABASE_URL" else value
    return out


def normalise_database_url(url: str) -> str:
    """Accept the usual ``postgres://`` and ``postgresql://`` forms; we drive psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def development_secret(instance_path: Path) -> str:
    """A random key stored in instance/, made on first use."""
    path = instance_path / _SECRET_FILE
    if path.exists():
        return path.read_text().strip()
    instance_path.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    path.write_text(key)
    path.chmod(0o600)
    return key
