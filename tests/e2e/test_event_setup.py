"""Setting up a day in a browser (issue 3): an organizer creates a branded event, adds a
sequence and an atelier, and a participant joins it on a phone with the event's code."""

from __future__ import annotations

import io
import uuid
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image

from tests.e2e.conftest import join_via_code, wait_live
from tests.e2e.test_accessibility import LAPTOP, Report

pytestmark = pytest.mark.e2e

PASSWORD = "un-mot-de-passe-solide"
BRAND = "#7a1f5c"


def logo_file(tmp_path: Any) -> str:
    path = tmp_path / "logo.png"
    image = Image.new("RGBA", (240, 120), (122, 31, 92, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    path.write_bytes(buffer.getvalue())
    return str(path)


def test_an_organizer_sets_up_a_day_and_a_participant_joins_it(
    live_server: Any,
    _pages: Any,
    phone: Callable[..., Any],
    projector: Callable[..., Any],
    screenshot: Callable[..., Any],
    tmp_path: Any,
) -> None:
    base = live_server.url
    email = f"agence-{uuid.uuid4().hex[:6]}@example.org"
    live_server.flask("organizer", "create", email, "--password", PASSWORD)
    code = f"J{uuid.uuid4().hex[:5].upper()}"
    title = f"Journée des solidarités {code}"
    report = Report()

    page = _pages.new_page("organizer", viewport=LAPTOP)
    page.goto(f"{base}/organisateur/connexion")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/organisateur/")
    page.get_by_role("link", name="Créer un événement").click()
    page.wait_for_selector("#title")

    # A taken code and a pale colour: refused in French, nothing typed is lost.
    page.fill("#title", title)
    page.fill("#date", "2026-06-24")
    page.fill("#venue", "Salle des fêtes")
    page.fill("#join_code", "RAS24")
    page.fill("#communes", "Chatou\nLe Pecq\nCroissy-sur-Seine")
    page.fill("#brand_name", "Réseau solidarités 78")
    page.fill("#brand_color", "#ffcc00")
    page.set_input_files("#logo", logo_file(tmp_path))
    page.get_by_role("button", name="Créer l’événement").click()
    page.wait_for_selector("#error-summary[role=alert]")
    assert "déjà utilisé par un autre événement" in page.inner_text("#join_code-error")
    assert "Couleur trop claire" in page.inner_text("#brand_color-error")
    assert page.input_value("#title") == title
    assert page.input_value("#communes") == "Chatou\nLe Pecq\nCroissy-sur-Seine"
    report.check_narrow(page, "new event (errors)")
    screenshot(page, "1-new-event-errors", full_page=True)

    page.fill("#join_code", code)
    page.fill("#brand_color", BRAND)
    page.set_input_files("#logo", logo_file(tmp_path))
    page.get_by_role("button", name="Créer l’événement").click()
    page.wait_for_url("**/programme")
    slug = page.url.split("/organisateur/e/")[1].split("/")[0]

    # The programme: one sequence of ateliers, then one atelier in it.
    page.select_option("#kind", "ateliers_pratiques")
    page.fill("#starts_at", "10:00")
    page.fill("#ends_at", "12:00")
    page.get_by_role("button", name="Ajouter la séquence").click()
    page.wait_for_selector(".setup-sequence")
    page.get_by_role("link", name="Ajouter un atelier à Ateliers pratiques").click()
    page.wait_for_selector("#question")
    report.check_narrow(page, "new atelier")
    page.fill("#title", "Isolement des aînés")
    page.fill("#question", "Qu'est-ce qui a marché chez vous ?")
    page.fill("#room", "Salle Ravel")
    page.fill("#capacity", "20")
    page.fill("#facilitators", "Samia")
    page.get_by_role("button", name="Ajouter l’atelier", exact=True).click()
    page.wait_for_url("**/programme#atelier-*")
    page.locator(".setup-atelier", has_text="Isolement des aînés").wait_for()
    report.check_narrow(page, "programme")
    screenshot(page, "2-programme", full_page=True)

    # A participant types the code on the home page and joins the new atelier.
    mobile = phone("participant")
    join_via_code(mobile, base, code.lower())
    assert mobile.url.startswith(f"{base}/e/{slug}/rejoindre")
    assert mobile.inner_text(".site-header__brand").strip() == "Réseau solidarités 78"
    options = mobile.eval_on_selector_all("#communes-list option", "os => os.map(o => o.value)")
    assert options == ["Chatou", "Le Pecq", "Croissy-sur-Seine"]
    report.check_narrow(mobile, "join (branded)")
    mobile.fill("#display_name", "Nadia")
    mobile.fill("#structure", "CCAS de Chatou")
    mobile.get_by_label("Isolement des aînés").check()
    mobile.check("#consent")
    mobile.click("form button[type=submit]")
    mobile.wait_for_url(f"{base}/e/{slug}/a/*")
    wait_live(mobile)
    assert mobile.inner_text("h1") == "Isolement des aînés"
    header = mobile.eval_on_selector(".site-header", "e => getComputedStyle(e).backgroundColor")
    assert header == "rgb(122, 31, 92)"
    logo_ok = mobile.eval_on_selector(".site-header__logo", "img => img.naturalWidth > 0")
    assert logo_ok
    report.check_narrow(mobile, "wall (branded)")
    screenshot(mobile, "3-phone-wall-branded")

    atelier_id = mobile.url.rsplit("/", 1)[1]
    screen = projector(base, atelier_id, slug)
    screen.locator(".projector__brand", has_text="Réseau solidarités 78").wait_for()
    report.check(screen, "projector (branded)")
    screenshot(screen, "4-projector-branded")

    # While it runs, the organizer renames the atelier and sets its room: the phone and the
    # projector redraw without a reload (atelier:updated), text as text.
    for view in (mobile, screen):
        view.evaluate("window.__sameDocument = true")
    page.goto(f"{base}/organisateur/e/{slug}/programme/ateliers/{atelier_id}")
    page.fill("#title", "Isolement des aînés et des aidants")
    page.fill("#question", "<b>Qui</b> appeler en premier ?")
    page.fill("#room", "Salle Debussy")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector(".flash--success")
    mobile.locator("h1", has_text="Isolement des aînés et des aidants").wait_for()
    assert mobile.inner_text(".question") == "<b>Qui</b> appeler en premier ?"
    assert mobile.locator(".wall-head__meta", has_text="Salle Debussy").is_visible()
    assert "Isolement des aînés et des aidants" in mobile.title()
    screen.locator("#projector-title", has_text="Isolement des aînés et des aidants").wait_for()
    assert screen.inner_text("#projector-question") == "<b>Qui</b> appeler en premier ?"
    screenshot(mobile, "5-phone-atelier-renamed-live")
    screenshot(screen, "6-projector-atelier-renamed-live")

    # The programme slot renamed: the header of its ateliers' screens follows (the same
    # atelier:updated, with the sequence's new title).
    page.goto(f"{base}/organisateur/e/{slug}/programme")
    page.get_by_role("link", name="Modifier Ateliers pratiques").click()
    page.fill("#title", "Ateliers du matin")
    page.get_by_role("button", name="Enregistrer").click()
    page.wait_for_selector(".flash--success")
    mobile.locator(
        ".wall-head__meta [data-sequence-field]", has_text="Ateliers du matin"
    ).wait_for()
    screen.locator("[data-sequence-field]", has_text="Ateliers du matin").wait_for()
    screenshot(mobile, "6b-phone-sequence-renamed-live")

    # Then the event's name and brand: event:updated, every screen of the event.
    page.goto(f"{base}/organisateur/e/{slug}/reglages")
    page.fill("#title", f"Rencontres des solidarités {code}")
    page.fill("#brand_name", "Réseau 78")
    page.fill("#brand_color", "#1f5c7a")
    page.get_by_role("button", name="Enregistrer").first.click()
    page.wait_for_selector(".flash--success")
    mobile.locator(".site-header__brand", has_text="Réseau 78").wait_for()
    # The colours came inline (CSP hash); the new ones come as the served stylesheet, and
    # the old inline block goes once they apply.
    mobile.wait_for_function(
        "getComputedStyle(document.querySelector('.site-header')).backgroundColor"
        " === 'rgb(31, 92, 122)'"
    )
    mobile.wait_for_function("document.querySelector('style[data-event-theme]') === null")
    mobile.locator(".breadcrumb", has_text=f"Rencontres des solidarités {code}").wait_for()
    screen.locator(".projector__event", has_text=f"Rencontres des solidarités {code}").wait_for()
    screen.locator(".projector__brand", has_text="Réseau 78").wait_for()
    for view in (mobile, screen):
        assert view.evaluate("window.__sameDocument === true"), "the page reloaded"
    report.assert_clean()
