"""Interconnaissance pages: join with a profile, « Mon profil », who's who, matches, actors."""

from __future__ import annotations

from zoneinfo import ZoneInfo

import pytest

from facilitation.domain import profiles
from facilitation.extensions import db
from facilitation.models import ContactRequest, Participant, Profile
from tests.support.csrf import form_token
from tests.support.roles import facilitator_client, organizer_client
from tests.web.test_public_pages import assert_csp_clean

EVIL = "<img src=x onerror=alert(1)>"
SCRIPT = "<script>alert(1)</script>"


def join(client, atelier, **extra):
    url = f"/e/{atelier.event.slug}/rejoindre"
    data = {
        "csrf_token": form_token(client, url),
        "display_name": extra.pop("display_name", "Nadia"),
        "structure": extra.pop("structure", "CCAS du Pecq"),
        "commune": "Le Pecq",
        "atelier_id": str(atelier.id),
        "consent": "on",
    }
    return client.post(url, data=data | extra)


def token(client):
    """The session's CSRF token, from a page that always has a form."""
    slug = db.session.scalars(db.select(Participant)).first().event.slug
    return form_token(client, f"/e/{slug}/profil")


def me(name):
    return db.session.scalars(db.select(Participant).where(Participant.display_name == name)).one()


def test_the_join_form_offers_a_collapsed_optional_profile(app, make_atelier):
    atelier = make_atelier()
    html = app.test_client().get(f"/e/{atelier.event.slug}/rejoindre").get_data(as_text=True)
    assert '<details class="fieldset details" id="se-presenter">' in html
    assert "Se présenter (facultatif)" in html
    for name in ("role", "structure_kind", "publics", "offers", "needs", "contact", "visible"):
        assert f'id="{name}"' in html and f'for="{name}"' in html
    assert 'name="visible" value="on" aria-describedby' in html  # not ticked by default
    assert_csp_clean(html)


def test_joining_with_a_profile_stores_it_hidden_unless_ticked(app, make_atelier):
    atelier = make_atelier()
    response = join(
        app.test_client(), atelier, role="Directrice", structure_kind="ccas", needs="logement"
    )
    assert response.status_code == 303
    profile = db.session.get(Profile, me("Nadia").id)
    assert profile.role == "Directrice" and profile.needs == ["logement"]
    assert profile.visible is False

    join(app.test_client(), atelier, display_name="Karim", offers="logement", visible="on")
    assert db.session.get(Profile, me("Karim").id).visible is True


def test_joining_without_a_profile_creates_none(app, make_atelier):
    atelier = make_atelier()
    assert join(app.test_client(), atelier).status_code == 303
    assert db.session.get(Profile, me("Nadia").id) is None


def test_a_wrong_profile_field_keeps_the_form_open_and_filled(app, make_atelier):
    atelier = make_atelier()
    response = join(app.test_client(), atelier, structure_kind="banque", role="Directrice")
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert '<details class="fieldset details" id="se-presenter" open>' in html
    assert 'value="Directrice"' in html
    assert "Choisissez un type de structure dans la liste." in html
    assert db.session.scalar(db.select(db.func.count()).select_from(Participant)) == 0


def test_my_profile_page_edits_and_shows_all_my_data(app, make_atelier, joined_client):
    atelier = make_atelier()
    client = joined_client(atelier)
    url = f"/e/{atelier.event.slug}/profil"
    response = client.post(
        url,
        data={
            "csrf_token": form_token(client, url),
            "role": SCRIPT,
            "structure_kind": "association",
            "offers": "aide alimentaire, bénévoles",
            "contact": "nadia@example.org",
            "visible": "on",
        },
    )
    assert response.status_code == 303
    html = client.get(url).get_data(as_text=True)
    assert SCRIPT not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "aide alimentaire, bénévoles" in html
    assert "nadia@example.org" in html  # my own contact, on my own page
    assert "Toutes les données enregistrées vous concernant" in html
    assert "Profil visible des autres</dt><dd>Oui" in html
    # Dates in the event's timezone (Paris), not UTC.
    joined = me("Nadia").consent_at.astimezone(ZoneInfo("Europe/Paris"))
    assert joined.strftime("%d/%m/%Y à %Hh%M") in html
    assert_csp_clean(html)

    response = client.post(f"{url}/supprimer", data={"csrf_token": form_token(client, url)})
    assert response.status_code == 303
    assert db.session.get(Profile, me("Nadia").id) is None


def test_profile_pages_need_a_participant(app, make_atelier):
    atelier = make_atelier()
    client = app.test_client()
    for path in ("profil", "rencontres"):
        response = client.get(f"/e/{atelier.event.slug}/{path}")
        assert response.status_code == 302
        assert "/rejoindre" in response.headers["Location"]


def test_the_whoswho_page_shows_only_visible_profiles_escaped(app, make_atelier, joined_client):
    atelier = make_atelier()
    visible = joined_client(atelier, display_name=EVIL)
    hidden = joined_client(atelier, display_name="Caché")
    profiles.save_profile(me(EVIL), {"visible": "on", "role": "Assistante sociale"})
    profiles.save_profile(me("Caché"), {"role": "Secret"})
    db.session.commit()

    html = hidden.get(f"/e/{atelier.event.slug}/a/{atelier.id}/qui").get_data(as_text=True)

    assert "Assistante sociale" in html and "&lt;img src=x" in html and EVIL not in html
    assert "Secret" not in html and "Caché" not in html
    assert "1 sans profil visible" in html
    assert 'src="/static/js/whoswho.js?v=' in html
    assert_csp_clean(html)
    assert visible.get(f"/e/{atelier.event.slug}/a/{atelier.id}/qui").status_code == 200
    stranger = app.test_client().get(f"/e/{atelier.event.slug}/a/{atelier.id}/qui")
    assert stranger.status_code == 302


def test_matches_page_asks_and_answers_with_mutual_acceptance(app, make_atelier, joined_client):
    atelier = make_atelier()
    slug = atelier.event.slug
    nadia, karim = joined_client(atelier, "Nadia"), joined_client(atelier, "Karim")
    profiles.save_profile(
        me("Nadia"), {"visible": "on", "needs": "logement", "contact": "nadia@ccas.example"}
    )
    profiles.save_profile(
        me("Karim"), {"visible": "on", "offers": "logements d'urgence", "contact": "k@x.example"}
    )
    db.session.commit()
    url = f"/e/{slug}/rencontres"

    html = nadia.get(url).get_data(as_text=True)
    assert "Vous cherchez « logement », Karim peut apporter « logements d&#39;urgence »" in html
    assert "k@x.example" not in html
    assert_csp_clean(html)

    response = nadia.post(
        f"{url}/demander",
        data={"csrf_token": token(nadia), "to": str(me("Karim").id), "message": "Bonjour"},
    )
    assert response.status_code == 303
    request_id = db.session.scalars(db.select(ContactRequest.id)).one()
    assert "k@x.example" not in nadia.get(url).get_data(as_text=True)
    karim_html = karim.get(url).get_data(as_text=True)
    assert "« Bonjour »" in karim_html and "nadia@ccas.example" not in karim_html

    # Nadia cannot accept her own request on Karim's behalf.
    forged = nadia.post(
        f"{url}/{request_id}/repondre",
        data={"csrf_token": token(nadia), "decision": "accepter"},
    )
    assert forged.status_code == 403
    assert db.session.get(ContactRequest, request_id).status == "pending"

    response = karim.post(
        f"{url}/{request_id}/repondre",
        data={"csrf_token": token(karim), "decision": "accepter"},
    )
    assert response.status_code == 303
    assert "k@x.example" in nadia.get(url).get_data(as_text=True)
    assert "nadia@ccas.example" in karim.get(url).get_data(as_text=True)

    # Karim withdraws his agreement: the contacts disappear from both pages.
    karim.post(
        f"{url}/{request_id}/repondre", data={"csrf_token": token(karim), "decision": "refuser"}
    )
    assert "k@x.example" not in nadia.get(url).get_data(as_text=True)
    # Only Nadia may cancel her request; then it is gone for Karim too.
    assert (
        karim.post(f"{url}/{request_id}/annuler", data={"csrf_token": token(karim)}).status_code
        == 403
    )
    assert (
        nadia.post(f"{url}/{request_id}/annuler", data={"csrf_token": token(nadia)}).status_code
        == 303
    )
    assert "« Bonjour »" not in karim.get(url).get_data(as_text=True)


def test_without_a_visible_profile_no_matches_are_listed(app, make_atelier, joined_client):
    atelier = make_atelier()
    nadia = joined_client(atelier, "Nadia")
    html = nadia.get(f"/e/{atelier.event.slug}/rencontres").get_data(as_text=True)
    assert "rendez votre profil visible" in html


def test_the_tour_projector_is_public_and_the_control_is_for_facilitators(
    app, make_atelier, joined_client
):
    atelier = make_atelier()
    slug = atelier.event.slug
    projector = app.test_client().get(f"/e/{slug}/a/{atelier.id}/tour-de-table")
    assert projector.status_code == 200
    html = projector.get_data(as_text=True)
    assert "Le tour de table va commencer." in html and 'src="/static/js/tour.js?v=' in html
    assert_csp_clean(html)

    control_url = f"/f/atelier/{atelier.id}/tour"
    assert app.test_client().get(control_url).status_code == 403
    assert joined_client(atelier).get(control_url).status_code == 403
    response = facilitator_client(app, atelier).get(control_url)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'for="tour-seconds"' in html and 'id="tour-next"' in html
    assert_csp_clean(html)
    other = make_atelier(event=atelier.event)
    assert facilitator_client(app, other).get(control_url).status_code == 403


def test_the_actors_page_is_for_organizers_and_lists_only_consenting_people(
    app, make_atelier, make_participant
):
    atelier = make_atelier()
    slug = atelier.event.slug
    shown = make_participant(atelier, display_name="Nadia", structure="CCAS du Pecq")
    hidden = make_participant(atelier, display_name="Caché", structure="Croix-Rouge")
    profiles.save_profile(shown, {"visible": "on", "structure_kind": "ccas", "role": "Directrice"})
    profiles.save_profile(hidden, {"structure_kind": "croix_rouge", "role": "Secret"})
    db.session.commit()

    for path in ("acteurs", "acteurs.svg"):
        assert app.test_client().get(f"/organisateur/e/{slug}/{path}").status_code == 403
    other_event_organizer = organizer_client(app, make_atelier().event, "autre@example.org")
    assert other_event_organizer.get(f"/organisateur/e/{slug}/acteurs").status_code == 403

    client = organizer_client(app, atelier.event)
    response = client.get(f"/organisateur/e/{slug}/acteurs")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Nadia" in html and "Directrice" in html
    assert "Caché" not in html and "Secret" not in html
    assert "Croix-Rouge</th><td>1</td>" in html  # counted, not named
    assert_csp_clean(html)
    svg = client.get(f"/organisateur/e/{slug}/acteurs.svg")
    assert svg.status_code == 200 and svg.mimetype == "image/svg+xml"
    assert b"CCAS / CIAS" in svg.data


@pytest.mark.parametrize("decision", ["", "peut-etre"])
def test_an_unknown_decision_changes_nothing(app, make_atelier, joined_client, decision):
    atelier = make_atelier()
    client = joined_client(atelier)
    url = f"/e/{atelier.event.slug}/rencontres"
    response = client.post(
        f"{url}/1/repondre", data={"csrf_token": token(client), "decision": decision}
    )
    assert response.status_code == 303


def test_the_event_page_and_the_wall_link_to_profile_whoswho_and_matches(
    make_atelier, joined_client
):
    atelier = make_atelier()
    slug = atelier.event.slug
    client = joined_client(atelier)
    for page in (f"/e/{slug}/", f"/e/{slug}/a/{atelier.id}"):
        html = client.get(page).get_data(as_text=True)
        assert f'href="/e/{slug}/profil"' in html
        assert f'href="/e/{slug}/a/{atelier.id}/qui"' in html
        assert f'href="/e/{slug}/rencontres"' in html


def test_flask_urls_lists_the_tour_pages_of_the_morning_ateliers(app):
    from facilitation.ops.demo import day as demo_day

    event = demo_day.load()
    db.session.commit()
    morning = next(s for s in event.sequences if s.kind == "ateliers_pratiques").ateliers[0]
    afternoon = next(s for s in event.sequences if s.kind == "ateliers_chantiers").ateliers[0]
    result = app.test_cli_runner().invoke(args=["urls"])
    assert result.exit_code == 0, result.output
    assert (
        f"tour de table : http://facilitation.test/e/{event.slug}/a/{morning.id}/tour-de-table"
        in (result.output)
    )
    assert f"animation du tour : http://facilitation.test/f/atelier/{morning.id}/tour" in (
        result.output
    )
    assert f"/f/atelier/{afternoon.id}/tour" not in result.output
    assert f"/organisateur/e/{event.slug}/acteurs" in result.output


def test_the_console_links_to_the_tour_and_the_organizer_home_to_the_actors_map(app, make_atelier):
    atelier = make_atelier()
    slug = atelier.event.slug
    console = facilitator_client(app, atelier).get(f"/animation/e/{slug}/a/{atelier.id}")
    assert console.status_code == 200
    assert f'href="/f/atelier/{atelier.id}/tour"' in console.get_data(as_text=True)
    home = organizer_client(app, atelier.event).get("/organisateur/")
    assert home.status_code == 200
    assert f'href="/organisateur/e/{slug}/acteurs"' in home.get_data(as_text=True)
