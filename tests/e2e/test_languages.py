"""Languages in a real browser (issue 6): a French phone switches to English and stays there,
scripts included (connection state, the outbox's texts); so do the facilitator's console,
the organizer's control room, the restitution and a chantier's page."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import (
    E2E_DATABASE,
    card,
    chantier_atelier_ids,
    post_pratique,
    unique,
    wait_live,
)
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
    page.get_by_role("textbox", name="Organisation").fill("Mission locale")
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


def to_english(page: Any) -> None:
    """Click the header's switch and wait for the same page back, in English."""
    url = page.url
    page.get_by_role("link", name="English").click()
    page.wait_for_url(url)
    page.wait_for_function("document.documentElement.lang === 'en'")


def test_the_facilitator_console_switches_to_english_scripts_included(
    live_server: Any,
    joined_phone: Callable[..., Any],
    facilitator: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = atelier_ids(base)[0]
    # A card on the wall, so the console draws its moderation tools (console.js).
    ada = joined_phone(here, unique("Ada"), label="ada")
    titre = f"Café des langues {uuid.uuid4().hex[:4]}"
    post_pratique(ada, titre)
    card(ada, titre).wait_for()

    page = facilitator(here)
    tools = card(page, titre).locator(".card__tools")
    tools.get_by_role("button", name="Modifier").wait_for()

    to_english(page)
    wait_live(page, "#console")
    assert page.locator("#live-status").inner_text().strip() == "connected"
    page.get_by_role("heading", name="Projector").wait_for()
    assert page.locator("#timer-start").inner_text() == "Start"
    # Drawn by the script from tr() strings: the card's tools and the presence line.
    tools = card(page, titre).locator(".card__tools")
    tools.get_by_role("button", name="Edit").wait_for()
    assert tools.get_by_role("button", name="Hide").count() == 1
    page.wait_for_function("/connected/.test(document.getElementById('presence').textContent)")
    screenshot(page, "console-english", full_page=True)


def test_the_control_room_restitution_and_a_chantier_page_switch_to_english(
    live_server: Any,
    joined_phone: Callable[..., Any],
    organizer: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    page = organizer(f"/organisateur/e/{SLUG}/regie")
    wait_live(page, "#regie")
    page.get_by_role("heading", name="Annonce à tous les écrans").wait_for()
    to_english(page)
    wait_live(page, "#regie")
    page.get_by_role("heading", name="Announcement to every screen").wait_for()
    assert page.get_by_role("button", name="Send").count() == 1
    assert page.locator("#live-status").inner_text().strip() == "connected"
    # The rows are drawn by regie.js; none says « —  » French phase names.
    page.wait_for_selector("#regie tbody tr[data-atelier-id]", state="attached")
    assert "contributions ouvertes" not in page.locator("#regie tbody").inner_text()
    screenshot(page, "regie-english", full_page=True)

    # The cookie is the browser's: the restitution and its slides are in English too.
    page.goto(f"{base}/organisateur/e/{SLUG}/restitution")
    assert page.get_attribute("html", "lang") == "en"
    page.get_by_role("heading", name="The day in figures").first.wait_for()
    page.goto(f"{base}/organisateur/e/{SLUG}/restitution/presentation")
    assert page.locator(".slide[data-key='figures']").get_attribute("data-title") == (
        "The day in figures"
    )
    screenshot(page, "slides-english")

    # A chantier's page on a phone: the page and its script (chantiers_page.js) in English.
    here = chantier_atelier_ids(base)[0]
    awa = joined_phone(here, unique("Awa"), label="awa")
    titre = f"Guichet itinérant {uuid.uuid4().hex[:4]}"
    awa.fill("#titre", titre)
    awa.click("#submit-button")
    mine = card(awa, titre)
    mine.wait_for()
    mine.get_by_role("link", name=f"Ouvrir le chantier « {titre} »").click()
    wait_live(awa, "#chantier")
    to_english(awa)
    wait_live(awa, "#chantier")
    awa.get_by_role("heading", name="Comments").wait_for()
    awa.get_by_text("Complete “Partners to involve”").click()
    awa.get_by_label("Your addition to “Partners to involve”").fill("La mission locale")
    awa.locator('form[data-field="partenaires"][data-action="add"] button').click()
    awa.get_by_text("Your addition is saved.").wait_for()
    screenshot(awa, "chantier-english", full_page=True)
