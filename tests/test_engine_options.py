"""The PostgreSQL pool is sized from the configuration (issue 18.2): DB_POOL_SIZE,
DB_MAX_OVERFLOW, DB_POOL_TIMEOUT, from the environment or instance/config.py."""

from __future__ import annotations

from pathlib import Path

from facilitation import create_app
from facilitation.config import from_env
from facilitation.extensions import db

STRONG = "k5Jx2yqv9Vb0t8Lw3RzP6aN1mQe4sHc7uYdGfTiKoXlW"


def make(tmp_path: Path, **config: object):  # type: ignore[no-untyped-def]
    return create_app(
        {
            "TESTING": True,
            # Never connected to: the engine is built, its pool read, no query made.
            "SQLALCHEMY_DATABASE_URI": "postgresql+psycopg://nobody@127.0.0.1:9/absent",
            "INSTANCE_PATH": str(tmp_path / "instance"),
            "SOCKETIO_ASYNC_MODE": "threading",
            "SECRET_KEY": STRONG,
            **config,
        }
    )


def test_the_pool_has_the_configured_size(tmp_path: Path) -> None:
    app = make(tmp_path, DB_POOL_SIZE=4, DB_MAX_OVERFLOW=6, DB_POOL_TIMEOUT=3)
    with app.app_context():
        pool = db.engine.pool
        assert pool.size() == 4
        assert pool._max_overflow == 6  # type: ignore[attr-defined]
        assert pool._timeout == 3  # type: ignore[attr-defined]


def test_defaults_and_explicit_engine_options_win(tmp_path: Path) -> None:
    app = make(tmp_path)
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert {k: options[k] for k in ("pool_size", "max_overflow", "pool_timeout")} == {
        "pool_size": 10, "max_overflow": 10, "pool_timeout": 5
    }  # fmt: skip
    app = make(tmp_path, SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 2}, DB_POOL_SIZE=7)
    assert app.config["SQLALCHEMY_ENGINE_OPTIONS"]["pool_size"] == 2


def test_sqlite_gets_no_pool_size(tmp_path: Path) -> None:
    app = make(tmp_path, SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'db.sqlite3'}")
    assert "pool_size" not in app.config["SQLALCHEMY_ENGINE_OPTIONS"]


def test_read_from_the_environment() -> None:
    env = {"DB_POOL_SIZE": "12", "DB_MAX_OVERFLOW": "0", "DB_POOL_TIMEOUT": "5"}
    assert from_env(env) == {"DB_POOL_SIZE": 12, "DB_MAX_OVERFLOW": 0, "DB_POOL_TIMEOUT": 5}
