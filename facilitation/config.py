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
    # Enables the operator-only load-test endpoints (facilitation/ops/loadtest/http.py).
    "LOADTEST_TOKEN",
)


def defaults(instance_path: Path) -> dict[str, Any]:
    """The configuration a fresh clone runs with: SQLite in instance/, one worker."""
    return {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{instance_path / 'facilitation.sqlite3'}",
        "SQLALCHEMY_ENGINE_OPTIONS": {},
        # PostgreSQL connections per worker (facilitation/__init__.py, _engine_options; README
        # "Configuration"). A worker is one process on one core: more connections than it
        # can keep busy only make more transactions wait on the CPU while holding locks.
        # workers × (size + overflow) must stay under the server's max_connections (100).
        "DB_POOL_SIZE": 10,
        "DB_MAX_OVERFLOW": 10,
        # Seconds a handler waits for a free connection before answering ``busy`` (the
        # phone retries 3 s later). Under the phone's 8 s answer timeout (PROTOCOL.md,
        # outbox): with SQLAlchemy's 30 s a waiting tap was resent three times meanwhile,
        # each resend one more handler queued for a connection.
        "DB_POOL_TIMEOUT": 5,
        "SECRET_KEY": None,
        "SOCKETIO_MESSAGE_QUEUE": None,
        # The only place the async framework is named: the code never imports eventlet.
        "SOCKETIO_ASYNC_MODE": None,
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "PERMANENT_SESSION_LIFETIME": 60 * 60 * 24 * 30,
        "PUBLIC_BASE_URL": None,
        "SQLITE_BUSY_TIMEOUT_MS": 5000,
        # Seconds between two coalesced vote tallies of one atelier (facilitation/push/votes.py);
        # 0: only when votes.flush() is called (tests).
        "VOTE_TALLY_INTERVAL": 1.0,
        # Seconds between two coalesced « en un mot » tallies of one atelier
        # (facilitation/push/wordcloud.py): the projector's cloud grows twice a second.
        "CLOUD_TALLY_INTERVAL": 0.5,
        # Seconds between two coalesced ``presence`` messages of one atelier
        # (facilitation/push/presence.py); 0: only when presence.flush() is called (tests).
        "PRESENCE_INTERVAL": 1.0,
        # Seconds between two computations of the facilitator's assistant for one atelier
        # (duplicates and themes, facilitation/push/assistant.py); 0: only when
        # assistant.flush() is called (tests).
        "ASSISTANT_INTERVAL": 1.0,
        # Seconds between two coalesced ``reaction:counts`` of one atelier
        # (facilitation/push/reactions.py); 0: only when reactions.flush() is called (tests).
        "REACTION_INTERVAL": 1.0,
        # Seconds between two coalesced ``whoswho:changed`` of one atelier after plain joins
        # (facilitation/push/interconnaissance.py); 0: only when flushed (tests).
        "WHOSWHO_INTERVAL": 1.0,
        # Seconds between two publications of a worker's people and console counts to Redis
        # for the régie (facilitation/push/cluster_presence.py; only with a Redis queue).
        "PRESENCE_PUBLISH_SECONDS": 2.0,
        # Seconds a snapshot's shared part (cards ...) may serve further joins of its atelier
        # at the same version with no commit since (facilitation/realtime/snapshots.py); 0: off.
        "SNAPSHOT_CACHE_SECONDS": 1.0,
        # Seconds to answer a heartbeat before the connection counts as gone (python-engineio's
        # ping_timeout; phones learn it at the handshake).
        "SOCKETIO_PING_TIMEOUT": 20,
        # Hardening, documented in README "Security and data".
        "FACILITATION_ENV": "development",
        # None: Secure when PUBLIC_BASE_URL is https:// (resolved in web/security.py).
        "SESSION_COOKIE_SECURE": None,
        "PROXY_FIX": 0,
        "MAX_CONTENT_LENGTH": 1024 * 1024,
        "SOCKETIO_MAX_PAYLOAD": 64 * 1024,
        "SQLITE_WRITE_RETRIES": 2,
        "RATELIMIT_ENABLED": True,
        "RATELIMIT_STORAGE_URI": None,
        "RATELIMIT_JOIN": "300 per minute;3000 per hour",
        "RATELIMIT_LOGIN": "10 per minute;50 per hour",
        # Photo uploads (issue 19.3), per participant (or address): a retake or two per card.
        "RATELIMIT_PHOTO": "20 per minute;200 per hour",
        "SOCKET_RATE_BURST": 20,
        "SOCKET_RATE_PER_SECOND": 1.0,
        "LOADTEST_TOKEN": None,
    }


def from_env(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """Settings given in the environment, under their app names."""
    out: dict[str, Any] = {}
    for key in ENV_KEYS:
        value = environ.get(key)
        if value:
            name = "SQLALCHEMY_DATABASE_URI" if key == "DATABASE_URL" else key
            out[name] = normalise_database_url(value) if key == "DATABASE_URL" else value
    out.update(typed_from_env(environ))
    return out


#: Typed settings read from the environment (strings there), under the same names.
TYPED_ENV_KEYS: dict[str, type] = {
    "FACILITATION_ENV": str,
    "SESSION_COOKIE_SECURE": bool,
    "PROXY_FIX": int,
    "MAX_CONTENT_LENGTH": int,
    "SOCKETIO_MAX_PAYLOAD": int,
    "SQLITE_BUSY_TIMEOUT_MS": int,
    "SQLITE_WRITE_RETRIES": int,
    "DB_POOL_SIZE": int,
    "DB_MAX_OVERFLOW": int,
    "DB_POOL_TIMEOUT": int,
    "RATELIMIT_ENABLED": bool,
    "RATELIMIT_STORAGE_URI": str,
    "RATELIMIT_KEY_PREFIX": str,
    "RATELIMIT_JOIN": str,
    "RATELIMIT_LOGIN": str,
    "RATELIMIT_PHOTO": str,
    "SOCKET_RATE_BURST": int,
    "SOCKET_RATE_PER_SECOND": float,
    "PRESENCE_PUBLISH_SECONDS": float,
    "PRESENCE_INTERVAL": float,
    "WHOSWHO_INTERVAL": float,
    "SNAPSHOT_CACHE_SECONDS": float,
    "SOCKETIO_PING_TIMEOUT": int,
    "VOTE_TALLY_INTERVAL": float,
    "REACTION_INTERVAL": float,
    "CLOUD_TALLY_INTERVAL": float,
}


def typed_from_env(environ: os._Environ[str] | dict[str, str]) -> dict[str, Any]:
    """The typed settings present in the environment; ``1/true/yes/on`` are true."""
    out: dict[str, Any] = {}
    for key, kind in TYPED_ENV_KEYS.items():
        value = environ.get(key)
        if value is None or value == "":
            continue
        if kind is bool:
            out[key] = value.strip().lower() in {"1", "true", "yes", "on", "oui"}
        else:
            out[key] = kind(value.strip())
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


# ---------------------------------------------------------------------------- secrets
class ConfigurationError(RuntimeError):
    """The app refuses to start with this configuration; the message says how to fix it."""


ENVIRONMENTS = ("development", "production")

#: Keys found in tutorials, examples and our own tests: never acceptable in production.
WEAK_SECRETS = frozenset(
    {
        "dev",
        "development",
        "secret",
        "secret-key",
        "secret_key",
        "changeme",
        "change-me",
        "please-change-me",
        "default",
        "test",
        "test-secret-key",
        "facilitation",
    }
)
MIN_SECRET_LENGTH = 32


def is_production(config: dict[str, Any] | Any) -> bool:
    """The one rule: ``FACILITATION_ENV=production`` (anything else is development)."""
    return str(config.get("FACILITATION_ENV") or "development").strip().lower() == "production"


def check_secret_key(config: dict[str, Any] | Any) -> None:
    """Refuse to run in production without a strong ``SECRET_KEY``.

    Development (the default) may run without one: a random key is then generated once and
    kept in instance/. Production must be given one explicitly, at least 32 characters,
    not a well-known placeholder, because it signs the participants' identity cookies.
    """
    env = str(config.get("FACILITATION_ENV") or "development").strip().lower()
    if env not in ENVIRONMENTS:
        raise ConfigurationError(
            f"FACILITATION_ENV={env!r} inconnu : utilisez « development » ou « production »."
        )
    if env != "production":
        return
    key = config.get("SECRET_KEY")
    if not key:
        problem = "SECRET_KEY n'est pas défini"
    elif not isinstance(key, (str, bytes)):
        problem = "SECRET_KEY doit être une chaîne"
    elif (key.decode() if isinstance(key, bytes) else key).strip().lower() in WEAK_SECRETS:
        problem = "SECRET_KEY est une valeur d'exemple connue"
    elif len(key) < MIN_SECRET_LENGTH:
        problem = (
            f"SECRET_KEY est trop courte ({len(key)} caractères, {MIN_SECRET_LENGTH} au moins)"
        )
    else:
        return
    raise ConfigurationError(
        f"Démarrage refusé en production (FACILITATION_ENV=production) : {problem}. "
        "Générez une clé avec `python -c 'import secrets; print(secrets.token_urlsafe(48))'` "
        "et passez-la dans la variable d'environnement SECRET_KEY (ou instance/config.py). "
        "Gardez la même clé d'un redémarrage à l'autre : elle signe les cookies des participants."
    )
