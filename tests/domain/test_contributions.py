import pytest

from facilitation.domain.contributions import create_contribution, wall
from facilitation.domain.errors import Closed, NotJoined, ValidationError
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution
from tests.conftest import new_client_id


def post(participant, atelier, **fields):
    data = {"client_id": new_client_id(), "titre": "Appels aux aînés"} | fields
    card, version = create_contribution(participant, atelier, data)
    db.session.commit()
    return card, version


def test_a_card_is_stored_with_its_fields_and_bumps_the_version(make_atelier, make_participant):
    atelier = make_atelier()
    person = make_participant(atelier)
    card, version = post(
        person, atelier, description="Chaque semaine", public_concerne="Personnes âgées"
    )
    assert version == 1
    assert db.session.get(Atelier, atelier.id).version == 1
    assert (card.titre, card.description, card.kind) == (
        "Appels aux aînés",
        "Chaque semaine",
        "pratique",
    )
    assert card.author.id == person.id


def test_the_same_client_id_is_stored_once(make_atelier, make_participant):
    atelier = make_atelier()
    person = make_participant(atelier)
    cid = new_client_id()
    first, v1 = post(person, atelier, client_id=cid)
    again, v2 = post(person, atelier, client_id=cid, titre="Autre texte")
    assert again.id == first.id and again.titre == "Appels aux aînés"
    assert (v1, v2) == (1, None)
    assert db.session.query(Contribution).count() == 1


def test_two_people_may_use_the_same_client_id(make_atelier, make_participant):
    atelier = make_atelier()
    cid = new_client_id()
    post(make_participant(atelier), atelier, client_id=cid)
    post(make_participant(atelier), atelier, client_id=cid)
    assert db.session.query(Contribution).count() == 2


def test_afternoon_ateliers_collect_chantiers(make_atelier, make_participant):
    atelier = make_atelier(kind="ateliers_chantiers")
    card, _ = post(make_participant(atelier), atelier)
    assert card.kind == "chantier"


def test_only_participants_of_this_atelier_may_post(make_atelier, make_participant):
    atelier = make_atelier()
    elsewhere = make_atelier(event=atelier.event)
    with pytest.raises(NotJoined):
        post(None, atelier)
    with pytest.raises(NotJoined):
        post(make_participant(elsewhere), atelier)
    with pytest.raises(NotJoined):
        post(make_participant(make_atelier()), atelier)  # another event


def test_a_closed_event_refuses_cards(make_atelier, make_participant):
    atelier = make_atelier()
    person = make_participant(atelier)
    atelier.event.status = "clos"
    db.session.commit()
    with pytest.raises(Closed) as info:
        post(person, atelier)
    assert "clos" in info.value.message


def test_invalid_fields_store_nothing(make_atelier, make_participant):
    atelier = make_atelier()
    person = make_participant(atelier)
    with pytest.raises(ValidationError) as info:
        post(person, atelier, titre="  ", description="x" * 2001)
    assert set(info.value.errors) == {"titre", "description"}
    db.session.rollback()
    assert db.session.query(Contribution).count() == 0
    assert db.session.get(Atelier, atelier.id).version == 0


def test_the_wall_is_newest_first_and_only_this_atelier(make_atelier, make_participant):
    atelier = make_atelier()
    other = make_atelier(event=atelier.event)
    person = make_participant(atelier)
    first, _ = post(person, atelier, titre="Premier")
    second, _ = post(person, atelier, titre="Second")
    post(make_participant(other), other, titre="Ailleurs")
    assert [c.titre for c in wall(atelier)] == ["Second", "Premier"]
