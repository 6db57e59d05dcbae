import pytest

from facilitation.domain.errors import Closed, ValidationError
from facilitation.domain.participants import join
from facilitation.extensions import db
from facilitation.models import Participant


def form(atelier, **kw):
    return {
        "display_name": "Nadia",
        "structure": "CCAS du Pecq",
        "commune": "Le Pecq",
        "atelier_id": str(atelier.id),
        "consent": "on",
    } | kw


def test_join_creates_a_participant_in_the_atelier(make_atelier):
    atelier = make_atelier()
    person = join(atelier.event, form(atelier), None)
    db.session.commit()
    assert (person.display_name, person.structure, person.commune) == (
        "Nadia",
        "CCAS du Pecq",
        "Le Pecq",
    )
    assert person.current_atelier_id == atelier.id
    assert person.consent_at is not None


def test_joining_again_changes_atelier_and_keeps_the_identity(make_atelier):
    atelier = make_atelier()
    other = make_atelier(event=atelier.event, kind="ateliers_chantiers")
    person = join(atelier.event, form(atelier), None)
    again = join(atelier.event, form(other, display_name="Nadia B."), person)
    db.session.commit()
    assert again.id == person.id
    assert again.current_atelier_id == other.id and again.display_name == "Nadia B."
    assert db.session.query(Participant).count() == 1


def test_every_missing_field_is_reported(make_atelier):
    atelier = make_atelier()
    with pytest.raises(ValidationError) as info:
        join(atelier.event, {"display_name": " ", "atelier_id": "", "consent": ""}, None)
    assert set(info.value.errors) == {"display_name", "structure", "atelier_id", "consent"}


def test_an_atelier_of_another_event_is_refused(make_atelier):
    atelier = make_atelier()
    foreign = make_atelier()
    with pytest.raises(ValidationError) as info:
        join(atelier.event, form(foreign), None)
    assert "n'existe pas" in info.value.errors["atelier_id"]


def test_a_closed_event_cannot_be_joined(make_atelier):
    atelier = make_atelier()
    atelier.event.status = "clos"
    with pytest.raises(Closed):
        join(atelier.event, form(atelier), None)
