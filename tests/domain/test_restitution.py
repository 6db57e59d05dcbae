"""The restitution read model: figures, rankings, privacy by audience, slides, publication."""

from __future__ import annotations

import pytest

from facilitation.domain import restitution as r
from facilitation.domain import voting
from facilitation.domain.access import Actor, create_facilitator_link, create_organizer, grant_event
from facilitation.domain.errors import Forbidden, NotFound, ValidationError
from facilitation.extensions import db
from facilitation.models import Dot
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


def atelier(model, title):
    return next(a for a in r.ateliers(model) if a["title"] == title)


def card(model, titre):
    return next(c for a in r.ateliers(model) for c in a["contributions"] if c["titre"] == titre)


def test_figures_count_people_structures_communes_cards_dots(day):
    figures = r.restitution(day.event)["figures"]
    assert figures["participants"] == 5
    # « CCAS du Pecq » and « ccas du pecq » are one structure.
    assert figures["structures"] == 4
    assert {c["name"]: c["count"] for c in figures["communes_list"]} == {"Le Pecq": 2, "Chatou": 2}
    assert (figures["cards"], figures["pratiques"], figures["chantiers"]) == (5, 3, 2)
    assert figures["dots"] == sum(day.dots.values()) == 11
    assert figures["engagements"] == 3


def test_each_atelier_has_its_question_people_cards_ranked_by_dots(day):
    model = r.restitution(day.event)
    pratiques = atelier(model, PRATIQUES_TITLE)
    assert pratiques["question"] == "Qu'est-ce qui a tenu pendant la crise ?"
    assert (pratiques["participants"], pratiques["cards"], pratiques["dots"]) == (2, 3, 5)
    ranked = [(c["titre"], c["dots"], c["rank"], c["tied"]) for c in pratiques["contributions"]]
    assert ranked[0] == ("Appels de convivialité", 3, 1, False)
    # Ties share the rank (1, 2, 2) and are marked.
    assert {(t, d, rank, tied) for t, d, rank, tied in ranked[1:]} == {
        ("Colis sur rendez-vous", 1, 2, True),
        ("=Cartes postales", 1, 2, True),
    }
    assert [c["titre"] for c in r.top(pratiques, "top_pratiques")][0] == "Appels de convivialité"
    assert pratiques["top_chantiers"] == []


def test_chantiers_carry_all_their_fields_links_and_synthesis(day):
    model = r.restitution(day.event)
    chantiers = atelier(model, CHANTIERS_TITLE)
    assert chantiers["synthesis"]["text"] == SYNTHESIS
    best = r.top(chantiers, "top_chantiers")[0]
    assert (best["titre"], best["dots"], best["rank"]) == ("Observatoire social partagé", 4, 1)
    fields = {f["key"]: f["value"] for f in best["fields"]}
    assert fields["constat"] == "Chaque commune fait son ABS seule."
    assert fields["objectif"] == "Un socle commun d'indicateurs."
    assert fields["communes"] == "Le Pecq, Chatou"
    assert fields["porteur"] == "CCAS de Chatou"
    assert fields["pratiques"] == f"Appels de convivialité ({PRATIQUES_TITLE})"
    assert [f["label"] for f in best["fields"]][:2] == ["Constat / problème", "Objectif"]


def test_contacts_only_with_consent_and_only_for_organizers(day):
    organizer = r.restitution(day.event)
    observatoire = card(organizer, "Observatoire social partagé")
    assert observatoire["engagement_count"] == 2
    assert {(e["display_name"], e["contact"]) for e in observatoire["engagements"]} == {
        ("Dan", SHARED_CONTACT),
        ("Eve", None),
    }
    plateforme = card(organizer, "Plateforme logistique alimentaire")
    assert plateforme["engagements"] == [
        {"display_name": "Carla", "structure": "CCAS de Chatou", "contact": None}
    ]
    public = r.restitution(day.event, r.Audience.PUBLIC)
    text = repr(public)
    assert SHARED_CONTACT not in text and SECRET_CONTACT not in text
    for name in ("Alice", "Bob", "Carla", "Dan", "Eve"):
        assert f"'{name}'" not in text
    assert card(public, "Observatoire social partagé")["engagement_count"] == 2
    assert card(public, "Observatoire social partagé")["author"] is None
    assert SECRET_CONTACT not in repr(organizer)


def test_the_model_is_live_a_dot_placed_now_is_counted_now(day):
    before = card(r.restitution(day.event), "Plateforme logistique alimentaire")["dots"]
    voting.reveal_ballot(day.chantiers)
    ballot = voting.current_ballot(day.chantiers)
    db.session.add(
        Dot(ballot_id=ballot.id, contribution_id=day.cards["Plateforme logistique alimentaire"].id,
            count=5, scribe=True, scribe_label="Vote papier")
    )  # fmt: skip
    db.session.commit()
    after = card(r.restitution(day.event), "Plateforme logistique alimentaire")["dots"]
    assert (before, after) == (2, 7)


def test_public_audience_sees_no_dots_of_a_vote_not_yet_revealed(
    make_event, make_atelier, make_participant
):
    event = make_event()
    room = make_atelier(event)
    alice = make_participant(room)
    from facilitation.domain.contributions import create_contribution

    card_, _ = create_contribution(alice, room, {"client_id": "a" * 32, "titre": "Une idée"})
    voting.open_ballot(room)
    voting.set_dots(Actor(event_id=event.id, participant=alice), room, card_.id, 2)
    db.session.commit()
    assert card(r.restitution(event), "Une idée")["dots"] == 2
    assert card(r.restitution(event, "public"), "Une idée")["dots"] == 0
    voting.reveal_ballot(room)
    db.session.commit()
    assert card(r.restitution(event, "public"), "Une idée")["dots"] == 2


def test_one_atelier_scope_and_unknown_atelier(day, make_event):
    model = r.restitution(day.event, atelier_id=day.chantiers.id)
    assert [a["title"] for a in r.ateliers(model)] == [CHANTIERS_TITLE]
    assert model["figures"]["cards"] == 2
    with pytest.raises(NotFound):
        r.restitution(day.event, atelier_id=day.chantiers.id + 1000)
    other = make_event()
    with pytest.raises(NotFound):
        r.restitution(other, atelier_id=day.chantiers.id)


def test_viewers_are_organizers_of_the_event_and_event_wide_facilitators(day, make_event):
    event = day.event
    owner = create_organizer("owner@example.org", "motdepasse-long")
    grant_event(owner, event)
    stranger = create_organizer("other@example.org", "motdepasse-long")
    grant_event(stranger, make_event())
    wide, _ = create_facilitator_link(event)
    scoped, _ = create_facilitator_link(event, day.pratiques)
    db.session.commit()
    assert r.can_view(Actor(event.id, organizer=owner), event)
    assert r.can_view(Actor(event.id, links=(wide,)), event)
    refused = [
        Actor(event.id),
        Actor(event.id, participant=day.people["alice"]),
        Actor(event.id, organizer=stranger),
        Actor(event.id, links=(scoped,)),
    ]
    for actor in refused:
        with pytest.raises(Forbidden):
            r.require_viewer(actor, event)


def test_synthesis_by_the_atelier_facilitator_only_and_bounded(day):
    event = day.event
    mine, _ = create_facilitator_link(event, day.pratiques, label="Nora")
    theirs, _ = create_facilitator_link(event, day.chantiers)
    saved = r.save_synthesis(Actor(event.id, links=(mine,)), day.pratiques, "  Trois idées.\r\n ")
    assert (saved.text, saved.updated_by) == ("Trois idées.", "Nora")
    with pytest.raises(Forbidden):
        r.save_synthesis(Actor(event.id, links=(theirs,)), day.pratiques, "Non")
    with pytest.raises(Forbidden):
        r.save_synthesis(Actor(event.id, participant=day.people["alice"]), day.pratiques, "Non")
    with pytest.raises(ValidationError):
        r.save_synthesis(Actor(event.id, links=(mine,)), day.pratiques, "x" * 3001)
    assert r.synthesis_text(day.pratiques) == "Trois idées."


def test_slides_follow_the_stored_order_hide_and_place_new_slides(day, make_atelier):
    event = day.event
    model = r.restitution(event)
    keys = [s.key for s in r.slides(model, None)]
    assert keys[:2] == ["title", "figures"] and keys[-2:] == ["synthese", "perspectives"]
    assert f"chantiers-{day.chantiers.id}" in keys
    assert f"chantiers-{day.pratiques.id}" not in keys  # no chantier in a pratiques atelier
    r.move_slide(event, model, "perspectives", -1)
    r.set_hidden(event, model, "figures", True)
    db.session.commit()
    slides = r.slides(model, r.settings_for(event))
    assert [s.key for s in slides][-2:] == ["perspectives", "synthese"]
    assert [s.key for s in slides if s.hidden] == ["figures"]
    # An atelier added after the order was saved still gets its slide, in programme order.
    late = make_atelier(event, title="Atelier ajouté")
    model = r.restitution(event)
    keys = [s.key for s in r.slides(model, r.settings_for(event))]
    assert keys.index(f"atelier-{late.id}") == keys.index(f"atelier-{day.pratiques.id}") + 1
    with pytest.raises(NotFound):
        r.move_slide(event, model, "nope", 1)


def test_publish_gives_a_fresh_link_and_unpublish_kills_it(day):
    token = r.publish(day.event).public_token
    assert r.published_event(token) == day.event
    assert r.publish(day.event).public_token == token  # publishing twice keeps the link
    r.unpublish(day.event)
    with pytest.raises(NotFound):
        r.published_event(token)
    again = r.publish(day.event).public_token
    assert again != token
    with pytest.raises(NotFound):
        r.published_event("")


def test_merged_duplicates_stay_inside_the_card_they_joined(day):
    from facilitation.domain.moderation import merge_contributions
    from facilitation.models.base import utcnow

    appels, colis = day.cards["Appels de convivialité"], day.cards["Colis sur rendez-vous"]
    cartes = day.cards["=Cartes postales"]
    merge_contributions(appels, colis)
    merge_contributions(appels, cartes)
    # A duplicate withdrawn by its author stays out, as on screen.
    cartes.withdrawn_at = utcnow()
    db.session.commit()
    model = r.restitution(day.event)
    target = card(model, "Appels de convivialité")
    assert [m["titre"] for m in target["merged"]] == ["Colis sur rendez-vous"]
    (merged,) = target["merged"]
    assert merged["description"] == "Créneaux par SMS."
    assert merged["author"] == {"display_name": "Bob", "structure": "Secours populaire"}
    # Their dots moved to the card they joined; they are not ranked on their own.
    assert target["dots"] == 3 + 1 + 1 and atelier(model, PRATIQUES_TITLE)["cards"] == 1
    public = r.restitution(day.event, r.Audience.PUBLIC)
    assert card(public, "Appels de convivialité")["merged"][0]["author"] is None


def test_a_chantier_says_each_field_once(day):
    observatoire = day.cards["Observatoire social partagé"]
    observatoire.description = "Un socle commun d'indicateurs."  # = its objectif
    observatoire.public_concerne = "Toute la population"  # = its publics
    observatoire.commune = "Chatou"  # among its communes
    db.session.commit()
    fields = card(r.restitution(day.event), "Observatoire social partagé")["fields"]
    keys = [f["key"] for f in fields]
    assert "description" not in keys and "public_concerne" not in keys
    assert "commune" not in keys and keys.count("objectif") == 1
    values = [f["value"] for f in fields]
    assert len(values) == len(set(values))
