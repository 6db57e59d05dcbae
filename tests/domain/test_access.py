"""Roles: organizers own events, facilitator links are scoped and revocable."""

import pytest

from facilitation.domain import access
from facilitation.domain.access import Actor
from facilitation.domain.errors import Forbidden, NotJoined, ValidationError
from facilitation.extensions import db


@pytest.fixture
def make_organizer(app):
    def make(email="agence@example.org", password="un-mot-de-passe-solide", event=None):
        organizer = access.create_organizer(email, password, "Agence")
        if event is not None:
            access.grant_event(organizer, event)
        db.session.commit()
        return organizer

    return make


def test_organizer_passwords_are_hashed_and_checked(make_organizer):
    organizer = make_organizer("Agence@Example.org ")
    assert organizer.email == "agence@example.org"
    assert "solide" not in organizer.password_hash
    assert access.authenticate("AGENCE@example.org", "un-mot-de-passe-solide") == organizer
    assert access.authenticate("agence@example.org", "mauvais mot de passe") is None
    assert access.authenticate("personne@example.org", "un-mot-de-passe-solide") is None


@pytest.mark.parametrize(
    ("email", "password", "field"),
    [("pas-une-adresse", "un-mot-de-passe-solide", "email"), ("a@b.fr", "court", "password")],
)
def test_organizer_creation_validates(app, email, password, field):
    with pytest.raises(ValidationError) as caught:
        access.create_organizer(email, password)
    assert field in caught.value.errors


def test_duplicate_organizer_email_is_refused(make_organizer):
    make_organizer()
    with pytest.raises(ValidationError) as caught:
        access.create_organizer("AGENCE@example.org", "un-autre-mot-de-passe")
    assert "email" in caught.value.errors


def test_organizer_rights_stop_at_their_events(make_atelier, make_organizer):
    mine = make_atelier()
    theirs = make_atelier()
    organizer = make_organizer(event=mine.event)
    actor = Actor(event_id=mine.event_id, organizer=organizer)
    assert actor.is_organizer and actor.facilitates(mine)
    assert access.require_organizer(actor, mine.event) == organizer
    elsewhere = Actor(event_id=theirs.event_id, organizer=organizer)
    assert not elsewhere.is_organizer and not elsewhere.facilitates(theirs)
    with pytest.raises(Forbidden):
        access.require_organizer(elsewhere, theirs.event)


def test_facilitator_link_scopes(make_atelier):
    atelier = make_atelier()
    neighbour = make_atelier(event=atelier.event)
    scoped, token = access.create_facilitator_link(atelier.event, atelier, "Samia")
    whole, _ = access.create_facilitator_link(atelier.event)
    db.session.commit()
    assert access.resolve_facilitator_link(token) == scoped
    assert token not in scoped.token_hash

    one = Actor(event_id=atelier.event_id, links=(scoped,))
    assert one.facilitates(atelier) and not one.facilitates(neighbour)
    with pytest.raises(Forbidden):
        access.require_facilitator(one, neighbour)
    with pytest.raises(Forbidden):
        access.require_organizer(one, atelier.event)
    every = Actor(event_id=atelier.event_id, links=(whole,))
    assert every.facilitates(atelier) and every.facilitates(neighbour)


def test_a_link_never_reaches_another_event(make_atelier):
    atelier = make_atelier()
    foreign = make_atelier()
    link, _ = access.create_facilitator_link(atelier.event)
    assert not Actor(event_id=foreign.event_id, links=(link,)).facilitates(foreign)
    assert not Actor(event_id=atelier.event_id, links=(link,)).facilitates(foreign)


def test_revoked_and_regenerated_links(make_atelier):
    atelier = make_atelier()
    link, token = access.create_facilitator_link(atelier.event, atelier, "Samia")
    fresh, new_token = access.regenerate_facilitator_link(link)
    db.session.commit()
    with pytest.raises(Forbidden, match="révoqué"):
        access.resolve_facilitator_link(token)
    assert access.resolve_facilitator_link(new_token) == fresh
    assert fresh.atelier_id == atelier.id and fresh.label == "Samia"
    assert not Actor(event_id=atelier.event_id, links=(link,)).facilitates(atelier)
    with pytest.raises(Forbidden, match="pas valide"):
        access.resolve_facilitator_link("x" * 32)


def test_participants_act_only_in_their_atelier(make_atelier, make_participant):
    atelier = make_atelier()
    other = make_atelier(event=atelier.event)
    person = make_participant(atelier)
    actor = Actor(event_id=atelier.event_id, participant=person)
    assert access.require_participant_in(actor, atelier) == person
    assert not actor.facilitates(atelier)
    with pytest.raises(NotJoined):
        access.require_participant_in(actor, other)
    with pytest.raises(NotJoined):
        access.require_participant_in(Actor(event_id=atelier.event_id), atelier)


def test_a_facilitator_link_that_is_not_a_token_is_refused_not_crashed(app) -> None:  # type: ignore[no-untyped-def]
    for bad in ("\ud800" * 20, "٣" * 20, "a b" * 10, "x" * 200):
        with pytest.raises(Forbidden):
            access.resolve_facilitator_link(bad)
