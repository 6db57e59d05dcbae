"""The tour de table in a real browser: the facilitator's control drives the projector, and the
phones' who's who updates live when someone presents themselves.

Runs against the real eventlet server (``live_server``: demo day). The facilitator opens a
secret link made by ``flask facilitator-link`` and goes from the console to the tour control.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import join_atelier, unique
from tests.realserver.clients import SLUG, atelier_ids
from tests.support.roles import live_facilitator_path

pytestmark = pytest.mark.e2e


def present(
    page: Any, base: str, atelier_id: int, name: str, structure: str, **profile: str
) -> None:
    """Join the atelier with the optional « Se présenter » section filled and « visible » ticked."""
    page.goto(f"{base}/e/{SLUG}/rejoindre")
    page.click("#se-presenter summary")
    for field, value in profile.items():
        if field == "structure_kind":
            page.select_option("#structure_kind", value)
        else:
            page.fill(f"#{field}", value)
    page.check("#visible")
    join_atelier(page, base, atelier_id, name, structure=structure)


def test_the_facilitator_steps_the_projector_through_the_tour(
    live_server: Any,
    phone: Callable[..., Any],
    _pages: Any,
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = atelier_ids(base)[2]  # an atelier no other test module of this server uses
    # Structures sort the tour: « A… » speaks before « B… ».
    amina, bruno = unique("Amina"), unique("Bruno")
    present(
        phone("amina"), base, here, amina, "Association Alpha",
        role="Coordinatrice", structure_kind="association",
        offers="aide alimentaire, bénévoles", needs="logement d'urgence",
    )  # fmt: skip
    present(
        phone("bruno"), base, here, bruno, "Bailleur Bêta",
        role="Chargé de gestion locative", structure_kind="bailleur",
        offers="logements d'urgence",
    )  # fmt: skip

    screen = _pages.new_page("tour projector", viewport={"width": 1920, "height": 1080})
    screen.goto(f"{base}/e/{SLUG}/a/{here}/tour-de-table")
    screen.wait_for_selector('#tour[data-live="joined"]', state="attached")
    assert screen.is_visible("#tour-waiting")
    screen.evaluate("window.__sameDocument = true")

    control = _pages.new_page("facilitator", viewport={"width": 1280, "height": 800})
    # The facilitator opens their secret link, lands on the atelier's console, then its
    # « Tour de table » control.
    control.goto(base + live_facilitator_path(live_server, SLUG, here))
    control.click("#tour-de-table-link")
    control.wait_for_url(f"{base}/f/atelier/{here}/tour")
    control.wait_for_selector('#tour-control[data-live="joined"]', state="attached")
    assert control.is_disabled("#tour-next")

    control.fill("#tour-seconds", "90")
    control.click("#tour-start")
    screen.wait_for_function(
        "name => document.querySelector('#tour-name').textContent === name", arg=amina
    )
    assert screen.inner_text("#tour-structure") == "Association Alpha"
    assert "Coordinatrice" in screen.inner_text("#tour-role")
    assert screen.inner_text("#tour-offers") == "aide alimentaire, bénévoles"
    assert screen.inner_text("#tour-position") == "1"
    # The timer counts down from 1:30 on the server's clock.
    screen.wait_for_function(
        "/^1:[0-2][0-9]$|^1:30$/.test(document.querySelector('#tour-timer').textContent)"
    )
    screenshot(screen, "projector-first")
    screenshot(control, "control")

    control.click("#tour-next")
    screen.wait_for_function(
        "name => document.querySelector('#tour-name').textContent === name", arg=bruno
    )
    assert screen.inner_text("#tour-structure") == "Bailleur Bêta"
    assert not screen.is_visible("#tour-needs-row")  # Bruno did not say what he looks for
    control.wait_for_function("document.querySelector('#tour-status').textContent.includes('2 /')")
    current = control.locator("#tour-order li[aria-current=step]")
    assert current.inner_text().startswith(bruno)
    assert control.locator("#tour-order li").count() == 2
    screenshot(screen, "projector-second")

    control.click("#tour-prev")
    screen.wait_for_function(
        "name => document.querySelector('#tour-name').textContent === name", arg=amina
    )
    control.fill("#tour-seconds", "0")
    control.click("#tour-timer-set")
    screen.wait_for_selector("#tour-timer", state="hidden")
    assert screen.evaluate("window.__sameDocument === true"), "the projector reloaded"


def test_the_whoswho_on_a_phone_updates_when_someone_presents_themselves(
    live_server: Any,
    phone: Callable[..., Any],
    joined_phone: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = atelier_ids(base)[3]
    watcher = joined_phone(here, unique("Chloé"), label="watcher", structure="CCAS de Chatou")
    watcher.goto(f"{base}/e/{SLUG}/a/{here}/qui")
    watcher.wait_for_selector('#whoswho[data-live="joined"]', state="attached")
    assert watcher.is_visible("#whoswho-empty")

    karim = unique("Karim")
    present(
        phone("karim"), base, here, karim, "Crous de Versailles",
        role="Assistant social", structure_kind="crous", offers="logement étudiant",
    )  # fmt: skip

    person = watcher.locator(".person", has=watcher.get_by_role("heading", name=karim))
    person.wait_for()
    assert "Assistant social · Crous" in person.inner_text()
    assert "logement étudiant" in person.inner_text()
    assert "Crous de Versailles" in watcher.inner_text("#whoswho-groups")
    assert watcher.is_hidden("#whoswho-empty")
    assert "1 sans profil visible" in watcher.inner_text("#whoswho-count")  # the watcher
    screenshot(watcher, "phone-whoswho", full_page=True)
