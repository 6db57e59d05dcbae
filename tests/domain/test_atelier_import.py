"""Importing ateliers from CSV: preview, line-numbered errors, all or nothing, re-import."""

from __future__ import annotations

import pytest

from facilitation.domain import access
from facilitation.domain.access import Actor
from facilitation.domain.errors import Forbidden, ValidationError
from facilitation.domain.phases import current_round
from facilitation.domain.setup import atelier_import
from facilitation.extensions import db
from facilitation.models import Atelier

GOOD = (
    "sequence;titre;theme;question;salle;capacite\n"
    "pratiques;Isolement;Publics vulnérables;Qu'est-ce qui a marché ?;Salle Ravel;20\n"
    "Ateliers chantiers;Observatoire social;ABS;Quels indicateurs ?;Grande salle;\n"
)


@pytest.fixture
def organizer_of(app):
    accounts = {}

    def make(event):
        if event.id not in accounts:
            account = access.create_organizer(f"o{event.id}@example.org", "un-mot-de-passe-solide")
            access.grant_event(account, event)
            db.session.commit()
            accounts[event.id] = account
        return Actor(event_id=event.id, organizer=accounts[event.id])

    return make


def test_a_preview_writes_nothing_and_an_import_opens_each_atelier(make_event, organizer_of):
    event = make_event()
    result = atelier_import.preview(event, GOOD.encode("utf-8-sig"))
    assert result.ok and [r.line for r in result.rows] == [2, 3]
    assert [r.sequence.kind for r in result.rows] == ["ateliers_pratiques", "ateliers_chantiers"]
    assert db.session.query(Atelier).count() == 0

    atelier_import.apply_import(organizer_of(event), event, GOOD)
    db.session.commit()
    ateliers = db.session.query(Atelier).order_by(Atelier.id).all()
    assert [(a.title, a.room, a.capacity) for a in ateliers] == [
        ("Isolement", "Salle Ravel", 20),
        ("Observatoire social", "Grande salle", None),
    ]
    assert current_round(ateliers[0]).phase == "contributions"

    again = atelier_import.apply_import(organizer_of(event), event, GOOD.replace("20", "25"))
    db.session.commit()
    assert all(r.existing is not None for r in again.rows)
    assert db.session.query(Atelier).count() == 2
    assert db.session.get(Atelier, ateliers[0].id).capacity == 25


def test_errors_name_their_line_and_nothing_is_imported(make_event, organizer_of):
    event = make_event()
    text = (
        "sequence,titre,salle,capacite\n"
        "pratiques,Isolement,Ravel,vingt\n"
        "plénière,Accueil,Hall,\n"
        "\n"
        "pratiques,,Debussy,10\n"
        "pratiques,Isolement,Ravel,\n"
    )
    result = atelier_import.preview(event, text)
    assert not result.ok
    assert result.errors[0].startswith("Ligne 2 : capacité « vingt »")
    assert result.errors[1].startswith("Ligne 3 : séquence « plénière » inconnue")
    assert result.errors[2] == "Ligne 5 : Indiquez « titre »."
    assert result.errors[3] == "Ligne 6 : atelier en double dans le fichier."
    assert len(result.errors) == 4
    with pytest.raises(ValidationError):
        atelier_import.apply_import(organizer_of(event), event, text)
    assert db.session.query(Atelier).count() == 0


def test_missing_columns_and_duplicates_are_reported(make_event):
    event = make_event()
    assert (
        atelier_import.preview(event, "nom;lieu\nA;B\n")
        .errors[0]
        .startswith("Ligne 1 : colonne(s) manquante(s) : sequence, titre")
    )
    twice = "sequence,titre\npratiques,A\npratiques,a\n"
    assert atelier_import.preview(event, twice).errors == [
        "Ligne 3 : atelier en double dans le fichier."
    ]
    assert atelier_import.preview(event, "").errors == ["Le fichier est vide."]


def test_only_the_events_organizers_import(make_event, organizer_of):
    event = make_event()
    other = make_event()
    with pytest.raises(Forbidden):
        atelier_import.apply_import(organizer_of(other) and Actor(event_id=event.id), event, GOOD)
