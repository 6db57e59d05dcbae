"""The facilitator's assistant in a real browser: cards posted on a phone, a duplicate
proposal appears on the console and « Fusionner » merges the pair; a theme proposal becomes a
category in one tap. Phones never see the proposals. Screenshots of the console at 1366×768
and 1920×1080 go to E2E_SHOTS_DIR."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import TIMEOUT_MS, card, post_pratique
from tests.realserver.clients import atelier_ids

pytestmark = pytest.mark.e2e


def publish(page: Any, titre: str) -> None:
    post_pratique(page, titre)
    page.locator("#form-status", has_text="publiée").wait_for()


def test_the_console_proposes_a_merge_and_a_theme_and_the_facilitator_decides(
    live_server: Any,
    joined_phone: Callable[..., Any],
    facilitator: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    here = atelier_ids(live_server.url)[-1]
    console = facilitator(here, label="Samia", viewport={"width": 1366, "height": 768})
    mobile = joined_phone(here, "Awa", label="participant")

    first = "Épicerie solidaire ouverte sur rendez-vous"
    second = "L'épicerie solidaire prend des rendez-vous"
    themed = [
        "Maraudes du soir maintenues pendant le confinement",
        "Maraude sociale en journée dans les parcs",
        "Kits d'hygiène distribués en maraude",
    ]
    for titre in (first, second, *themed):
        publish(mobile, titre)

    # The duplicate pair, proposed within a few seconds of the cards (debounced: 1 s).
    proposal = console.locator("#assistant-duplicates .assistant__item", has_text=second)
    proposal.wait_for(timeout=TIMEOUT_MS)
    assert first in proposal.inner_text()
    theme = console.locator("#assistant-themes .assistant__item", has_text=themed[1])
    theme.wait_for(timeout=TIMEOUT_MS)
    assert theme.locator("input").input_value().lower().startswith("maraude")
    # The phone never hears of it.
    assert mobile.locator("text=Ces deux cartes disent la même chose").count() == 0

    console.locator("#assistant-panel").scroll_into_view_if_needed()
    screenshot(console, "1-console-1366x768")
    console.set_viewport_size({"width": 1920, "height": 1080})
    console.locator("#assistant-panel").scroll_into_view_if_needed()
    screenshot(console, "2-console-1920x1080")
    # A facilitator on a phone: the two columns stack, nothing wider than the screen.
    console.set_viewport_size({"width": 360, "height": 740})
    console.locator("#assistant-panel").scroll_into_view_if_needed()
    screenshot(console, "2b-console-360x740")
    width = console.evaluate("document.getElementById('assistant-panel').scrollWidth")
    assert width <= 360, width
    console.set_viewport_size({"width": 1920, "height": 1080})

    # « Fusionner »: the newer card goes into the older one, on every screen.
    proposal.get_by_role("button", name="Fusionner").click()
    proposal.wait_for(state="detached")
    card(mobile, second).wait_for(state="detached")
    card(console, second).wait_for(state="detached")
    assert "Aucun doublon" in console.locator("#assistant-panel").inner_text()

    # « Créer la catégorie »: the theme, renamed, becomes a category holding its cards.
    theme.locator("input").fill("Maraudes et rue")
    theme.get_by_role("button", name="Créer la catégorie").click()
    console.locator("#category-list li", has_text="Maraudes et rue").wait_for()
    theme.wait_for(state="detached")
    for titre in themed:
        select = card(console, titre).locator("select").first
        console.wait_for_function(
            "el => el.selectedOptions[0] && el.selectedOptions[0].text === 'Maraudes et rue'",
            arg=select.element_handle(),
        )
    screenshot(console, "3-console-after-decisions-1920x1080")
    console.set_viewport_size({"width": 1366, "height": 768})
    console.locator("#assistant-panel").scroll_into_view_if_needed()
    screenshot(console, "4-console-after-decisions-1366x768")
