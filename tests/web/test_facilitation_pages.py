"""Facilitator link, console page, organizer login (throttled) and control room, event page
agenda."""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pytest
from flask import Flask

from facilitation import create_app
from facilitation.domain import access
from facilitation.extensions import db
from tests.support.csrf import form_token

PASSWORD = "un-mot-de-passe-solide"


@pytest.fixture
def organizer(app):
    def make(event=None, email="agence@example.org"):
        account = access.create_organizer(email, PASSWORD, "Agence")
        if event is not None:
            access.grant_event(account, event)
        db.session.commit()
        return account

    return make


def login(client, email="agence@example.org", password=PASSWORD, suivant=""):
    url = "/organisateur/connexion" + (f"?suivant={suivant}" if suivant else "")
    token = form_token(client, url)
    return client.post(url, data={"email": email, "password": password, "csrf_token": token})


def test_an_atelier_link_opens_its_console(app, make_atelier):
    atelier = make_atelier(title="Isolement")
    _link, token = access.create_facilitator_link(atelier.event, atelier, "Samia")
    db.session.commit()
    client = app.test_client()
    response = client.get(f"/f/{token}")
    assert response.status_code == 303
    assert response.location.endswith(f"/animation/e/{atelier.event.slug}/a/{atelier.id}")
    page = client.get(response.location)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Isolement" in html
    assert 'src="/static/js/console.js?v=' in html and "<script>" not in html


def test_an_event_link_lists_every_atelier(app, make_atelier):
    atelier = make_atelier(title="Isolement")
    make_atelier(event=atelier.event, title="Numérique")
    _link, token = access.create_facilitator_link(atelier.event)
    db.session.commit()
    client = app.test_client()
    response = client.get(f"/f/{token}")
    assert response.location.endswith(f"/animation/e/{atelier.event.slug}/")
    html = client.get(response.location).get_data(as_text=True)
    assert "Isolement" in html and "Numérique" in html and "contributions ouvertes" in html


def test_a_revoked_link_says_so_in_french(app, make_atelier):
    atelier = make_atelier()
    link, token = access.create_facilitator_link(atelier.event, atelier)
    access.revoke_facilitator_link(link)
    db.session.commit()
    response = app.test_client().get(f"/f/{token}")
    assert response.status_code == 403
    assert "révoqué" in response.get_data(as_text=True)


@pytest.mark.parametrize("who", ["viewer", "participant", "other_atelier"])
def test_the_console_is_for_facilitators_only(app, make_atelier, joined_client, who):
    atelier = make_atelier()
    other = make_atelier(event=atelier.event)
    client = app.test_client()
    if who == "participant":
        client = joined_client(atelier)
    elif who == "other_atelier":
        _link, token = access.create_facilitator_link(atelier.event, other)
        db.session.commit()
        client.get(f"/f/{token}")
    response = client.get(f"/animation/e/{atelier.event.slug}/a/{atelier.id}")
    assert response.status_code == 403
    assert "Réservé" in response.get_data(as_text=True)


def test_organizer_login_logout_and_control_room(app, make_atelier, organizer):
    atelier = make_atelier(title="Isolement")
    organizer(atelier.event)
    client = app.test_client()
    regie = f"/organisateur/e/{atelier.event.slug}/regie"
    assert client.get(regie).location.startswith("/organisateur/connexion")

    refused = login(client, password="mauvais mot de passe")
    assert refused.status_code == 401
    assert "incorrect" in refused.get_data(as_text=True)

    ok = login(client, suivant=regie)
    assert ok.status_code == 303 and ok.location == regie
    page = client.get(regie)
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "Isolement" in html and "js/regie.js" in html

    token = form_token(client, "/organisateur/")
    assert client.post("/organisateur/deconnexion", data={"csrf_token": token}).status_code == 303
    assert client.get(regie).status_code == 302


def test_the_control_room_says_where_the_day_is_and_links_each_atelier(
    app, make_atelier, organizer
):
    from facilitation.domain.phases import current_round
    from facilitation.models.round import Phase

    atelier = make_atelier(title="Isolement")
    organizer(atelier.event)
    client = app.test_client()
    regie = f"/organisateur/e/{atelier.event.slug}/regie"
    login(client, suivant=regie)
    html = client.get(regie).get_data(as_text=True)
    assert "la journée n’a pas commencé" in html
    slug = atelier.event.slug
    assert f'href="/animation/e/{slug}/a/{atelier.id}"' in html
    assert f'href="/e/{slug}/a/{atelier.id}/projecteur"' in html
    # Results revealed in an atelier, no sequence designated: the day has started.
    rnd = current_round(atelier)
    rnd.phase = Phase.RESULTATS.value
    db.session.commit()
    html = client.get(regie).get_data(as_text=True)
    assert "la journée n’a pas commencé" not in html
    assert f"{atelier.sequence.title} (d’après l’activité des ateliers)" in html


def test_the_login_never_redirects_off_site(app, organizer):
    organizer()
    response = login(app.test_client(), suivant="//evil.example/")
    assert response.status_code == 303 and response.location == "/organisateur/"


def test_the_login_form_needs_its_csrf_token(app, organizer):
    organizer()
    response = app.test_client().post(
        "/organisateur/connexion", data={"email": "agence@example.org", "password": PASSWORD}
    )
    assert response.status_code == 400


def test_another_events_organizer_cannot_open_the_control_room(app, make_atelier, organizer):
    atelier = make_atelier()
    theirs = make_atelier()
    organizer(theirs.event)
    client = app.test_client()
    login(client)
    assert client.get(f"/organisateur/e/{atelier.event.slug}/regie").status_code == 403


def test_failed_logins_are_throttled(
    app_config: dict[str, Any], _migrated: None, organizer: Callable[..., Any]
) -> None:
    organizer()
    limited: Flask = create_app(
        app_config | {"RATELIMIT_ENABLED": True, "RATELIMIT_LOGIN": "2 per minute"}
    )
    client = limited.test_client()
    codes = [login(client, password="faux mot de passe").status_code for _ in range(3)]
    assert codes == [401, 401, 429]
    # Still refused with the right password until the window passes.
    assert login(client).status_code == 429


def test_the_event_page_shows_the_current_sequence_and_the_next_step(
    app, make_atelier, joined_client
):
    atelier = make_atelier(title="Isolement", room="Salle Ravel")
    event = atelier.event
    client = joined_client(atelier)
    assert "En ce moment" not in client.get(f"/e/{event.slug}/").get_data(as_text=True)
    event.current_sequence_id = atelier.sequence_id
    db.session.commit()
    html = client.get(f"/e/{event.slug}/").get_data(as_text=True)
    assert "En ce moment : Ateliers pratiques" in html
    assert "Rejoignez votre atelier « Isolement » (Salle Ravel)." in html
    assert "Ensuite, à 13h30 : Ateliers chantiers" in html


def test_the_qr_sheet_and_the_csv_import_pages(app, make_atelier, organizer):
    atelier = make_atelier(title="Isolement", room="Salle Ravel")
    slug = atelier.event.slug
    organizer(atelier.event)
    client = app.test_client()
    login(client)

    sheet = client.get(f"/organisateur/e/{slug}/qr").get_data(as_text=True)
    assert "Isolement" in sheet and f"/e/{slug}/a/{atelier.id}/qr.svg" in sheet

    url = f"/organisateur/e/{slug}/import"
    token = form_token(client, url)
    bad = client.post(url, data={"csrf_token": token, "contenu": "sequence;titre\nnulle;X\n"})
    assert bad.status_code == 422
    assert "Ligne 2 : séquence « nulle » inconnue" in bad.get_data(as_text=True)

    csv_text = "sequence;titre;salle\npratiques;Numérique;Salle Berlioz\n"
    preview = client.post(url, data={"csrf_token": token, "contenu": csv_text})
    assert preview.status_code == 200 and "Importer ces 1 ateliers" in preview.get_data(
        as_text=True
    )
    done = client.post(url, data={"csrf_token": token, "contenu": csv_text, "confirmer": "1"})
    assert done.status_code == 303
    assert "1 créé(s)" in client.get(url).get_data(as_text=True)
    ateliers = client.get(f"/api/events/{slug}").get_json()["ateliers"]
    assert "Numérique" in [a["title"] for a in ateliers]


def test_organizers_hand_out_revoke_and_regenerate_facilitator_links(app, make_atelier, organizer):
    atelier = make_atelier(title="Isolement")
    slug = atelier.event.slug
    organizer(atelier.event)
    client = app.test_client()
    login(client)
    url = f"/organisateur/e/{slug}/liens"
    token = form_token(client, url)

    made = client.post(
        url,
        data={"csrf_token": token, "action": "create", "label": "Samia", "atelier_id": atelier.id},
    )
    html = made.get_data(as_text=True)
    assert made.status_code == 200 and "Nouveau lien pour Samia" in html and "<svg" in html
    secret = re.search(r"/f/([A-Za-z0-9_-]+)", html).group(1)
    facilitator = app.test_client()
    assert facilitator.get(f"/f/{secret}").status_code == 303

    (link,) = access_links(atelier.event)
    regenerated = client.post(
        url, data={"csrf_token": token, "action": "regenerate", "link_id": link.id}
    )
    new_secret = re.search(r"/f/([A-Za-z0-9_-]+)", regenerated.get_data(as_text=True)).group(1)
    assert new_secret != secret
    assert facilitator.get(f"/animation/e/{slug}/a/{atelier.id}").status_code == 403
    assert app.test_client().get(f"/f/{secret}").status_code == 403

    fresh = [x for x in access_links(atelier.event) if x.active]
    revoked = client.post(
        url, data={"csrf_token": token, "action": "revoke", "link_id": fresh[0].id}
    )
    assert revoked.status_code == 303
    assert app.test_client().get(f"/f/{new_secret}").status_code == 403


def access_links(event):
    from facilitation.models import FacilitatorLink

    db.session.expire_all()
    return db.session.query(FacilitatorLink).filter_by(event_id=event.id).all()


def test_links_are_for_the_events_organizers(app, make_atelier, organizer, joined_client):
    atelier = make_atelier()
    url = f"/organisateur/e/{atelier.event.slug}/liens"
    assert app.test_client().get(url).status_code == 302
    theirs = make_atelier()
    organizer(theirs.event)
    client = app.test_client()
    login(client)
    assert client.get(url).status_code == 403
