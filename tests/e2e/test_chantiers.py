"""Chantiers in a real browser: two phones co-build one chantier, one commits « Je m'engage ».

Runs against the real eventlet server (``live_server``: the demo day); unique titles per test.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import (
    card,
    chantier_atelier_ids,
    join_atelier,
    post_pratique,
    unique,
    wait_live,
)
from tests.e2e.test_accessibility import axe_violations, no_sideways_scroll, small_tap_targets
from tests.realserver.clients import atelier_ids

pytestmark = pytest.mark.e2e


def test_two_phones_co_build_a_chantier_and_one_commits(
    live_server: Any,
    phone: Callable[..., Any],
    joined_phone: Callable[..., Any],
    projector: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = chantier_atelier_ids(base)[0]
    screen = projector(base, here)
    awa_name, karim_name = unique("Awa"), unique("Karim")
    awa = phone("awa")
    # In the morning, Awa shared a pratique the chantier will build on.
    join_atelier(awa, base, atelier_ids(base)[1], awa_name, structure="CCAS de Chatou")
    pratique = unique("Tournées de l'écrivain public")
    post_pratique(awa, pratique)
    join_atelier(awa, base, here, awa_name, structure="CCAS de Chatou")
    karim = joined_phone(here, karim_name, label="karim", structure="Mission locale")

    # Awa proposes a chantier with the wall's chantier form.
    titre = unique("Guichet unique itinérant")
    awa.fill("#titre", titre)
    awa.fill("#constat", "Les permanences en mairie ne touchent pas les quartiers éloignés.")
    awa.fill("#objectif", "Un bus d'accueil social chaque semaine dans chaque commune.")
    awa.get_by_label("Chatou", exact=True).check()
    awa.get_by_label("Le Pecq", exact=True).check()
    # The pratiques of the whole event, filtered by typing.
    options = awa.locator(".chantier-pratiques__option")
    awa.get_by_label("Rechercher une pratique").fill(pratique.split()[-1])
    assert options.filter(visible=True).count() == 1
    awa.get_by_label(pratique).check()
    screenshot(awa, "1-awa-form", full_page=True)
    awa.click("#submit-button")
    mine = card(awa, titre)
    mine.wait_for()
    assert awa.locator("#form-status").inner_text() == "Chantier publié."

    # The projector shows it with its summary (no link there), live.
    on_screen = card(screen, titre)
    on_screen.locator(".card__chantier").wait_for()
    assert "Communes : Chatou, Le Pecq" in on_screen.inner_text()

    # Karim sees it live, with its summary, and opens it.
    theirs = card(karim, titre)
    theirs.locator(".card__chantier").wait_for()
    assert "Communes : Chatou, Le Pecq" in theirs.inner_text()
    assert "Un bus d'accueil social" in theirs.inner_text()
    screenshot(karim, "2-karim-wall", full_page=True)
    theirs.get_by_role("link", name=f"Ouvrir le chantier « {titre} »").click()
    wait_live(karim, "#chantier")
    mine.get_by_role("link", name=f"Ouvrir le chantier « {titre} »").click()
    wait_live(awa, "#chantier")
    assert awa.locator("#chantier-titre").inner_text() == titre
    assert pratique in awa.locator("#chantier-pratiques").inner_text()

    # Karim adds to « Partenaires à mobiliser »: Awa's page shows it, with its author, live.
    karim.get_by_text("Compléter « Partenaires à mobiliser »").click()
    karim.get_by_label("Votre ajout à « Partenaires à mobiliser »").fill(
        "La mission locale pour les jeunes"
    )
    karim.locator('form[data-field="partenaires"][data-action="add"] button').click()
    added = awa.locator("#field-partenaires-additions li", has_text="La mission locale")
    added.wait_for()
    assert karim_name in added.inner_text()

    on_screen.get_by_text("1 ajout · 0 commentaire · 0 personne engagée").wait_for()

    # Awa comments; Karim sees the comment.
    awa.get_by_label("Votre commentaire").fill("Merci ! On en parle à la pause.")
    awa.get_by_role("button", name="Commenter").click()
    karim.locator("#chantier-comments li", has_text="On en parle à la pause").wait_for()

    # « Je m'engage »: a contact without consent is refused, then accepted with it.
    karim.get_by_label("Votre contact").fill("karim@example.org")
    karim.get_by_role("button", name="Je m’engage").click()
    karim.get_by_text("Cochez la case pour accepter de partager votre contact").wait_for()
    karim.get_by_label("J’accepte que mon contact soit transmis").check()
    karim.get_by_role("button", name="Je m’engage").click()
    karim.get_by_text("Vous êtes engagé·e sur ce chantier.").wait_for()
    karim.locator("#engagement-count", has_text="(1)").wait_for()

    # Awa, the porteur, sees the commitment and the consented contact.
    awa.locator("#engagement-count", has_text="(1)").wait_for()
    awa.locator("#chantier-contacts li", has_text="karim@example.org").wait_for()
    assert karim_name in awa.locator("#chantier-engaged").inner_text()
    screenshot(awa, "3-awa-chantier", full_page=True)
    on_screen.get_by_text("1 ajout · 1 commentaire · 1 personne engagée").wait_for()
    assert "karim@example.org" not in screen.content()
    screenshot(screen, "5-projector")
    screenshot(karim, "4-karim-chantier", full_page=True)

    # The chantier page passes axe (WCAG 2.x A/AA), has 44 px targets, fits 320 px.
    for page in (awa, karim):
        assert axe_violations(page) == []
        assert small_tap_targets(page) == []
    karim.set_viewport_size({"width": 320, "height": 640})
    assert no_sideways_scroll(karim)

    # Nobody else's page holds the contact: a third phone in the room.
    lea = joined_phone(here, unique("Léa"), label="lea")
    card(lea, titre).get_by_role("link", name=f"Ouvrir le chantier « {titre} »").click()
    wait_live(lea, "#chantier")
    assert karim_name in lea.locator("#chantier-engaged").inner_text()
    assert "karim@example.org" not in lea.content()


def test_the_facilitator_consolidates_a_field_live(
    live_server: Any,
    phone: Callable[..., Any],
    facilitator: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = chantier_atelier_ids(base)[1]
    awa, karim = phone("awa"), phone("karim")
    karim_name = unique("Karim")
    join_atelier(awa, base, here, unique("Awa"))
    join_atelier(karim, base, here, karim_name)
    titre = unique("Annuaire partagé des structures")
    awa.fill("#titre", titre)
    awa.fill("#objectif", "Un annuaire")
    awa.click("#submit-button")
    card(awa, titre).get_by_role("link", name=f"Ouvrir le chantier « {titre} »").click()
    wait_live(awa, "#chantier")
    card(karim, titre).get_by_role("link", name=f"Ouvrir le chantier « {titre} »").click()
    wait_live(karim, "#chantier")
    karim.get_by_text("Compléter « Objectif »").click()
    karim.get_by_label("Votre ajout à « Objectif »").fill("tenu à jour par les structures")
    karim.locator('form[data-field="objectif"][data-action="add"] button').click()
    awa.locator("#field-objectif-additions li", has_text="tenu à jour").wait_for()

    # A facilitator link for this atelier, opened on a laptop.
    laptop = facilitator(here, label="Camille")
    laptop.goto(awa.url)
    wait_live(laptop, "#chantier")
    laptop.get_by_text("Consolider « Objectif » (animation)").click()
    box = laptop.get_by_label("Texte consolidé de « Objectif »")
    assert "tenu à jour par les structures" in box.input_value()  # additions offered
    box.fill("Un annuaire en ligne, tenu à jour par les structures elles-mêmes.")
    laptop.locator('form[data-field="objectif"][data-action="consolidate"] button').click()

    for page in (awa, karim):
        page.locator(
            "#field-objectif-text", has_text="tenu à jour par les structures elles-mêmes"
        ).wait_for()
        page.locator("#field-objectif-cons", has_text="Consolidé par Camille").wait_for()
        # The addition stays, with its author.
        assert karim_name in page.locator("#field-objectif-additions").inner_text()
    screenshot(laptop, "facilitator", full_page=True)
    screenshot(awa, "awa-after-consolidation", full_page=True)
