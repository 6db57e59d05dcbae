"""The live atelier wall in a real browser: phones post, the projector and the room see it.

Runs against the real eventlet server (``live_server``: demo day, one server per module);
each test makes its own participants and cards (unique titles).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from tests.e2e.conftest import (
    E2E_DATABASE,
    card,
    join_atelier,
    join_via_code,
    post_pratique,
    unique,
    wait_live,
)
from tests.realserver.clients import atelier_ids, card_count

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.parametrize("live_server", [E2E_DATABASE], indirect=True),
]


def test_a_pratique_reaches_the_projector_and_the_room_only(
    live_server: Any,
    phone: Callable[..., Any],
    joined_phone: Callable[..., Any],
    projector: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here, elsewhere = atelier_ids(base)[:2]
    screen = projector(base, here)
    # Set in the projector's page: a reload would lose it.
    screen.evaluate("window.__sameDocument = true")

    author = phone("author")
    join_via_code(author, base)
    join_atelier(author, base, here, unique("Awa"), structure="CCAS de Chatou")
    neighbour = joined_phone(
        here, unique("Karim"), label="neighbour", structure="Secours populaire"
    )
    other = joined_phone(
        elsewhere, unique("Léa"), label="other atelier", structure="Mission locale"
    )

    titre = unique("Café des aidants au centre social")
    post_pratique(
        author,
        titre,
        description="Un jeudi par mois, les aidants se retrouvent autour d'un café.",
        commune="Chatou",
        public_concerne="Aidants familiaux",
    )

    on_screen = card(screen, titre)
    on_screen.wait_for()
    assert "Aidants familiaux" in on_screen.inner_text()
    assert "Chatou" in on_screen.inner_text()
    assert screen.evaluate("window.__sameDocument === true"), "the projector reloaded"
    card(neighbour, titre).wait_for()

    # Barrier for the other atelier's socket: its own post is answered after the first card
    # was broadcast, on the same ordered connection. Once it shows, the first card would
    # have arrived already had it leaked.
    sentinel = unique("Permanence numérique")
    post_pratique(other, sentinel)
    assert card(other, titre).count() == 0
    assert card(screen, sentinel).count() == 0

    # Presence: the three phones are in the room, the projector is not counted.
    screen.wait_for_selector('#presence[data-count="2"]')
    assert screen.inner_text("#presence") == "2 personnes connectées"

    screenshot(author, "phone-author", full_page=True)
    screenshot(screen, "projector")
    screenshot(other, "phone-other-atelier")


def test_invalid_input_says_why_next_to_the_field_and_keeps_the_text(
    live_server: Any, phone: Callable[..., Any], screenshot: Callable[..., Any]
) -> None:
    base = live_server.url
    here = atelier_ids(base)[0]
    page = phone("invalid")

    # Join form: name missing, what was typed elsewhere stays.
    page.goto(f"{base}/e/rencontres-action-sociale-2021/rejoindre")
    page.fill("#structure", "Épicerie solidaire du Pecq")
    page.fill("#commune", "Le Pecq")
    page.check(f"#atelier-{here}")
    page.check("#consent")
    page.click("form button[type=submit]")
    field = page.locator('.field[data-field="display_name"]')
    assert field.locator(".field__error").inner_text() == "Indiquez « Nom affiché »."
    assert page.get_attribute("#display_name", "aria-invalid") == "true"
    assert page.input_value("#structure") == "Épicerie solidaire du Pecq"
    assert page.input_value("#commune") == "Le Pecq"
    assert page.is_checked(f"#atelier-{here}")

    page.fill("#display_name", unique("Inès"))
    page.click("form button[type=submit]")
    wait_live(page)

    # Wall form over Socket.IO: empty title refused in French, description kept.
    description = "Nous appelons chaque semaine les personnes du registre canicule."
    page.fill("#description", description)
    page.fill("#public_concerne", "Personnes âgées isolées")
    page.click("#submit-button")
    error = page.locator('.field[data-field="titre"] .field__error')
    error.wait_for()
    assert error.inner_text() == "Indiquez « Titre »."
    assert page.get_attribute("#titre", "aria-invalid") == "true"
    assert page.input_value("#description") == description
    assert page.input_value("#public_concerne") == "Personnes âgées isolées"
    assert page.locator("#error-summary").is_visible()
    screenshot(page, "phone-invalid")

    # Fixing it clears the message and publishes.
    titre = unique("Appels du registre canicule")
    post_pratique(page, titre)
    assert page.locator('.field[data-field="titre"] .field__error').count() == 0
    assert page.input_value("#description") == ""


def test_after_a_server_restart_the_projector_and_phone_resync_without_reload(
    live_server: Any,
    joined_phone: Callable[..., Any],
    projector: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    # Last in the module: it restarts the shared server and adds the sample cards.
    base = live_server.url
    here = atelier_ids(base)[0]
    screen = projector(base, here)
    screen.evaluate("window.__sameDocument = true")
    page = joined_phone(here, unique("Sofiane"), label="restart", structure="Secours catholique")
    page.evaluate("window.__sameDocument = true")

    before = card_count(base, here)
    live_server.stop()
    screen.wait_for_selector('#projector:not([data-live="joined"])', state="attached")
    page.wait_for_selector('#wall:not([data-live="joined"])', state="attached")
    # Changes the pages never receive as deltas: only the snapshot on re-join brings them.
    live_server.flask("demo", "--sample")
    live_server.start()
    expected = card_count(base, here)
    assert expected > before, "the sample cards should be new to this atelier"

    for view, root in ((screen, "#projector"), (page, "#wall")):
        wait_live(view, root)
        view.wait_for_function(
            "n => document.querySelectorAll('#cards > .card').length === n", arg=expected
        )
        assert view.evaluate("window.__sameDocument === true"), f"{root} reloaded"

    # The signed cookie survived the restart: the phone still posts as itself.
    titre = unique("Colis solidaires après le redémarrage")
    post_pratique(page, titre)
    card(screen, titre).wait_for()
    screenshot(screen, "projector-after-restart")
