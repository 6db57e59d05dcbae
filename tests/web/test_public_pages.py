"""The participant's pages and the projector view, rendered by the HTTP app."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient

from facilitation.extensions import db
from facilitation.models import Atelier, Event
from facilitation.models.event import EventStatus
from tests.support.csrf import form_token

# Any <script> without a src, any on*= handler, any style= attribute: the coming
# Content-Security-Policy (no 'unsafe-inline') would block or ignore them.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")[^>]*>")
INLINE_HANDLER = re.compile(r"<[^>]+\son[a-z]+\s*=", re.IGNORECASE)
INLINE_STYLE = re.compile(r"<[^>]+\sstyle\s*=", re.IGNORECASE)


def assert_csp_clean(html: str) -> None:
    assert not INLINE_SCRIPT.search(html), INLINE_SCRIPT.search(html)
    assert not INLINE_HANDLER.search(html), INLINE_HANDLER.search(html)
    assert not INLINE_STYLE.search(html), INLINE_STYLE.search(html)


def test_projector_needs_no_cookie_and_shows_how_to_join(
    app: Flask, make_atelier: Callable[..., Atelier]
) -> None:
    atelier = make_atelier(title="Garder le lien", question="Qu'est-ce qui a marché ?")
    slug = atelier.event.slug

    response = app.test_client().get(f"/e/{slug}/a/{atelier.id}/projecteur")

    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Garder le lien" in html
    assert "Qu&#39;est-ce qui a marché ?" in html
    assert f'src="/e/{slug}/a/{atelier.id}/qr.svg"' in html
    assert atelier.event.join_code in html
    assert f"/e/{slug}/rejoindre?atelier={atelier.id}" in html
    assert f'data-atelier-id="{atelier.id}"' in html
    assert 'src="/static/js/projector.js?v=' in html
    assert 'id="presence"' in html
    assert_csp_clean(html)


def test_projector_renders_cards_escaped(
    joined_client: Callable[..., FlaskClient], make_atelier: Callable[..., Atelier]
) -> None:
    atelier = make_atelier()
    phone = joined_client(atelier)
    wall_url = f"/e/{atelier.event.slug}/a/{atelier.id}"
    posted = phone.post(
        f"{wall_url}/contributions",
        data={
            "csrf_token": form_token(phone, wall_url),
            "client_id": "projector-card-1",
            "titre": "<b>Café</b> des aidants",
        },
    )
    assert posted.status_code == 303

    html = (
        phone.application.test_client()
        .get(f"/e/{atelier.event.slug}/a/{atelier.id}/projecteur")
        .get_data(as_text=True)
    )

    assert "&lt;b&gt;Café&lt;/b&gt; des aidants" in html
    assert "<b>Café</b>" not in html
    assert '<span id="card-count">1</span>' in html


def test_projector_of_unknown_atelier_is_a_french_404(
    app: Flask, make_event: Callable[..., Event]
) -> None:
    event = make_event()
    client = app.test_client()

    response = client.get(f"/e/{event.slug}/a/999999/projecteur")

    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Action impossible" in html
    assert 'href="/"' in html


def test_unknown_url_is_a_french_404_with_a_way_back(app: Flask) -> None:
    response = app.test_client().get("/nulle-part")

    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert "Page introuvable" in html
    assert 'href="/"' in html
    assert 'lang="fr"' in html


def test_participant_pages_have_no_inline_script_or_style(
    joined_client: Callable[..., FlaskClient], make_atelier: Callable[..., Atelier]
) -> None:
    atelier = make_atelier()
    slug = atelier.event.slug
    phone = joined_client(atelier)

    for url in ("/", f"/e/{slug}/", f"/e/{slug}/rejoindre", f"/e/{slug}/a/{atelier.id}"):
        response = phone.get(url)
        assert response.status_code == 200, url
        assert_csp_clean(response.get_data(as_text=True))


def test_closed_event_keeps_the_typed_card_and_says_why(
    joined_client: Callable[..., FlaskClient], make_atelier: Callable[..., Atelier]
) -> None:
    atelier = make_atelier()
    phone = joined_client(atelier)
    wall_url = f"/e/{atelier.event.slug}/a/{atelier.id}"
    token = form_token(phone, wall_url)
    atelier.event.status = EventStatus.CLOSED.value
    db.session.commit()

    response = phone.post(
        f"{wall_url}/contributions",
        data={
            "csrf_token": token,
            "client_id": "closed-event-card",
            "titre": "Maraude partagée",
            "description": "Deux CCAS ensemble",
        },
    )

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "L&#39;événement est clos" in html
    assert 'value="Maraude partagée"' in html
    assert ">Deux CCAS ensemble</textarea>" in html


def test_closed_event_join_form_keeps_what_was_typed(
    app: Flask, make_atelier: Callable[..., Atelier]
) -> None:
    atelier = make_atelier()
    client = app.test_client()
    url = f"/e/{atelier.event.slug}/rejoindre"
    token = form_token(client, url)
    atelier.event.status = EventStatus.CLOSED.value
    db.session.commit()

    response = client.post(
        url,
        data={
            "csrf_token": token,
            "display_name": "Nadia",
            "structure": "CCAS du Pecq",
            "atelier_id": str(atelier.id),
            "consent": "on",
        },
    )

    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Cet événement est clos" in html
    assert 'value="CCAS du Pecq"' in html


def test_projector_warns_when_phones_cannot_reach_the_join_url(
    app: Flask, make_atelier: Callable[..., Atelier]
) -> None:
    atelier = make_atelier()
    url = f"/e/{atelier.event.slug}/a/{atelier.id}/projecteur"

    app.config["PUBLIC_BASE_URL"] = "http://127.0.0.1:5000"
    local = app.test_client().get(url).get_data(as_text=True)
    app.config["PUBLIC_BASE_URL"] = "http://192.168.1.20:5000"
    lan = app.test_client().get(url).get_data(as_text=True)

    assert "Adresse locale" in local
    assert "Adresse locale" not in lan
    assert f"http://192.168.1.20:5000/e/{atelier.event.slug}/rejoindre?atelier={atelier.id}" in lan
