"""« Rencontres » suggests meeting around « Ça m'intéresse » (issue 19.2), both ways, only
with visible profiles, with the existing « Demander la mise en relation »."""

from __future__ import annotations

import uuid

from facilitation.domain import profiles, reactions
from facilitation.domain.access import Actor
from facilitation.extensions import db
from facilitation.models import ContactRequest, Contribution, Participant
from tests.support.csrf import form_token
from tests.web.test_public_pages import assert_csp_clean


def person(name):
    return db.session.scalars(db.select(Participant).where(Participant.display_name == name)).one()


def pratique(author, titre):
    card = Contribution(
        atelier_id=author.current_atelier_id,
        participant_id=author.id,
        client_id=uuid.uuid4().hex,
        kind="pratique",
        titre=titre,
    )
    db.session.add(card)
    db.session.commit()
    return card


def interested(who, card):
    reactions.set_reaction(Actor(who.event_id, who), card.id, "interesse", True)
    db.session.commit()


def test_interest_both_ways_is_suggested_with_visible_profiles_only(
    app, make_atelier, joined_client, make_participant
):
    atelier = make_atelier()
    nadia_client = joined_client(atelier, "Nadia")
    nadia = person("Nadia")
    profiles.save_profile(nadia, {"visible": "on"})
    fan = make_participant(atelier, display_name="Fatou", structure="Épicerie <solidaire>")
    profiles.save_profile(fan, {"visible": "on"})
    shy = make_participant(atelier, display_name="Discret")
    profiles.save_profile(shy, {"visible": ""})
    author = make_participant(atelier, display_name="Karim")
    profiles.save_profile(author, {"visible": "on"})
    mine = pratique(nadia, "Appels <convivialité>")
    theirs = pratique(author, "Repas à 1 €")
    interested(fan, mine)
    interested(shy, mine)
    interested(nadia, theirs)

    url = f"/e/{atelier.event.slug}/rencontres"
    html = nadia_client.get(url).get_data(as_text=True)
    assert "Autour de vos pratiques (2)" in html
    assert "Fatou s&#39;intéresse à votre pratique « Appels &lt;convivialité&gt; »" in html
    assert "Vous vous intéressez à la pratique « Repas à 1 € » de Karim" in html
    assert "Discret" not in html
    assert f'id="interest-{fan.id}"' in html and 'id="interest-message-' in html
    assert_csp_clean(html)

    # The existing action: « Demander la mise en relation ».
    response = nadia_client.post(
        f"{url}/demander",
        data={"csrf_token": form_token(nadia_client, url), "to": str(fan.id)},
    )
    assert response.status_code == 303
    assert db.session.scalars(db.select(ContactRequest.to_participant_id)).one() == fan.id
    assert "Demande envoyée" in nadia_client.get(url).get_data(as_text=True)


def test_no_suggestion_while_my_own_profile_is_hidden(
    app, make_atelier, joined_client, make_participant
):
    atelier = make_atelier()
    client = joined_client(atelier, "Nadia")
    nadia = person("Nadia")
    fan = make_participant(atelier, display_name="Fatou")
    profiles.save_profile(fan, {"visible": "on"})
    interested(fan, pratique(nadia, "Appels"))
    html = client.get(f"/e/{atelier.event.slug}/rencontres").get_data(as_text=True)
    assert "Fatou" not in html and "rendez votre profil visible" in html
