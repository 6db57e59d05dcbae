"""« Moi aussi » in a real browser (issue 19.2): a phone taps « Nous aussi » on a pratique,
another phone and the projector show the count, the author sees who (visible profile)."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import E2E_DATABASE, card, join_atelier, post_pratique, unique
from tests.realserver.clients import SLUG, atelier_ids

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.parametrize("live_server", [E2E_DATABASE], indirect=True),
]


def present(page: Any, base: str, atelier_id: int, name: str, structure: str) -> None:
    """Join with the « Se présenter » section filled and « visible » ticked."""
    page.goto(f"{base}/e/{SLUG}/rejoindre")
    page.click("#se-presenter summary")
    page.fill("#role", "Bénévole")
    page.check("#visible")
    join_atelier(page, base, atelier_id, name, structure=structure)


def count_is(page: Any, titre: str, kind: str, n: int) -> Any:
    return card(page, titre).locator(
        f".reaction--{kind} .reaction__count", has_text=re.compile(rf"^{n}$")
    )


def test_nous_aussi_reaches_the_room_the_projector_and_the_author(
    live_server: Any,
    phone: Callable[..., Any],
    joined_phone: Callable[..., Any],
    projector: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = atelier_ids(base)[0]
    screen = projector(base, here)
    author = joined_phone(here, unique("Awa"), label="author", structure="CCAS de Chatou")
    fan_name = unique("Inès")
    fan = phone("fan")
    present(fan, base, here, fan_name, "Secours populaire du Pecq")
    watcher = joined_phone(here, unique("Léa"), label="watcher", structure="Mission locale")

    titre = unique("Café des aidants")
    post_pratique(author, titre, description="Un jeudi par mois, autour d'un café.")
    card(fan, titre).wait_for()
    # The author's own card has no buttons: one does not react to one's own pratique.
    assert card(author, titre).locator("button.reaction").count() == 0

    button = card(fan, titre).locator("button.reaction--nous_aussi")
    assert button.get_attribute("aria-pressed") == "false"
    button.click()
    card(fan, titre).locator('button.reaction--nous_aussi[aria-pressed="true"]').wait_for()
    count_is(fan, titre, "nous_aussi", 1).wait_for()
    assert "Nous aussi" in (button.get_attribute("aria-label") or "")

    # The room (coalesced, within about a second) and the projector.
    count_is(watcher, titre, "nous_aussi", 1).wait_for()
    count_is(watcher, titre, "interesse", 0).wait_for()
    assert card(watcher, titre).locator('button[aria-pressed="true"]').count() == 0
    count_is(screen, titre, "nous_aussi", 1).wait_for()
    # The projector shows counts, no buttons, and only the kinds someone chose.
    assert card(screen, titre).locator("button").count() == 0
    assert card(screen, titre).locator(".reaction--interesse").count() == 0

    # The author sees who: the visible profile, with their structure.
    who = card(author, titre).locator(".reactions__who")
    who.filter(has_text=fan_name).wait_for()
    assert "Secours populaire du Pecq" in who.inner_text()

    # Screens looked at: phones at 360×740 and 320×640, the projector at 1920×1080.
    for page, name in ((fan, "fan"), (author, "author"), (watcher, "watcher")):
        for width, height in ((360, 740), (320, 640)):
            page.set_viewport_size({"width": width, "height": height})
            card(page, titre).scroll_into_view_if_needed()
            screenshot(page, f"{name}-{width}x{height}")
    screenshot(screen, "projector-1920x1080")
    # The projector never cuts a card: its pager measured the cards with their counts.
    assert screen.evaluate(
        """() => { const stage = document.getElementById('projector-stage')
              || document.getElementById('cards').parentElement;
            const list = document.getElementById('cards');
            return list.scrollHeight <= stage.clientHeight + 1
              && list.scrollWidth <= list.clientWidth + 1; }"""
    )

    # Retract (tap again): the count goes back to 0 everywhere, the state is off.
    fan.set_viewport_size({"width": 360, "height": 740})
    button.click()
    card(fan, titre).locator('button.reaction--nous_aussi[aria-pressed="false"]').wait_for()
    count_is(watcher, titre, "nous_aussi", 0).wait_for()
    card(screen, titre).locator(".reactions").wait_for(state="detached")

    # A reload (resync) keeps one's own state highlighted.
    card(fan, titre).locator("button.reaction--interesse").click()
    card(fan, titre).locator('button.reaction--interesse[aria-pressed="true"]').wait_for()
    fan.reload()
    card(fan, titre).locator('button.reaction--interesse[aria-pressed="true"]').wait_for()
    count_is(fan, titre, "interesse", 1).wait_for()
