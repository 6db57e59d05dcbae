"""The room's screens at 10 metres (issue 16), in a real Chromium against the real server:
the projector pages any number of cards so that every title is shown, large, within one
rotation; its overlays are legible; a vote shows a big countdown and a participation meter;
results show full titles; the plenary slides never overflow nor hide under their controls.
Screenshots go to E2E_SHOTS_DIR (/tmp/shots)."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from tests.e2e.conftest import (
    unique,
    wait_live,
)
from tests.realserver.clients import SLUG, Phone, atelier_ids

pytestmark = pytest.mark.e2e

#: Fast rotation for the tests (the room's default is 9 s).
ROTATION_S = 2

#: Every card title on screen right now: shown, inside the viewport and the cards' box, not
#: clipped, at least 22 px. Returns their card ids.
VISIBLE_TITLES = """() => {
  const stage = document.getElementById('projector-stage').getBoundingClientRect();
  const ids = [];
  for (const title of document.querySelectorAll('#cards > .card > .card__title')) {
    const r = title.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    const inside = r.top >= Math.max(0, stage.top) - 0.5 && r.bottom <= Math.min(innerHeight, stage.bottom) + 0.5
      && r.left >= 0 && r.right <= innerWidth;
    const whole = title.scrollHeight <= title.clientHeight + 1 && title.scrollWidth <= title.clientWidth + 1;
    const size = parseFloat(getComputedStyle(title).fontSize);
    if (inside && whole && size >= 22) ids.push(title.closest('.card').dataset.id);
  }
  return ids;
}"""

CONTRAST = """(node) => {
  const rgb = (s) => s.match(/[\\d.]+/g).slice(0, 4).map(Number);
  const lum = ([r, g, b]) => {
    const c = [r, g, b].map((v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; });
    return 0.2126 * c[0] + 0.7152 * c[1] + 0.0722 * c[2];
  };
  let bg = null;
  for (let n = node; n; n = n.parentElement) {
    const c = rgb(getComputedStyle(n).backgroundColor);
    if (c.length < 4 || c[3] > 0) { bg = c; break; }
  }
  const fg = lum(rgb(getComputedStyle(node).color));
  const back = lum(bg || [255, 255, 255]);
  return (Math.max(fg, back) + 0.05) / (Math.min(fg, back) + 0.05);
}"""


def phones_in(base: str, atelier_id: int, count: int) -> list[Phone]:
    phones = []
    for n in range(count):
        p = Phone(base, unique(f"Écran{n}"))
        p.join_event(atelier_id)
        p.connect()
        p.join_atelier(atelier_id)
        phones.append(p)
    return phones


def post_cards(phones: list[Phone], atelier_id: int, titles: list[str]) -> list[int]:
    ids = []
    for n, titre in enumerate(titles):
        ack = phones[n % len(phones)].call(
            "contribution:create",
            {
                "atelier_id": atelier_id,
                "client_id": f"room-{uuid.uuid4().hex}",
                "titre": titre,
                "description": "Une permanence partagée entre le CCAS, la mission locale et "
                "les associations du quartier, chaque mardi matin, sans rendez-vous.",
                "structure": "Centre communal d'action sociale de Saint-Germain-en-Laye",
                "commune": "Saint-Germain-en-Laye",
            },
        )
        assert ack["ok"] is True, ack
        ids.append(ack["contribution"]["id"])
    return ids


@pytest.fixture
def phones() -> Iterator[list[Phone]]:
    made: list[Phone] = []
    yield made
    for p in made:
        if p.sio.connected:
            p.sio.disconnect()


def test_a_projector_with_40_cards_shows_every_title_large_within_one_rotation(
    live_server: Any,
    projector: Callable[..., Any],
    phones: list[Phone],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = atelier_ids(base)[1]
    phones.extend(phones_in(base, here, 4))
    titles = [
        f"Carte {n:02d} : accompagner les démarches en ligne des personnes âgées isolées"
        if n % 3 == 0
        else f"Carte {n:02d} : épicerie solidaire"
        for n in range(40)
    ]
    post_cards(phones, here, titles)

    screen = projector(base, here)
    screen.goto(f"{base}/e/{SLUG}/a/{here}/projecteur?rotation={ROTATION_S}")
    wait_live(screen, "#projector")
    root = screen.locator("#projector")
    assert root.get_attribute("data-rotate-ms") == str(ROTATION_S * 1000)
    screen.wait_for_function("Number(document.getElementById('projector').dataset.pages) > 1")
    pages = int(root.get_attribute("data-pages"))
    indicator = screen.locator("#projector-page")
    assert re.fullmatch(rf"\d+ / {pages}", indicator.inner_text())
    assert screen.locator("#projector-pager").is_visible()
    screenshot(screen, "1-projector-40-cards")

    ids = set(screen.eval_on_selector_all("#cards > .card", "n => n.map(c => c.dataset.id)"))
    assert len(ids) >= 40
    seen: set[str] = set()
    deadline = time.monotonic() + pages * ROTATION_S + 2 * ROTATION_S
    while time.monotonic() < deadline and seen != ids:
        seen.update(screen.evaluate(VISIBLE_TITLES))
        # Never a scroll bar: the page is exactly the screen.
        assert screen.evaluate(
            "document.scrollingElement.scrollHeight <= innerHeight"
            " && document.scrollingElement.scrollWidth <= innerWidth"
        )
        screen.wait_for_timeout(250)
    assert seen == ids, f"never fully shown: {sorted(ids - seen)}"

    # The structure line is smaller than the title and not bold.
    sizes = screen.evaluate(
        """() => { const c = [...document.querySelectorAll('#cards > .card')].find(n => n.offsetParent);
        const t = getComputedStyle(c.querySelector('.card__title'));
        const s = getComputedStyle(c.querySelector('.card__structure'));
        return [parseFloat(t.fontSize), parseFloat(s.fontSize), Number(s.fontWeight)]; }"""
    )
    assert sizes[1] < sizes[0] and sizes[1] >= 22 and sizes[2] < 600, sizes

    # A new card arrives while another page is on screen: its page comes up, highlighted.
    screen.wait_for_function("document.getElementById('projector').dataset.page !== '1'")
    newest = unique("Nouvelle carte arrivée")
    post_cards(phones, here, [newest])
    fresh = screen.locator("#cards > .card.card--new", has_text=newest)
    fresh.wait_for()
    assert fresh.is_visible()
    assert root.get_attribute("data-page") == "1"
    screenshot(screen, "2-projector-new-card")


def test_the_announcement_overlay_on_the_projector_has_aa_contrast(
    live_server: Any,
    projector: Callable[..., Any],
    organizer: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = atelier_ids(base)[0]
    screen = projector(base, here)
    regie = organizer(f"/organisateur/e/{SLUG}/regie")
    wait_live(regie, "#regie")
    text = f"Retour en plénière à 15h45 ({uuid.uuid4().hex[:4]})"
    regie.fill("#announce-text", text)
    regie.locator("#announce-form button[type=submit]").click()
    box = screen.locator("#announcement", has_text=text)
    box.wait_for()
    for part in (".announcement__text", ".announcement__label", ".announcement__time"):
        node = box.locator(part)
        ratio = node.evaluate(CONTRAST)
        assert ratio >= 4.5, (part, ratio)
        assert node.evaluate("n => parseFloat(getComputedStyle(n).fontSize)") >= 22
    assert (
        box.locator(".announcement__text").evaluate("n => parseFloat(getComputedStyle(n).fontSize)")
        >= 40
    )
    screenshot(screen, "announcement")
    regie.locator("#announce-clear").click()
    box.wait_for(state="detached")


def test_a_vote_with_a_timer_shows_a_large_countdown_a_meter_then_full_titles(
    live_server: Any,
    projector: Callable[..., Any],
    facilitator: Callable[..., Any],
    phones: list[Phone],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = atelier_ids(base)[2]
    phones.extend(phones_in(base, here, 2))
    long_titles = [
        "Un guichet unique pour l'accès aux droits des familles monoparentales du territoire",
        "Un guichet unique pour l'accès aux droits des jeunes majeurs sortant de l'ASE",
        "Une plateforme commune de mobilité solidaire entre les communes de la boucle",
        "Une plateforme commune de mobilité solidaire entre les CCAS et les associations",
    ]
    cards = post_cards(phones, here, long_titles)
    console = facilitator(here)
    screen = projector(base, here)
    console.fill("#vote-dots", "2")
    console.click("#vote-open")
    screen.wait_for_selector('#projector[data-vote="ouvert"]', state="attached")
    console.fill("#timer-minutes", "5")
    console.click("#timer-start")
    countdown = screen.locator("#projector-countdown")
    countdown.wait_for()
    assert re.fullmatch(r"[45]:\d\d", countdown.inner_text())
    assert countdown.evaluate("n => parseFloat(getComputedStyle(n).fontSize)") >= 48

    for voter, card_id, count in ((phones[0], cards[1], 2), (phones[1], cards[2], 1)):
        ack = voter.call(
            "dot:set",
            {"client_id": uuid.uuid4().hex, "atelier_id": here, "contribution_id": card_id,
             "count": count},
        )  # fmt: skip
        assert ack.get("ok"), ack
    progress = screen.locator("#vote-progress")
    progress.wait_for()
    assert "sur" in progress.inner_text()
    count = screen.locator(".projector__vote-count")
    assert count.evaluate("n => parseFloat(getComputedStyle(n).fontSize)") >= 48
    assert screen.locator(".projector__meter").is_visible()
    screenshot(screen, "vote-in-progress")

    console.click("#vote-reveal")
    screen.wait_for_selector("#vote-results-projector[data-state='revealed']")
    results = screen.locator("#vote-results-projector")
    for titre in long_titles:
        line = results.locator(".vote-results__titre", has_text=titre)
        line.wait_for()
        assert line.inner_text() == titre  # whole, not cut
        assert line.evaluate(
            """n => { const r = n.getBoundingClientRect();
            return r.bottom <= innerHeight && r.right <= innerWidth
              && parseFloat(getComputedStyle(n).fontSize) >= 22; }"""
        ), titre
    # The cards give the screen to the ranking; nothing falls off it.
    assert screen.locator("#projector-stage").is_hidden()
    assert screen.evaluate("document.scrollingElement.scrollHeight <= innerHeight")
    # And the chart image (phones, restitution) wraps the same titles instead of cutting them.
    svg = screen.evaluate(
        "u => fetch(u).then(r => r.text())", f"/api/ateliers/{here}/resultats.svg"
    )
    assert "…" not in svg
    for word in ("familles monoparentales", "sortant de l'ASE"):
        assert (
            word.replace("'", "&#x27;") in svg or word in svg or word.replace("'", "&apos;") in svg
        )
    screenshot(screen, "results")
