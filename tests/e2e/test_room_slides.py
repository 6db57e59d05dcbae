"""The plenary's slides at 15h45 (issue 16), in a real Chromium against the real server: a day
with 12 long chantiers in one atelier; at 1920x1080 and 1366x768 every slide fits its 16:9
box (nothing cut at the top, nothing under the footer), nothing hides under the on-screen
controls, and no placeholder slide is projected. Its own module: its own server, loaded with
the sample day (the projector tests' module votes in the ateliers the sample fills)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from tests.e2e.conftest import (
    TIMEOUT_MS,
    chantier_atelier_ids,
    first_organizer,
    organizer_cookie,
)
from tests.realserver.clients import SLUG, Phone

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def sample_day(live_server: Any) -> Any:
    """The demo day with its sample content (revealed votes, chantiers) and its organizer."""
    live_server.flask("demo", "--sample")
    first_organizer(live_server, "agence@example.org")
    return live_server


@pytest.fixture
def author(sample_day: Any, live_server: Any) -> Iterator[Phone]:
    """A participant's phone (Socket.IO) in the day's last chantier atelier."""
    here = chantier_atelier_ids(live_server.url)[-1]
    phone = Phone(live_server.url, "Autrice des chantiers")
    phone.join_event(here)
    phone.connect()
    phone.join_atelier(here)
    yield phone
    if phone.sio.connected:
        phone.sio.disconnect()


@contextmanager
def organizer_context(browser: Any, server: Any, viewport: dict[str, int]) -> Iterator[Any]:
    context = browser.new_context(viewport=viewport, locale="fr-FR", timezone_id="Europe/Paris")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        context.add_cookies([organizer_cookie(server)])
        yield context
    finally:
        context.close()


SLIDE_PROBLEMS = """() => {
  const problems = [];
  const slide = document.querySelector('.slide--current');
  const body = slide.querySelector('.slide__body');
  const footer = slide.querySelector('.slide__footer').getBoundingClientRect();
  const box = body.getBoundingClientRect();
  if (body.scrollHeight > body.clientHeight + 1) problems.push(`scroll ${body.scrollHeight} > ${body.clientHeight}`);
  const controls = document.querySelector('.deck__controls').getBoundingClientRect();
  for (const node of body.querySelectorAll('*')) {
    const r = node.getBoundingClientRect();
    if (!r.width || !r.height) continue;
    if (r.top < box.top - 1) problems.push(`above: ${node.className}`);
    if (r.bottom > footer.top + 1) problems.push(`under the footer: ${node.className}`);
    const overlap = r.left < controls.right && r.right > controls.left && r.top < controls.bottom && r.bottom > controls.top;
    if (overlap && node.children.length === 0) problems.push(`under the controls: ${node.className}`);
  }
  for (const node of slide.querySelectorAll('.slide__footer > *')) {
    const r = node.getBoundingClientRect();
    if (r.right > controls.left && r.bottom > controls.top) problems.push(`footer under the controls: ${node.className}`);
  }
  return problems;
}"""


def test_every_slide_of_a_day_with_12_chantiers_in_one_atelier_fits_its_box(
    live_server: Any, browser: Any, author: Phone, screenshot: Callable[..., Any]
) -> None:
    base = live_server.url
    here = chantier_atelier_ids(base)[-1]
    long = (
        "Réunir chaque trimestre les CCAS, le département, la CAF, la mission locale et les "
        "associations de quartier pour suivre ensemble les situations bloquées et les "
        "solutions trouvées, avec un compte-rendu partagé."
    )
    for n in range(12):
        ack = author.call(
            "chantier:create",
            {
                "atelier_id": here,
                "client_id": f"room-ch-{uuid.uuid4().hex}",
                "titre": f"Chantier {n + 1:02d} : une coordination territoriale de l'accès "
                "aux droits et de l'aller-vers pour les publics les plus éloignés",
                "structure": "CCAS de Chatou",
                "constat": long,
                "objectif": long,
                "publics": long,
                "partenaires": long,
                "porteur": "Le CCAS de Chatou avec la mission locale",
                "communes": ["Chatou", "Le Pecq", "Croissy-sur-Seine"],
            },
        )
        assert ack["ok"] is True, ack

    for viewport in ({"width": 1920, "height": 1080}, {"width": 1366, "height": 768}):
        with organizer_context(browser, live_server, viewport) as context:
            page = context.new_page()
            errors: list[str] = []
            page.on("pageerror", lambda exc, errors=errors: errors.append(str(exc)))
            response = page.goto(f"{base}/organisateur/e/{SLUG}/restitution/presentation")
            assert response.status == 200
            keys = page.eval_on_selector_all(".slide", "n => n.map(s => s.dataset.key)")
            assert "synthese" not in keys  # no synthesis written: no placeholder slide
            texts = page.eval_on_selector_all(".slide", "n => n.map(s => s.textContent)")
            assert not any("s'afficheront ici" in t for t in texts)
            page.wait_for_selector(".slide--current")
            total = page.locator(".slide").count()
            for i in range(total):
                current = page.locator(".slide--current")
                key = current.get_attribute("data-key")
                problems = page.evaluate(SLIDE_PROBLEMS)
                assert not problems, (viewport, key, problems)
                if key.startswith(f"chantiers-{here}"):
                    screenshot(page, f"slide-{viewport['width']}-{key}")
                if i < total - 1:
                    page.keyboard.press("ArrowRight")
                    page.wait_for_function(
                        "k => document.getElementById('deck').dataset.current !== k", arg=key
                    )
            # The 12 chantiers' slide continued on a next slide rather than overflowing.
            assert any(k.startswith(f"chantiers-{here}") for k in keys)
            assert not errors, errors
