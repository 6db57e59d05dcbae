"""Browser fixtures: Playwright driving Debian's Chromium against the real eventlet server.

Fixtures
--------
``browser``
    Session-scoped headless Chromium (``/usr/bin/chromium``, or ``CHROMIUM``). Skips when it
    is missing (``make test`` installs it; CI's ``REQUIRE_ALL_TESTS=1`` turns a skip into a
    failure).
``phone``
    Factory: ``phone(name="...")`` -> a new ``Page`` in its own context (its own cookies),
    sized like a phone (390x844, touch, mobile), French locale, Paris time.
``joined_phone``
    Factory: ``joined_phone(atelier_id, name, label=...)`` -> a new ``phone`` that joined the
    atelier as ``name`` (:func:`join_atelier`'s keywords pass through) and is on its live wall.
``projector``
    Factory: ``projector(base_url, atelier_id)`` -> a 1920x1080 page on the atelier's
    projector view, already joined to the room (waits for ``data-live="joined"``).
``facilitator``
    Factory: ``facilitator(atelier_id)`` -> a laptop on the atelier's facilitator console,
    opened from a new secret link and joined to the room (waits for ``data-live="joined"``).
    ``label=`` names the link (the name its actions are signed with); ``viewport=`` and
    context options (``has_touch=True``) make it a tablet.
``organizer``
    Factory: ``organizer(path)`` -> a laptop logged in as a new organizer of the demo event,
    on ``path``.
``screenshot``
    ``screenshot(page, "name")`` saves ``name.png`` under the test's ``tmp_path`` and copies
    it to ``E2E_SHOTS_DIR`` (default ``/tmp/shots``) for a human to look at. Returns the path.

Every page created by these factories fails the test on an uncaught JavaScript error or a
Content-Security-Policy refusal (either would otherwise only show as a card that never
appears).

``E2E_DATABASE`` picks the live server's database (see below).

Helpers for the participant's flow: :func:`unique`, :func:`chantier_atelier_ids`,
:func:`join_via_code`, :func:`join_atelier`, :func:`post_pratique`, :func:`wait_live`; for the
facilitator's: :func:`facilitator_link`; for the organizer's: :func:`first_organizer`,
:func:`organizer_cookie`.
"""

from __future__ import annotations

import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from facilitation.edge.identity import ORGANIZER_KEY, ORGANIZER_VERSION_KEY
from tests.realserver.clients import SLUG, event_json

CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
#: Generous on purpose: a loaded CI machine, not a performance target.
TIMEOUT_MS = 15_000
PHONE_VIEWPORT = {"width": 390, "height": 844}
PROJECTOR_VIEWPORT = {"width": 1920, "height": 1080}
LAPTOP_VIEWPORT = {"width": 1280, "height": 900}
ORGANIZER_PASSWORD = "un-mot-de-passe-solide"
SHOTS_DIR = Path(os.environ.get("E2E_SHOTS_DIR", "/tmp/shots"))
#: The live server's database for browser tests: PostgreSQL when the suite has one (CI),
#: SQLite otherwise, so the browser tests never skip for want of a database. Use it as
#: ``pytest.mark.parametrize("live_server", [E2E_DATABASE], indirect=True)``.
E2E_DATABASE = "postgres" if os.environ.get("TEST_DATABASE_URL") else "sqlite"


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    if not os.access(CHROMIUM, os.X_OK):
        pytest.skip(f"{CHROMIUM} missing: `make chromium` installs Debian's chromium")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


class _Pages:
    """Contexts opened by one test, closed at its end; JS errors collected per page."""

    def __init__(self, browser: Any) -> None:
        self.browser = browser
        self.contexts: list[Any] = []
        self.errors: list[str] = []

    def new_page(self, label: str, **context_options: Any) -> Any:
        context = self.browser.new_context(
            locale="fr-FR", timezone_id="Europe/Paris", **context_options
        )
        context.set_default_timeout(TIMEOUT_MS)
        self.contexts.append(context)
        page = context.new_page()
        page.on("pageerror", lambda exc: self.errors.append(f"{label}: {exc}"))
        page.on("console", lambda msg: self._console(label, msg))
        return page

    def _console(self, label: str, msg: Any) -> None:
        # A Content-Security-Policy refusal is only a console message, not an exception.
        if msg.type == "error" and "Content Security Policy" in msg.text:
            self.errors.append(f"{label}: {msg.text}")

    def close(self) -> None:
        for context in self.contexts:
            context.close()


@pytest.fixture
def _pages(browser: Any) -> Iterator[_Pages]:
    pages = _Pages(browser)
    try:
        yield pages
    finally:
        pages.close()
    assert not pages.errors, f"JavaScript errors: {pages.errors}"


@pytest.fixture
def phone(_pages: _Pages) -> Callable[..., Any]:
    def make(name: str = "phone") -> Any:
        return _pages.new_page(
            name,
            viewport=PHONE_VIEWPORT,
            is_mobile=True,
            has_touch=True,
            device_scale_factor=2,
        )

    return make


@pytest.fixture
def joined_phone(live_server: Any, phone: Callable[..., Any]) -> Callable[..., Any]:
    """Factory: ``joined_phone(atelier_id, name)`` -> a new phone on that atelier's wall, joined."""

    def make(atelier_id: int, name: str, label: str = "phone", **join: str) -> Any:
        page = phone(label)
        join_atelier(page, live_server.url, atelier_id, name, **join)
        return page

    return make


@pytest.fixture
def projector(_pages: _Pages) -> Callable[..., Any]:
    def make(base_url: str, atelier_id: int, slug: str = SLUG) -> Any:
        page = _pages.new_page(f"projector {atelier_id}", viewport=PROJECTOR_VIEWPORT)
        page.goto(f"{base_url}/e/{slug}/a/{atelier_id}/projecteur")
        wait_live(page, "#projector")
        return page

    return make


@pytest.fixture
def facilitator(live_server: Any, _pages: _Pages) -> Callable[..., Any]:
    """Factory: ``facilitator(atelier_id)`` -> a page on that atelier's console, joined live."""

    def make(
        atelier_id: int,
        name: str = "facilitator",
        label: str = "",
        viewport: dict[str, int] = LAPTOP_VIEWPORT,
        **context_options: Any,
    ) -> Any:
        page = _pages.new_page(name, viewport=viewport, **context_options)
        page.goto(facilitator_link(live_server, atelier_id, label))
        wait_live(page, "#console")
        return page

    return make


@pytest.fixture
def organizer(live_server: Any, _pages: _Pages) -> Callable[..., Any]:
    """Factory: ``organizer(path)`` -> a page logged in as a new organizer, back on ``path``."""

    def make(path: str) -> Any:
        email = f"organisateur-{uuid.uuid4().hex[:6]}@example.org"
        live_server.flask(
            "organizer", "create", email, "--password", ORGANIZER_PASSWORD, "--event", SLUG
        )
        page = _pages.new_page("organizer", viewport=LAPTOP_VIEWPORT)
        url = live_server.url + path
        page.goto(url)
        page.fill("#email", email)
        page.fill("#password", ORGANIZER_PASSWORD)
        page.get_by_role("button", name="Se connecter").click()
        page.wait_for_url(url)
        return page

    return make


@pytest.fixture
def screenshot(tmp_path: Path, request: pytest.FixtureRequest) -> Callable[..., Path]:
    def save(page: Any, name: str, full_page: bool = False) -> Path:
        path = tmp_path / f"{name}.png"
        page.screenshot(path=str(path), full_page=full_page)
        SHOTS_DIR.mkdir(parents=True, exist_ok=True)
        shutil.copy(path, SHOTS_DIR / f"{request.node.name}-{name}.png")
        return path

    return save


# ---------------------------------------------------------------------------- helpers
def unique(text: str) -> str:
    """``text`` with a random suffix, so a test's names and titles are its own."""
    return f"{text} {uuid.uuid4().hex[:6]}"


def wait_live(page: Any, root: str = "#wall") -> None:
    """Wait until the page's socket joined its atelier room (snapshot received)."""
    page.wait_for_selector(f'{root}[data-live="joined"]', state="attached")


def chantier_atelier_ids(base_url: str) -> list[int]:
    """The ateliers of the demo day's chantier sequence, in programme order."""
    for sequence in event_json(base_url)["programme"]:
        if sequence["kind"] == "ateliers_chantiers":
            return [a["id"] for a in sequence["ateliers"]]
    raise AssertionError("the demo day has no chantier atelier")


def join_via_code(page: Any, base_url: str, code: str = "RAS24") -> None:
    """Home page -> type the event's short code -> the join form."""
    page.goto(base_url + "/")
    page.fill("#code", code)
    page.click("form button[type=submit]")
    page.wait_for_selector("#display_name")


def join_atelier(
    page: Any,
    base_url: str,
    atelier_id: int,
    name: str,
    structure: str = "CCAS de Chatou",
    commune: str = "",
    slug: str = SLUG,
) -> None:
    """Fill the join form (opening it if needed) and land on the atelier's live wall."""
    if not page.url.startswith(f"{base_url}/e/{slug}/rejoindre"):
        page.goto(f"{base_url}/e/{slug}/rejoindre")
    page.fill("#display_name", name)
    page.fill("#structure", structure)
    if commune:
        page.fill("#commune", commune)
    page.check(f"#atelier-{atelier_id}")
    page.check("#consent")
    page.click("form button[type=submit]")
    page.wait_for_url(f"{base_url}/e/{slug}/a/{atelier_id}")
    wait_live(page)


def facilitator_link(server: Any, atelier_id: int, label: str = "") -> str:
    """A new secret facilitator link for ``atelier_id``, made with the CLI as an organizer would."""
    labelled = ["--label", label] if label else []
    out = server.flask(
        "facilitator-link", SLUG, "--atelier", str(atelier_id), *labelled, "--base-url", server.url
    ).stdout
    match = re.search(r"(http\S+/f/\S+)", out)
    assert match, out
    return match.group(1)


def first_organizer(server: Any, email: str) -> None:
    """Create « Agence », the demo event's organizer that a fresh database's cookie signs in as."""
    server.flask(
        "organizer", "create", email, "--password", "motdepasse-long",
        "--name", "Agence", "--event", SLUG,
    )  # fmt: skip


def organizer_cookie(server: Any, organizer_id: int = 1) -> dict[str, str]:
    """The browser cookie of a session signed in as organizer ``organizer_id`` on ``server``."""
    signer = Flask("cookie")
    signer.secret_key = server.env["SECRET_KEY"]
    serializer = SecureCookieSessionInterface().get_signing_serializer(signer)
    assert serializer is not None
    value = serializer.dumps({ORGANIZER_KEY: organizer_id, ORGANIZER_VERSION_KEY: 1})
    return {"name": "session", "value": value, "url": server.url}


def post_pratique(page: Any, titre: str, **fields: str) -> None:
    """Fill the wall's form and publish; returns once the card is on the poster's wall."""
    page.fill("#titre", titre)
    for name, value in fields.items():
        page.fill(f"#{name}", value)
    page.click("#submit-button")
    card(page, titre).wait_for()


def card(page: Any, titre: str) -> Any:
    """Locator of the card titled ``titre`` (exact title)."""
    return page.locator(".card", has=page.get_by_role("heading", name=titre, exact=True))
