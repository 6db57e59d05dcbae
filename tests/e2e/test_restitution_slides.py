"""The plenary presentation in a real browser: keyboard/clicker navigation, presenter notes
following in a second window, and fresh data without a reload (the organizer's session)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.e2e.conftest import (
    TIMEOUT_MS,
    first_organizer,
    join_atelier,
    join_via_code,
    organizer_cookie,
)
from tests.realserver.clients import SLUG, atelier_ids

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def organizer_server(live_server: Any) -> Any:
    live_server.flask("demo", "--sample")
    first_organizer(live_server, "agence@example.org")
    return live_server


@contextmanager
def organizer_context(browser: Any, server: Any, **options: Any) -> Iterator[Any]:
    """A 1600x900 French context signed in as the organizer created above (first account of
    this fresh DB), closed on exit."""
    context = browser.new_context(
        viewport={"width": 1600, "height": 900}, locale="fr-FR", **options
    )
    context.set_default_timeout(TIMEOUT_MS)
    try:
        context.add_cookies([organizer_cookie(server)])
        yield context
    finally:
        context.close()


def current(page: Any) -> str:
    return page.locator("#deck").get_attribute("data-current")


def wait_current(page: Any, key: str) -> None:
    page.wait_for_function(
        "key => document.getElementById('deck').dataset.current === key", arg=key
    )
    visible = page.locator(".slide:visible")
    assert visible.count() == 1 and visible.first.get_attribute("data-key") == key


def test_keyboard_and_clicker_keys_step_through_the_slides_and_notes_follow(
    organizer_server: Any, browser: Any, screenshot: Callable[..., Any]
) -> None:
    base = organizer_server.url
    errors: list[str] = []
    with organizer_context(browser, organizer_server, timezone_id="Europe/Paris") as context:
        slides = context.new_page()
        slides.on("pageerror", lambda exc: errors.append(str(exc)))
        response = slides.goto(f"{base}/organisateur/e/{SLUG}/restitution/presentation")
        assert response.status == 200, "the organizer session was not accepted"
        keys = slides.eval_on_selector_all(".slide", "nodes => nodes.map(n => n.dataset.key)")
        assert keys[:2] == ["title", "figures"] and keys[-1] == "perspectives"
        wait_current(slides, "title")
        assert "Les beaux jours" in slides.locator(".slide:visible .slide__brand").inner_text()
        screenshot(slides, "slide-title")

        notes = context.new_page()
        notes.on("pageerror", lambda exc: errors.append(str(exc)))
        notes.goto(f"{base}/organisateur/e/{SLUG}/restitution/notes")
        # The notes window says hello; the slides answer with the slide on screen.
        notes.wait_for_function("document.getElementById('notes').dataset.current === 'title'")

        slides.bring_to_front()
        slides.keyboard.press("ArrowRight")
        wait_current(slides, "figures")
        screenshot(slides, "slide-figures")
        slides.keyboard.press("PageDown")  # what a presentation clicker sends
        wait_current(slides, keys[2])
        assert keys[2].startswith("atelier-")
        slides.keyboard.press(" ")
        wait_current(slides, keys[3])
        slides.keyboard.press("PageUp")
        wait_current(slides, keys[2])
        slides.keyboard.press("ArrowLeft")
        wait_current(slides, "figures")
        notes.wait_for_function("document.getElementById('notes').dataset.current === 'figures'")
        assert notes.locator(".note:visible").count() == 1
        assert "Ensuite" in notes.inner_text("body")

        # The presenter drives the slides from the notes window.
        notes.click("#notes-next")
        wait_current(slides, keys[2])
        slides.keyboard.press("End")
        wait_current(slides, "perspectives")
        screenshot(slides, "slide-perspectives")
        slides.keyboard.press("Home")
        wait_current(slides, "title")
        slides.keyboard.press("ArrowLeft")  # before the first slide: stays there
        wait_current(slides, "title")
        assert slides.url.endswith("#title")
    assert not errors, errors


def test_a_synthesis_saved_during_the_plenary_reaches_the_slide_without_reload(
    organizer_server: Any, browser: Any, screenshot: Callable[..., Any]
) -> None:
    base = organizer_server.url
    with organizer_context(browser, organizer_server) as context:
        slides = context.new_page()
        slides.goto(f"{base}/organisateur/e/{SLUG}/restitution/presentation")
        first_atelier = slides.eval_on_selector_all(
            ".slide--atelier", "nodes => nodes.map(n => n.dataset.key)"
        )[0]
        atelier_id = first_atelier.removeprefix("atelier-")
        slides.evaluate("window.__sameDocument = true")
        slides.keyboard.press("ArrowRight")
        slides.keyboard.press("ArrowRight")
        wait_current(slides, first_atelier)

        console = context.new_page()
        console.goto(f"{base}/organisateur/e/{SLUG}/a/{atelier_id}/synthese")
        text = "Le téléphone a tenu quand les guichets ont fermé."
        console.fill("#text", text)
        console.click("form button[type=submit]")
        console.wait_for_selector(".flash--success")

        slides.bring_to_front()
        slides.keyboard.press("r")  # refresh now (it also happens every few seconds)
        slides.locator(".slide:visible .slide__synthesis").filter(has_text=text).wait_for()
        wait_current(slides, first_atelier)  # still on the same slide
        assert slides.evaluate("window.__sameDocument") is True
        screenshot(slides, "slide-atelier-synthesis")


def test_a_plenary_vote_lands_live_on_the_perspectives_slide(
    organizer_server: Any,
    browser: Any,
    phone: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = organizer_server.url
    with organizer_context(browser, organizer_server) as context:
        organizer = context.new_page()
        organizer.goto(f"{base}/organisateur/e/{SLUG}/restitution#vote-pleniere")
        boxes = organizer.locator("#vote-pleniere input[name=chantiers]")
        assert boxes.count() >= 3
        for index in range(3):
            boxes.nth(index).check()
        organizer.click("#vote-pleniere button[value=selection]")
        organizer.wait_for_selector(".flash--success")
        organizer.click("#vote-pleniere button[value=ouvrir]")
        organizer.wait_for_selector("#vote-pleniere button[value=clore]")

        slides = context.new_page()
        slides.goto(f"{base}/organisateur/e/{SLUG}/restitution/presentation#perspectives")
        wait_current(slides, "perspectives")
        results = slides.locator(".slide:visible #plenary-results")
        assert results.get_attribute("data-open") == "true"
        first = slides.locator(".slide:visible .slide__result").first
        assert first.get_attribute("data-dots") == "0"

        voter = phone("voter")
        join_via_code(voter, base)
        join_atelier(voter, base, atelier_ids(base)[0], "Awa plénière")
        voter.goto(f"{base}/e/{SLUG}/perspectives")
        voter.locator(".vote-item").first.locator("button:has-text('+')").click()
        voter.wait_for_selector(".vote-item__mine[data-mine='1']")
        voter.locator(".vote-item").first.locator("button:has-text('+')").click()
        voter.wait_for_selector(".vote-item__mine[data-mine='2']")

        # No key pressed: the slide polls while the vote is open and the result lands.
        slides.wait_for_function(
            "() => [...document.querySelectorAll('.slide--current .slide__result')]"
            ".some(li => li.dataset.dots === '2')"
        )
        wait_current(slides, "perspectives")
        screenshot(slides, "slide-plenary-vote")
