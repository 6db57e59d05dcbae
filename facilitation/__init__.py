"""facilitation: real-time workshop facilitation for a day of ateliers."""

from __future__ import annotations

import logging
import os
import sqlite3
from pathlib import Path
from typing import Any

from flask import Flask
from sqlalchemy import event as sa_event
from sqlalchemy.engine import Engine

from facilitation.config import (
    INSTANCE_PATH,
    REPO_ROOT,
    check_secret_key,
    defaults,
    development_secret,
    from_env,
)
from facilitation.edge import sqlite as sqlite_wait
from facilitation.edge.socket_session import SocketSessionInterface
from facilitation.extensions import db, migrate, socketio
from facilitation.push import sessions as push_sessions

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Build the app: defaults < instance/config.py < environment < ``config``."""
    instance_path = Path(
        (config or {}).get("INSTANCE_PATH") or os.environ.get("INSTANCE_PATH") or INSTANCE_PATH
    )
    app = Flask(
        "facilitation",
        instance_path=str(instance_path),
        instance_relative_config=True,
        template_folder=str(REPO_ROOT / "templates"),
        static_folder=str(REPO_ROOT / "static"),
        root_path=str(REPO_ROOT),
    )
    app.config.update(defaults(instance_path))
    app.config.from_pyfile("config.py", silent=True)
    app.config.update(from_env(os.environ))
    if config:
        app.config.update(config)
    # Production (FACILITATION_ENV=production) refuses to start without a strong key.
    check_secret_key(app.config)
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = development_secret(instance_path)
        log.warning("SECRET_KEY not set: using the development key kept in %s", instance_path)
    _engine_options(app)

    # Handlers must be declared before init_app: Flask-SocketIO keeps a declared handler for
    # every later server only if no server existed when it was declared.
    from facilitation import jobs, realtime, web
    from facilitation.ops import cli  # noqa: F401

    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS), render_as_batch=True)
    socketio.init_app(
        app,
        async_mode=app.config.get("SOCKETIO_ASYNC_MODE"),
        message_queue=app.config.get("SOCKETIO_MESSAGE_QUEUE"),
        # None keeps python-engineio's same-origin check on the Origin header.
        cors_allowed_origins=app.config.get("SOCKETIO_CORS_ALLOWED_ORIGINS"),
        # Bytes per Socket.IO message (websocket frame or polling body); bigger is refused.
        max_http_buffer_size=app.config["SOCKETIO_MAX_PAYLOAD"],
        # Seconds a phone has to answer the heartbeat (see config.py).
        ping_timeout=app.config.get("SOCKETIO_PING_TIMEOUT", 20),
    )
    # A socket's events reuse the session read at its first event (edge/socket_session.py).
    app.session_interface = SocketSessionInterface()
    # A disconnect leaves its own rooms instead of scanning them all (realtime/rooms.py).
    realtime.rooms.index_rooms(socketio.server)
    # With a message queue, a logout disconnects its sockets on every worker.
    push_sessions.watch(socketio.server)

    # Before the blueprints' hooks, so that no early answer (a refused request) delays it.
    jobs.init_app(app)
    web.register(app)
    if app.config.get("LOADTEST_TOKEN"):
        # Operator-only load-test fixtures: absent from an app not started for a load test.
        from facilitation.ops.loadtest.http import bp as loadtest_bp

        app.register_blueprint(loadtest_bp)
    cli.register(app)
    return app


def _engine_options(app: Flask) -> None:
    uri: str = app.config["SQLALCHEMY_DATABASE_URI"]
    options = dict(app.config.get("SQLALCHEMY_ENGINE_OPTIONS") or {})
    if uri.startswith("sqlite"):
        connect_args = dict(options.get("connect_args") or {})
        # Wait for another process's lock in short slices with cooperative sleeps between
        # them (edge/sqlite.py), not in SQLite's C handler that would freeze every phone.
        connect_args.setdefault("timeout", sqlite_wait.SLICE)
        connect_args.setdefault(
            "factory", sqlite_wait.connection_factory(app.config["SQLITE_BUSY_TIMEOUT_MS"] / 1000)
        )
        # Green threads and worker threads share the pool; SQLite's own check is too strict.
        connect_args.setdefault("check_same_thread", False)
        options["connect_args"] = connect_args
        if uri.startswith("sqlite:///") and uri != "sqlite:///:memory:":
            Path(uri.removeprefix("sqlite:///")).parent.mkdir(parents=True, exist_ok=True)
    else:
        options.setdefault("pool_pre_ping", True)
        # Sized for one eventlet worker: see DB_POOL_* in config.py. Explicit
        # SQLALCHEMY_ENGINE_OPTIONS (instance/config.py) still win.
        options.setdefault("pool_size", int(app.config.get("DB_POOL_SIZE", 10)))
        options.setdefault("max_overflow", int(app.config.get("DB_MAX_OVERFLOW", 10)))
        options.setdefault("pool_timeout", int(app.config.get("DB_POOL_TIMEOUT", 5)))
    app.config["SQLALCHEMY_ENGINE_OPTIONS"] = options


@sa_event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets the projector read while a phone writes; foreign keys are off by default."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        # Deleted rows (a purge, « Mes données ») are overwritten, not left in free pages.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()
