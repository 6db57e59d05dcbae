"""Accessibility (issue 6): axe-core finds no violation on any page of the day.

axe-core comes from the npm registry (package.json devDependencies) and is copied by
``make vendor`` to ``tests/e2e/vendor/axe.min.js``: read here and injected into the page under
test, never served by the app. Every page is checked after its scripts ran and its socket
joined (the live parts are in the DOM), with the WCAG 2.0/2.1 A and AA rules and axe's best
practices. Pages are also checked at 320 px wide: nothing scrolls sideways.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.e2e.conftest import (
    chantier_atelier_ids,
    first_organizer,
    join_atelier,
    organizer_cookie,
    post_pratique,
    unique,
    wait_live,
)
from tests.realserver.clients import SLUG, atelier_ids, event_json

pytestmark = pytest.mark.e2e

AXE = Path(__file__).resolve().parent / "vendor" / "axe.min.js"
AXE_OPTIONS = {
    "runOnly": {
        "type": "tag",
        "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa", "best-practice"],
    },
    "resultTypes": ["violations"],
}
LAPTOP = {"width": 1280, "height": 900}
NARROW = {"width": 320, "height": 640}


def axe_violations(page: Any) -> list[str]:
    """Inject axe-core into ``page`` and return one line per violation (rule, nodes)."""
    if not AXE.exists():
        raise AssertionError(f"{AXE} missing: run `make vendor` (copies axe-core from npm)")
    if not page.evaluate("typeof window.axe === 'object'"):
        # Evaluated, not a <script> tag: the app's CSP rightly refuses foreign scripts.
        page.evaluate(AXE.read_text(encoding="utf-8"))
    result = page.evaluate("options => window.axe.run(document, options)", AXE_OPTIONS)
    lines = []
    for v in result["violations"]:
        targets = [", ".join(map(str, n["target"])) for n in v["nodes"][:4]]
        lines.append(f"{v['id']} ({v['impact']}): {v['help']} -> {targets}")
    return lines


def no_sideways_scroll(page: Any) -> bool:
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")


#: What a finger taps on a phone page; inline links inside a sentence are exempt (WCAG 2.5.8).
TAP_TARGETS = (
    "button, select, textarea, summary, .button,"
    " input:not([type=hidden]):not([type=checkbox]):not([type=radio])"
)


def small_tap_targets(page: Any) -> list[str]:
    """Visible controls smaller than 44 px high (checkboxes and radios: their label row)."""
    return page.evaluate(
        """selector => {
          const small = [];
          const size = (el) => el.getBoundingClientRect();
          for (const el of document.querySelectorAll(selector)) {
            const r = size(el);
            if (!r.width || !r.height || getComputedStyle(el).visibility === "hidden") continue;
            if (r.height < 43.5) small.push(`${el.tagName.toLowerCase()}#${el.id || ""}.${el.className} ${Math.round(r.height)}px`);
          }
          for (const el of document.querySelectorAll("input[type=checkbox], input[type=radio]")) {
            const row = el.closest("label, .check, .choice, li") || el;
            const r = size(row);
            if (r.height && r.height < 43.5) small.push(`${el.type}#${el.id} row ${Math.round(r.height)}px`);
          }
          return small;
        }""",
        TAP_TARGETS,
    )


@pytest.fixture(scope="module")
def day(live_server: Any) -> Any:
    live_server.flask("demo", "--sample")
    first_organizer(live_server, "a11y@example.org")
    return live_server


class Report:
    """Violations of every page, reported together so one run lists them all."""

    def __init__(self) -> None:
        self.lines: list[str] = []

    def check(self, page: Any, name: str) -> None:
        page.wait_for_load_state("load")
        for line in axe_violations(page):
            self.lines.append(f"{name} {page.url}: {line}")

    def check_narrow(self, page: Any, name: str) -> None:
        size = page.viewport_size
        page.set_viewport_size(NARROW)
        if not no_sideways_scroll(page):
            self.lines.append(f"{name} {page.url}: scrolls sideways at 320 px")
        self.check(page, f"{name} (320 px)")
        for target in small_tap_targets(page):
            self.lines.append(f"{name} {page.url}: tap target under 44 px: {target}")
        page.set_viewport_size(size)

    def assert_clean(self) -> None:
        assert not self.lines, "axe-core violations:\n" + "\n".join(self.lines)


def test_participant_pages_have_no_axe_violation(
    day: Any,
    phone: Callable[..., Any],
    joined_phone: Callable[..., Any],
    projector: Callable[..., Any],
) -> None:
    base = day.url
    here = atelier_ids(base)[0]
    report = Report()
    page = phone("participant")
    for path, name in (("/", "home"), (f"/e/{SLUG}/", "event"), (f"/e/{SLUG}/rejoindre", "join")):
        page.goto(base + path)
        report.check_narrow(page, name)

    join_atelier(page, base, here, f"Awa {uuid.uuid4().hex[:4]}")
    post_pratique(page, f"Café des aidants {uuid.uuid4().hex[:4]}")
    report.check_narrow(page, "wall (pratique)")

    for path, name in (
        (f"/e/{SLUG}/profil", "profile"),
        (f"/e/{SLUG}/a/{here}/qui", "who's who"),
        (f"/e/{SLUG}/rencontres", "matches"),
        (f"/e/{SLUG}/perspectives", "perspectives"),
    ):
        page.goto(base + path)
        report.check_narrow(page, name)

    chantier = chantier_atelier_ids(base)[0]
    other = joined_phone(chantier, unique("Bruno"), label="chantier participant")
    report.check_narrow(other, "wall (chantier)")

    screen = projector(base, here)
    report.check(screen, "projector")
    screen.goto(f"{base}/e/{SLUG}/a/{here}/tour-de-table")
    report.check(screen, "tour de table (projector)")
    report.assert_clean()


def test_facilitator_and_vote_pages_have_no_axe_violation(
    day: Any, joined_phone: Callable[..., Any], facilitator: Callable[..., Any]
) -> None:
    base = day.url
    here = atelier_ids(base)[1]
    report = Report()
    console = facilitator(here)
    report.check(console, "facilitator console")

    page = joined_phone(here, unique("Chloé"), label="voter")
    post_pratique(page, f"Jardin partagé {uuid.uuid4().hex[:4]}")
    console.fill("#vote-dots", "3")
    console.click("#vote-open")
    page.wait_for_selector("#dots-left:has-text('Il vous reste 3 points')")
    report.check_narrow(page, "wall (vote open)")
    report.check(console, "facilitator console (vote open)")

    console.goto(f"{base}/f/atelier/{here}/tour")
    report.check(console, "tour control")
    report.assert_clean()


def test_organizer_pages_have_no_axe_violation(day: Any, _pages: Any) -> None:
    base = day.url
    here = atelier_ids(base)[0]
    report = Report()
    login = _pages.new_page("login", viewport=LAPTOP)
    login.goto(f"{base}/organisateur/connexion")
    report.check(login, "organizer login")

    page = _pages.new_page("organizer", viewport=LAPTOP)
    page.context.add_cookies([organizer_cookie(day)])
    for path, name in (
        ("/organisateur/", "organizer home"),
        (f"/organisateur/e/{SLUG}/regie", "control room"),
        (f"/organisateur/e/{SLUG}/restitution", "restitution"),
        (f"/organisateur/e/{SLUG}/restitution/presentation", "slides"),
        (f"/organisateur/e/{SLUG}/restitution/notes", "speaker notes"),
        (f"/organisateur/e/{SLUG}/a/{here}/synthese", "synthesis"),
        (f"/organisateur/e/{SLUG}/acteurs", "actors"),
        (f"/organisateur/e/{SLUG}/liens", "links"),
        (f"/organisateur/e/{SLUG}/import", "import"),
    ):
        page.goto(base + path)
        if name == "control room":
            wait_live(page, "#regie")
        report.check(page, name)

    # Setting up a day (issue 3): forms checked on a laptop and at 320 px (tap targets too).
    programme = event_json(base)["programme"]
    sequence = next(s for s in programme if s["ateliers"])
    setup = f"/organisateur/e/{SLUG}"
    for path, name in (
        ("/organisateur/nouvel-evenement", "new event"),
        (f"{setup}/reglages", "event settings"),
        (f"{setup}/programme", "programme"),
        (f"{setup}/programme/sequences/{sequence['id']}", "sequence"),
        (f"{setup}/programme/sequences/{sequence['id']}/ateliers/nouveau", "new atelier"),
        (f"{setup}/programme/ateliers/{sequence['ateliers'][0]['id']}", "atelier"),
        (f"{setup}/dupliquer", "duplicate"),
        (f"{setup}/import/participants", "expected participants"),
    ):
        response = page.goto(base + path)
        assert response is not None and response.status == 200 and page.url == base + path
        report.check_narrow(page, name)
    # A refused form: the error summary and the fields' errors.
    page.goto(f"{base}{setup}/dupliquer")
    page.fill("#join_code", "RAS24")
    page.get_by_role("button", name="Créer la copie").click()
    page.wait_for_selector("#error-summary[role=alert]")
    report.check_narrow(page, "duplicate (errors)")
    report.assert_clean()
