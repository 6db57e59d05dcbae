"""Languages: French by default, English from the browser or the switch; catalogs up to date."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import date, time
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po
from flask import Flask
from flask_babel import refresh

from facilitation.models import Event
from facilitation.web.i18n import COOKIE, JS_STRINGS, TRANSLATIONS, clock, date_long


def test_french_by_default_and_english_from_the_browser(
    app: Flask, make_event: Callable[..., Event]
) -> None:
    event = make_event()
    client = app.test_client()
    french = client.get(f"/e/{event.slug}/rejoindre").get_data(as_text=True)
    assert '<html lang="fr"' in french and "Nom affiché" in french
    english = client.get(
        f"/e/{event.slug}/rejoindre", headers={"Accept-Language": "en-GB,en;q=0.9"}
    ).get_data(as_text=True)
    assert '<html lang="en"' in english
    assert "Display name" in english and "Nom affiché" not in english
    german = client.get("/", headers={"Accept-Language": "de-DE"}).get_data(as_text=True)
    assert '<html lang="fr"' in german


def test_the_switch_remembers_the_choice_and_goes_back(
    app: Flask, make_event: Callable[..., Event]
) -> None:
    event = make_event()
    client = app.test_client()
    response = client.get(f"/langue/en?next=/e/{event.slug}/")
    assert response.status_code == 303
    assert response.location == f"/e/{event.slug}/"
    assert f"{COOKIE}=en" in response.headers["Set-Cookie"]
    page = client.get(f"/e/{event.slug}/", headers={"Accept-Language": "fr"})
    assert '<html lang="en"' in page.get_data(as_text=True)
    client.get("/langue/fr")
    assert '<html lang="fr"' in client.get("/").get_data(as_text=True)


def test_the_switch_never_redirects_elsewhere(app: Flask) -> None:
    client = app.test_client()
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        assert client.get(f"/langue/en?next={target}").location == "/"
    response = client.get("/langue/xx?next=/")
    assert COOKIE not in response.headers.get("Set-Cookie", "")


def test_scripts_get_their_strings_in_the_page_language(
    app: Flask, make_event: Callable[..., Event]
) -> None:
    event = make_event()
    client = app.test_client()
    html = client.get(f"/e/{event.slug}/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    match = re.search(r"data-i18n='([^']*)'", html)
    assert match
    strings = json.loads(match.group(1).replace("&#34;", '"').replace("&amp;", "&"))
    assert set(strings) == set(JS_STRINGS)
    assert strings["status.offline"] == "offline"
    assert strings["wall.pending"] == "Waiting to be sent"


def test_dates_and_times_in_the_page_language(app: Flask) -> None:
    with app.test_request_context(headers={"Accept-Language": "fr"}):
        refresh()
        assert date_long(date(2021, 11, 18)) == "jeudi 18 novembre 2021"
        assert date_long(date(2021, 11, 1)) == "lundi 1er novembre 2021"
        assert clock(time(9, 30)) == "9h30"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        refresh()
        assert date_long(date(2021, 11, 18)) == "Thursday, November 18, 2021"
        assert clock(time(9, 30)) == "9:30"


def test_every_language_is_fully_translated_and_its_mo_is_compiled_from_its_po() -> None:
    for po_path in Path(TRANSLATIONS).glob("*/LC_MESSAGES/messages.po"):
        with po_path.open("rb") as f:
            po = read_po(f)
        with po_path.with_suffix(".mo").open("rb") as f:
            mo = read_mo(f)
        untranslated = [m.id for m in po if m.id and (not m.string or m.fuzzy)]
        assert not untranslated, f"{po_path}: {untranslated}"
        compiled = {m.id: m.string for m in mo if m.id}
        assert compiled == {m.id: m.string for m in po if m.id}, (
            f"{po_path.with_suffix('.mo')} is stale: run `make translations`"
        )


def test_french_pages_do_not_carry_the_scripts_strings_twice(
    app: Flask, make_event: Callable[..., Event]
) -> None:
    """The scripts' fallbacks are the French text: the page sends no copy (phone budget)."""
    event = make_event()
    html = app.test_client().get(f"/e/{event.slug}/", headers={"Accept-Language": "fr"})
    assert "data-i18n='{}'" in html.get_data(as_text=True)
