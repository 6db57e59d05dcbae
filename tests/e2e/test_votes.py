"""Dot-voting in real browsers: three phones vote, the facilitator reveals, the projector
shows the ranking with ties (real eventlet server, real Chromium). Screenshots go to
E2E_SHOTS_DIR (/tmp/shots)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import card, post_pratique
from tests.realserver.clients import SLUG, atelier_ids

pytestmark = pytest.mark.e2e

LAPTOP = {"width": 1280, "height": 1000}


def add(page: Any, titre: str) -> Any:
    return page.get_by_role("button", name=f"Ajouter un point à « {titre} »")


def remove(page: Any, titre: str) -> Any:
    return page.get_by_role("button", name=f"Retirer un point à « {titre} »")


def tap(page: Any, button: Any, left: int) -> None:
    """One tap, then wait for the dots left the phone shows (the server acks each tap)."""
    button.click()
    page.wait_for_selector(f"#dots-left:has-text('Il vous reste {left} point')", state="attached")


def test_three_phones_vote_and_the_projector_shows_the_revealed_ranking(
    live_server: Any,
    joined_phone: Callable[..., Any],
    projector: Callable[..., Any],
    facilitator: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = atelier_ids(base)[-1]
    suffix = uuid.uuid4().hex[:4]
    bus, cantine, epicerie = (f"{t} {suffix}" for t in ("Bus solidaire", "Cantine", "Épicerie"))

    console = facilitator(here, viewport=LAPTOP)
    console.wait_for_url(f"{base}/animation/e/{SLUG}/a/{here}")

    phones = []
    for name, titre in (("Awa", bus), ("Bruno", cantine), ("Chloé", epicerie)):
        page = joined_phone(here, f"{name} {suffix}", label=name)
        post_pratique(page, titre)
        phones.append(page)
    for page in phones:
        for titre in (bus, cantine, epicerie):
            card(page, titre).wait_for()
    screen = projector(base, here)

    # The facilitator opens a vote: 3 dots each, at most 2 on one card, results hidden.
    console.fill("#vote-dots", "3")
    console.fill("#vote-max", "2")
    console.click("#vote-open")
    console.wait_for_selector('#vote-panel[data-vote="ouvert"]', state="attached")
    for page in phones:
        page.wait_for_selector("#dots-left:has-text('Il vous reste 3 points sur 3')")
    box = add(phones[0], bus).bounding_box()
    assert box and box["width"] >= 44 and box["height"] >= 44

    awa, bruno, chloe = phones
    tap(awa, add(awa, bus), 2)
    tap(awa, add(awa, bus), 1)
    assert add(awa, bus).is_disabled()  # at most 2 on one card
    tap(awa, add(awa, cantine), 0)
    assert add(awa, epicerie).is_disabled()  # no dot left
    screenshot(awa, "1-phone-voted", full_page=True)

    tap(bruno, add(bruno, cantine), 2)
    tap(bruno, add(bruno, cantine), 1)
    tap(bruno, add(bruno, bus), 0)

    tap(chloe, add(chloe, bus), 2)
    tap(chloe, remove(chloe, bus), 3)  # one tap removes it again
    tap(chloe, add(chloe, epicerie), 2)
    tap(chloe, add(chloe, epicerie), 1)

    # Hidden results: the projector only says how many voted; the console sees the tally.
    screen.wait_for_selector("#vote-progress:has-text('3 sur')")
    assert screen.locator("#vote-results-projector").is_hidden()
    console.wait_for_selector("#vote-panel-progress:has-text('3 sur')")
    # Coalesced tallies: wait for the one that includes the last tap.
    console.wait_for_selector(
        f"#vote-tally tbody tr:nth-child(3):has-text('{epicerie}') td:nth-child(3):text-is('2')"
    )
    screenshot(console, "2-console-tally", full_page=True)

    console.click("#vote-reveal")
    screen.wait_for_selector("#vote-results-projector[data-state='revealed']")
    items = screen.locator("#vote-results-projector .vote-results__item")
    items.nth(2).wait_for()
    ranking = [re.sub(r"\s+", " ", items.nth(i).inner_text()).strip() for i in range(items.count())]
    assert ranking == [
        f"1ᵉʳ ex æquo {bus} 3 points",
        f"1ᵉʳ ex æquo {cantine} 3 points",
        f"3ᵉ {epicerie} 2 points",
    ], ranking
    chart = screen.locator("#vote-results-projector img.vote-results__chart")
    screen.wait_for_function(
        "img => img.complete && img.naturalWidth > 0", arg=chart.element_handle()
    )
    screenshot(screen, "3-projector-results")

    # Phones see the same ranking, and can no longer vote.
    awa.wait_for_selector("#vote-results-phone[data-state='revealed']")
    assert awa.locator(".vote-controls").count() == 0
    screenshot(awa, "4-phone-results", full_page=True)
