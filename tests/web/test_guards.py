"""web/guards.py: who may open each organizer page, and what the others get."""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

import pytest
from flask import Flask
from flask.testing import FlaskClient

from facilitation.domain.access import create_facilitator_link
from facilitation.edge.identity import LINKS_KEY
from facilitation.extensions import db
from tests.support.roles import facilitator_client, organizer_client

#: Pages behind the organizer login, under /organisateur/e/<slug> ({a}: an atelier, {s}: its
#: programme slot).
LOGIN_PAGES = (
    "regie",
    "qr",
    "liens",
    "import",
    "import/participants",
    "reglages",
    "dupliquer",
    "programme",
    "programme/sequences/{s}",
    "programme/sequences/{s}/ateliers/nouveau",
    "programme/ateliers/{a}",
    "donnees",
    "equipe",
)
#: The restitution's reading pages: organizers and event-wide facilitator links.
READER_PAGES = (
    "restitution",
    "restitution/export.csv?csv=plain",
    "restitution/presentation",
    "restitution/notes",
)


@pytest.fixture
def world(app: Flask, make_event: Any, make_atelier: Any) -> dict[str, Any]:
    atelier = make_atelier()
    event = atelier.event
    link, _ = create_facilitator_link(event, None, label="Toute la journée")
    db.session.commit()
    event_wide = app.test_client()
    with event_wide.session_transaction() as session:
        session[LINKS_KEY] = [link.id]
    return {
        "prefix": f"/organisateur/e/{event.slug}/",
        "values": {"a": atelier.id, "s": atelier.sequence_id},
        "anonymous": app.test_client(),
        "stranger": organizer_client(app, make_event(), email="autre@example.org"),
        "owner": organizer_client(app, event),
        "atelier_link": facilitator_client(app, atelier),
        "event_link": event_wide,
    }


def _get(world: dict[str, Any], who: str, page: str) -> Any:
    client: FlaskClient = world[who]
    return client.get(world["prefix"] + page.format(**world["values"]))


@pytest.mark.parametrize("page", LOGIN_PAGES)
def test_login_pages_send_a_visitor_to_the_login_and_refuse_other_organizers(
    world: dict[str, Any], page: str
) -> None:
    path = world["prefix"] + page.format(**world["values"])
    anonymous = _get(world, "anonymous", page)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"] == f"/organisateur/connexion?suivant={quote(path)}"
    assert _get(world, "stranger", page).status_code == 403
    assert _get(world, "event_link", page).status_code == 302  # a link is not a login
    assert _get(world, "owner", page).status_code == 200


def test_the_login_comes_before_the_event_lookup(world: dict[str, Any]) -> None:
    anonymous = world["anonymous"].get("/organisateur/e/inconnu/regie")
    assert anonymous.status_code == 302
    assert world["owner"].get("/organisateur/e/inconnu/regie").status_code == 404


@pytest.mark.parametrize("page", ("acteurs", "acteurs.svg"))
def test_the_actors_map_is_a_403_without_a_login_redirect(world: dict[str, Any], page: str) -> None:
    assert _get(world, "anonymous", page).status_code == 403
    assert _get(world, "event_link", page).status_code == 403
    assert _get(world, "owner", page).status_code == 200


@pytest.mark.parametrize("page", READER_PAGES)
def test_restitution_readers_are_organizers_and_event_wide_links(
    world: dict[str, Any], page: str
) -> None:
    assert _get(world, "event_link", page).status_code == 200
    assert _get(world, "owner", page).status_code == 200
    assert _get(world, "atelier_link", page).status_code == 403
    assert _get(world, "stranger", page).status_code == 403


def test_a_restitution_reader_comes_back_with_the_query_string(world: dict[str, Any]) -> None:
    page = "restitution/export?format=md"
    anonymous = _get(world, "anonymous", page)
    assert anonymous.status_code == 302
    assert anonymous.headers["Location"] == (
        "/organisateur/connexion?suivant=" + quote(world["prefix"] + page, safe="/?")
    )


@pytest.mark.parametrize("action", ("diapositives", "publication", "perspectives"))
def test_restitution_settings_are_for_organizers_only(
    app: Flask, world: dict[str, Any], action: str
) -> None:
    app.config["CSRF_ENABLED"] = False
    url = world["prefix"] + f"restitution/{action}"
    assert world["anonymous"].post(url, data={"action": "?"}).status_code == 403
    assert world["event_link"].post(url, data={"action": "?"}).status_code == 403
    # Past the guard: an unknown action is refused (400), or « publication » unpublishes.
    assert world["owner"].post(url, data={"action": "?"}).status_code in (303, 400)
