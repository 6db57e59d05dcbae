"""Chantiers: fields and their validation, co-building, consolidation, « Je m'engage »."""

import json

import pytest

from facilitation.domain import access, chantiers
from facilitation.domain.access import Actor
from facilitation.domain.contributions import create_contribution
from facilitation.domain.errors import Closed, Forbidden, NotFound, NotJoined, ValidationError
from facilitation.extensions import db
from facilitation.models import (
    Atelier,
    ChantierAddition,
    ChantierDetail,
    Contribution,
    Engagement,
)
from tests.conftest import new_client_id


@pytest.fixture
def chantier_atelier(make_event, make_atelier):
    """Factory: an afternoon atelier of an event whose territory has three communes."""

    def make(event=None):
        event = event or make_event(communes=["Le Pecq", "Chatou", "Croissy-sur-Seine"])
        return make_atelier(event=event, kind="ateliers_chantiers")

    return make


@pytest.fixture
def actor_in(make_participant):
    """Factory: an Actor for a new participant placed in ``atelier``."""

    def make(atelier, **kw):
        participant = make_participant(atelier, **kw)
        return Actor(event_id=atelier.event_id, participant=participant)

    return make


@pytest.fixture
def pratique(make_atelier, make_participant):
    """Factory: a morning pratique card in a new pratiques atelier of ``event``."""

    def make(event, titre="Appels de convivialité"):
        atelier = make_atelier(event=event)
        author = make_participant(atelier)
        card, _ = create_contribution(
            author, atelier, {"client_id": new_client_id(), "titre": titre}
        )
        db.session.commit()
        return card

    return make


@pytest.fixture
def organizer_of(app):
    def make(event):
        organizer = access.create_organizer(
            f"orga-{event.id}@example.org", "un-mot-de-passe-solide", "Agence"
        )
        access.grant_event(organizer, event)
        db.session.commit()
        return Actor(event_id=event.id, organizer=organizer)

    return make


def post(actor, atelier, **kw):
    data = {"client_id": new_client_id(), "titre": "Guichet unique itinérant"} | kw
    card, version = chantiers.create_chantier(actor, atelier, data)
    db.session.commit()
    return card, version


def test_a_chantier_keeps_its_fields_communes_and_pratiques(chantier_atelier, actor_in, pratique):
    atelier = chantier_atelier()
    morning = pratique(atelier.event)
    other_morning = pratique(atelier.event, "Épicerie solidaire")
    card, version = post(
        actor_in(atelier),
        atelier,
        constat="Les habitants ne savent pas à quelle porte frapper.",
        objectif="Un accueil commun qui se déplace.",
        publics="Personnes âgées, familles",
        partenaires="CCAS, CAF, France services",
        etapes="1. Recenser\n2. Tester sur deux communes",
        porteur="CCAS du Pecq",
        communes=["Croissy-sur-Seine", "Le Pecq", "Le Pecq"],
        pratique_ids=[other_morning.id, str(morning.id)],
    )
    assert version == 1 and card.kind == "chantier"
    view = chantiers.chantier_view(card)
    assert view["titre"] == "Guichet unique itinérant"
    assert view["fields"]["etapes"] == "1. Recenser\n2. Tester sur deux communes"
    assert view["fields"]["porteur"] == "CCAS du Pecq"
    # The event's order, each commune once.
    assert view["communes"] == ["Le Pecq", "Croissy-sur-Seine"]
    assert {p["id"] for p in view["pratiques"]} == {morning.id, other_morning.id}
    assert view["pratiques"][0]["atelier"]["title"] == morning.atelier.title


def test_a_retried_post_is_stored_once(chantier_atelier, actor_in):
    atelier = chantier_atelier()
    actor = actor_in(atelier)
    cid = new_client_id()
    first, version = post(actor, atelier, client_id=cid)
    again, none = post(actor, atelier, client_id=cid, titre="Autre titre")
    assert (version, none) == (1, None)
    assert again.id == first.id
    assert db.session.query(Contribution).count() == 1
    assert db.session.get(Atelier, atelier.id).version == 1


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"titre": "  "}, "titre", "Indiquez « Titre du chantier »."),
        ({"constat": "x" * 2001}, "constat", "« Constat / problème » est trop long"),
        ({"porteur": "x" * 201}, "porteur", "« Porteur pressenti » est trop long"),
        ({"publics": ["liste"]}, "publics", "« Publics visés » doit être un texte."),
        ({"communes": ["Paris"]}, "communes", "« Paris » n'est pas une commune du territoire"),
        ({"communes": [3]}, "communes", "Choisissez les communes dans la liste."),
        ({"pratique_ids": ["abc"]}, "pratique_ids", "Choisissez une pratique dans la liste."),
        ({"pratique_ids": [999999]}, "pratique_ids", "n'existe pas dans cet événement"),
    ],
)
def test_invalid_fields_are_refused_in_french(chantier_atelier, actor_in, change, field, message):
    atelier = chantier_atelier()
    with pytest.raises(ValidationError) as caught:
        post(actor_in(atelier), atelier, **change)
    assert message in caught.value.errors[field]
    db.session.rollback()
    assert db.session.query(Contribution).count() == 0


def test_every_field_error_is_reported_at_once(chantier_atelier, actor_in):
    atelier = chantier_atelier()
    with pytest.raises(ValidationError) as caught:
        post(actor_in(atelier), atelier, titre="", objectif="x" * 1001, communes=["Nulle-part"])
    assert set(caught.value.errors) == {"titre", "objectif", "communes"}


def test_pratiques_must_come_from_the_same_event(chantier_atelier, actor_in, pratique):
    atelier = chantier_atelier()
    elsewhere = pratique(chantier_atelier().event)
    with pytest.raises(ValidationError) as caught:
        post(actor_in(atelier), atelier, pratique_ids=[elsewhere.id])
    assert "pratique_ids" in caught.value.errors


def test_a_chantier_cannot_be_linked_as_a_pratique(chantier_atelier, actor_in):
    atelier = chantier_atelier()
    actor = actor_in(atelier)
    first, _ = post(actor, atelier)
    with pytest.raises(ValidationError):
        post(actor, atelier, pratique_ids=[first.id])


def test_communes_come_from_the_event_only(chantier_atelier, actor_in):
    atelier = chantier_atelier()
    other = chantier_atelier(event=None)
    other.event.communes = ["Montesson"]
    db.session.commit()
    with pytest.raises(ValidationError):
        post(actor_in(atelier), atelier, communes=["Montesson"])


def test_chantiers_are_proposed_in_afternoon_ateliers_only(make_atelier, actor_in):
    morning = make_atelier()
    with pytest.raises(Forbidden):
        post(actor_in(morning), morning)


def test_only_participants_of_the_atelier_may_propose(chantier_atelier, actor_in):
    atelier = chantier_atelier()
    neighbour = chantier_atelier(event=atelier.event)
    with pytest.raises(NotJoined):
        post(actor_in(neighbour), atelier)
    with pytest.raises(NotJoined):
        post(Actor(event_id=atelier.event_id), atelier)


def test_a_closed_event_refuses_chantiers(chantier_atelier, actor_in):
    atelier = chantier_atelier()
    actor = actor_in(atelier)
    atelier.event.status = "clos"
    db.session.commit()
    with pytest.raises(Closed):
        post(actor, atelier)


def test_additions_keep_their_author_and_are_stored_once(chantier_atelier, actor_in):
    atelier = chantier_atelier()
    card, _ = post(actor_in(atelier, display_name="Nadia"), atelier, partenaires="CAF")
    karim = actor_in(atelier, display_name="Karim", structure="Mission locale")
    cid = new_client_id()
    data = {"client_id": cid, "field": "partenaires", "text": "La Mission locale"}
    addition, version = chantiers.add_to_field(karim, card, data)
    db.session.commit()
    again, none = chantiers.add_to_field(karim, card, data)
    assert version == 2 and none is None and again.id == addition.id
    view = chantiers.chantier_view(card)
    assert view["fields"]["partenaires"] == "CAF"
    (added,) = view["additions"]
    assert added["field"] == "partenaires" and added["text"] == "La Mission locale"
    assert added["author"] == {
        "id": karim.participant.id,
        "display_name": "Karim",
        "structure": "Mission locale",
    }
    assert view["version"] == 1


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"field": "titre", "text": "Nouveau"}, "field"),
        ({"field": "inconnu", "text": "x"}, "field"),
        ({"field": "objectif", "text": "   "}, "text"),
        ({"field": "objectif", "text": "x" * 1001}, "text"),
    ],
)
def test_invalid_additions_are_refused(chantier_atelier, actor_in, data, field):
    atelier = chantier_atelier()
    actor = actor_in(atelier)
    card, _ = post(actor, atelier)
    with pytest.raises(ValidationError) as caught:
        chantiers.add_to_field(actor, card, {"client_id": new_client_id(), **data})
    assert field in caught.value.errors
    assert db.session.query(ChantierAddition).count() == 0


def test_adding_needs_to_be_in_the_atelier(chantier_atelier, actor_in):
    atelier = chantier_atelier()
    card, _ = post(actor_in(atelier), atelier)
    outsider = actor_in(chantier_atelier(event=atelier.event))
    with pytest.raises(NotJoined):
        chantiers.add_to_field(
            outsider, card, {"client_id": new_client_id(), "field": "objectif", "text": "x"}
        )
    with pytest.raises(NotJoined):
        chantiers.add_comment(outsider, card, {"client_id": new_client_id(), "text": "x"})


def test_comments_keep_their_author(chantier_atelier, actor_in):
    atelier = chantier_atelier()
    card, _ = post(actor_in(atelier), atelier)
    karim = actor_in(atelier, display_name="Karim")
    chantiers.add_comment(karim, card, {"client_id": new_client_id(), "text": "Bonne idée !"})
    db.session.commit()
    (comment,) = chantiers.chantier_view(card)["comments"]
    assert comment["text"] == "Bonne idée !" and comment["author"]["display_name"] == "Karim"


def test_the_facilitator_consolidates_and_the_history_stays(
    chantier_atelier, actor_in, organizer_of
):
    atelier = chantier_atelier()
    author = actor_in(atelier)
    card, _ = post(author, atelier, objectif="Un accueil commun")
    chantiers.add_to_field(
        author, card, {"client_id": new_client_id(), "field": "objectif", "text": "itinérant"}
    )
    with pytest.raises(Forbidden):
        chantiers.consolidate(
            author,
            card,
            {"client_id": new_client_id(), "field": "objectif", "text": "Piraté"},
        )
    link, _token = access.create_facilitator_link(atelier.event, atelier, label="Camille")
    facilitator = Actor(event_id=atelier.event_id, links=(link,))
    data = {"client_id": new_client_id(), "field": "objectif", "text": "Un accueil itinérant"}
    version = chantiers.consolidate(facilitator, card, data)
    db.session.commit()
    assert chantiers.consolidate(facilitator, card, data) is None  # same value: a no-op
    view = chantiers.chantier_view(card)
    assert view["fields"]["objectif"] == "Un accueil itinérant"
    assert view["consolidated"]["objectif"]["by"] == "Camille"
    assert [a["text"] for a in view["additions"]] == ["itinérant"]
    assert version == db.session.get(Atelier, atelier.id).version

    organizer = organizer_of(atelier.event)
    chantiers.consolidate(
        organizer, card, {"client_id": new_client_id(), "field": "communes", "values": ["Chatou"]}
    )
    db.session.commit()
    with pytest.raises(ValidationError):
        chantiers.consolidate(
            organizer,
            card,
            {"client_id": new_client_id(), "field": "communes", "values": ["Paris"]},
        )
    db.session.rollback()
    assert chantiers.chantier_view(card)["communes"] == ["Chatou"]


def test_a_link_for_another_atelier_cannot_consolidate(chantier_atelier, actor_in):
    atelier = chantier_atelier()
    card, _ = post(actor_in(atelier), atelier)
    link, _ = access.create_facilitator_link(atelier.event, chantier_atelier(event=atelier.event))
    with pytest.raises(Forbidden):
        chantiers.consolidate(
            Actor(event_id=atelier.event_id, links=(link,)),
            card,
            {"client_id": new_client_id(), "field": "objectif", "text": "x"},
        )


def test_a_chantier_posted_as_a_plain_card_gets_its_fields_on_first_write(
    chantier_atelier, make_participant
):
    atelier = chantier_atelier()
    participant = make_participant(atelier)
    card, _ = create_contribution(
        participant, atelier, {"client_id": new_client_id(), "titre": "Annuaire partagé"}
    )
    db.session.commit()
    actor = Actor(event_id=atelier.event_id, participant=participant)
    assert chantiers.chantier_view(card)["fields"]["constat"] == ""
    chantiers.add_to_field(
        actor, card, {"client_id": new_client_id(), "field": "constat", "text": "On se connaît mal"}
    )
    db.session.commit()
    assert db.session.get(ChantierDetail, card.id) is not None
    assert chantiers.chantier_view(card)["additions"][0]["text"] == "On se connaît mal"


def engage(actor, card, **kw):
    result = chantiers.engage(actor, card, {"client_id": new_client_id(), **kw})
    db.session.commit()
    return result


def test_one_engagement_per_participant(chantier_atelier, actor_in):
    atelier = chantier_atelier()
    card, _ = post(actor_in(atelier), atelier)
    karim = actor_in(atelier)
    _, version = engage(karim, card)
    _, none = engage(karim, card)
    _, changed = engage(karim, card, contact="karim@example.org", consent=True)
    assert version is not None and none is None and changed is not None
    assert db.session.query(Engagement).count() == 1
    assert chantiers.chantier_view(card)["engagements"]["count"] == 1


def test_a_participant_of_another_atelier_may_commit_but_not_a_viewer(chantier_atelier, actor_in):
    atelier = chantier_atelier()
    card, _ = post(actor_in(atelier), atelier)
    engage(actor_in(chantier_atelier(event=atelier.event)), card)
    with pytest.raises(NotJoined):
        engage(Actor(event_id=atelier.event_id), card)
    other_event = actor_in(chantier_atelier())
    with pytest.raises(NotJoined):
        chantiers.engage(
            Actor(event_id=atelier.event_id, participant=other_event.participant),
            card,
            {"client_id": new_client_id()},
        )


def test_a_contact_needs_explicit_consent(chantier_atelier, actor_in):
    atelier = chantier_atelier()
    card, _ = post(actor_in(atelier), atelier)
    karim = actor_in(atelier)
    for consent in (None, False, "non", ""):
        with pytest.raises(ValidationError) as caught:
            engage(karim, card, contact="06 12 34 56 78", consent=consent)
        assert "porteur du chantier" in caught.value.errors["consent"]
        db.session.rollback()
    assert db.session.query(Engagement).count() == 0
    # Consent without a contact shares nothing: it is not kept.
    engagement, _ = engage(karim, card, consent=True)
    assert engagement.consent is False and engagement.contact == ""


def test_contacts_reach_only_the_porteur_and_the_organizers(
    chantier_atelier, actor_in, organizer_of
):
    atelier = chantier_atelier()
    porteur = actor_in(atelier, display_name="Nadia")
    card, _ = post(porteur, atelier)
    karim, lea, sam = actor_in(atelier), actor_in(atelier), actor_in(atelier)
    engage(karim, card, contact="karim@example.org", consent="on")
    engage(lea, card)  # no contact
    engage(sam, card, contact="sam@example.org", consent=True)
    chantiers.disengage(sam, card, {})  # withdrawn: the contact goes with it
    db.session.commit()

    view = chantiers.chantier_view(card)
    assert view["engagements"]["count"] == 2
    assert "example.org" not in json.dumps(view)
    assert "example.org" not in json.dumps(chantiers.chantier_list([card]))

    for allowed in (porteur, organizer_of(atelier.event)):
        assert chantiers.can_see_contacts(allowed, card)
        (contact,) = chantiers.engagement_contacts(allowed, card)
        assert contact["contact"] == "karim@example.org"
        assert contact["participant"]["id"] == karim.participant.id
    for other in (lea, Actor(event_id=atelier.event_id)):
        assert not chantiers.can_see_contacts(other, card)
        with pytest.raises(Forbidden):
            chantiers.engagement_contacts(other, card)
    assert chantiers.my_engagement(karim.participant, card)["contact"] == "karim@example.org"
    assert chantiers.my_engagement(sam.participant, card) is None
    assert db.session.query(Engagement).filter_by(contact="sam@example.org").count() == 0


def test_withdrawing_twice_changes_nothing_the_second_time(chantier_atelier, actor_in):
    atelier = chantier_atelier()
    card, _ = post(actor_in(atelier), atelier)
    karim = actor_in(atelier)
    engage(karim, card)
    assert chantiers.disengage(karim, card, {"client_id": new_client_id()}) is not None
    assert chantiers.disengage(karim, card, {"client_id": new_client_id()}) is None


def test_event_pratiques_lists_every_morning_card_of_the_event(
    chantier_atelier, actor_in, pratique
):
    atelier = chantier_atelier()
    mine = pratique(atelier.event)
    pratique(chantier_atelier().event)  # another event
    post(actor_in(atelier), atelier)  # a chantier is not a pratique
    assert [p["id"] for p in chantiers.event_pratiques(atelier.event)] == [mine.id]


def test_moderated_cards_are_out_of_reach(chantier_atelier, actor_in, pratique):
    atelier = chantier_atelier()
    hidden_pratique = pratique(atelier.event, "Pratique masquée")
    hidden_pratique.hidden = True
    db.session.commit()
    actor = actor_in(atelier)
    assert chantiers.event_pratiques(atelier.event) == []
    with pytest.raises(ValidationError):
        post(actor, atelier, pratique_ids=[hidden_pratique.id])
    card, _ = post(actor, atelier)
    card.hidden = True
    db.session.commit()
    with pytest.raises(NotFound):
        chantiers.add_comment(actor, card, {"client_id": new_client_id(), "text": "x"})
    with pytest.raises(NotFound):
        engage(actor, card)
    link, _ = access.create_facilitator_link(atelier.event, atelier)
    chantiers.check_visible(Actor(event_id=atelier.event_id, links=(link,)), card)


def test_chantiers_follow_the_round_like_any_card(chantier_atelier, actor_in):
    from facilitation.domain.phases import current_round

    atelier = chantier_atelier()
    actor = actor_in(atelier)
    cid = new_client_id()
    card, _ = post(actor, atelier, client_id=cid)
    assert card.round_id == current_round(atelier).id
    current_round(atelier).phase = "vote"
    db.session.commit()
    with pytest.raises(Closed) as caught:
        post(actor, atelier)
    assert "Les contributions sont fermées" in caught.value.message
    db.session.rollback()
    again, version = post(actor, atelier, client_id=cid)  # a late retry still gets its ack
    assert again.id == card.id and version is None
