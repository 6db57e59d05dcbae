"""The control room's announcements are stored: a phone that was offline when it was sent
sees it on its return, a phone that joins later too; « J’ai lu » hides it for good on that
phone; the organizer withdraws it from every screen (real eventlet server, real Chromium).
Screenshots go to E2E_SHOTS_DIR (/tmp/shots)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import unique, wait_live
from tests.realserver.clients import SLUG, atelier_ids

pytestmark = pytest.mark.e2e


def banner(page: Any, text: str) -> Any:
    return page.locator("#announcement", has_text=text)


def test_a_phone_that_was_away_gets_the_announcement_once_until_withdrawn(
    live_server: Any,
    joined_phone: Callable[..., Any],
    organizer: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    first, second = atelier_ids(base)[:2]
    regie = organizer(f"/organisateur/e/{SLUG}/regie")
    wait_live(regie, "#regie")
    away = joined_phone(first, unique("Léa"), label="away")

    # The phone loses its network; the organizer announces meanwhile.
    away.context.set_offline(True)
    away.wait_for_selector('#wall:not([data-live="joined"])', state="attached")
    text = f"Retour en plénière à 15h45 ({uuid.uuid4().hex[:4]})"
    regie.fill("#announce-text", text)
    regie.locator("#announce-form button[type=submit]").click()
    regie.locator("#announce-current", has_text=text).wait_for()
    assert regie.locator("#announce-current time").inner_text()  # « Envoyée à 15h02 »

    # Back online: the re-join's snapshot carries it, as a status banner with its time.
    away.context.set_offline(False)
    wait_live(away)
    shown = banner(away, text)
    shown.wait_for()
    assert shown.get_attribute("role") == "status"
    assert re.fullmatch(r"\d\dh\d\d", shown.locator("time").inner_text())
    screenshot(away, "1-phone-back-online", full_page=False)

    # A phone arriving later sees it too; « J’ai lu » hides it, and a reload does not bring
    # it back.
    late = joined_phone(second, unique("Karim"), label="late")
    banner(late, text).wait_for()
    banner(late, text).get_by_role("button", name="J’ai lu").click()
    banner(late, text).wait_for(state="detached")
    late.reload()
    wait_live(late)
    assert banner(late, text).count() == 0

    # The organizer withdraws it: the phone that did not dismiss it sees it go.
    regie.locator("#announce-clear").click()
    regie.locator("#announce-current").wait_for(state="hidden")
    banner(away, text).wait_for(state="detached")
    away.reload()
    wait_live(away)
    assert banner(away, text).count() == 0
    screenshot(regie, "2-regie-withdrawn", full_page=True)
