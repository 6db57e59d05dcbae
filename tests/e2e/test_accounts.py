"""Organizer accounts in a real browser (issue 14): an owner invites a colleague, who creates
an account from the link and lands in the event; the owner removes them; a password change
closes the owner's other sessions at once (an open régie goes back to the login page)."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import LAPTOP_VIEWPORT
from tests.realserver.clients import SLUG

pytestmark = pytest.mark.e2e

PASSWORD = "un-mot-de-passe-solide"
NEW_PASSWORD = "une autre phrase secrète"
WIDE = {"width": 1366, "height": 768}
NARROW = {"width": 360, "height": 740}


def log_in(page: Any, base: str, email: str, password: str = PASSWORD) -> None:
    page.goto(f"{base}/organisateur/connexion")
    page.fill("#email", email)
    page.fill("#password", password)
    page.get_by_role("button", name="Se connecter").click()
    page.wait_for_url(f"{base}/organisateur/")


def both_sizes(page: Any, screenshot: Callable[..., Any], name: str) -> None:
    """Screenshots at a laptop's and a small phone's size, then back to the laptop."""
    for label, size in (("1366", WIDE), ("360", NARROW)):
        page.set_viewport_size(size)
        assert page.evaluate("document.documentElement.scrollWidth") <= size["width"], name
        screenshot(page, f"{name}-{label}", full_page=True)
    page.set_viewport_size(WIDE)


def test_an_owner_invites_a_colleague_removes_them_and_changes_password(
    live_server: Any, _pages: Any, screenshot: Callable[..., Any]
) -> None:
    base = live_server.url
    owner_email = f"proprietaire-{uuid.uuid4().hex[:6]}@example.org"
    live_server.flask(
        "organizer", "create", owner_email, "--password", PASSWORD, "--name", "Agence",
        "--event", SLUG,
    )  # fmt: skip
    owner = _pages.new_page("owner", viewport=WIDE)
    owner.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
    log_in(owner, base, owner_email)
    owner.get_by_role("link", name="Équipe").first.click()
    owner.wait_for_url(f"{base}/organisateur/e/{SLUG}/equipe")

    # The invitation link, shown once, with a copy button (a module script, no inline JS).
    owner.fill("#label", "Camille, CCAS")
    owner.get_by_role("button", name="Créer un lien d’invitation").click()
    link = owner.input_value("#invitation-url")
    assert "/organisateur/invitation/" in link
    owner.get_by_role("button", name="Copier le lien").click()
    owner.get_by_text("Lien copié.").wait_for()
    assert owner.evaluate("navigator.clipboard.readText()") == link
    both_sizes(owner, screenshot, "team-new-invitation")

    # A colleague without an account: the link, a new account, and the event's programme.
    colleague = _pages.new_page("colleague", viewport=WIDE)
    colleague.goto(link)
    colleague.get_by_role("heading", name="Créer mon compte").wait_for()
    both_sizes(colleague, screenshot, "invitation")
    name = f"Camille {uuid.uuid4().hex[:4]}"
    colleague.fill("#email", f"camille-{uuid.uuid4().hex[:6]}@example.org")
    colleague.fill("#display_name", name)
    colleague.fill("#password", PASSWORD)
    colleague.fill("#confirmation", PASSWORD + "!")
    colleague.get_by_role("button", name="Créer mon compte et rejoindre").click()
    assert "pas identiques" in colleague.inner_text("#confirmation-error")
    colleague.fill("#password", PASSWORD)
    colleague.fill("#confirmation", PASSWORD)
    colleague.get_by_role("button", name="Créer mon compte et rejoindre").click()
    colleague.wait_for_url(f"{base}/organisateur/e/{SLUG}/programme")
    assert "Bienvenue dans l'équipe" in colleague.inner_text(".flashes")

    # The owner sees them in the team and the log, and removes them.
    owner.goto(f"{base}/organisateur/e/{SLUG}/equipe")
    assert name in owner.inner_text(".team-list")
    assert "Invitation acceptée" in owner.inner_text(".team-log")
    both_sizes(owner, screenshot, "team")
    owner.get_by_role("button", name=f"Retirer {name}").click()
    assert "ne fait plus partie de l'équipe" in owner.inner_text(".flashes")
    assert name not in owner.inner_text(".team-list")
    colleague.reload()
    assert "Réservé à l'équipe organisatrice" in colleague.inner_text("main")

    # The owner's régie open in another browser; the password changes here: the régie is cut
    # at once and reloads onto the login page; this browser stays logged in.
    other = _pages.new_page("owner elsewhere", viewport=LAPTOP_VIEWPORT)
    log_in(other, base, owner_email)
    other.goto(f"{base}/organisateur/e/{SLUG}/regie")
    other.wait_for_selector('#regie[data-live="joined"]', state="attached")
    owner.goto(f"{base}/organisateur/")
    owner.get_by_role("link", name="Mon compte").click()
    owner.fill("#current", PASSWORD)
    owner.fill("#password", NEW_PASSWORD)
    owner.fill("#confirmation", NEW_PASSWORD)
    owner.get_by_role("button", name="Changer le mot de passe").click()
    assert "Mot de passe changé" in owner.inner_text(".flashes")
    screenshot(owner, "account-changed")
    other.wait_for_url(lambda url: "/organisateur/connexion" in url)
    owner.goto(f"{base}/organisateur/")
    assert owner.url == f"{base}/organisateur/"
    log_in(_pages.new_page("owner again", viewport=WIDE), base, owner_email, NEW_PASSWORD)
