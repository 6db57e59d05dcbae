"""« Tour anonyme » and « validation des cartes » in real browsers (issue 20): a phone posts in
an anonymous round and the projector shows no name; a card waits on the phone until the
console accepts it, then reaches the projector; a declined card comes back with its reason.
Screenshots go to E2E_SHOTS_DIR (/tmp/shots)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import card, post_pratique, unique
from tests.realserver.clients import atelier_ids

pytestmark = pytest.mark.e2e

CONSOLE = {"width": 1366, "height": 768}


def set_switch(console: Any, selector: str, on: bool) -> None:
    """Tick or untick a console switch and wait for the server's answer to settle it."""
    if console.locator(selector).is_checked() != on:
        console.locator(selector).click()
    console.wait_for_function(
        "([s, on]) => document.querySelector(s).checked === on", arg=[selector, on]
    )
    console.wait_for_timeout(300)  # the ack (a refusal would untick it again)
    assert console.locator(selector).is_checked() == on


def within(box: Any, titre: str) -> Any:
    """The card titled ``titre`` inside ``box`` (a locator)."""
    return box.locator(".card", has_text=titre)


def test_an_anonymous_round_with_approval_from_phone_to_projector(
    live_server: Any,
    joined_phone: Callable[..., Any],
    projector: Callable[..., Any],
    facilitator: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = atelier_ids(base)[3]
    console = facilitator(here, label="Samia", viewport=CONSOLE)
    try:
        set_switch(console, "#round-anonymous", True)
        set_switch(console, "#card-approval", True)
        screen = projector(base, here)

        name, structure = unique("Zoé Secrète"), unique("Mairie Cachée")
        mobile = joined_phone(here, name, label="author", structure=structure)
        mobile.set_viewport_size({"width": 360, "height": 740})
        # Told before posting.
        notice = mobile.locator("#anonymous-notice")
        notice.wait_for()
        assert "votre nom et votre structure ne seront pas affichés" in notice.inner_text()
        assert mobile.locator("#approval-notice").is_visible()
        mobile.locator("#form-title").scroll_into_view_if_needed()
        screenshot(mobile, "1-phone-360-anonymous-line")

        first = unique("Café des aidants")
        post_pratique(mobile, first)
        waiting = mobile.locator("#my-waiting")
        within(waiting, first).locator(
            ".card__state", has_text="En attente de validation"
        ).wait_for()
        mobile.set_viewport_size({"width": 320, "height": 640})
        waiting.scroll_into_view_if_needed()
        screenshot(mobile, "2-phone-320-pending")

        # The console's queue has it; the projector does not.
        queued = within(console.locator("#queue"), first)
        queued.wait_for()
        assert card(screen, first).count() == 0
        console.locator("#queue-section").scroll_into_view_if_needed()
        screenshot(console, "3-console-1366-queue")

        queued.get_by_role("button", name="Accepter", exact=True).click()
        card(screen, first).wait_for()
        within(waiting, first).wait_for(state="detached")
        # On the wall of its author, marked as theirs; on the projector, nobody's.
        within(mobile.locator("#cards"), first).locator(".card__yours").wait_for()
        text = screen.locator("body").inner_text()
        assert name not in text and structure not in text
        assert "anonyme" in card(screen, first).inner_text()
        screenshot(screen, "4-projector-1920-anonymous-card")

        # Declined with a reason: the author reads it, keeps the text.
        second = unique("Atelier cuisine")
        post_pratique(mobile, second)
        queued = within(console.locator("#queue"), second)
        queued.get_by_role("button", name="Refuser…").click()
        queued.locator("textarea").fill("Précisez le lieu et le jour, s’il vous plaît.")
        queued.get_by_role("button", name="Refuser la carte").click()
        queued.wait_for(state="detached")
        declined = within(mobile.locator("#my-waiting"), second)
        declined.locator(".card__reason", has_text="Précisez le lieu").wait_for()
        declined.scroll_into_view_if_needed()
        screenshot(mobile, "5-phone-320-declined-reason")
        mobile.set_viewport_size({"width": 360, "height": 740})
        declined.scroll_into_view_if_needed()
        screenshot(mobile, "6-phone-360-declined-reason")
        assert card(screen, second).count() == 0
    finally:
        # The live server is shared by the session: leave the atelier as it was.
        set_switch(console, "#card-approval", False)
        set_switch(console, "#round-anonymous", False)
