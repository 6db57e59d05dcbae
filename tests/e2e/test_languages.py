"""Languages in a real browser (issue 6): a French phone switches to English and stays there,
scripts included (connection state, the outbox's texts)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import E2E_DATABASE, wait_live
from tests.realserver.clients import SLUG, atelier_ids

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.parametrize("live_server", [E2E_DATABASE], indirect=True),
]


def test_a_phone_switches_to_english_and_the_wall_speaks_english(
    live_server: Any, phone: Callable[..., Any], screenshot: Callable[..., Any]
) -> None:
    base = live_server.url
    here = atelier_ids(base)[0]
    page = phone("english")  # a French browser (fr-FR)
    page.goto(f"{base}/e/{SLUG}/rejoindre")
    assert page.get_attribute("html", "lang") == "fr"
    page.get_by_role("link", name="English").click()
    page.wait_for_url(f"{base}/e/{SLUG}/rejoindre")
    assert page.get_attribute("html", "lang") == "en"
    page.get_by_role("heading", name="Join a workshop").wait_for()

    page.get_by_label("Display name").fill(f"Ada {uuid.uuid4().hex[:4]}")
    page.get_by_label("Organisation").fill("Mission locale")
    page.check(f"#atelier-{here}")
    page.check("#consent")
    page.get_by_role("button", name="Join the workshop").click()
    page.wait_for_url(f"{base}/e/{SLUG}/a/{here}")
    wait_live(page)
    assert page.locator("#live-status").inner_text().strip() == "connected"
    assert page.locator("#submit-button").inner_text() == "Publish"

    page.context.set_offline(True)
    page.wait_for_selector('#live-status[data-state="offline"]', state="attached")
    assert page.locator("#live-status").inner_text().strip() == "offline"
    page.fill("#titre", "Evening language café")
    page.click("#submit-button")
    pending = page.locator("#outbox-cards .card--pending")
    pending.wait_for()
    assert "Waiting to be sent" in pending.inner_text()
    screenshot(page, "english-offline", full_page=True)
    page.context.set_offline(False)
    page.wait_for_selector('#wall[data-outbox="0"]', state="attached")
    assert page.locator("#form-status").inner_text() == "“Evening language café” sent."

    # And back to French, remembered for the next pages.
    page.get_by_role("link", name="Français").click()
    wait_live(page)
    assert page.get_attribute("html", "lang") == "fr"
    assert page.locator("#submit-button").inner_text() == "Publier"
