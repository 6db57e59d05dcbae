"""A small, complete day for the restitution tests, built with the conftest factories.

Two ateliers in one event: « Pratiques Ω » (three pratiques, dots 3 / 1 / 1, a tie) and
« Chantiers Δ » (two chantiers with structured fields, dots 4 / 2, engagements: one with a
contact shared with consent, one without a contact, and one contact stored *without*
consent, which no output may show). A facilitator wrote the chantiers atelier's synthesis.
Expected values are attributes of the returned ``SampleDay`` so tests read them by name.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from facilitation.domain import chantiers, voting
from facilitation.domain.access import Actor, create_facilitator_link
from facilitation.domain.contributions import create_contribution
from facilitation.domain.restitution import save_synthesis
from facilitation.domain.voting import BallotSettings
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Engagement, Event, Participant

PRATIQUES_TITLE = "Pratiques Ω : garder le lien"
CHANTIERS_TITLE = "Chantiers Δ : coopérer entre communes"
SYNTHESIS = "Un observatoire commun d'abord.\nPuis une plateforme logistique partagée."
SHARED_CONTACT = "dan.contact@example.org"
SECRET_CONTACT = "secret.sans.consentement@example.org"


@dataclass
class SampleDay:
    event: Event
    pratiques: Atelier
    chantiers: Atelier
    people: dict[str, Participant]
    cards: dict[str, Contribution] = field(default_factory=dict)
    #: card title -> dots expected
    dots: dict[str, int] = field(default_factory=dict)


def _actor(person: Participant) -> Actor:
    return Actor(event_id=person.event_id, participant=person)


def _vote(atelier: Atelier, votes: list[tuple[Participant, Contribution, int]]) -> None:
    voting.open_ballot(atelier, BallotSettings(dots_per_participant=5, max_per_card=3))
    for person, card, count in votes:
        voting.set_dots(_actor(person), atelier, card.id, count)
    voting.reveal_ballot(atelier)


def build_sample_day(
    make_event: Callable[..., Event],
    make_atelier: Callable[..., Atelier],
    make_participant: Callable[..., Participant],
    **event_fields: Any,
) -> SampleDay:
    event = make_event(organiser_name="Agence Les beaux jours", **event_fields)
    pratiques = make_atelier(
        event, title=PRATIQUES_TITLE, question="Qu'est-ce qui a tenu pendant la crise ?"
    )
    chantier_atelier = make_atelier(
        event,
        kind="ateliers_chantiers",
        title=CHANTIERS_TITLE,
        question="Quels chantiers intercommunaux lancer ?",
    )
    people = {
        "alice": make_participant(
            pratiques, display_name="Alice", structure="CCAS du Pecq", commune="Le Pecq"
        ),
        "bob": make_participant(
            pratiques, display_name="Bob", structure="Secours populaire", commune="Chatou"
        ),
        "carla": make_participant(
            chantier_atelier, display_name="Carla", structure="CCAS de Chatou", commune="Chatou"
        ),
        "dan": make_participant(
            chantier_atelier, display_name="Dan", structure="Épicerie solidaire", commune=""
        ),
        "eve": make_participant(
            chantier_atelier, display_name="Eve", structure="ccas du pecq", commune="Le Pecq"
        ),
    }
    day = SampleDay(event, pratiques, chantier_atelier, people)

    def pratique(person: str, titre: str, **fields: str) -> Contribution:
        card, _ = create_contribution(
            people[person], pratiques, {"client_id": uuid.uuid4().hex, "titre": titre, **fields}
        )
        day.cards[titre] = card
        return card

    appels = pratique(
        "alice",
        "Appels de convivialité",
        description="Chaque semaine, 600 appels.",
        public_concerne="Personnes âgées isolées",
        structure="CCAS du Pecq",
        commune="Le Pecq",
    )
    colis = pratique("bob", "Colis sur rendez-vous", description="Créneaux par SMS.")
    cartes = pratique("bob", "=Cartes postales", description="Écoles et EHPAD.")

    def chantier(person: str, titre: str, **fields: Any) -> Contribution:
        card, _ = chantiers.create_chantier(
            _actor(people[person]),
            chantier_atelier,
            {"client_id": uuid.uuid4().hex, "titre": titre, **fields},
        )
        day.cards[titre] = card
        return card

    observatoire = chantier(
        "carla",
        "Observatoire social partagé",
        constat="Chaque commune fait son ABS seule.",
        objectif="Un socle commun d'indicateurs.",
        publics="Toute la population",
        communes=["Le Pecq", "Chatou"],
        partenaires="CCAS, Département",
        etapes="Réunion de lancement en septembre.",
        porteur="CCAS de Chatou",
        pratique_ids=[appels.id],
        structure="CCAS de Chatou",
    )
    plateforme = chantier(
        "dan",
        "Plateforme logistique alimentaire",
        objectif="Un camion frigorifique mutualisé.",
        porteur="Épicerie solidaire",
    )
    db.session.flush()
    chantiers.engage(
        _actor(people["dan"]),
        observatoire,
        {"client_id": uuid.uuid4().hex, "contact": SHARED_CONTACT, "consent": "on"},
    )
    chantiers.engage(_actor(people["eve"]), observatoire, {"client_id": uuid.uuid4().hex})
    # A contact stored without consent (as an older version might have): never shown.
    db.session.add(
        Engagement(
            chantier_id=plateforme.id,
            participant_id=people["carla"].id,
            contact=SECRET_CONTACT,
            consent=False,
            client_id=uuid.uuid4().hex,
        )
    )
    _vote(
        pratiques,
        [
            (people["alice"], appels, 2),
            (people["bob"], appels, 1),
            (people["alice"], colis, 1),
            (people["bob"], cartes, 1),
        ],
    )
    _vote(
        chantier_atelier,
        [
            (people["carla"], observatoire, 3),
            (people["dan"], observatoire, 1),
            (people["eve"], plateforme, 2),
        ],
    )
    save_synthesis(
        _facilitator(event, chantier_atelier),
        chantier_atelier,
        SYNTHESIS,
    )
    db.session.commit()
    day.dots = {
        "Appels de convivialité": 3,
        "Colis sur rendez-vous": 1,
        "=Cartes postales": 1,
        "Observatoire social partagé": 4,
        "Plateforme logistique alimentaire": 2,
    }
    return day


def _facilitator(event: Event, atelier: Atelier) -> Actor:
    link, _token = create_facilitator_link(event, atelier, label="Animatrice Δ")
    return Actor(event_id=event.id, links=(link,))
