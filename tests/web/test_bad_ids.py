"""Ids that are not ids in organizer forms and queries: a clear refusal, never a server error.

Beyond PostgreSQL's INTEGER (2³¹) or SQLite's 64 bits, or digits Python reads as numbers but
a database id is not (« ٣ », « ² »).
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from flask import Flask

from facilitation.models import Atelier
from tests.support.csrf import form_token
from tests.support.roles import organizer_client

BAD = ["2147483648", "9223372036854775808", "18446744073709551616", "٣", "²", "-1", "1.0"]


@pytest.mark.parametrize("bad", BAD)
def test_facilitator_link_forms(app: Flask, make_atelier: Callable[..., Atelier], bad: str) -> None:
    atelier = make_atelier()
    browser = organizer_client(app, atelier.event)
    url = f"/organisateur/e/{atelier.event.slug}/liens"
    token = form_token(browser, url)
    created = browser.post(url, data={"csrf_token": token, "action": "create", "atelier_id": bad})
    revoked = browser.post(url, data={"csrf_token": token, "action": "revoke", "link_id": bad})
    assert created.status_code == 404
    assert revoked.status_code == 404


@pytest.mark.parametrize("bad", BAD)
def test_plenary_shortlist(app: Flask, make_atelier: Callable[..., Atelier], bad: str) -> None:
    atelier = make_atelier()
    browser = organizer_client(app, atelier.event)
    slug = atelier.event.slug
    page = f"/organisateur/e/{slug}/restitution"
    answer = browser.post(
        f"/organisateur/e/{slug}/restitution/perspectives",
        data={"csrf_token": form_token(browser, page), "action": "selection", "chantiers": bad},
    )
    assert answer.status_code < 500


@pytest.mark.parametrize("bad", BAD)
def test_export_of_one_atelier(app: Flask, make_atelier: Callable[..., Atelier], bad: str) -> None:
    atelier = make_atelier()
    browser = organizer_client(app, atelier.event)
    answer = browser.get(
        f"/organisateur/e/{atelier.event.slug}/restitution/export.json?atelier={bad}"
    )
    assert answer.status_code == 200
