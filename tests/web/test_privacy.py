"""« Mes données » (see, download, delete) and the organizer's purge date (issue 8)."""

from __future__ import annotations

import json
import uuid

from sqlalchemy import func, select

from facilitation.domain.contributions import create_contribution
from facilitation.extensions import db
from facilitation.models import Contribution, Participant, Profile
from facilitation.models.privacy import EventPrivacy
from tests.support.csrf import form_token
from tests.support.roles import organizer_client
from tests.web.test_public_pages import assert_csp_clean

EVIL = '"><svg onload=alert(1)>'


def _me(name):
    return db.session.scalars(select(Participant).where(Participant.display_name == name)).one()


def _with_card(joined_client, atelier, name="Nadia", titre="Maraudes du soir"):
    client = joined_client(atelier, display_name=name)
    card, _ = create_contribution(
        _me(name), atelier, {"client_id": uuid.uuid4().hex, "titre": titre}
    )
    db.session.commit()
    return client, card


def test_the_page_shows_what_is_stored_and_links_from_the_participant_pages(
    app, make_atelier, joined_client
):
    atelier = make_atelier()
    client, _card = _with_card(joined_client, atelier, name=EVIL)
    slug = atelier.event.slug
    html = client.get(f"/e/{slug}/mes-donnees").get_data(as_text=True)
    assert "Maraudes du soir" in html
    assert "&#34;&gt;&lt;svg onload=alert(1)&gt;" in html and EVIL not in html
    assert f'href="/e/{slug}/mes-donnees.json"' in html
    # What « garder mes cartes » does to a card's structure and commune is said before.
    assert "personne d’autre ne les a indiquées" in html
    assert_csp_clean(html)
    for page in (f"/e/{slug}/", f"/e/{slug}/a/{atelier.id}", f"/e/{slug}/rejoindre"):
        assert f'href="/e/{slug}/mes-donnees"' in client.get(page).get_data(as_text=True), page


def test_download_is_this_device_s_data_as_json(app, make_atelier, joined_client):
    atelier = make_atelier()
    client, card = _with_card(joined_client, atelier)
    response = client.get(f"/e/{atelier.event.slug}/mes-donnees.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    body = json.loads(response.get_data(as_text=True))
    assert body["participant"]["display_name"] == "Nadia"
    assert [c["titre"] for c in body["cards"]] == [card.titre]


def test_another_device_sees_nothing(app, make_atelier, joined_client):
    atelier = make_atelier()
    _with_card(joined_client, atelier)
    other = joined_client(atelier, display_name="Karim")
    slug = atelier.event.slug
    html = other.get(f"/e/{slug}/mes-donnees").get_data(as_text=True)
    assert "Karim" in html and "Nadia" not in html and "Maraudes du soir" not in html
    stranger = app.test_client()
    assert 'id="no-data"' in stranger.get(f"/e/{slug}/mes-donnees").get_data(as_text=True)
    assert stranger.get(f"/e/{slug}/mes-donnees.json").status_code == 404


def test_delete_needs_csrf_and_confirmation(app, make_atelier, joined_client):
    atelier = make_atelier()
    client, _card = _with_card(joined_client, atelier)
    url = f"/e/{atelier.event.slug}/mes-donnees/supprimer"
    assert client.post(url, data={"confirm": "1"}).status_code == 400
    token = form_token(client, f"/e/{atelier.event.slug}/mes-donnees")
    response = client.post(url, data={"csrf_token": token})
    assert response.status_code == 303
    assert _me("Nadia") is not None


def test_delete_keeps_the_card_anonymised_forgets_the_device_and_tells_the_room(
    app, make_atelier, joined_client, make_socket
):
    atelier = make_atelier()
    client, card = _with_card(joined_client, atelier)
    nadia = _me("Nadia")
    from facilitation.domain import profiles

    profiles.save_profile(nadia, {"role": "CESF", "contact": "06 00 00 00 00", "visible": "on"})
    db.session.commit()
    watcher = make_socket(joined_client(atelier, display_name="Karim"))
    watcher.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    watcher.get_received()
    slug = atelier.event.slug
    token = form_token(client, f"/e/{slug}/mes-donnees")
    response = client.post(
        f"/e/{slug}/mes-donnees/supprimer",
        data={"csrf_token": token, "confirm": "1", "cards": "keep"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    kept = db.session.get(Contribution, card.id)
    assert kept is not None and kept.participant_id is None
    assert db.session.get(Participant, nadia.id).display_name == ""
    assert db.session.scalar(select(func.count()).select_from(Profile)) == 0
    updates = [m for m in watcher.get_received() if m["name"] == "contribution:updated"]
    assert updates and updates[0]["args"][0]["contribution"]["id"] == card.id
    assert updates[0]["args"][0]["contribution"]["author"] is None
    # This browser is no longer Nadia: the wall sends it back to the join form.
    assert 'id="no-data"' in client.get(f"/e/{slug}/mes-donnees").get_data(as_text=True)
    wall = client.get(f"/e/{slug}/a/{atelier.id}")
    assert wall.status_code == 302 and "/rejoindre" in wall.headers["Location"]


def test_delete_may_remove_cards_of_an_open_round(app, make_atelier, joined_client, make_socket):
    atelier = make_atelier()
    client, card = _with_card(joined_client, atelier)
    watcher = make_socket(joined_client(atelier, display_name="Karim"))
    watcher.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    watcher.get_received()
    slug = atelier.event.slug
    token = form_token(client, f"/e/{slug}/mes-donnees")
    client.post(
        f"/e/{slug}/mes-donnees/supprimer",
        data={"csrf_token": token, "confirm": "1", "cards": "delete"},
    )
    assert db.session.get(Contribution, card.id) is None
    removed = [m["args"][0] for m in watcher.get_received() if m["name"] == "contribution:removed"]
    assert [r["id"] for r in removed] == [card.id]


def test_organizer_schedules_the_purge_and_sees_the_summary(app, make_atelier, joined_client):
    atelier = make_atelier()
    _with_card(joined_client, atelier)
    event = atelier.event
    url = f"/organisateur/e/{event.slug}/donnees"
    assert app.test_client().get(url).status_code == 302  # to the login page
    outsider = joined_client(atelier, display_name="Karim")
    assert outsider.get(url).status_code in (302, 403)
    organizer = organizer_client(app, event)
    html = organizer.get(url).get_data(as_text=True)
    assert "Aucune purge prévue" in html
    assert "1 cartes détachées de leur auteur·rice" in html
    assert_csp_clean(html)
    token = form_token(organizer, url)
    bad = organizer.post(url, data={"csrf_token": token, "purge_after": "2020-01-01"})
    assert bad.status_code == 422
    ok = organizer.post(url, data={"csrf_token": token, "purge_after": "2021-07-24"})
    assert ok.status_code == 303
    assert db.session.get(EventPrivacy, event.id).purge_after.isoformat() == "2021-07-24"
    assert "Purge prévue après le 24/07/2021" in organizer.get(url).get_data(as_text=True)


def test_the_regie_and_my_events_show_the_scheduled_date(app, make_atelier):
    event = make_atelier().event
    organizer = organizer_client(app, event)
    assert "non prévue" in organizer.get(f"/organisateur/e/{event.slug}/regie").get_data(
        as_text=True
    )
    db.session.add(EventPrivacy(event_id=event.id, purge_after=event.date.replace(month=9)))
    db.session.commit()
    regie = organizer.get(f"/organisateur/e/{event.slug}/regie").get_data(as_text=True)
    assert "prévue après le 24/09/2021" in regie
    assert f'href="/organisateur/e/{event.slug}/donnees"' in regie
    home = organizer.get("/organisateur/").get_data(as_text=True)
    assert "purge prévue après le 24/09/2021" in home


def test_a_socket_opened_before_the_deletion_can_no_longer_post(
    app, make_atelier, joined_client, make_socket
):
    atelier = make_atelier()
    client, _card = _with_card(joined_client, atelier)
    socket = make_socket(client)
    assert socket.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)["ok"]
    slug = atelier.event.slug
    token = form_token(client, f"/e/{slug}/mes-donnees")
    client.post(f"/e/{slug}/mes-donnees/supprimer", data={"csrf_token": token, "confirm": "1"})
    ack = socket.emit(
        "contribution:create",
        {"client_id": uuid.uuid4().hex, "atelier_id": atelier.id, "titre": "Encore moi"},
        callback=True,
    )
    assert ack["ok"] is False
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 1


def test_after_my_data_a_card_loses_the_structure_prefilled_from_the_join_form(
    app, make_atelier, joined_client, make_socket
):
    """Issue 18.13 through the pages: Nadia's card carried her join form's structure (the
    only one at the event to give it) after « Mes données »; the room is told the card
    without it. Failed before the fix."""
    atelier = make_atelier()
    client = joined_client(atelier, structure="Nadia Benali EI")
    card, _ = create_contribution(
        _me("Nadia"),
        atelier,
        {
            "client_id": uuid.uuid4().hex,
            "titre": "Maraudes",
            "structure": "Nadia Benali EI",
            "commune": "Le Pecq",
        },
    )
    db.session.commit()
    organizer = organizer_client(app, atelier.event)
    summary = organizer.get(f"/organisateur/e/{atelier.event.slug}/donnees").text
    assert "1 cartes dont la structure ou la commune" in summary
    watcher = make_socket(joined_client(atelier, display_name="Karim"))
    watcher.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)
    watcher.get_received()
    slug = atelier.event.slug
    token = form_token(client, f"/e/{slug}/mes-donnees")
    response = client.post(
        f"/e/{slug}/mes-donnees/supprimer",
        data={"csrf_token": token, "confirm": "1", "cards": "keep"},
    )
    assert response.status_code == 303
    db.session.expire_all()
    kept = db.session.get(Contribution, card.id)
    assert (kept.titre, kept.structure) == ("Maraudes", "")
    assert kept.commune == "Le Pecq"  # one of the event's communes: it points at nobody
    (update,) = [m for m in watcher.get_received() if m["name"] == "contribution:updated"]
    assert update["args"][0]["contribution"]["structure"] == ""
