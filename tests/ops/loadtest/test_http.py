"""The operator-only endpoints: absent without LOADTEST_TOKEN, refused without the token."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from facilitation import create_app
from facilitation.extensions import db
from facilitation.models import Event

TOKEN = "jeton-de-test-de-charge-assez-long"


@pytest.fixture
def loadtest_app(app: Flask, app_config: dict[str, Any]) -> Iterator[Flask]:
    """An app started for a load test (LOADTEST_TOKEN set), on the test database."""
    started = create_app({**app_config, "LOADTEST_TOKEN": TOKEN})
    yield started
    with started.app_context():
        db.engine.dispose()


@pytest.fixture
def client(loadtest_app: Flask) -> FlaskClient:
    return loadtest_app.test_client()


@pytest.fixture
def operator() -> dict[str, str]:
    return {"Authorization": f"Bearer {TOKEN}"}


def test_absent_without_the_server_token(app) -> None:  # type: ignore[no-untyped-def]
    assert "loadtest" not in app.blueprints  # not even registered
    response = app.test_client().post(
        "/_loadtest/events", json={"ateliers": 2}, headers={"Authorization": "Bearer x"}
    )
    assert response.status_code == 404
    assert db.session.query(Event).count() == 0


def test_absent_when_the_token_is_emptied_at_run_time(loadtest_app, client) -> None:  # type: ignore[no-untyped-def]
    loadtest_app.config["LOADTEST_TOKEN"] = None
    response = client.post(
        "/_loadtest/events", json={"ateliers": 2}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert response.status_code == 404


@pytest.mark.parametrize("header", [None, "Bearer wrong", TOKEN])
def test_refused_without_the_right_token(app, client, operator, header) -> None:  # type: ignore[no-untyped-def]
    headers = {"Authorization": header} if header else {}
    response = client.post("/_loadtest/events", json={"ateliers": 2}, headers=headers)
    assert response.status_code == 403
    assert db.session.query(Event).count() == 0


def test_create_read_remove(app, client, operator) -> None:  # type: ignore[no-untyped-def]
    created = client.post("/_loadtest/events", json={"ateliers": 4}, headers=operator)
    assert created.status_code == 201, created.get_data(as_text=True)
    body = created.get_json()
    assert body["slug"].startswith("loadtest-") and len(body["ateliers"]) == 4

    read = client.get(f"/_loadtest/events/{body['slug']}", headers=operator)
    assert read.status_code == 200
    assert read.get_json()["contributions"] == 0

    removed = client.delete(f"/_loadtest/events/{body['slug']}", headers=operator)
    assert removed.status_code == 200
    assert db.session.query(Event).count() == 0


def test_cannot_remove_a_real_event(app, client, operator, make_event) -> None:  # type: ignore[no-untyped-def]
    real = make_event()
    db.session.commit()
    response = client.delete(f"/_loadtest/events/{real.slug}", headers=operator)
    assert response.status_code == 403
    assert db.session.get(Event, real.id) is not None


def test_invalid_atelier_count(app, client, operator) -> None:  # type: ignore[no-untyped-def]
    response = client.post("/_loadtest/events", json={"ateliers": "beaucoup"}, headers=operator)
    assert response.status_code == 422


def test_consoles_get_a_facilitator_link_for_the_run(app, client, operator) -> None:  # type: ignore[no-untyped-def]
    """``flask loadtest --consoles``: the run's event comes with an event-wide facilitator
    link, so a console can join each atelier and the assistant works during the run."""
    plain = client.post("/_loadtest/events", json={"ateliers": 1}, headers=operator).get_json()
    assert "facilitator_path" not in plain
    body = client.post(
        "/_loadtest/events", json={"ateliers": 2, "consoles": True}, headers=operator
    ).get_json()
    path = body["facilitator_path"]
    assert path.startswith("/f/")
    console = client.application.test_client()
    assert console.get(path).status_code == 303  # the facilitator's session cookie
    removed = client.delete(f"/_loadtest/events/{body['slug']}", headers=operator)
    assert removed.status_code == 200
