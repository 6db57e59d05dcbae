"""Phones follow the round (issue 16): the first viewport of a 360×740 phone is the current
moment — the form while collecting, the ballot with « il vous reste N points » while voting,
the ranking once revealed — without a reload; others' cards arriving off-screen get a visible
pill; the QR join form keeps consent and the button near the top at 320×640; a timer at zero
with « alerte seulement » keeps the round open and shows the signal; the console offers only
moves that make sense. Screenshots go to E2E_SHOTS_DIR (/tmp/shots)."""

from __future__ import annotations

import re
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import (
    SLUG,
    card,
    chantier_atelier_ids,
    join_atelier,
    post_pratique,
    unique,
)
from tests.realserver.clients import atelier_ids

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}
SMALL = {"width": 320, "height": 640}
LAPTOP = {"width": 1366, "height": 768}


def in_first_viewport(page: Any, selector: str) -> bool:
    """Is the element's top within the first screen (page scrolled to the top)?"""
    return page.evaluate(
        """(sel) => { const n = document.querySelector(sel); if (!n || n.hidden) return false;
           const r = n.getBoundingClientRect(); return r.height > 0 && r.top + window.scrollY >= 0
           && r.top + window.scrollY < window.innerHeight; }""",
        selector,
    )


def phone_on(
    _pages_phone: Callable[..., Any], base: str, here: int, name: str, size: dict = PHONE
) -> Any:
    page = _pages_phone(name)
    page.set_viewport_size(size)
    join_atelier(page, base, here, unique(name))
    return page


def test_the_phones_first_screen_follows_the_round(
    live_server: Any,
    phone: Callable[..., Any],
    facilitator: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = atelier_ids(base)[2]
    titres = [f"Épicerie solidaire {uuid.uuid4().hex[:4]}", f"Bus des aînés {uuid.uuid4().hex[:4]}"]
    console = facilitator(here, viewport=LAPTOP)
    mobile = phone_on(phone, base, here, "Awa")
    other = phone_on(phone, base, here, "Noé", SMALL)
    # Collecting: the form is the first screen.
    assert in_first_viewport(mobile, "#contribution-form")
    screenshot(mobile, "1-collecting")
    post_pratique(other, titres[0], description="Une description " * 20)
    # The card arrives below the form, out of sight: a visible pill says so and scrolls to it.
    pill = mobile.locator("#new-cards")
    pill.wait_for()
    assert "nouvelle carte" in pill.inner_text()
    screenshot(mobile, "2-new-card-pill")
    pill.click()
    card(mobile, titres[0]).wait_for()
    mobile.wait_for_function(
        "() => { const r = document.querySelector('#cards .card').getBoundingClientRect();"
        " return r.top >= 0 && r.top < innerHeight; }"
    )
    assert mobile.locator("#new-cards").is_hidden()
    post_pratique(other, titres[1])
    mobile.evaluate("window.scrollTo(0, 0)")

    console.fill("#vote-dots", "3")
    console.click("#vote-open")
    # Voting: the ballot heads the first screen, without a reload.
    mobile.wait_for_selector("#dots-left:has-text('Il vous reste 3 points sur 3')")
    mobile.evaluate("window.scrollTo(0, 0)")
    screenshot(mobile, "3-voting-top")
    assert in_first_viewport(mobile, "#dots-left")
    plus = mobile.get_by_role("button", name=f"Ajouter un point à « {titres[1]} »")
    assert in_first_viewport(mobile, "#cards .card .vote-controls")
    plus.click()
    mobile.wait_for_selector("#dots-left:has-text('Il vous reste 2 points sur 3')")
    screenshot(mobile, "3-voting")
    other.evaluate("window.scrollTo(0, 0)")
    other.wait_for_selector("#dots-left:has-text('Il vous reste 3 points sur 3')")
    screenshot(other, "3-voting-320")

    console.click("#vote-reveal")
    mobile.wait_for_selector("#vote-results-phone[data-state='revealed']")
    mobile.evaluate("window.scrollTo(0, 0)")
    assert in_first_viewport(mobile, "#vote-results-phone .vote-results__list")
    # Rank in a narrow column, the title beside it (not wrapped under it).
    rank, title = mobile.evaluate(
        """() => { const li = document.querySelector('#vote-results-phone .vote-results__item');
           const a = li.querySelector('.vote-results__rank').getBoundingClientRect();
           const b = li.querySelector('.vote-results__titre').getBoundingClientRect();
           return [[a.left, a.width, a.top], [b.left, b.top]]; }"""
    )
    assert rank[1] < 80 and title[0] > rank[0] + rank[1] - 1 and abs(title[1] - rank[2]) < 10
    screenshot(mobile, "4-results")
    other.wait_for_selector("#vote-results-phone[data-state='revealed']")
    other.evaluate("window.scrollTo(0, 0)")
    screenshot(other, "4-results-320")

    # Closed: the waiting screen.
    console.click("#phase-buttons button[data-to='clos']")
    mobile.wait_for_selector('#wall[data-phase="clos"]', state="attached")
    mobile.evaluate("window.scrollTo(0, 0)")
    screenshot(mobile, "5-closed")


def test_waiting_screen_before_the_round_opens(
    live_server: Any,
    phone: Callable[..., Any],
    facilitator: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = atelier_ids(base)[3]
    console = facilitator(here, viewport=LAPTOP)
    console.wait_for_selector("#phase-buttons button[data-to='clos']")
    console.click("#phase-buttons button[data-to='clos']")
    console.click("#round-new")
    console.wait_for_selector('#console[data-phase="preparation"]', state="attached")
    mobile = phone_on(phone, base, here, "Lou")
    assert in_first_viewport(mobile, "#wall-waiting")
    assert mobile.locator("[data-when='preparation']").is_visible()
    screenshot(mobile, "waiting")
    small = phone_on(phone, base, here, "Sam", SMALL)
    assert in_first_viewport(small, "#wall-waiting")
    screenshot(small, "waiting-320")


def test_the_qr_join_form_keeps_consent_and_button_near_the_top(
    live_server: Any, phone: Callable[..., Any], screenshot: Callable[..., Any]
) -> None:
    base = live_server.url
    here = atelier_ids(base)[4]
    page = phone("qr")
    page.set_viewport_size(SMALL)
    page.goto(f"{base}/e/{SLUG}/rejoindre?atelier={here}")
    assert page.locator(f"#atelier-{here}").is_checked()
    consent_label = page.locator("label[for='consent']")
    button = page.get_by_role("button", name="Rejoindre l’atelier")
    for node in (consent_label, button):
        box = node.bounding_box()
        assert box and box["y"] + box["height"] <= 2 * SMALL["height"], box
    # The label is a line of text, not a column of broken words.
    assert consent_label.bounding_box()["width"] > 200
    screenshot(page, "join-qr-320")
    screenshot(page, "join-qr-320-full", full_page=True)
    # « Changer d'atelier » opens the others.
    page.get_by_text("Changer d’atelier").click()
    others = page.locator("#atelier-others .choice__input")
    assert others.count() >= 1
    page.fill("#display_name", unique("Inès"))
    page.fill("#structure", "CCAS")
    page.check("#consent")
    button.click()
    page.wait_for_url(f"{base}/e/{SLUG}/a/{here}")
    laptop = phone("laptop")
    laptop.set_viewport_size(LAPTOP)
    laptop.goto(f"{base}/e/{SLUG}/rejoindre")
    assert laptop.locator("label[for='consent']").bounding_box()["width"] > 300
    screenshot(laptop, "join-laptop")


def test_timer_alert_only_keeps_the_round_open_and_signals(
    live_server: Any,
    phone: Callable[..., Any],
    facilitator: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = atelier_ids(base)[1]
    console = facilitator(here, viewport=LAPTOP)
    mobile = phone_on(phone, base, here, "Mia")
    assert console.locator("#timer-at-zero input[value='alert']").is_checked()
    console.fill("#timer-minutes", "0.05")  # 3 s
    console.click("#timer-start")
    mobile.wait_for_selector("#timer-end", timeout=15000)
    assert mobile.locator("#timer-end").is_visible()
    console.wait_for_selector("#timer-end", timeout=15000)
    assert console.locator("#timer-state").inner_text() == "temps écoulé"
    screenshot(mobile, "timer-alert-phone")
    screenshot(console, "timer-alert-console")
    # Still collecting: the round stays open, a card is still accepted.
    mobile.wait_for_timeout(1500)  # the server's ticker has settled the zero
    assert mobile.locator("#wall").get_attribute("data-phase") == "contributions"
    mobile.locator("#timer-end").click()
    post_pratique(mobile, unique("Après la sonnerie"))
    console.reload()
    console.wait_for_selector('#console[data-phase="contributions"]', state="attached")

    # « Passer à la phase suivante »: at zero the vote opens by itself.
    console.check("#timer-at-zero input[value='advance']")
    console.wait_for_function(
        "() => !document.querySelector('#console-error') || document.querySelector('#console-error').hidden"
    )
    console.fill("#timer-minutes", "0.05")
    console.click("#timer-start")
    mobile.wait_for_selector('#wall[data-phase="vote"]', state="attached", timeout=15000)
    mobile.wait_for_selector("#dots-left:has-text('Il vous reste')")


def test_the_console_offers_only_moves_that_make_sense(
    live_server: Any, facilitator: Callable[..., Any], screenshot: Callable[..., Any]
) -> None:
    base = live_server.url
    here = atelier_ids(base)[0]
    console = facilitator(here, viewport=LAPTOP)
    console.wait_for_selector("#phase-buttons button[data-to='clos']")
    console.click("#phase-buttons button[data-to='clos']")
    console.wait_for_selector('#console[data-phase="clos"]', state="attached")
    labels = console.locator("#phase-buttons button").all_inner_texts()
    # Closed without a vote: no « Rouvrir le vote », no « Revenir aux résultats ».
    assert "Revenir aux résultats" not in labels and "Rouvrir le vote" not in labels
    assert "Passer au vote" in labels
    screenshot(console, "console-closed-without-vote")
    console.click("#phase-buttons button[data-to='vote']")
    console.wait_for_selector('#console[data-phase="vote"]', state="attached")
    labels = console.locator("#phase-buttons button").all_inner_texts()
    # One action, one name: the round panel and the vote panel both say « Révéler les résultats ».
    assert "Révéler les résultats" in labels and "Afficher les résultats" not in labels
    assert console.locator("#vote-reveal").inner_text() == "Révéler les résultats"
    screenshot(console, "console-vote")


def test_the_plenary_vote_page_goes_live_without_reloads(
    live_server: Any,
    joined_phone: Callable[..., Any],
    organizer: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    author = joined_phone(chantier_atelier_ids(base)[0], unique("Awa"), label="author")
    for name in ("Guichet unique itinérant", "Observatoire social partagé"):
        titre = unique(name)
        author.fill("#titre", titre)
        author.fill("#constat", "Les permanences ne touchent pas les quartiers éloignés.")
        author.fill("#objectif", "Un accueil social chaque semaine dans chaque commune.")
        author.click("#submit-button")
        card(author, titre).wait_for()
    agency = organizer(f"/organisateur/e/{SLUG}/restitution")
    boxes = agency.locator("input[name='chantiers']")
    boxes.nth(0).check()
    boxes.nth(1).check()
    agency.click("button[value='selection']")
    agency.wait_for_load_state()

    mobile = joined_phone(atelier_ids(base)[1], unique("Yanis"), label="plenary")
    mobile.set_viewport_size(PHONE)
    mobile.goto(f"{base}/e/{SLUG}/perspectives")
    mobile.get_by_text("Le vote va bientôt s'ouvrir.").wait_for()
    mobile.evaluate("window.__noReload = true")
    screenshot(mobile, "plenary-before")

    agency.fill("#pleniere-points", "2")
    agency.click("button[value='ouvrir']")
    # The waiting phone switches to the ballot by itself (no reload: the marker survives).
    mobile.wait_for_selector("#dots-left", timeout=15000)
    assert mobile.evaluate("window.__noReload === true")
    screenshot(mobile, "plenary-open")
    # A tap keeps the page where it is (no reload to the top).
    plus = mobile.locator(".vote-item").last.get_by_role("button", name=re.compile("Ajouter"))
    plus.scroll_into_view_if_needed()
    before = mobile.evaluate("window.scrollY")
    plus.click()
    mobile.wait_for_selector("#dots-left strong:has-text('1')")
    assert mobile.evaluate("window.__noReload === true")
    assert abs(mobile.evaluate("window.scrollY") - before) < 5
    screenshot(mobile, "plenary-voted")

    agency.click("button[value='clore']")
    mobile.get_by_text("Le vote est clos : voici le résultat.").wait_for(timeout=15000)
    assert mobile.evaluate("window.__noReload === true")
    screenshot(mobile, "plenary-result")


def test_the_regie_links_each_atelier_and_says_the_day_started(
    live_server: Any,
    joined_phone: Callable[..., Any],
    organizer: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = atelier_ids(base)[4]  # the join-form test leaves it collecting; others move theirs
    mobile = joined_phone(here, unique("Léa"), label="regie-phone")
    post_pratique(mobile, unique("Une pratique"))
    regie = organizer(f"/organisateur/e/{SLUG}/regie")
    regie.set_viewport_size(LAPTOP)
    regie.wait_for_selector(f"#regie-rows tr[data-atelier-id='{here}'] a")
    assert "n’a pas commencé" not in regie.locator("#agenda-current").inner_text()
    link = regie.locator(f"#regie-rows tr[data-atelier-id='{here}'] th a").first
    assert link.get_attribute("href") == f"/animation/e/{SLUG}/a/{here}"
    screenshot(regie, "regie")
