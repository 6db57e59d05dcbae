"""Phones in a theatre basement (issue 6): nothing is lost when the connection comes and goes.

Real eventlet server, real Chromium. ``context.set_offline(True)`` cuts the phone's network
(the page sees ``navigator.onLine === false`` and its socket drops); cards and dots made
meanwhile wait in the phone's outbox (localStorage) and go out, once, when it comes back.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import E2E_DATABASE, card, post_pratique, unique, wait_live
from tests.e2e.test_votes import add
from tests.realserver.clients import SLUG, atelier_ids, card_count

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.parametrize("live_server", [E2E_DATABASE], indirect=True),
]

LAPTOP = {"width": 1280, "height": 1000}


def go_offline(page: Any) -> None:
    page.context.set_offline(True)
    page.wait_for_selector('#live-status[data-state="offline"]', state="attached")


def come_back(page: Any) -> None:
    """Network back: the phone reconnects, re-joins and empties its outbox by itself."""
    page.context.set_offline(False)
    wait_live(page)
    page.wait_for_selector('#wall[data-outbox="0"]', state="attached")


def post_offline(page: Any, titre: str) -> None:
    page.fill("#titre", titre)
    page.click("#submit-button")
    pending = page.locator("#outbox-cards .card--pending", has_text=titre)
    pending.wait_for()
    assert "En attente d’envoi" in pending.inner_text()
    assert page.input_value("#titre") == "", "the form is free for the next card"


def test_a_card_posted_offline_reaches_the_projector_once_when_the_phone_comes_back(
    live_server: Any,
    joined_phone: Callable[..., Any],
    projector: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = atelier_ids(base)[0]
    screen = projector(base, here)
    page = joined_phone(here, unique("Awa"), label="basement")
    before = card_count(base, here)

    go_offline(page)
    assert page.locator("#live-status").inner_text().strip() == "hors ligne"
    titre = unique("Épicerie solidaire mobile")
    post_offline(page, titre)
    screenshot(page, "1-pending-offline", full_page=True)
    assert card(screen, titre).count() == 0

    # Still offline, the tab is closed (battery saver, a swipe …). The card waits in
    # localStorage: the next time the wall is opened, with the network back, it goes out.
    context, url = page.context, page.url
    page.close()
    context.set_offline(False)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(url)
    wait_live(page)
    page.wait_for_selector('#wall[data-outbox="0"]', state="attached")
    card(screen, titre).wait_for()
    card(page, titre).wait_for()
    assert page.locator("#outbox-cards .card").count() == 0
    assert card(screen, titre).count() == 1
    assert card_count(base, here) == before + 1
    assert not errors
    screenshot(page, "2-sent", full_page=True)


def test_three_losses_of_connection_during_a_round_count_every_card_and_dot_once(
    live_server: Any,
    joined_phone: Callable[..., Any],
    projector: Callable[..., Any],
    facilitator: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = atelier_ids(base)[1]
    console = facilitator(here, viewport=LAPTOP)

    page = joined_phone(here, unique("Bruno"), label="flaky")
    before = card_count(base, here)
    first = unique("Navette vers le marché")
    post_pratique(page, first)
    titles = [first]

    # Contributions: the network drops three times, a card is posted offline each time.
    for loss in range(3):
        go_offline(page)
        titre = unique(f"Carte hors ligne {loss + 1}")
        post_offline(page, titre)
        titles.append(titre)
        come_back(page)
        for t in titles:
            card(page, t).wait_for()

    # The vote (the round moves to « vote »: contributions close): three more losses, with dots.
    console.fill("#vote-dots", "6")
    console.fill("#vote-max", "3")
    console.click("#vote-open")
    page.wait_for_selector("#dots-left:has-text('Il vous reste 6 points sur 6')")
    expected_dots = dict.fromkeys(titles, 0)
    for loss in range(3):
        target = titles[loss + 1]
        if loss == 1:
            # Lost while the dot is on its way: the ack may never come, the phone sends the
            # same "my dots on this card are now n" again, and the server stores it once.
            add(page, target).click()
            page.context.set_offline(True)
            page.wait_for_selector('#live-status[data-state="offline"]', state="attached")
        else:
            go_offline(page)
            add(page, target).click()
        expected_dots[target] += 1
        if loss != 1:
            add(page, first).click()  # a second dot on the first card
            expected_dots[first] += 1
        come_back(page)

    # The server's truth after a fresh load: each card once, each dot once.
    screen = projector(base, here)
    for t in titles:
        assert card(screen, t).count() == 1, t
    assert card_count(base, here) == before + len(titles)
    page.reload()
    wait_live(page)
    for t, n in expected_dots.items():
        assert card(page, t).get_attribute("data-my-dots") == str(n), t
    total = sum(expected_dots.values())
    page.wait_for_selector(f"#dots-left:has-text('Il vous reste {6 - total} point')")
    tally = console.request.get(f"{base}/api/ateliers/{here}/tally").json()["tally"]
    assert tally["dots_counted"] == total
    by_title = {r["titre"]: r["dots"] for r in tally["results"]}
    for t, n in expected_dots.items():
        assert by_title.get(t, 0) == n, t
    screenshot(page, "after-three-losses", full_page=True)


def test_a_draft_survives_a_reload_and_is_cleared_once_published(
    live_server: Any, joined_phone: Callable[..., Any]
) -> None:
    base = live_server.url
    here = atelier_ids(base)[0]
    page = joined_phone(here, unique("Chloé"), label="draft")
    titre = unique("Jardin partagé au pied des immeubles")
    description = "Les habitants cultivent ensemble, le centre social prête les outils."
    page.fill("#titre", titre)
    page.fill("#description", description)

    page.reload()
    wait_live(page)
    assert page.input_value("#titre") == titre
    assert page.input_value("#description") == description
    assert "brouillon" in page.locator("#form-status").inner_text()

    page.click("#submit-button")
    card(page, titre).wait_for()
    page.reload()
    wait_live(page)
    assert page.input_value("#titre") == ""
    assert page.input_value("#description") == ""
    assert card(page, titre).count() == 1


def test_a_refused_card_keeps_its_text_in_the_form(
    live_server: Any,
    joined_phone: Callable[..., Any],
    facilitator: Callable[..., Any],
) -> None:
    """Posted offline, refused on return (the round closed meanwhile): the text comes back."""
    base = live_server.url
    here = atelier_ids(base)[2]
    console = facilitator(here, viewport=LAPTOP)
    page = joined_phone(here, unique("Dina"), label="late")
    page.wait_for_selector('#wall[data-phase="contributions"]', state="attached")

    go_offline(page)
    titre = unique("Cinéma solidaire le dimanche")
    post_offline(page, titre)
    console.get_by_role("button", name="Clore la manche").click()
    console.wait_for_selector('#console[data-phase="clos"]', state="attached")

    come_back(page)
    summary = page.locator("#error-summary")
    summary.wait_for()
    assert "n’a pas été publiée" in summary.inner_text()
    assert page.input_value("#titre") == titre
    assert card(page, titre).count() == 0


def test_phones_recover_by_themselves_after_a_server_restart_mid_round(
    live_server: Any,
    joined_phone: Callable[..., Any],
    projector: Callable[..., Any],
) -> None:
    """Last in the module (it restarts the shared server). A card posted while the server is
    down waits on the phone and is stored once when the server is back; nobody reloads."""
    base = live_server.url
    here = atelier_ids(base)[0]
    screen = projector(base, here)
    page = joined_phone(here, unique("Élise"), label="restart")
    page.evaluate("window.__sameDocument = true")
    before = card_count(base, here)

    live_server.stop()
    page.wait_for_selector('#wall:not([data-live="joined"])', state="attached")
    titre = unique("Petit-déjeuner des bénévoles")
    post_offline(page, titre)
    live_server.start()

    wait_live(page)
    wait_live(screen, "#projector")
    page.wait_for_selector('#wall[data-outbox="0"]', state="attached")
    card(screen, titre).wait_for()
    assert card(screen, titre).count() == 1
    assert card_count(base, here) == before + 1
    assert page.evaluate("window.__sameDocument === true"), "the phone reloaded"
    assert SLUG in page.url
