"""Dot-voting over HTTP: the tally JSON and the results chart, with their access rule."""

from __future__ import annotations

import xml.etree.ElementTree as ET

from facilitation.domain import voting
from facilitation.domain.voting import BallotSettings
from facilitation.extensions import db
from tests.support.voting import facilitator_client, make_card, participant_actor

SVG = "{http://www.w3.org/2000/svg}"


def voted_atelier(make_atelier, make_participant, **settings):
    atelier = make_atelier()
    alice, bob = make_participant(atelier), make_participant(atelier)
    cards = [
        make_card(atelier, titre='<script>alert("x")</script> & Cie'),
        make_card(atelier, titre="Cantine"),
        make_card(atelier, titre="Bus"),
    ]
    voting.open_ballot(atelier, BallotSettings(**settings))
    voting.set_dots(participant_actor(alice), atelier, cards[0].id, 2)
    voting.set_dots(participant_actor(bob), atelier, cards[1].id, 2)
    voting.set_dots(participant_actor(bob), atelier, cards[2].id, 1)
    db.session.commit()
    return atelier, cards


def test_tally_is_hidden_until_revealed_except_to_facilitators(
    app, client, make_atelier, make_participant
):
    atelier, _cards = voted_atelier(make_atelier, make_participant)
    url = f"/api/ateliers/{atelier.id}/tally"
    hidden = client.get(url)
    assert hidden.status_code == 403 and hidden.json["code"] == "forbidden"
    facilitator = facilitator_client(app, atelier)
    seen = facilitator.get(url)
    assert seen.status_code == 200 and seen.json["tally"]["dots_counted"] == 5
    voting.reveal_ballot(atelier)
    db.session.commit()
    public = client.get(url)
    assert public.status_code == 200
    assert [(r["dots"], r["rank"]) for r in public.json["tally"]["results"]] == [
        (2, 1),
        (2, 1),
        (1, 3),
    ]
    assert public.headers["Cache-Control"] == "no-store"


def test_tally_of_unknown_atelier_or_without_ballot(client, make_atelier):
    assert client.get("/api/ateliers/999999/tally").status_code == 404
    atelier = make_atelier()
    assert client.get(f"/api/ateliers/{atelier.id}/tally").json["code"] == "not_found"


def test_live_tallies_are_public(client, make_atelier, make_participant):
    atelier, _cards = voted_atelier(make_atelier, make_participant, tallies_visible_live=True)
    assert client.get(f"/api/ateliers/{atelier.id}/tally").status_code == 200


def test_results_chart_is_escaped_ranked_and_shows_ties(client, make_atelier, make_participant):
    atelier, cards = voted_atelier(make_atelier, make_participant)
    url = f"/e/{atelier.event.slug}/a/{atelier.id}/resultats.svg"
    assert client.get(url).status_code == 403
    voting.reveal_ballot(atelier)
    db.session.commit()
    response = client.get(url)
    assert response.status_code == 200 and response.mimetype == "image/svg+xml"
    body = response.get_data(as_text=True)
    assert "<script" not in body and "&lt;script&gt;" in body
    root = ET.fromstring(body)  # well-formed XML: nothing broke out of its element
    assert root.find(f"{SVG}script") is None
    groups = root.findall(f"{SVG}g")
    ranks = [g.findall(f"{SVG}text")[0].text for g in groups]
    assert ranks == ["1=", "1=", "3"]
    assert [int(g.get("data-contribution-id")) for g in groups][2] == cards[2].id
    assert "ex æquo" in body


def test_pages_load_the_vote_module_and_the_console_has_the_panel(app, make_atelier, joined_client):
    atelier = make_atelier()
    slug = atelier.event.slug
    console = facilitator_client(app, atelier).get(f"/animation/e/{slug}/a/{atelier.id}")
    body = console.get_data(as_text=True)
    assert console.status_code == 200
    assert 'id="vote-panel"' in body and f'data-atelier-id="{atelier.id}"' in body
    assert "js/votes_console.js" in body and "Révéler les résultats" in body
    phone = joined_client(atelier).get(f"/e/{slug}/a/{atelier.id}")
    assert "js/votes_phone.js" in phone.get_data(as_text=True)
    projector = app.test_client().get(f"/e/{slug}/a/{atelier.id}/projecteur")
    assert "js/votes_projector.js" in projector.get_data(as_text=True)
    assert "<script>" not in body  # no inline script (CSP)


def test_chart_by_atelier_id_follows_the_same_rule(client, make_atelier, make_participant):
    atelier, _cards = voted_atelier(make_atelier, make_participant)
    url = f"/api/ateliers/{atelier.id}/resultats.svg"
    assert client.get(url).status_code == 403
    voting.reveal_ballot(atelier)
    db.session.commit()
    assert client.get(url).mimetype == "image/svg+xml"
    assert client.get("/api/ateliers/999999/resultats.svg").status_code == 404
