"""The round timer loop starts with a worker's first HTTP request, once, never in tests."""

from __future__ import annotations

from typing import Any

import pytest
from flask import Flask

from facilitation import create_app
from facilitation.extensions import db
from facilitation.jobs import round_timers


@pytest.fixture
def starts(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Loops the app asked to start (none really starts)."""
    started: list[Any] = []
    monkeypatch.setattr(round_timers, "_started", False)
    monkeypatch.setattr(
        round_timers.socketio, "start_background_task", lambda *a: started.append(a)
    )
    return started


def test_no_loop_under_testing(app: Flask, starts: list[Any]) -> None:
    app.test_client().get("/healthz")
    assert starts == []


def test_first_request_starts_the_loop_once(
    app: Flask, app_config: dict[str, Any], starts: list[Any]
) -> None:
    worker = create_app({**app_config, "TESTING": False})
    try:
        assert starts == []  # building the app (a flask command, say) starts nothing
        client = worker.test_client()
        client.get("/healthz")
        client.get("/healthz")
        assert len(starts) == 1
    finally:
        with worker.app_context():
            db.engine.dispose()


def test_an_interval_of_zero_disables_the_loop(
    app: Flask, app_config: dict[str, Any], starts: list[Any]
) -> None:
    worker = create_app({**app_config, "TESTING": False, "ROUND_TICKER_SECONDS": 0})
    try:
        worker.test_client().get("/healthz")
        assert starts == []
    finally:
        with worker.app_context():
            db.engine.dispose()
