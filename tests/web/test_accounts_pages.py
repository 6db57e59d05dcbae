"""Organizer accounts in the browser: « Équipe », invitations, « Mon compte », password reset,
logout that ends the session server-side, the home page listing, and the login's redirect."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from facilitation.domain import access, accounts
from facilitation.extensions import db
from facilitation.models import Event, Organizer
from facilitation.web.urls import safe_next
from tests.support.csrf import form_token

PASSWORD = "un-mot-de-passe-solide"
NEW_PASSWORD = "une autre phrase secrète"


@pytest.fixture
def account(app: Flask) -> Callable[..., Organizer]:
    """Factory: an organizer account, in ``event``'s team with ``role`` when given."""

    def make(email: str, event: Event | None = None, role: str = "owner") -> Organizer:
        organizer = access.create_organizer(email, PASSWORD, email.split("@")[0].title())
        if event is not None:
            accounts.add_to_team(organizer, event, role)
        db.session.commit()
        return organizer

    return make


def login(client: FlaskClient, email: str, password: str = PASSWORD, suivant: str = "") -> Any:
    url = "/organisateur/connexion" + (f"?suivant={suivant}" if suivant else "")
    token = form_token(client, url)
    return client.post(url, data={"email": email, "password": password, "csrf_token": token})


def post(client: FlaskClient, url: str, **data: str) -> Any:
    return client.post(url, data={"csrf_token": form_token(client, url), **data})


def invitation_url(html: str) -> str:
    match = re.search(
        r'id="invitation-url"[^>]*>[^<]*(/organisateur/invitation/[^<\s]+)</textarea>', html
    )
    assert match, "no invitation link on the page"
    return match.group(1)


# ------------------------------------------------------------------------- « Équipe »
def test_an_owner_invites_a_colleague_who_creates_an_account_and_joins(
    app: Flask, make_event: Callable[..., Event], account: Callable[..., Organizer]
) -> None:
    event = make_event()
    account("owner@example.org", event)
    owner = app.test_client()
    assert login(owner, "owner@example.org").status_code == 303
    team = f"/organisateur/e/{event.slug}/equipe"
    created = post(owner, team, action="invite", label="Léa, agence")
    html = created.get_data(as_text=True)
    assert created.status_code == 200 and "il ne sera plus affiché" in html
    link = invitation_url(html)
    assert "data-copy=" in html and "<script>" not in html
    # Shown once: the team page lists it as pending, without the address.
    again = owner.get(team).get_data(as_text=True)
    assert "Léa, agence" in again and link not in again

    colleague = app.test_client()
    page = colleague.get(link)
    assert page.status_code == 200 and "Créer mon compte" in page.get_data(as_text=True)
    token = form_token(colleague, link)
    mismatch = colleague.post(
        link,
        data={
            "csrf_token": token,
            "action": "create",
            "email": "lea@example.org",
            "display_name": "Léa",
            "password": PASSWORD,
            "confirmation": PASSWORD + "x",
        },
    )
    assert mismatch.status_code == 422
    assert "pas identiques" in mismatch.get_data(as_text=True)
    joined = colleague.post(
        link,
        data={
            "csrf_token": token,
            "action": "create",
            "email": "lea@example.org",
            "display_name": "Léa",
            "password": PASSWORD,
            "confirmation": PASSWORD,
        },
    )
    assert joined.status_code == 303
    assert joined.location.endswith(f"/organisateur/e/{event.slug}/programme")
    assert colleague.get(joined.location).status_code == 200
    # Spent: the same link again is a clear refusal.
    spent = app.test_client().get(link)
    assert spent.status_code == 403 and "déjà servi" in spent.get_data(as_text=True)

    listing = owner.get(team).get_data(as_text=True)
    assert "Léa" in listing and "Invitation acceptée" in listing and "Invitation créée" in listing
    lea = db.session.scalar(db.select(Organizer).where(Organizer.email == "lea@example.org"))
    removed = post(owner, team, action="remove", organizer_id=str(lea.id))
    assert removed.status_code == 303
    assert colleague.get(f"/organisateur/e/{event.slug}/programme").status_code == 403
    log = owner.get(team).get_data(as_text=True)
    # Newest first, translated labels.
    assert log.index("Organisateur·rice retiré·e") < log.index("Invitation acceptée")


def test_a_logged_in_organizer_accepts_with_one_click(
    app: Flask, make_event: Callable[..., Event], account: Callable[..., Organizer]
) -> None:
    event = make_event()
    owner = account("owner@example.org", event)
    account("paul@example.org")
    token = accounts.invite(access.Actor(event_id=event.id, organizer=owner), event)
    db.session.commit()
    client = app.test_client()
    link = f"/organisateur/invitation/{token}"
    # Not logged in: the page offers the login, coming back here.
    html = client.get(link).get_data(as_text=True)
    assert f"/organisateur/connexion?suivant={link}" in html
    assert login(client, "paul@example.org", suivant=link).location == link
    assert "Rejoindre l’équipe" in client.get(link).get_data(as_text=True)
    accepted = post(client, link, action="accept")
    assert accepted.status_code == 303
    assert client.get(f"/organisateur/e/{event.slug}/regie").status_code == 200


def test_team_refusals_are_clear_and_french(
    app: Flask, make_event: Callable[..., Event], account: Callable[..., Organizer]
) -> None:
    event = make_event()
    owner = account("owner@example.org", event)
    member = account("membre@example.org", event, role="organizer")
    client = app.test_client()
    login(client, "membre@example.org")
    team = f"/organisateur/e/{event.slug}/equipe"
    page = client.get(team).get_data(as_text=True)
    assert "Créer un lien d’invitation" not in page  # owners only
    refused = post(client, team, action="invite")
    assert refused.status_code == 303
    message = client.get(team).get_data(as_text=True)
    assert "Seuls les propriétaires" in message
    refused = post(client, team, action="remove", organizer_id=str(owner.id))
    assert "Seuls les propriétaires" in client.get(refused.location).get_data(as_text=True)
    # The last owner cannot leave; a member can.
    owner_client = app.test_client()
    login(owner_client, "owner@example.org")
    assert "Quitter l’équipe" not in owner_client.get(team).get_data(as_text=True)  # the last owner
    post(owner_client, team, action="remove", organizer_id=str(owner.id))
    assert "au moins un·e propriétaire" in owner_client.get(team).get_data(as_text=True)
    left = post(client, team, action="remove", organizer_id=str(member.id))
    assert left.location == "/organisateur/"
    assert client.get(team).status_code == 403
    # A stranger's invitation link.
    assert app.test_client().get("/organisateur/invitation/pas-un-jeton").status_code == 403


def test_owners_revoke_a_pending_invitation(
    app: Flask, make_event: Callable[..., Event], account: Callable[..., Organizer]
) -> None:
    event = make_event()
    account("owner@example.org", event)
    client = app.test_client()
    login(client, "owner@example.org")
    team = f"/organisateur/e/{event.slug}/equipe"
    link = invitation_url(post(client, team, action="invite", label="Sam").get_data(as_text=True))
    invitation = accounts.pending_invitations(event)[0]
    assert post(client, team, action="revoke", invitation_id=str(invitation.id)).status_code == 303
    refused = app.test_client().get(link)
    assert refused.status_code == 403 and "révoqué" in refused.get_data(as_text=True)
    assert "Invitation révoquée" in client.get(team).get_data(as_text=True)


# ------------------------------------------------------------------------- passwords
def test_changing_the_password_ends_the_other_sessions_not_this_one(
    app: Flask, make_event: Callable[..., Event], account: Callable[..., Organizer]
) -> None:
    event = make_event()
    account("owner@example.org", event)
    here, elsewhere = app.test_client(), app.test_client()
    visitor = app.test_client().get("/organisateur/compte")
    assert visitor.location == "/organisateur/connexion?suivant=/organisateur/compte"
    login(here, "owner@example.org")
    login(elsewhere, "owner@example.org")
    wrong = post(
        here,
        "/organisateur/compte",
        current="faux",
        password=NEW_PASSWORD,
        confirmation=NEW_PASSWORD,
    )
    assert wrong.status_code == 422 and "actuel est inexact" in wrong.get_data(as_text=True)
    short = post(
        here, "/organisateur/compte", current=PASSWORD, password="court", confirmation="court"
    )
    assert short.status_code == 422 and "au moins" in short.get_data(as_text=True)
    done = post(
        here,
        "/organisateur/compte",
        current=PASSWORD,
        password=NEW_PASSWORD,
        confirmation=NEW_PASSWORD,
    )
    assert done.status_code == 303
    assert here.get("/organisateur/").status_code == 200
    assert elsewhere.get("/organisateur/").location.startswith("/organisateur/connexion")
    assert login(app.test_client(), "owner@example.org", NEW_PASSWORD).status_code == 303
    log = here.get(f"/organisateur/e/{event.slug}/equipe").get_data(as_text=True)
    assert "Mot de passe changé" in log


def test_a_reset_link_sets_a_new_password_once(
    app: Flask, make_event: Callable[..., Event], account: Callable[..., Organizer]
) -> None:
    event = make_event()
    account("owner@example.org", event)
    before = app.test_client()
    login(before, "owner@example.org")
    _organizer, token = accounts.reset_link("owner@example.org")
    db.session.commit()
    client = app.test_client()
    url = f"/organisateur/mot-de-passe/{token}"
    mismatch = post(client, url, password=NEW_PASSWORD, confirmation="autre chose encore")
    assert mismatch.status_code == 422 and "pas identiques" in mismatch.get_data(as_text=True)
    done = post(client, url, password=NEW_PASSWORD, confirmation=NEW_PASSWORD)
    assert done.status_code == 303 and done.location == "/organisateur/connexion"
    assert login(client, "owner@example.org", NEW_PASSWORD).status_code == 303
    assert before.get("/organisateur/").status_code == 302  # the old session ended
    spent = app.test_client().get(url)
    assert spent.status_code == 403 and "déjà servi" in spent.get_data(as_text=True)


def test_pages_reached_by_a_one_time_link_throttle_failed_posts(
    app_config: dict[str, Any], _migrated: None, make_event: Callable[..., Event]
) -> None:
    from facilitation import create_app

    limited = create_app(app_config | {"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "2/minute"})
    with limited.app_context():
        event = db.session.get(Event, make_event().id)
        owner = access.create_organizer("owner@example.org", PASSWORD, "Owner")
        accounts.add_to_team(owner, event, "owner")
        actor = access.Actor(event_id=event.id, organizer=owner)
        invitation = accounts.invite(actor, event, "Léa")
        _organizer, reset = accounts.reset_link("owner@example.org")
        db.session.commit()
    client = limited.test_client()
    for url in (f"/organisateur/invitation/{invitation}", f"/organisateur/mot-de-passe/{reset}"):
        answers = [
            post(client, url, password="x", confirmation="y", email="a@b.fr") for _ in range(3)
        ]
        assert [a.status_code for a in answers] == [422, 422, 429], url
        assert client.get(url).status_code == 200  # reading the page is never limited


# ------------------------------------------------------------------------- logout
def test_the_cookie_replayed_after_logout_gets_the_login_page(
    app: Flask, make_event: Callable[..., Event], account: Callable[..., Organizer]
) -> None:
    event = make_event()
    account("owner@example.org", event)
    client = app.test_client()
    login(client, "owner@example.org")
    assert client.get("/organisateur/").status_code == 200
    domain = app.config["SERVER_NAME"]
    stolen = client.get_cookie("session", domain=domain)
    assert stolen is not None
    raw = stolen.value  # the signed cookie as it was before the logout
    token = form_token(client, "/organisateur/")
    assert client.post("/organisateur/deconnexion", data={"csrf_token": token}).status_code == 303
    replay = app.test_client()
    replay.set_cookie("session", raw, domain=domain)
    response = replay.get("/organisateur/")
    assert response.status_code == 302
    assert response.location.startswith("/organisateur/connexion")
    assert replay.get(f"/organisateur/e/{event.slug}/regie").status_code == 302


# ------------------------------------------------------------------------- the home page
def test_the_settings_list_an_event_on_the_home_page_only_when_ticked(
    app: Flask, make_event: Callable[..., Event], account: Callable[..., Organizer]
) -> None:
    event = make_event(title="Journée du client A")
    account("owner@example.org", event)
    client = app.test_client()
    login(client, "owner@example.org")
    url = f"/organisateur/e/{event.slug}/reglages"
    page = client.get(url).get_data(as_text=True)
    assert (
        'name="listed_on_home"' in page
        and "checked" not in page.split('id="listed_on_home"')[1][:80]
    )
    assert "Journée du client A" not in app.test_client().get("/").get_data(as_text=True)
    form = {
        "title": event.title,
        "date": event.date.isoformat(),
        "join_code": event.join_code,
        "timezone": "Europe/Paris",
        "status": event.status,
        "listed_on_home": "1",
    }
    assert post(client, url, **form).status_code == 303
    assert "Journée du client A" in app.test_client().get("/").get_data(as_text=True)
    del form["listed_on_home"]
    assert post(client, url, **form).status_code == 303
    assert "Journée du client A" not in app.test_client().get("/").get_data(as_text=True)


# ------------------------------------------------------------------------- the login's redirect
OFF_SITE = [
    "//evil.example/x",
    "/\t/evil.example/x",
    "/\n/evil.example/x",
    "/\r\n/evil.example/x",
    " //evil.example/x",
    "\t//evil.example/x",
    "/\\evil.example/x",
    "\\/evil.example/x",
    "/\\/evil.example/x",
    "https://evil.example/x",
    "http:evil.example",
    "javascript:alert(1)",
    "evil.example/x",
    "/x\x00y",
    "",
]


@pytest.mark.parametrize("target", OFF_SITE)
def test_safe_next_refuses_anything_a_browser_would_read_as_another_site(target: str) -> None:
    assert safe_next(target) is None


@pytest.mark.parametrize(
    "target, kept",
    [
        ("/organisateur/e/journee/regie", "/organisateur/e/journee/regie"),
        ("/organisateur/invitation/abc?x=1", "/organisateur/invitation/abc?x=1"),
        ("/organisateur/\ne/x", "/organisateur/e/x"),
    ],
)
def test_safe_next_keeps_local_paths(target: str, kept: str) -> None:
    assert safe_next(target) == kept


@pytest.mark.parametrize(
    "query",
    [
        "/%09/evil.example/x",
        "%2F%09%2Fevil.example%2Fx",
        "/%0A/evil.example/x",
        "/%0D%0A/evil.example",
        "%0A",
        "/organisateur/%0A",
        "/%5Cevil.example",
        "%20//evil.example",
        "https:%2F%2Fevil.example",
    ],
)
def test_the_login_never_follows_an_off_site_or_broken_suivant(
    app: Flask, account: Callable[..., Organizer], query: str
) -> None:
    account("owner@example.org")
    client = app.test_client()
    url = f"/organisateur/connexion?suivant={query}"
    assert client.get(url).status_code == 200  # the form itself: never a 500
    response = client.post(
        url,
        data={
            "email": "owner@example.org",
            "password": PASSWORD,
            "csrf_token": form_token(client, url),
        },
    )
    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/") and not location.startswith(("//", "/\\"))
    assert "evil" not in location and "\n" not in location


@pytest.mark.parametrize(
    "query", ["/%09/evil.example/x", "/%0A/evil.example", "%5C%5Cevil.example"]
)
def test_the_language_switch_never_follows_an_off_site_next(app: Flask, query: str) -> None:
    response = app.test_client().get(f"/langue/en?next={query}")
    assert response.status_code == 303 and response.headers["Location"] == "/"
