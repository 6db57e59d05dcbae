"""HTTP hardening (facilitation/web/security.py, web/csrf.py): headers, cookies, proxy, CSRF."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient

from facilitation import create_app
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Participant
from tests.support.csrf import form_token, token_from

ORIGIN = "http://facilitation.test"


def count(model: type) -> int:
    return db.session.query(model).count()


def join_data(atelier: Atelier, **kw: str) -> dict[str, str]:
    return {
        "display_name": "Nadia",
        "structure": "CCAS",
        "commune": "Le Pecq",
        "atelier_id": str(atelier.id),
        "consent": "on",
    } | kw


# ---------------------------------------------------------------------------- headers
@pytest.mark.parametrize("path", ["/", "/healthz", "/nulle-part"])
def test_every_answer_carries_the_security_headers(app: Flask, path: str) -> None:
    response = app.test_client().get(path)

    csp = response.headers["Content-Security-Policy"]
    directives = dict(d.strip().split(" ", 1) for d in csp.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["img-src"] == "'self' data:"
    assert directives["frame-ancestors"] == "'none'"
    assert directives["base-uri"] == "'self'"
    assert directives["form-action"] == "'self'"
    assert directives["connect-src"] == ("'self' ws://facilitation.test wss://facilitation.test")
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"
    assert response.headers["X-Frame-Options"] == "DENY"
    assert "Strict-Transport-Security" not in response.headers  # plain HTTP here


def test_the_session_cookie_is_httponly_and_samesite_lax_but_not_secure_on_http(
    app: Flask, make_atelier: Callable[..., Atelier]
) -> None:
    atelier = make_atelier()
    response = app.test_client().get(f"/e/{atelier.event.slug}/rejoindre")

    cookie = response.headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


@pytest.mark.parametrize(
    "settings",
    [{"PUBLIC_BASE_URL": "https://atelier.example.org"}, {"SESSION_COOKIE_SECURE": True}],
)
def test_the_session_cookie_is_secure_when_served_over_https(
    app_config: dict[str, Any], _migrated: None, settings: dict[str, Any]
) -> None:
    secure_app = create_app(app_config | settings)

    response = secure_app.test_client().get("/", base_url="https://facilitation.test")

    assert "Secure" in response.headers["Set-Cookie"]


def test_session_cookie_secure_comes_from_the_environment(
    app_config: dict[str, Any], _migrated: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SESSION_COOKIE_SECURE", "1")
    monkeypatch.setenv("PROXY_FIX", "1")
    env_app = create_app(app_config)

    assert env_app.config["SESSION_COOKIE_SECURE"] is True
    assert env_app.config["PROXY_FIX"] == 1


def test_behind_a_proxy_the_forwarded_scheme_and_address_are_trusted_only_with_proxy_fix(
    app_config: dict[str, Any], _migrated: None
) -> None:
    forwarded = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}
    direct = create_app(app_config).test_client().get("/", headers=forwarded)
    proxied = create_app(app_config | {"PROXY_FIX": 1}).test_client().get("/", headers=forwarded)

    assert "Strict-Transport-Security" not in direct.headers
    assert proxied.headers["Strict-Transport-Security"].startswith("max-age=")


# ---------------------------------------------------------------------------- CSRF
def test_join_without_a_token_is_refused_in_french_and_creates_nobody(
    app: Flask, make_atelier: Callable[..., Atelier]
) -> None:
    atelier = make_atelier()
    client = app.test_client()
    url = f"/e/{atelier.event.slug}/rejoindre"
    client.get(url)  # the browser has a session, as a real one would

    response = client.post(url, data=join_data(atelier))

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Formulaire expiré" in html
    assert "Rechargez la page" in html
    assert 'lang="fr"' in html
    assert count(Participant) == 0


def test_join_with_a_wrong_or_foreign_token_is_refused(
    app: Flask, make_atelier: Callable[..., Atelier]
) -> None:
    atelier = make_atelier()
    url = f"/e/{atelier.event.slug}/rejoindre"
    victim, attacker = app.test_client(), app.test_client()
    victim.get(url)
    attackers_token = form_token(attacker, url)

    for token in ("x" * 43, attackers_token, ""):
        response = victim.post(url, data=join_data(atelier, csrf_token=token))
        assert response.status_code == 400, token
    assert count(Participant) == 0


def test_join_with_the_pages_token_is_accepted(
    app: Flask, make_atelier: Callable[..., Atelier]
) -> None:
    atelier = make_atelier()
    client = app.test_client()
    url = f"/e/{atelier.event.slug}/rejoindre"

    response = client.post(url, data=join_data(atelier, csrf_token=form_token(client, url)))

    assert response.status_code == 303
    assert count(Participant) == 1


def test_the_token_is_bound_to_the_session_and_stable_across_pages(
    app: Flask, make_atelier: Callable[..., Atelier]
) -> None:
    atelier = make_atelier()
    client = app.test_client()

    home = form_token(client, "/")
    join = form_token(client, f"/e/{atelier.event.slug}/rejoindre")

    assert home == join
    assert len(home) >= 40


def test_the_token_may_come_in_a_header_for_scripts(
    app: Flask, make_atelier: Callable[..., Atelier]
) -> None:
    atelier = make_atelier()
    client = app.test_client()
    url = f"/e/{atelier.event.slug}/rejoindre"
    token = form_token(client, url)

    response = client.post(url, data=join_data(atelier), headers={"X-CSRF-Token": token})

    assert response.status_code == 303


def test_a_card_posted_without_token_is_refused_and_its_text_shown_back(
    joined_client: Callable[..., FlaskClient], make_atelier: Callable[..., Atelier]
) -> None:
    atelier = make_atelier()
    phone = joined_client(atelier)
    wall = f"/e/{atelier.event.slug}/a/{atelier.id}"

    response = phone.post(
        f"{wall}/contributions",
        data={"client_id": "no-token-card-1", "titre": "Épicerie <solidaire>"},
        headers={"Origin": ORIGIN, "Referer": f"{ORIGIN}{wall}"},
    )

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Votre saisie" in html
    assert "Épicerie &lt;solidaire&gt;</textarea>" in html  # kept, and escaped
    assert f'href="{wall}"' in html  # back to the form
    assert count(Contribution) == 0


def test_a_forged_cross_site_post_gets_no_echo_of_its_text(
    joined_client: Callable[..., FlaskClient], make_atelier: Callable[..., Atelier]
) -> None:
    atelier = make_atelier()
    phone = joined_client(atelier)

    response = phone.post(
        f"/e/{atelier.event.slug}/a/{atelier.id}/contributions",
        data={"client_id": "forged-card-1", "titre": "Appelez le 08 99 ..."},
        headers={"Origin": "https://evil.example"},
    )

    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Appelez" not in html
    assert "Votre saisie" not in html
    assert count(Contribution) == 0


def test_the_home_code_form_needs_the_token_too(app: Flask) -> None:
    client = app.test_client()
    token = form_token(client, "/")

    assert client.post("/", data={"code": "NOPE"}).status_code == 400
    assert client.post("/", data={"code": "NOPE", "csrf_token": token}).status_code == 422


def test_a_json_client_gets_a_json_refusal(
    app: Flask, make_atelier: Callable[..., Atelier]
) -> None:
    atelier = make_atelier()
    response = app.test_client().post(
        f"/e/{atelier.event.slug}/rejoindre", json={"display_name": "Nadia"}
    )

    assert response.status_code == 400
    assert response.get_json()["code"] == "csrf"


def test_every_form_of_the_participant_pages_carries_the_token(
    joined_client: Callable[..., FlaskClient], make_atelier: Callable[..., Atelier]
) -> None:
    atelier = make_atelier()
    phone = joined_client(atelier)
    slug = atelier.event.slug

    for url in ("/", f"/e/{slug}/rejoindre", f"/e/{slug}/a/{atelier.id}"):
        html = phone.get(url).get_data(as_text=True)
        assert html.count("<form") == html.count('name="csrf_token"'), url
        assert token_from(html)


# ---------------------------------------------------------------------------- sizes
def test_an_oversized_body_is_refused_in_french(
    app_config: dict[str, Any], _migrated: None, make_atelier: Callable[..., Atelier]
) -> None:
    atelier = make_atelier()
    client = create_app(app_config | {"MAX_CONTENT_LENGTH": 4096}).test_client()
    url = f"/e/{atelier.event.slug}/rejoindre"
    token = form_token(client, url)

    response = client.post(
        url, data=join_data(atelier, csrf_token=token, display_name="x" * 10_000)
    )

    assert response.status_code == 413
    assert "Envoi trop volumineux" in response.get_data(as_text=True)
    assert count(Participant) == 0


def test_every_post_form_in_the_templates_sends_the_csrf_token() -> None:
    """A static guard for pages not rendered above: a POST form without the hidden token
    would be refused with the 400 page for every user."""
    forms = re.compile(r"<form\b[^>]*>.*?</form>", re.S | re.I)
    missing = []
    for template in sorted((Path(__file__).parents[2] / "templates").rglob("*.html")):
        for form in forms.finditer(template.read_text()):
            tag = form.group(0).split(">", 1)[0]
            if re.search(r"method=\"?post", tag, re.I) and not re.search(
                r"csrf_token\(\)|csrf_input\(\)", form.group(0)
            ):
                missing.append(f"{template.name}: {tag[:80]}")

    assert not missing, missing


@pytest.mark.parametrize("path", ["/e/%00/", "/e/a%1Fb/rejoindre", "/e/x/a/2147483648"])
def test_control_characters_and_huge_ids_in_urls_are_not_found(app: Flask, path: str) -> None:
    """Not a database error: PostgreSQL refuses NUL in text and ids above INTEGER."""
    response = app.test_client().get(path)

    assert response.status_code == 404
