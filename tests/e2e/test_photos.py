"""Photos in a real browser (issue 19.3): a phone attaches a photo to its card (made smaller
on the phone, uploaded with progress), the projector shows it on the card; the console adds a
paperboard, the projector shows it in its « Paperboards » view, then the console hides it."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pytest
from PIL import Image, ImageDraw

from tests.e2e.conftest import E2E_DATABASE, TIMEOUT_MS, card, unique
from tests.realserver.clients import atelier_ids

pytestmark = [
    pytest.mark.e2e,
    pytest.mark.parametrize("live_server", [E2E_DATABASE], indirect=True),
]


def _photo(width: int, height: int, colour: tuple[int, int, int]) -> bytes:
    image = Image.new("RGB", (width, height), (250, 250, 245))
    draw = ImageDraw.Draw(image)
    draw.rectangle((width // 8, height // 8, width * 7 // 8, height * 7 // 8), fill=colour)
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (48.0, 53.0, 50.0), 3: "E", 4: (2.0, 5.0, 40.0)}
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif.tobytes())
    return out.getvalue()


def test_a_phone_photo_and_a_paperboard_reach_the_projector(
    live_server: Any,
    joined_phone: Callable[..., Any],
    projector: Callable[..., Any],
    facilitator: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = atelier_ids(base)[0]
    screen = projector(base, here)
    console = facilitator(here, viewport={"width": 1366, "height": 768})
    mobile = joined_phone(here, unique("Awa"), label="participant")
    mobile.set_viewport_size({"width": 360, "height": 740})

    titre = unique("Jardin partagé")
    mobile.fill("#titre", titre)
    mobile.set_input_files(
        "#photo",
        files=[
            {
                "name": "jardin.jpg",
                "mimeType": "image/jpeg",
                "buffer": _photo(3000, 2000, (40, 140, 60)),
            }
        ],
    )
    mobile.click("#submit-button")
    mobile.locator("#photo-status", has_text="Photo ajoutée").wait_for(timeout=TIMEOUT_MS)
    mine = card(mobile, titre).locator("img.card__photo")
    mine.wait_for()
    # Made smaller on the phone, then by the server: the thumbnail is 480 px at most.
    width = mine.evaluate("img => img.naturalWidth")
    assert 0 < width <= 480
    card(mobile, titre).scroll_into_view_if_needed()
    screenshot(mobile, "1-phone-360-card-with-photo")
    mobile.set_viewport_size({"width": 320, "height": 640})
    card(mobile, titre).scroll_into_view_if_needed()
    screenshot(mobile, "2-phone-320-card-with-photo")

    shown = card(screen, titre).locator("img.card__photo")
    shown.wait_for(timeout=TIMEOUT_MS)
    screen.wait_for_function(
        "t => [...document.querySelectorAll('.card')].some(c => c.textContent.includes(t)"
        " && c.querySelector('img.card__photo') && c.querySelector('img.card__photo').naturalWidth > 0)",
        arg=titre,
        timeout=TIMEOUT_MS,
    )
    screenshot(screen, "3-projector-card-photo")

    # The console adds a paperboard and shows it on the projector.
    console.set_input_files(
        "#paperboard-file",
        files=[
            {
                "name": "paperboard.jpg",
                "mimeType": "image/jpeg",
                "buffer": _photo(1200, 1600, (230, 200, 40)),
            }
        ],
    )
    console.click("#paperboard-submit")
    console.locator("#paperboard-status", has_text="Photo ajoutée").wait_for(timeout=TIMEOUT_MS)
    item = console.locator("#paperboard-list .photo-strip__item").last
    board_id = item.get_attribute("data-photo-id")
    console.locator('#projector-modes [data-mode="paperboards"]').click()
    screen.wait_for_selector('#projector[data-mode="paperboards"]', state="attached")
    board = screen.locator(f'.projector__board[data-photo-id="{board_id}"]')
    board.wait_for(timeout=TIMEOUT_MS)
    screen.wait_for_function(
        "id => { const i = document.querySelector(`.projector__board[data-photo-id='${id}']`);"
        " return i && i.naturalWidth > 0; }",
        arg=board_id,
    )
    screenshot(screen, "4-projector-paperboards")
    screenshot(console, "5-console-paperboard", full_page=True)

    # Hidden by the facilitator: gone from the projector, faded on the console.
    item.get_by_role("button", name="Masquer").click()
    board.wait_for(state="detached", timeout=TIMEOUT_MS)
    assert "photo-strip__item--hidden" in (item.get_attribute("class") or "")
    screenshot(console, "6-console-paperboard-hidden", full_page=True)
    console.locator('#projector-modes [data-mode="all"]').click()


def test_the_plenary_slides_show_the_demo_paperboard(
    live_server: Any, organizer: Callable[..., Any], screenshot: Callable[..., Any]
) -> None:
    from tests.realserver.clients import SLUG

    live_server.flask("demo", "--sample")  # the demo day's cards, votes and paperboard
    base = f"/organisateur/e/{SLUG}/restitution"
    page = organizer(base)
    page.set_viewport_size({"width": 1366, "height": 768})
    first = page.locator(".photo-strip__img").first
    first.wait_for(timeout=TIMEOUT_MS)
    first.scroll_into_view_if_needed()
    page.wait_for_function(
        "() => { const i = document.querySelector('.photo-strip__img'); return i && i.naturalWidth > 0; }"
    )
    screenshot(page, "7-restitution-page-paperboard")
    atelier = first.evaluate("i => i.closest('.atelier-result').id")  # « atelier-<id> »
    slide_key = "paperboards-" + atelier.removeprefix("atelier-")
    page.set_viewport_size({"width": 1920, "height": 1080})
    page.goto(f"{live_server.url}{base}/presentation#{slide_key}")
    photo = page.locator(f'.slide[data-key="{slide_key}"] .slide__photo').first
    photo.wait_for(state="visible", timeout=TIMEOUT_MS)
    page.wait_for_function(
        "k => { const i = document.querySelector(`.slide[data-key='${k}'] .slide__photo`);"
        " return i && i.naturalWidth > 0; }",
        arg=slide_key,
    )
    screenshot(page, "8-slide-paperboards")


def test_a_photo_chosen_offline_follows_its_card_when_the_network_is_back(
    live_server: Any,
    joined_phone: Callable[..., Any],
    projector: Callable[..., Any],
    screenshot: Callable[..., Any],
) -> None:
    base = live_server.url
    here = atelier_ids(base)[0]
    screen = projector(base, here)
    mobile = joined_phone(here, unique("Léa"), label="basement")
    mobile.set_viewport_size({"width": 360, "height": 740})
    mobile.context.set_offline(True)
    mobile.wait_for_selector('#live-status[data-state="offline"]', state="attached")

    titre = unique("Atelier vélo")
    mobile.fill("#titre", titre)
    mobile.set_input_files(
        "#photo",
        files=[
            {
                "name": "velo.jpg",
                "mimeType": "image/jpeg",
                "buffer": _photo(2000, 1500, (200, 60, 160)),
            }
        ],
    )
    mobile.click("#submit-button")
    mobile.locator("#photo-status", has_text="Photo gardée sur ce téléphone").wait_for()
    screenshot(mobile, "9-phone-offline-photo-waiting")

    mobile.context.set_offline(False)
    mobile.wait_for_selector('#wall[data-outbox="0"]', state="attached", timeout=TIMEOUT_MS * 2)
    card(screen, titre).locator("img.card__photo").wait_for(timeout=TIMEOUT_MS)
    card(mobile, titre).locator("img.card__photo").wait_for(timeout=TIMEOUT_MS)
