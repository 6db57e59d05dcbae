"""« En un mot » in real browsers: the facilitator opens a cloud, phones send words, the
projector draws them live, the console hides one, a reloaded phone gets its words back
(real eventlet server, real Chromium). Screenshots go to E2E_SHOTS_DIR (/tmp/shots)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import SHOTS_DIR as SHOTS
from tests.e2e.conftest import unique
from tests.realserver.clients import SLUG, atelier_ids

pytestmark = pytest.mark.e2e

CONSOLE = {"width": 1366, "height": 768}


def send_word(page: Any, text: str) -> None:
    page.fill("#cloud-word", text)
    page.click("#cloud-send")


def projected(screen: Any) -> list[str]:
    return screen.locator("#projector-cloud text.cloud-word").all_text_contents()


def test_phones_send_words_the_projector_draws_them_the_console_hides_one(
    live_server: Any,
    joined_phone: Callable[..., Any],
    projector: Callable[..., Any],
    facilitator: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    ids = atelier_ids(base)
    here = ids[1] if len(ids) > 1 else ids[0]
    console = facilitator(here, viewport=CONSOLE)
    screen = projector(base, here)
    awa = joined_phone(here, unique("Awa"), label="Awa")
    bruno = joined_phone(here, unique("Bruno"), label="Bruno")
    awa.set_viewport_size({"width": 360, "height": 740})
    bruno.set_viewport_size({"width": 320, "height": 640})
    try:
        console.fill("#cloud-max", "3")
        console.click("#cloud-open")
        console.wait_for_selector('#cloud-panel[data-cloud="ouvert"]', state="attached")
        for page in (awa, bruno):
            page.wait_for_selector("#wall-cloud:has-text('En un mot, ce que la crise')")
        screen.wait_for_selector("#projector-cloud:not([hidden])")

        send_word(awa, "Solidarité")
        awa.wait_for_selector("#cloud-mine li:has-text('Solidarité')")
        send_word(awa, "Écoute")
        send_word(bruno, "solidarités")
        send_word(bruno, "colère")
        # Grouped by stem, one count per phone: « solidarité » counts 2.
        screen.wait_for_function(
            "() => [...document.querySelectorAll('#projector-cloud text.cloud-word')]"
            ".some((t) => t.textContent === 'solidarité' && t.dataset.count === '2')"
        )
        screen.wait_for_function(
            "() => document.querySelectorAll('#projector-cloud text.cloud-word').length === 3"
        )
        assert sorted(projected(screen)) == ["colère", "solidarité", "écoute"]
        # The largest word is drawn larger.
        sizes = {
            t.text_content(): int(t.get_attribute("font-size") or 0)
            for t in screen.locator("#projector-cloud text.cloud-word").all()
        }
        assert sizes["solidarité"] > sizes["colère"]

        # Bad input: a clear French message, nothing stored.
        send_word(bruno, "le la de")
        bruno.wait_for_selector("#cloud-error:has-text('petits mots')")
        assert bruno.locator("#cloud-word").input_value() == "le la de"  # nothing lost
        bruno.fill("#cloud-word", "")

        # A reloaded phone gets its words back from the join snapshot.
        awa.reload()
        awa.wait_for_selector("#cloud-mine li:has-text('Écoute')")
        assert awa.locator("#cloud-mine li").count() == 2
        assert "Encore 1 mot sur 3" in awa.locator("#cloud-left").text_content()

        console.wait_for_selector("#cloud-words li[data-key] >> text=colère")
        screenshot(screen, "1-projector-1920x1080")
        screenshot(awa, "2-phone-360x740", full_page=True)
        screenshot(bruno, "3-phone-320x640")
        screenshot(console, "4-console-1366x768", full_page=True)

        # The facilitator hides « colère »: it leaves the projector and the phones.
        console.locator("#cloud-words li", has_text="colère").get_by_role("button").click()
        console.wait_for_selector(".cloud-panel__word--hidden:has-text('colère')")
        screen.wait_for_function(
            "() => ![...document.querySelectorAll('#projector-cloud text.cloud-word')]"
            ".some((t) => t.textContent === 'colère')"
        )
        awa.wait_for_function(
            "() => !document.querySelector('#cloud-top').textContent.includes('colère')"
        )
        screenshot(console, "5-console-hidden", full_page=True)
    finally:
        if console.locator("#cloud-close").is_visible():
            console.click("#cloud-close")
            screen.wait_for_selector("#projector-cloud", state="hidden")
            awa.wait_for_selector("#wall-cloud", state="hidden")


def test_the_demo_cloud_is_on_the_restitution_page_and_its_slide(
    live_server: Any, organizer: Callable[..., Any], screenshot: Callable[..., Any]
) -> None:
    live_server.flask("demo", "--sample")  # the sample day's closed cloud (ops/demo/wordcloud.py)
    page = organizer(f"/organisateur/e/{SLUG}/restitution")
    figure = page.locator(".word-cloud-result__figure svg.word-cloud").first
    figure.wait_for()
    assert "solidarité" in figure.locator("text").all_text_contents()
    page.locator(".word-cloud-result__list summary").first.click()
    page.locator(".word-cloud-result").first.screenshot(path=str(SHOTS / "6-restitution-cloud.png"))
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(page.url + "/presentation")
    page.wait_for_selector("#deck[data-current]", state="attached")
    keys = page.eval_on_selector_all(".slide", "nodes => nodes.map((n) => n.dataset.key)")
    target = next(k for k in keys if k.startswith("nuage-"))
    for _ in range(keys.index(target)):
        page.keyboard.press("ArrowRight")
    page.wait_for_function(
        "key => document.getElementById('deck').dataset.current === key", arg=target
    )
    slide = page.locator(f'.slide[data-key="{target}"]')
    assert slide.locator("svg.word-cloud text").count() >= 15
    box = slide.locator("svg.word-cloud").bounding_box()
    assert box and box["height"] >= 400  # the cloud fills the slide
    screenshot(page, "7-slide-1920x1080")
