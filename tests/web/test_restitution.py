"""The restitution over HTTP: who may see and download it, syntheses, slides, publication."""

from __future__ import annotations

import csv
import io
import re

import pytest
from flask import Flask
from flask.testing import FlaskClient

from facilitation.domain import plenary
from facilitation.domain.access import create_facilitator_link, create_organizer, grant_event
from facilitation.domain.phases import current_round
from facilitation.domain.restitution import settings_for
from facilitation.edge.identity import LINKS_KEY, ORGANIZER_KEY, ORGANIZER_VERSION_KEY, SESSION_KEY
from facilitation.exports import FORMATS
from facilitation.extensions import db
from tests.support.csrf import form_token
from tests.support.restitution_day import (
    CHANTIERS_TITLE,
    PRATIQUES_TITLE,
    SECRET_CONTACT,
    SHARED_CONTACT,
    SYNTHESIS,
    build_sample_day,
)


@pytest.fixture
def day(make_event, make_atelier, make_participant):
    return build_sample_day(make_event, make_atelier, make_participant)


@pytest.fixture
def login(app: Flask):
    """Factory: a browser whose session holds an organizer, facilitator links or a participant."""

    def make(organizer=None, links=(), participant=None) -> FlaskClient:
        client = app.test_client()
        with client.session_transaction() as session:
            if organizer is not None:
                session[ORGANIZER_KEY] = organizer.id
                session[ORGANIZER_VERSION_KEY] = organizer.session_version
            if links:
                session[LINKS_KEY] = [link.id for link in links]
            if participant is not None:
                session[SESSION_KEY] = {str(participant.event_id): participant.id}
        return client

    return make


@pytest.fixture
def organizer(day):
    account = create_organizer("agence@example.org", "motdepasse-long", "Agence")
    grant_event(account, day.event)
    db.session.commit()
    return account


def urls(day) -> list[str]:
    base = f"/organisateur/e/{day.event.slug}/restitution"
    return [
        base,
        f"{base}/presentation",
        f"{base}/notes",
        *(f"{base}/export.{fmt}" for fmt in FORMATS),
        f"{base}/export?format=md&atelier={day.pratiques.id}",
    ]


def test_organizer_sees_the_whole_day_and_can_download_every_format(day, organizer, login):
    client = login(organizer)
    page = client.get(urls(day)[0])
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert PRATIQUES_TITLE in html and CHANTIERS_TITLE in html
    assert "Observatoire social partagé" in html and "4 gommettes" in html
    assert SHARED_CONTACT in html and SECRET_CONTACT not in html
    assert html.count("<svg") == 3 and "<script>" not in html
    assert page.headers["Cache-Control"] == "no-store"
    for fmt, spec in FORMATS.items():
        response = client.get(f"/organisateur/e/{day.event.slug}/restitution/export.{fmt}")
        assert response.status_code == 200, fmt
        assert response.mimetype == spec.mimetype.split(";")[0]
        flavour = "-excel" if fmt == "csv" else ""
        assert (
            f"restitution-{day.event.slug}{flavour}.{spec.extension}"
            in (response.headers["Content-Disposition"])
        )
        assert len(response.data) > 100


@pytest.mark.parametrize("who", ["anonymous", "participant", "other organizer", "atelier link"])
def test_restitution_and_downloads_are_refused_to_others(day, login, make_event, who):
    if who == "anonymous":
        client = login()
    elif who == "participant":
        client = login(participant=day.people["alice"])
    elif who == "other organizer":
        stranger = create_organizer("autre@example.org", "motdepasse-long")
        grant_event(stranger, make_event())
        db.session.commit()
        client = login(stranger)
    else:
        link, _ = create_facilitator_link(day.event, day.pratiques)
        db.session.commit()
        client = login(links=[link])
    for url in urls(day):
        response = client.get(url)
        body = response.get_data(as_text=True)
        assert "Observatoire" not in body and SHARED_CONTACT not in body
        if who in ("anonymous", "participant"):
            # No organizer nor facilitator here: the organizers' login, then back to this page.
            assert response.status_code == 302, url
            assert "/organisateur/connexion?suivant=" in response.headers["Location"]
        else:
            assert response.status_code == 403, (who, url)


def test_event_wide_facilitator_link_may_view_but_not_reorder_nor_publish(day, login):
    link, _ = create_facilitator_link(day.event, label="Animation générale")
    db.session.commit()
    client = login(links=[link])
    for url in urls(day):
        assert client.get(url).status_code == 200, url
    token = form_token(client, urls(day)[0])
    base = f"/organisateur/e/{day.event.slug}/restitution"
    refused = client.post(
        f"{base}/diapositives", data={"csrf_token": token, "key": "figures", "action": "masquer"}
    )
    assert refused.status_code == 403
    refused = client.post(f"{base}/publication", data={"csrf_token": token, "action": "publier"})
    assert refused.status_code == 403
    assert settings_for(day.event) is None
    link.revoked_at = link.created_at
    db.session.commit()
    revoked = client.get(urls(day)[0])
    assert revoked.status_code == 302 and "/organisateur/connexion" in revoked.headers["Location"]


def test_a_facilitator_writes_the_synthesis_of_their_atelier_only(day, login):
    mine, _ = create_facilitator_link(day.event, day.pratiques, label="Nora")
    db.session.commit()
    client = login(links=[mine])
    url = f"/organisateur/e/{day.event.slug}/a/{day.pratiques.id}/synthese"
    token = form_token(client, url)
    saved = client.post(url, data={"csrf_token": token, "text": "Le téléphone a tenu."})
    assert saved.status_code == 303
    assert "Le téléphone a tenu." in client.get(url).get_data(as_text=True)
    other = f"/organisateur/e/{day.event.slug}/a/{day.chantiers.id}/synthese"
    assert client.get(other).status_code == 403
    refused = client.post(other, data={"csrf_token": token, "text": "Intrus"})
    assert refused.status_code == 403
    too_long = client.post(url, data={"csrf_token": token, "text": "x" * 3001})
    assert too_long.status_code == 422 and "3000 caractères" in too_long.get_data(as_text=True)
    without_token = client.post(url, data={"text": "Sans jeton"})
    assert without_token.status_code == 400


def test_synthesis_from_the_restitution_page_reaches_the_slides(day, organizer, login):
    client = login(organizer)
    base = f"/organisateur/e/{day.event.slug}/restitution"
    token = form_token(client, base)
    response = client.post(
        f"/organisateur/e/{day.event.slug}/a/{day.pratiques.id}/synthese",
        data={"csrf_token": token, "text": "Garder le <b>lien</b>", "retour": "restitution"},
    )
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"{base}#atelier-{day.pratiques.id}")
    slides = client.get(f"{base}/presentation").get_data(as_text=True)
    assert "Garder le &lt;b&gt;lien&lt;/b&gt;" in slides and SYNTHESIS.splitlines()[1] in slides


def test_organizer_reorders_and_hides_slides(day, organizer, login):
    client = login(organizer)
    base = f"/organisateur/e/{day.event.slug}/restitution"
    token = form_token(client, base)

    def act(key, action):
        response = client.post(
            f"{base}/diapositives", data={"csrf_token": token, "key": key, "action": action}
        )
        assert response.status_code == 303

    act("perspectives", "monter")
    act("figures", "masquer")
    html = client.get(f"{base}/presentation").get_data(as_text=True)
    assert 'data-key="figures"' not in html
    assert html.index('data-key="perspectives"') < html.index('data-key="synthese"')
    act("figures", "afficher")
    assert 'data-key="figures"' in client.get(f"{base}/presentation").get_data(as_text=True)
    bad = client.post(f"{base}/diapositives", data={"csrf_token": token, "key": "x", "action": "?"})
    assert bad.status_code == 400


def test_slides_show_no_personal_data_and_notes_follow_the_same_slides(day, organizer, login):
    client = login(organizer)
    base = f"/organisateur/e/{day.event.slug}/restitution"
    slides = client.get(f"{base}/presentation").get_data(as_text=True)
    assert "Agence Les beaux jours" in slides  # branding on every slide
    assert SHARED_CONTACT not in slides and "Carla" not in slides
    assert '<script type="module"' in slides and "<script>" not in slides
    notes = client.get(f"{base}/notes").get_data(as_text=True)
    slide_keys = [part.split('"')[0] for part in slides.split('class="slide slide--')[1:]]
    assert len(slide_keys) == notes.count('class="note"')


def test_publish_then_unpublish_the_participants_page(day, organizer, login):
    client = login(organizer)
    base = f"/organisateur/e/{day.event.slug}/restitution"
    token = form_token(client, base)
    client.post(f"{base}/publication", data={"csrf_token": token, "action": "publier"})
    public_token = settings_for(day.event).public_token
    public_url = f"/r/{public_token}"
    assert public_url in client.get(base).get_data(as_text=True)
    visitor = login()
    page = visitor.get(public_url)
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "Observatoire social partagé" in html and "4 gommettes" in html
    for private in (SHARED_CONTACT, SECRET_CONTACT, "Carla", "Alice", "Dan"):
        assert private not in html, private
    assert "<form" not in html  # read-only
    client.post(f"{base}/publication", data={"csrf_token": token, "action": "depublier"})
    assert visitor.get(public_url).status_code == 404


def test_csv_download_options(day, organizer, login):
    client = login(organizer)
    base = f"/organisateur/e/{day.event.slug}/restitution"
    excel = client.get(f"{base}/export.csv").data
    plain = client.get(f"{base}/export.csv?csv=plain").data
    assert excel.startswith(b"\xef\xbb\xbf") and not plain.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(plain.decode())))
    assert len(rows) == 6
    one = client.get(f"{base}/export?format=csv&atelier={day.chantiers.id}")
    assert f"atelier-{day.chantiers.id}-excel.csv" in one.headers["Content-Disposition"]
    # The two flavours never overwrite each other in a downloads folder.
    names = {
        client.get(f"{base}/export.csv{query}").headers["Content-Disposition"]
        for query in ("", "?csv=plain")
    }
    assert names == {
        f'attachment; filename="restitution-{day.event.slug}-excel.csv"',
        f'attachment; filename="restitution-{day.event.slug}-standard.csv"',
    }
    assert client.get(f"{base}/export?format=exe").status_code == 404


def test_plenary_vote_from_shortlist_to_phones_to_slide(day, organizer, login, make_socket):
    client = login(organizer)
    base = f"/organisateur/e/{day.event.slug}/restitution"
    token = form_token(client, base)
    chosen = [
        day.cards["Observatoire social partagé"].id,
        day.cards["Plateforme logistique alimentaire"].id,
    ]

    def act(**data):
        response = client.post(f"{base}/perspectives", data={"csrf_token": token, **data})
        assert response.status_code == 303
        return client.get(base).get_data(as_text=True)

    html = act(action="selection", chantiers=[str(i) for i in chosen])
    assert "2 chantier(s) soumis au vote." in html
    # A screen on the plenary atelier (a phone's wall, the projector) follows its round.
    hall = plenary.plenary_atelier(day.event)
    screen = make_socket()
    assert snapshot_of(screen, hall)["round"]["phase"] == "contributions"
    act(action="ouvrir", dots="2")
    assert live_phase_and_ballot(screen) == [("round:changed", "vote"), ("vote:changed", "ouvert")]
    assert current_round(hall).phase == "vote"

    phone = login(participant=day.people["dan"])
    vote_url = f"/e/{day.event.slug}/perspectives"
    page = phone.get(vote_url).get_data(as_text=True)
    assert "Points restants : <strong>2</strong>" in page
    phone_token = form_token(phone, vote_url)
    card_id = re.search(r'name="card_id" value="(\d+)"', page).group(1)
    for _ in range(2):  # the same "now 2" sent twice (a retry) counts once
        sent = phone.post(
            vote_url, data={"csrf_token": phone_token, "card_id": card_id, "count": "2"}
        )
        assert sent.status_code == 303
    after = phone.get(vote_url).get_data(as_text=True)
    assert "Points restants : <strong>0</strong>" in after
    over = phone.post(vote_url, data={"csrf_token": phone_token, "card_id": card_id, "count": "3"})
    assert over.status_code == 303
    assert "Points restants : <strong>0</strong>" in phone.get(vote_url).get_data(as_text=True)

    slides = client.get(f"{base}/presentation").get_data(as_text=True)
    assert 'id="plenary-results" data-open="true"' in slides
    assert 'data-dots="2"' in slides and 'data-refresh="4"' in slides
    assert client.get(f"/e/{day.event.slug}/perspectives/qr.svg").mimetype == "image/svg+xml"
    act(action="clore")
    assert 'data-open="false"' in client.get(f"{base}/presentation").get_data(as_text=True)
    assert live_phase_and_ballot(screen) == [
        ("round:changed", "resultats"),
        ("vote:changed", "révélé"),
    ]
    act(action="clore")  # a second click: nothing moves, nothing is sent
    assert live_phase_and_ballot(screen) == []
    back = snapshot_of(make_socket(), hall)  # a phone that was away
    assert back["round"]["phase"] == "resultats" and back["vote"]["ballot"]["status"] == "révélé"


def snapshot_of(socket, atelier) -> dict:
    assert socket.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)["ok"]
    (snapshot,) = [m["args"][0] for m in socket.get_received() if m["name"] == "atelier:snapshot"]
    return snapshot


def live_phase_and_ballot(socket) -> list[tuple[str, str]]:
    """The round's phase and the ballot's status a screen received, in order."""
    found = []
    for message in socket.get_received():
        name, payload = message["name"], message["args"][0]
        if name == "round:changed":
            found.append((name, payload["round"]["phase"]))
        elif name == "vote:changed":
            found.append((name, payload["ballot"]["status"]))
    return found


def test_plenary_settings_are_for_organizers_and_voting_for_participants(day, login):
    link, _ = create_facilitator_link(day.event)
    db.session.commit()
    facilitator = login(links=[link])
    base = f"/organisateur/e/{day.event.slug}/restitution"
    token = form_token(facilitator, base)
    refused = facilitator.post(
        f"{base}/perspectives", data={"csrf_token": token, "action": "ouvrir"}
    )
    assert refused.status_code == 403
    anonymous = login()
    assert anonymous.get(f"/e/{day.event.slug}/perspectives").status_code == 302
