"""A facilitator runs a round from their own device while a participant's phone follows
(real eventlet server, real Chromium). Screenshots go to E2E_SHOTS_DIR (/tmp/shots)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import TIMEOUT_MS, card, post_pratique, unique, wait_live
from tests.realserver.clients import SLUG, atelier_ids

pytestmark = pytest.mark.e2e


def publish(page: Any, titre: str) -> None:
    """Post a card and wait for the server's answer to reach the form (not only the
    broadcast), so the next card is not typed into a form about to be emptied."""
    post_pratique(page, titre)
    # Set by the ack handler, after it emptied the form (the submit set « Envoi en cours… »).
    page.locator("#form-status", has_text="publiée").wait_for()


def phase_of(page: Any) -> str:
    return page.locator("#round-banner").get_attribute("data-phase") or ""


def wait_phase(page: Any, root: str, phase: str) -> None:
    page.wait_for_selector(f'{root}[data-phase="{phase}"]', state="attached", timeout=TIMEOUT_MS)


def test_a_facilitator_opens_and_closes_a_round_while_the_phone_follows(
    live_server: Any,
    joined_phone: Callable[..., Any],
    facilitator: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = atelier_ids(base)[0]

    console = facilitator(here, label="Samia")
    console.wait_for_url(f"{base}/animation/e/{SLUG}/a/{here}")
    wait_phase(console, "#console", "contributions")

    mobile = joined_phone(here, unique("Awa"), label="participant")
    wait_phase(mobile, "#wall", "contributions")
    assert "contributions ouvertes" in mobile.locator("#round-banner").inner_text()
    titre = unique("Permanence au marché")
    publish(mobile, titre)
    card(console, titre).wait_for()
    screenshot(console, "1-console-contributions-open", full_page=True)

    # The facilitator closes the round: the phone switches at once and cannot post.
    console.get_by_role("button", name="Clore la manche").click()
    wait_phase(mobile, "#wall", "clos")
    assert mobile.locator("#submit-button").is_disabled()
    assert "fermées" in mobile.locator("#form-closed").inner_text()
    screenshot(mobile, "2-phone-round-closed", full_page=True)

    # A new round: préparation, then contributions open again; the phone follows.
    console.get_by_role("button", name="Nouvelle manche").click()
    wait_phase(mobile, "#wall", "preparation")
    assert "Manche 2" in mobile.locator("#round-banner").inner_text()
    console.get_by_role("button", name="Ouvrir les contributions").click()
    wait_phase(mobile, "#wall", "contributions")
    assert mobile.locator("#submit-button").is_enabled()

    # A 3-second timer: both screens count down from the server's clock; at zero (« alerte
    # seulement », the default: issue 16) both signal it and the round stays open until the
    # facilitator closes it.
    console.fill("#timer-minutes", "0.05")
    console.get_by_role("button", name="Démarrer").click()
    mobile.wait_for_selector(".round-banner__timer:has-text('Temps restant')")
    screenshot(mobile, "3-phone-countdown")
    mobile.wait_for_selector(".round-banner__timer:has-text('Temps écoulé')")
    mobile.wait_for_selector("#timer-end")
    console.wait_for_selector("#timer-end")
    assert mobile.locator("#wall").get_attribute("data-phase") == "contributions"
    console.locator("#timer-end").click()
    console.get_by_role("button", name="Clore la manche").click()
    wait_phase(mobile, "#wall", "clos")
    wait_phase(console, "#console", "clos")
    assert console.locator("#round-new").is_visible()
    screenshot(console, "4-console-closed-after-timer", full_page=True)

    # A phone that comes back (reload) gets the phase the server is in.
    mobile.reload()
    wait_live(mobile)
    wait_phase(mobile, "#wall", "clos")


def test_the_control_room_follows_the_ateliers_and_reaches_every_phone(
    live_server: Any,
    joined_phone: Callable[..., Any],
    facilitator: Callable[..., Any],
    organizer: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    first, second = atelier_ids(base)[:2]

    regie = organizer(f"/organisateur/e/{SLUG}/regie")
    wait_live(regie, "#regie")
    row = regie.locator(f'#regie-rows tr[data-atelier-id="{second}"]')
    row.wait_for()

    console = facilitator(second, label="Samia")
    mobile = joined_phone(first, unique("Léa"), label="participant")

    # A facilitator's move shows in the control room without a reload.
    console.get_by_role("button", name="Passer au vote").click()
    row.locator(".phase[data-phase='vote']").wait_for()

    regie.fill("#announce-text", "Retour en plénière à 15h45")
    regie.get_by_role("button", name="Envoyer").click()
    mobile.locator("#announcement", has_text="Retour en plénière à 15h45").wait_for()
    console.locator("#announcement", has_text="Retour en plénière à 15h45").wait_for()
    screenshot(regie, "1-control-room", full_page=True)
    screenshot(mobile, "2-phone-announcement")


def test_moderation_from_a_tablet_reaches_the_phone_and_the_projector(
    live_server: Any,
    joined_phone: Callable[..., Any],
    projector: Callable[..., Any],
    facilitator: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = atelier_ids(base)[2]
    tablet = facilitator(
        here, "tablet", label="Samia", viewport={"width": 1024, "height": 768}, has_touch=True
    )
    screen = projector(base, here)

    author = joined_phone(here, unique("Awa"), label="author")
    first, second = unique("Repérage par le Crous"), unique("Repérage Crous bis")
    publish(author, first)
    publish(author, second)

    # The author fixes a typo in their own card: everybody sees it, marked « modifié ».
    mine = card(author, first)
    mine.get_by_role("button", name="Modifier").click()
    mine.locator(".card__editor input").fill(first + " étudiants")
    mine.get_by_role("button", name="Enregistrer").click()
    card(screen, first + " étudiants").locator(".card__edited").wait_for()

    # A category, a pin, a merge of the duplicate, then a hidden card, from the tablet.
    tablet.fill("#category-name", "Jeunes")
    tablet.locator("#category-form button").click()
    tablet.locator("#category-list li", has_text="Jeunes").wait_for()
    target = card(tablet, first + " étudiants")
    target.get_by_role("button", name="Épingler").click()
    target.get_by_role("button", name="Désépingler").wait_for()
    duplicate = card(tablet, second)
    tablet.once("dialog", lambda dialog: dialog.accept())
    duplicate.locator("select").nth(1).select_option(label=first + " étudiants")
    card(author, second).wait_for(state="detached")
    card(author, first + " étudiants").locator(".card__merged", has_text=second).wait_for()
    screenshot(tablet, "1-tablet-console", full_page=True)

    # The projector enlarges one card on request.
    card(tablet, first + " étudiants").get_by_role("button", name="Projeter").click()
    screen.wait_for_selector('#projector[data-mode="card"] .card--focus')
    screenshot(screen, "2-projector-one-card")

    card(tablet, first + " étudiants").get_by_role("button", name="Masquer").click()
    card(author, first + " étudiants").wait_for(state="detached")
    card(screen, first + " étudiants").wait_for(state="detached")
    card(tablet, first + " étudiants").get_by_role("button", name="Afficher").wait_for()
    screenshot(author, "3-phone-after-moderation", full_page=True)
