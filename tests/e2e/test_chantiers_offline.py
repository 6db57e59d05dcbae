"""Chantiers in a theatre basement (issue 6): the chantier form shares the wall's outbox.

Real eventlet server, real Chromium. A chantier proposed while the phone is offline waits on
the phone (« En attente d'envoi », localStorage) and is stored once when the network is back;
what is typed in the chantier form survives a reload.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import card, chantier_atelier_ids, join_atelier, unique, wait_live
from tests.e2e.test_offline import come_back, go_offline
from tests.realserver.clients import card_count

pytestmark = pytest.mark.e2e


def test_a_chantier_proposed_offline_reaches_the_projector_once_when_the_phone_comes_back(
    live_server: Any,
    phone: Callable[..., Any],
    projector: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = chantier_atelier_ids(base)[0]
    screen = projector(base, here)
    page = phone("basement")
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    join_atelier(page, base, here, unique("Awa"))
    before = card_count(base, here)

    go_offline(page)
    titre = unique("Navette solidaire vers les permanences")
    page.fill("#titre", titre)
    page.fill("#objectif", "Un minibus partagé entre trois communes.")
    page.get_by_label("Chatou", exact=True).check()
    page.click("#submit-button")
    pending = page.locator("#outbox-cards .card--pending", has_text=titre)
    pending.wait_for()
    assert "En attente d’envoi" in pending.inner_text()
    assert "Hors ligne" in page.locator("#form-status").inner_text()
    assert page.input_value("#titre") == "", "the form is free for the next chantier"
    assert not page.get_by_label("Chatou", exact=True).is_checked()
    screenshot(page, "1-pending-offline", full_page=True)
    assert card(screen, titre).count() == 0
    assert card_count(base, here) == before

    come_back(page)
    on_screen = card(screen, titre)
    on_screen.locator(".card__chantier").wait_for()
    assert "Communes : Chatou" in on_screen.inner_text()
    card(page, titre).wait_for()
    assert page.locator("#outbox-cards .card").count() == 0
    assert card(screen, titre).count() == 1
    assert card_count(base, here) == before + 1
    screenshot(page, "2-sent", full_page=True)

    # A reload sends nothing again: the outbox is empty, the chantier is stored once.
    page.reload()
    wait_live(page)
    assert page.get_attribute("#wall", "data-outbox") == "0"
    assert card(page, titre).count() == 1
    assert card(screen, titre).count() == 1
    assert card_count(base, here) == before + 1
    assert not errors


def test_a_chantier_draft_survives_a_reload_and_is_forgotten_once_published(
    live_server: Any, joined_phone: Callable[..., Any], screenshot: Callable[..., Any]
) -> None:
    base = live_server.url
    here = chantier_atelier_ids(base)[0]
    page = joined_phone(here, unique("Karim"), label="draft", structure="Mission locale")
    before = card_count(base, here)

    titre = unique("Annuaire partagé des structures")
    page.fill("#titre", titre)
    page.fill("#constat", "Personne ne sait qui fait quoi d'une commune à l'autre.")
    page.get_by_label("Le Pecq", exact=True).check()
    page.reload()
    wait_live(page)

    assert page.input_value("#titre") == titre
    assert page.input_value("#constat") == "Personne ne sait qui fait quoi d'une commune à l'autre."
    assert page.get_by_label("Le Pecq", exact=True).is_checked()
    assert page.input_value("#structure") == "Mission locale"
    assert page.locator("#form-status").inner_text() == "Votre brouillon a été restauré."
    screenshot(page, "1-draft-restored", full_page=True)

    page.click("#submit-button")
    card(page, titre).wait_for()
    page.locator("#form-status", has_text="Chantier publié.").wait_for()
    page.reload()
    wait_live(page)
    assert page.input_value("#titre") == ""
    assert page.input_value("#constat") == ""
    assert not page.get_by_label("Le Pecq", exact=True).is_checked()
    assert card(page, titre).count() == 1
    assert card_count(base, here) == before + 1


def test_a_comment_and_a_commitment_made_offline_on_a_chantier_are_stored_once(
    live_server: Any, joined_phone: Callable[..., Any], screenshot: Callable[..., Any]
) -> None:
    base = live_server.url
    here = chantier_atelier_ids(base)[0]
    awa = joined_phone(here, unique("Awa"), label="awa")
    titre = unique("Covoiturage solidaire")
    awa.fill("#titre", titre)
    awa.click("#submit-button")
    card(awa, titre).get_by_role("link", name=f"Ouvrir le chantier « {titre} »").click()
    wait_live(awa, "#chantier")
    karim = joined_phone(here, unique("Karim"), label="karim")
    karim.goto(awa.url)
    wait_live(karim, "#chantier")

    awa.context.set_offline(True)
    awa.wait_for_selector('#live-status[data-state="offline"]', state="attached")
    comment = unique("On peut partir du réseau des bénévoles")
    awa.get_by_label("Votre commentaire").fill(comment)
    awa.get_by_role("button", name="Commenter").click()
    pending = awa.locator("#chantier-comments li[data-pending]", has_text=comment)
    pending.wait_for()
    assert "En attente d’envoi" in pending.inner_text()
    assert awa.get_by_label("Votre commentaire").input_value() == ""
    awa.get_by_label("Votre contact").fill("awa@example.org")
    awa.get_by_label("J’accepte que mon contact soit transmis").check()
    awa.get_by_role("button", name="Je m’engage").click()
    assert "Hors ligne" in awa.locator("#chantier-status").inner_text()
    screenshot(awa, "1-offline", full_page=True)
    assert awa.get_attribute("#chantier", "data-outbox") == "2"

    awa.context.set_offline(False)
    wait_live(awa, "#chantier")
    awa.wait_for_selector('#chantier[data-outbox="0"]', state="attached")
    comments = karim.locator("#chantier-comments li", has_text=comment)
    comments.wait_for()
    karim.locator("#engagement-count", has_text="(1)").wait_for()
    awa.get_by_text("Vous êtes engagé·e sur ce chantier.").wait_for()
    assert awa.locator("#chantier-comments li[data-pending]").count() == 0

    # Reloaded: nothing goes out again.
    awa.reload()
    wait_live(awa, "#chantier")
    assert awa.get_attribute("#chantier", "data-outbox") == "0"
    assert awa.locator("#chantier-comments li", has_text=comment).count() == 1
    karim.reload()
    wait_live(karim, "#chantier")
    assert karim.locator("#chantier-comments li", has_text=comment).count() == 1
    assert karim.locator("#engagement-count").inner_text() == "(1)"
    screenshot(karim, "2-karim-sees-it-once", full_page=True)
