"""Chantier pages and their forms without JavaScript."""

import re
from zoneinfo import ZoneInfo

import pytest

from facilitation.domain import access
from facilitation.domain.contributions import create_contribution
from facilitation.edge.identity import LINKS_KEY, ORGANIZER_KEY, ORGANIZER_VERSION_KEY
from facilitation.extensions import db
from facilitation.models import ChantierAddition, Contribution, Engagement
from tests.conftest import new_client_id
from tests.support.csrf import form_token


@pytest.fixture
def afternoon(make_event, make_atelier):
    def make(event=None):
        event = event or make_event(communes=["Le Pecq", "Chatou", "Montesson"])
        return make_atelier(event=event, kind="ateliers_chantiers", title="Chantiers")

    return make


def wall_url(atelier):
    return f"/e/{atelier.event.slug}/a/{atelier.id}"


def page_url(atelier, chantier_id):
    return f"{wall_url(atelier)}/chantiers/{chantier_id}"


def propose(browser, atelier, **kw):
    data = {
        "client_id": new_client_id(),
        "csrf_token": form_token(browser, wall_url(atelier)),
        "titre": "Plateforme de mobilité solidaire",
        "communes": ["Montesson", "Le Pecq"],
    } | kw
    return browser.post(f"{wall_url(atelier)}/chantiers", data=data)


def test_the_wall_offers_the_chantier_form(
    afternoon, make_atelier, make_participant, joined_client
):
    atelier = afternoon()
    morning = make_atelier(event=atelier.event, title="Isolement")
    author = make_participant(morning)
    card, _ = create_contribution(
        author, morning, {"client_id": new_client_id(), "titre": "Visites de convivialité"}
    )
    stranger_atelier = make_atelier(title="Ailleurs")
    create_contribution(
        make_participant(stranger_atelier),
        stranger_atelier,
        {"client_id": new_client_id(), "titre": "Pratique d'un autre événement"},
    )
    db.session.commit()
    html = joined_client(atelier).get(wall_url(atelier)).get_data(as_text=True)
    assert 'id="chantier-form"' in html and 'id="contribution-form"' not in html
    for i, commune in enumerate(["Le Pecq", "Chatou", "Montesson"]):
        assert f'value="{commune}" id="communes-{i}"' in html
        assert f'<label class="check__label" for="communes-{i}">{commune}</label>' in html
    assert f'value="{card.id}" id="pratique-{card.id}"' in html
    assert "Visites de convivialité" in html and "Isolement" in html
    assert "Pratique d'un autre événement" not in html
    for name in ("titre", "constat", "objectif", "publics", "partenaires", "etapes", "porteur"):
        assert f'<label class="field__label" for="{name}">' in html
    assert "js/wall.js" in html and "js/chantiers_wall.js" in html  # beside wall.js


def test_a_chantier_posted_without_javascript(afternoon, joined_client):
    atelier = afternoon()
    browser = joined_client(atelier)
    response = propose(browser, atelier, objectif="Se déplacer pour aller travailler")
    assert response.status_code == 303
    card = db.session.query(Contribution).one()
    html = browser.get(wall_url(atelier)).get_data(as_text=True)
    assert f'href="{page_url(atelier, card.id)}"' in html
    page = browser.get(page_url(atelier, card.id)).get_data(as_text=True)
    assert "Se déplacer pour aller travailler" in page
    assert "Le Pecq, Montesson" in page


def test_errors_are_shown_in_french_and_the_form_is_kept(afternoon, joined_client):
    atelier = afternoon()
    browser = joined_client(atelier)
    response = propose(browser, atelier, titre="", communes=["Chatou", "Paris"])
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Indiquez « Titre du chantier »." in html
    assert "« Paris » n&#39;est pas une commune du territoire" in html
    assert re.search(r'value="Chatou" id="communes-1"\s+checked', html)
    assert db.session.query(Contribution).count() == 0


def test_the_chantier_page_escapes_user_text(afternoon, joined_client):
    atelier = afternoon()
    browser = joined_client(atelier, display_name="<b>Nadia</b>")
    propose(browser, atelier, titre="<script>alert(1)</script>")
    card = db.session.query(Contribution).one()
    html = browser.get(page_url(atelier, card.id)).get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "&lt;b&gt;Nadia&lt;/b&gt;" in html


def test_co_building_without_javascript(afternoon, joined_client, make_socket):
    atelier = afternoon()
    nadia = joined_client(atelier, display_name="Nadia")
    propose(nadia, atelier)
    card = db.session.query(Contribution).one()
    karim = joined_client(atelier, display_name="Karim")
    room = make_socket(nadia)
    room.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    room.get_received()

    url = page_url(atelier, card.id)
    token = form_token(karim, url)
    add = {"csrf_token": token, "client_id": new_client_id(), "field": "etapes", "text": "Un test"}
    assert karim.post(f"{url}/ajout", data=add).status_code == 303
    assert karim.post(f"{url}/ajout", data=add).status_code == 303  # a resend: stored once
    comment = {"csrf_token": token, "client_id": new_client_id(), "text": "Partant !"}
    assert karim.post(f"{url}/commentaire", data=comment).status_code == 303
    bad = {"csrf_token": token, "client_id": new_client_id(), "field": "etapes", "text": ""}
    refused = karim.post(f"{url}/ajout", data=bad)
    assert refused.status_code == 422
    assert "Indiquez « Votre ajout »." in refused.get_data(as_text=True)

    updates = [r["args"][0] for r in room.get_received() if r["name"] == "chantier:updated"]
    assert [u["version"] for u in updates] == [2, 3]
    assert db.session.query(ChantierAddition).count() == 1
    page = karim.get(url).get_data(as_text=True)
    assert "Un test" in page and "Partant !" in page and "— Karim (CCAS)" in page
    # Times in the event's time zone, also without JavaScript.
    at = db.session.query(ChantierAddition).one().created_at.astimezone(ZoneInfo("Europe/Paris"))
    assert f">{at.hour}h{at.minute:02d}</time>" in page


def test_engagement_contacts_reach_only_the_porteur_and_the_organizer(
    afternoon, joined_client, app
):
    atelier = afternoon()
    nadia = joined_client(atelier, display_name="Nadia")
    propose(nadia, atelier)
    card = db.session.query(Contribution).one()
    url = page_url(atelier, card.id)
    karim = joined_client(atelier, display_name="Karim")
    lea = joined_client(atelier, display_name="Léa")

    no_consent = {
        "csrf_token": form_token(karim, url),
        "client_id": new_client_id(),
        "contact": "karim@example.org",
    }
    refused = karim.post(f"{url}/engagement", data=no_consent)
    assert refused.status_code == 422
    assert "Cochez la case pour accepter de partager votre contact" in refused.get_data(
        as_text=True
    )
    assert db.session.query(Engagement).count() == 0
    assert karim.post(f"{url}/engagement", data=no_consent | {"consent": "1"}).status_code == 303

    organizer = access.create_organizer("orga@example.org", "un-mot-de-passe-solide")
    access.grant_event(organizer, atelier.event)
    db.session.commit()
    agency = app.test_client()
    with agency.session_transaction() as session:
        session[ORGANIZER_KEY] = organizer.id
        session[ORGANIZER_VERSION_KEY] = organizer.session_version

    for allowed in (nadia, agency):
        html = allowed.get(url).get_data(as_text=True)
        assert "Contacts partagés avec vous" in html and "karim@example.org" in html
    html = lea.get(url).get_data(as_text=True)
    assert "karim@example.org" not in html and "Contacts partagés" not in html
    assert "Karim (CCAS)" in html  # the commitment itself is public
    mine = karim.get(url).get_data(as_text=True)
    assert 'value="karim@example.org"' in mine and "Retirer mon engagement" in mine

    withdraw = {"csrf_token": form_token(karim, url), "client_id": new_client_id()}
    assert karim.post(f"{url}/retrait", data=withdraw).status_code == 303
    assert db.session.query(Engagement).count() == 0
    assert "karim@example.org" not in nadia.get(url).get_data(as_text=True)


def test_a_chantier_page_of_another_atelier_is_not_found(afternoon, joined_client):
    atelier = afternoon()
    browser = joined_client(atelier)
    propose(browser, atelier)
    card = db.session.query(Contribution).one()
    other = afternoon(event=atelier.event)
    assert browser.get(page_url(other, card.id)).status_code == 404
    assert browser.get(page_url(atelier, 999999)).status_code == 404


def test_the_facilitator_consolidates_from_the_page(afternoon, joined_client, app):
    atelier = afternoon()
    nadia = joined_client(atelier)
    propose(nadia, atelier, objectif="Aller vers")
    card = db.session.query(Contribution).one()
    url = page_url(atelier, card.id)
    assert "Consolider" not in nadia.get(url).get_data(as_text=True)

    link, _ = access.create_facilitator_link(atelier.event, atelier, label="Camille")
    db.session.commit()
    console = app.test_client()
    with console.session_transaction() as session:
        session[LINKS_KEY] = [link.id]
    html = console.get(url).get_data(as_text=True)
    assert "Consolider « Objectif » (animation)" in html
    token = form_token(console, url)
    posts = [
        {"field": "titre", "text": "Mobilité solidaire de la Boucle"},
        {"field": "communes", "values": ["Chatou"]},
        {"field": "objectif", "text": "Aller vers les habitants"},
    ]
    for data in posts:
        data |= {"csrf_token": token, "client_id": new_client_id()}
        assert console.post(f"{url}/consolider", data=data).status_code == 303
    refused = console.post(
        f"{url}/consolider",
        data={
            "csrf_token": token,
            "client_id": new_client_id(),
            "field": "communes",
            "values": ["Paris"],
        },
    )
    assert refused.status_code == 422
    page = nadia.get(url).get_data(as_text=True)
    assert "Mobilité solidaire de la Boucle" in page
    assert "Aller vers les habitants" in page and "Consolidé par Camille" in page
    assert re.search(r'id="chantier-communes-list">Chatou<', page)
