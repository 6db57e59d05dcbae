"""Configuration rules (facilitation/config.py): SECRET_KEY required in production."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from facilitation import create_app
from facilitation.config import ConfigurationError, from_env

REPO_ROOT = Path(__file__).resolve().parents[1]
STRONG = "k5Jx2yqv9Vb0t8Lw3RzP6aN1mQe4sHc7uYdGfTiKoXlW"


@pytest.fixture
def base(tmp_path: Path) -> dict[str, Any]:
    """A configuration with nothing about the secret: each test sets its own."""
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'db.sqlite3'}",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "SOCKETIO_ASYNC_MODE": "threading",
    }


@pytest.fixture(autouse=True)
def _no_secret_in_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("SECRET_KEY", "FACILITATION_ENV"):
        monkeypatch.delenv(name, raising=False)


@pytest.mark.parametrize(
    ("key", "problem"),
    [
        (None, "SECRET_KEY n'est pas défini"),
        ("", "SECRET_KEY n'est pas défini"),
        ("changeme", "valeur d'exemple connue"),
        ("test-secret-key", "valeur d'exemple connue"),
        ("short-but-not-a-known-one", "trop courte"),
    ],
)
def test_production_refuses_to_start_without_a_strong_secret_key(
    base: dict[str, Any], key: str | None, problem: str
) -> None:
    with pytest.raises(ConfigurationError) as refused:
        create_app(base | {"FACILITATION_ENV": "production", "SECRET_KEY": key})

    message = str(refused.value)
    assert problem in message
    assert "Démarrage refusé en production" in message
    assert "secrets.token_urlsafe" in message  # says how to fix it
    assert not (Path(base["INSTANCE_PATH"]) / "secret_key").exists()


def test_production_starts_with_a_strong_secret_key(base: dict[str, Any]) -> None:
    app = create_app(base | {"FACILITATION_ENV": "production", "SECRET_KEY": STRONG})

    assert app.config["SECRET_KEY"] == STRONG


def test_development_generates_a_key_once_and_keeps_it_in_instance(base: dict[str, Any]) -> None:
    first = create_app(base)
    second = create_app(base)

    stored = (Path(base["INSTANCE_PATH"]) / "secret_key").read_text().strip()
    assert first.config["SECRET_KEY"] == second.config["SECRET_KEY"] == stored
    assert len(stored) >= 48
    assert (Path(base["INSTANCE_PATH"]) / "secret_key").stat().st_mode & 0o077 == 0


def test_an_unknown_environment_name_is_refused(base: dict[str, Any]) -> None:
    with pytest.raises(ConfigurationError, match="development.*production"):
        create_app(base | {"FACILITATION_ENV": "prod"})


def test_typed_settings_are_read_from_the_environment() -> None:
    config = from_env(
        {
            "FACILITATION_ENV": "production",
            "SESSION_COOKIE_SECURE": "true",
            "RATELIMIT_ENABLED": "0",
            "SOCKET_RATE_PER_SECOND": "0.5",
            "MAX_CONTENT_LENGTH": "2048",
            "PRESENCE_PUBLISH_SECONDS": "0.5",
        }
    )

    assert config["FACILITATION_ENV"] == "production"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["RATELIMIT_ENABLED"] is False
    assert config["SOCKET_RATE_PER_SECOND"] == 0.5
    assert config["MAX_CONTENT_LENGTH"] == 2048
    assert config["PRESENCE_PUBLISH_SECONDS"] == 0.5


def test_the_presence_publish_period_comes_from_the_environment(
    base: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    from facilitation.push import cluster_presence

    monkeypatch.delenv("PRESENCE_PUBLISH_SECONDS", raising=False)
    assert cluster_presence._period(create_app(base)) == cluster_presence.DEFAULT_PERIOD
    monkeypatch.setenv("PRESENCE_PUBLISH_SECONDS", "0.5")
    assert cluster_presence._period(create_app(base)) == 0.5


def test_the_server_command_refuses_to_start_in_production_without_a_key(tmp_path: Path) -> None:
    env = {
        k: v for k, v in os.environ.items() if k not in ("SECRET_KEY", "DATABASE_URL", "FLASK_APP")
    }
    env |= {
        "FACILITATION_ENV": "production",
        "INSTANCE_PATH": str(tmp_path / "instance"),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
    }

    result = subprocess.run(
        [sys.executable, "-m", "flask", "--app", "facilitation", "routes"],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert result.returncode != 0
    assert "SECRET_KEY n'est pas défini" in result.stderr
