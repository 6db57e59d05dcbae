"""The operator's commands: what they print and how they refuse."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from flask import Flask

from facilitation import create_app


def test_demo_on_a_database_never_migrated_says_what_to_run(
    app_config: dict[str, Any], tmp_path: Path
) -> None:
    fresh = create_app(
        {**app_config, "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'empty.sqlite3'}"}
    )
    with fresh.app_context():
        result = fresh.test_cli_runner().invoke(args=["demo", "--sample"])
    assert result.exit_code == 1
    assert "flask --app facilitation db upgrade heads" in result.output
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_demo_on_a_migrated_database_loads_the_day(app: Flask) -> None:
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "Journée de démonstration chargée" in result.output


@pytest.mark.parametrize("command", ["urls", "facilitator-link"])
def test_printed_links_say_which_address_was_assumed(
    app: Flask, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    app.test_cli_runner().invoke(args=["demo"])
    monkeypatch.setenv("PORT", "5123")
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    app.config["PUBLIC_BASE_URL"] = None
    args = ["urls"] if command == "urls" else ["facilitator-link", "rencontres-action-sociale-2021"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "Adresse supposée : http://127.0.0.1:5123" in result.stderr
    assert "PUBLIC_BASE_URL" in result.stderr
    assert "http://127.0.0.1:5123/" in result.stdout


@pytest.mark.parametrize("command", ["urls", "facilitator-link"])
def test_printed_links_use_the_public_base_url(
    app: Flask, monkeypatch: pytest.MonkeyPatch, command: str
) -> None:
    app.test_cli_runner().invoke(args=["demo"])
    monkeypatch.setitem(app.config, "SERVER_NAME", None)
    app.config["PUBLIC_BASE_URL"] = "https://atelier.example.org/"
    args = ["urls"] if command == "urls" else ["facilitator-link", "rencontres-action-sociale-2021"]
    result = app.test_cli_runner().invoke(args=args)
    assert result.exit_code == 0, result.output
    assert "https://atelier.example.org/" in result.stdout
    assert ":5000" not in result.stdout
    assert "Adresse supposée" not in result.stderr
