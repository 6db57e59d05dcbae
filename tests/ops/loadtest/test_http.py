"""The operator-only endpoints: absent without LOADTEST_TOKEN, refused without the token."""

from __future__ import annotations

import pytest

from facilitation.extensions import db
from facilitation.models import Event

TOKEN = "jeton-de-test-de-charge-assez-long"


@pytest.fixture
def operator(app):  # type: ignore[no-untyped-def]
    app.config["LOADTEST_TOKEN"] = TOKEN
    yield {"Authorization": f"Bearer {TOKEN}"}
    app.config["LOADTEST_TOKEN"] = None


def test_absent_without_the_server_token(app, client) -> None:  # type: ignore[no-untyped-def]
    app.config["LOADTEST_TOKEN"] = None
    response = client.post(
        "/_loadtest/events", json={"ateliers": 2}, headers={"Authorization": "Bearer x"}
    )
    assert response.status_code == 404
    assert db.session.query(Event).count() == 0


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
