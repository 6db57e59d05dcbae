"""The facilitator opens the vote from the console's vote panel: the participant's phone shows
the ballot under a « vote » phase banner, and the reveal moves both to « résultats » (real
eventlet server, real Chromium). Screenshots go to E2E_SHOTS_DIR (/tmp/shots)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import card, post_pratique, unique
from tests.realserver.clients import atelier_ids

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1280, "height": 1000}


def test_opening_the_vote_from_the_panel_moves_the_phone_to_the_vote_phase(
    live_server: Any,
    joined_phone: Callable[..., Any],
    projector: Callable[..., Any],
    facilitator: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = atelier_ids(base)[0]
    titre = f"Bus solidaire {uuid.uuid4().hex[:4]}"

    console = facilitator(here, viewport=LAPTOP)
    mobile = joined_phone(here, unique("Awa"), label="participant")
    post_pratique(mobile, titre)
    card(mobile, titre).wait_for()
    banner = mobile.locator("#round-banner")
    banner.locator("text=contributions ouvertes").wait_for()
    screen = projector(base, here)

    console.fill("#vote-dots", "2")
    console.click("#vote-open")

    # The phone: the « vote » banner and the ballot, together.
    mobile.wait_for_selector('#round-banner[data-phase="vote"]', state="attached")
    assert re.search(r"Manche \d+ : vote", banner.inner_text())
    mobile.wait_for_selector("#dots-left:has-text('Il vous reste 2 points sur 2')")
    mobile.get_by_role("button", name=f"Ajouter un point à « {titre} »").wait_for()
    assert mobile.locator("#vote-status").inner_text().startswith("Vote en cours")
    screen.wait_for_selector('#projector[data-phase="vote"][data-vote="ouvert"]', state="attached")
    # The console's round panel followed the vote panel.
    console.wait_for_selector('#console[data-phase="vote"]', state="attached")
    screenshot(mobile, "1-phone-vote-phase", full_page=True)

    console.click("#vote-reveal")
    mobile.wait_for_selector('#round-banner[data-phase="resultats"]', state="attached")
    mobile.wait_for_selector("#vote-results-phone[data-state='revealed']")
    assert mobile.locator(".vote-controls").count() == 0
    screen.wait_for_selector("#vote-results-projector[data-state='revealed']")
    screenshot(mobile, "2-phone-results-phase", full_page=True)


def test_the_panel_says_closing_closes_the_round_and_shows_the_servers_refusal(
    live_server: Any,
    facilitator: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    """« Clôturer le vote » carries its hint (it closes the round too); opening a vote from
    « préparation » is refused with the server's French message, not a generic one."""
    base = live_server.url
    here = atelier_ids(base)[-1]
    console = facilitator(here, viewport=LAPTOP)
    console.wait_for_selector("#phase-buttons button[data-to='clos']")
    console.click("#phase-buttons button[data-to='clos']")
    console.click("#round-new")
    console.wait_for_selector('#console[data-phase="preparation"]', state="attached")

    console.fill("#vote-dots", "2")
    console.click("#vote-open")
    error = console.locator("#vote-panel-error")
    error.wait_for()
    assert "Passage impossible de « préparation » à « vote »" in error.inner_text()
    assert error.get_attribute("role") == "alert"
    # Once, next to the action: not also in the console's box (the server's app:error copy
    # came before the ack that filled the panel).
    assert console.locator("#console-error").is_hidden()
    assert console.get_by_text("Passage impossible de « préparation » à « vote »").count() == 1
    assert console.locator('#console[data-phase="preparation"]').count() == 1
    screenshot(console, "3-console-vote-refused-in-preparation")

    console.click("#phase-buttons button[data-to='contributions']")
    console.wait_for_selector('#console[data-phase="contributions"]', state="attached")
    console.click("#vote-open")
    console.wait_for_selector('#console[data-phase="vote"]', state="attached")
    assert error.is_hidden()
    hint = console.locator("#vote-close-hint")
    hint.wait_for()
    assert "Clôture aussi la manche" in hint.inner_text()
    assert console.get_attribute("#vote-close", "aria-describedby") == "vote-close-hint"
    screenshot(console, "4-console-vote-open-with-close-hint")

    console.click("#vote-close")
    console.wait_for_selector('#console[data-phase="clos"]', state="attached")
    console.wait_for_selector('#vote-panel[data-vote="clos"]', state="attached")
    assert hint.is_hidden()
