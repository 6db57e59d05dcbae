"""Demo chantiers for ``flask demo --sample``: fields, additions, comments, engagements.

Called by ``demo_day._load_sample`` once the sample people and cards exist. Idempotent: every
write goes through the domain with a fixed client id (or is a "set"), so running the command
again changes nothing. Contacts are fictitious (``example.org``, 01 99 00 00 xx).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from facilitation.domain import chantiers
from facilitation.domain.access import Actor
from facilitation.extensions import db
from facilitation.models import Contribution, Event, Participant

# Fields of the six chantier cards made by demo_day.SAMPLE_CHANTIERS, by their order there.
SAMPLE_FIELDS: list[dict[str, Any]] = [
    {
        "constat": "Chaque CCAS réalise son analyse des besoins sociaux seul, avec ses propres "
        "indicateurs : impossible de comparer ni de voir les besoins qui dépassent une commune.",
        "objectif": "Un socle commun d'indicateurs et une publication annuelle partagée.",
        "publics": "Élus, CCAS, partenaires du territoire",
        "communes": ["Chatou", "Croissy-sur-Seine", "Le Pecq", "Le Vésinet", "Montesson"],
        "partenaires": "Département des Yvelines, CAF, Insee, bailleurs sociaux",
        "etapes": "1. Recenser les indicateurs de chaque ABS\n2. Choisir 20 indicateurs communs\n"
        "3. Première publication à l'automne",
        "porteur": "CCAS de Saint-Germain-en-Laye",
        "pratiques": [],
    },
    {
        "constat": "Une part importante des ménages ne demande pas les aides auxquelles ils ont "
        "droit, et on ne sait pas pourquoi.",
        "objectif": "Comprendre les raisons du non-recours pour adapter l'accueil.",
        "publics": "Personnes en non-recours, familles monoparentales",
        "communes": ["Houilles", "Sartrouville", "Carrières-sur-Seine"],
        "partenaires": "CAF, université, associations de quartier",
        "etapes": "Questionnaire commun, passation par les CCAS volontaires au printemps",
        "porteur": "CCAS de Houilles",
        "pratiques": [10],
    },
    {
        "constat": "Des ménages relogés arrivent sans équipement ; des objets en bon état "
        "partent à la déchetterie.",
        "objectif": "Une recyclerie qui crée des emplois en insertion et équipe les ménages.",
        "publics": "Personnes en insertion, ménages relogés",
        "communes": ["Sartrouville", "Montesson", "Houilles"],
        "partenaires": "Bailleurs sociaux, chantier d'insertion, syndicat des déchets",
        "etapes": "Trouver un local, répondre à l'appel à projets économie circulaire",
        "porteur": "Secours populaire",
        "pratiques": [],
    },
    {
        "constat": "Pendant la crise, chaque commune avait son registre : impossible de "
        "s'entraider quand une équipe était débordée.",
        "objectif": "Des fiches et des consentements harmonisés pour s'entraider en cas de crise.",
        "publics": "Personnes âgées et personnes handicapées isolées",
        "communes": ["Montesson", "Le Vésinet", "Chatou"],
        "partenaires": "Services d'aide à domicile, pharmacies, Croix-Rouge",
        "etapes": "Modèle de fiche commun, convention entre CCAS",
        "porteur": "CCAS de Montesson",
        "pratiques": [0, 1],
    },
    {
        "constat": "Les épiceries solidaires manquent de place froide et de transport ; les "
        "invendus se perdent.",
        "objectif": "Un entrepôt et un camion frigorifique mutualisés.",
        "publics": "Familles en précarité, étudiants",
        "communes": ["Carrières-sur-Seine", "Sartrouville", "Houilles", "Bezons"],
        "partenaires": "Banque alimentaire, grandes surfaces, Restos du cœur",
        "etapes": "Recenser les besoins de stockage, chiffrer un camion partagé",
        "porteur": "Épicerie solidaire de Carrières",
        "pratiques": [3, 4],
    },
    {
        "constat": "Les bénévoles se forment seuls, souvent après coup.",
        "objectif": "Trois modules communs ouverts à toutes les structures.",
        "publics": "Bénévoles et professionnels",
        "communes": [],
        "partenaires": "Croix-Rouge, CNFPT, Département",
        "etapes": "Premier module (premiers secours psychologiques) avant l'été",
        "porteur": "Croix-Rouge, unité locale",
        "pratiques": [],
    },
]

# New chantiers: (atelier index in the afternoon sequence, person index, titre, fields).
NEW_CHANTIERS: list[tuple[int, int, str, dict[str, Any]]] = [
    (
        0,
        4,
        "Un annuaire partagé des structures sociales de la Boucle",
        {
            "constat": "Les professionnels ne savent pas vers qui orienter dans la commune "
            "voisine ; les annuaires papier sont périmés.",
            "objectif": "Un annuaire en ligne tenu à jour par les structures elles-mêmes.",
            "publics": "Professionnels et bénévoles de l'action sociale",
            "communes": ["Chatou", "Le Pecq", "Le Vésinet", "Croissy-sur-Seine"],
            "partenaires": "Département, Point d'accès au droit, associations",
            "etapes": "Choisir un outil libre, une fiche type, une journée de saisie commune",
            "porteur": "Département des Yvelines (territoire d'action sociale)",
            "pratiques": [10],
        },
    ),
    (
        1,
        9,
        "Une plateforme de mobilité solidaire",
        {
            "constat": "Sans voiture ni permis, des personnes renoncent à un emploi ou à un "
            "rendez-vous médical.",
            "objectif": "Location de véhicules à bas prix, transport solidaire, aide au permis.",
            "publics": "Demandeurs d'emploi, jeunes, personnes âgées sans véhicule",
            "communes": ["Sartrouville", "Houilles", "Montesson", "Carrières-sur-Seine"],
            "partenaires": "Pôle emploi, mission locale, auto-écoles sociales, transporteurs",
            "etapes": "Étude des besoins, visite d'une plateforme existante",
            "porteur": "Bailleur social",
            "pratiques": [],
        },
    ),
    (
        1,
        5,
        "Un PTCE de l'économie solidaire de la Boucle",
        {
            "constat": "Les structures d'insertion, les associations et les entreprises "
            "travaillent côte à côte sans stratégie commune.",
            "objectif": "Un pôle territorial de coopération économique avec des projets communs.",
            "publics": "Structures de l'ESS, personnes en insertion",
            "communes": ["Sartrouville", "Montesson", "Le Pecq", "Saint-Germain-en-Laye"],
            "partenaires": "Région, Département, chambre de commerce, entreprises locales",
            "etapes": "Réunir les structures volontaires, répondre à l'appel à manifestation",
            "porteur": "",
            "pratiques": [],
        },
    ),
    (
        2,
        0,
        "Un guichet unique itinérant",
        {
            "constat": "Les habitants des quartiers éloignés et les personnes âgées ne viennent "
            "pas jusqu'aux permanences en mairie.",
            "objectif": "Un bus d'accueil social qui passe chaque semaine dans chaque commune.",
            "publics": "Personnes âgées, personnes éloignées du numérique",
            "communes": ["Le Mesnil-le-Roi", "Maisons-Laffitte", "Le Pecq", "Montesson"],
            "partenaires": "France services, CAF, CPAM, médiateurs numériques",
            "etapes": "1. Tournée test de trois mois\n2. Bilan avec les habitants",
            "porteur": "CCAS de Saint-Germain-en-Laye",
            "pratiques": [0, 10],
        },
    ),
]

# (chantier number, person index, field, text): chantier numbers count SAMPLE_FIELDS first,
# then NEW_CHANTIERS.
ADDITIONS: list[tuple[int, int, str, str]] = [
    (0, 4, "partenaires", "L'Observatoire départemental peut fournir les données de la CAF."),
    (0, 7, "etapes", "Commencer par trois communes pilotes pour tester les indicateurs."),
    (4, 5, "partenaires", "Le Secours populaire peut prêter son camion deux jours par semaine."),
    (4, 3, "publics", "Les étudiants des résidences Crous"),
    (6, 3, "publics", "Jeunes en service civique"),
    (9, 1, "partenaires", "La Croix-Rouge a un véhicule aménagé qui dort l'hiver."),
    (9, 8, "etapes", "Associer les épiceries solidaires à la tournée."),
]
COMMENTS: list[tuple[int, int, str]] = [
    (0, 2, "Houilles est partante pour être commune pilote."),
    (4, 0, "Attention au coût de la chaîne du froid : à chiffrer dès le départ."),
    (6, 9, "Nous pouvons mettre deux véhicules à disposition pour commencer."),
    (9, 6, "Prévoir un espace confidentiel dans le bus pour les entretiens."),
]
# (chantier number, person index, contact, consent)
ENGAGEMENTS: list[tuple[int, int, str, bool]] = [
    (0, 7, "thomas.g@example.org", True),
    (0, 2, "", False),
    (4, 5, "01 99 00 00 15", True),
    (4, 8, "", False),
    (6, 3, "karim.a@example.org", True),
    (8, 6, "", False),
    (9, 1, "olivier.m@example.org", True),
    (9, 4, "", False),
]


def load_chantiers(event: Event, people: list[Participant]) -> None:
    """Fill the demo's afternoon ateliers with chantiers and their co-building."""
    ateliers = next(s for s in event.sequences if s.kind == "ateliers_chantiers").ateliers
    pratiques = [
        db.session.scalar(
            select(Contribution).where(Contribution.client_id == f"demo-ateliers_pratiques-{n:03d}")
        )
        for n in range(20)
    ]

    def pratique_cards(indexes: list[int]) -> list[Contribution]:
        return [p for i in indexes if i < len(pratiques) and (p := pratiques[i]) is not None]

    def as_in(person: Participant, card: Contribution) -> Actor:
        person.current_atelier_id = card.atelier_id
        db.session.flush()
        return Actor(event_id=event.id, participant=person)

    cards: list[Contribution] = []
    for n, fields in enumerate(SAMPLE_FIELDS):
        card = db.session.scalar(
            select(Contribution).where(
                Contribution.client_id == f"demo-ateliers_chantiers-{n:03d}",
                Contribution.kind == "chantier",
            )
        )
        if card is None:
            continue
        detail = chantiers.ensure_detail(card)
        for name in chantiers.TEXT_FIELD_NAMES:
            setattr(detail, name, fields[name])
        detail.communes = [c for c in event.communes if c in fields["communes"]]
        detail.pratiques = pratique_cards(fields["pratiques"])
        cards.append(card)
    for n, (atelier_index, person_index, titre, fields) in enumerate(NEW_CHANTIERS):
        person = people[person_index]
        atelier = ateliers[atelier_index]
        person.current_atelier_id = atelier.id
        db.session.flush()
        card, _ = chantiers.create_chantier(
            Actor(event_id=event.id, participant=person),
            atelier,
            {
                "client_id": f"demo-chantier-{n:03d}",
                "titre": titre,
                "structure": person.structure,
                **{k: v for k, v in fields.items() if k != "pratiques"},
                "pratique_ids": [p.id for p in pratique_cards(fields["pratiques"])],
            },
        )
        cards.append(card)
    db.session.flush()
    for n, (number, person_index, field, text) in enumerate(ADDITIONS):
        card = cards[number]
        chantiers.add_to_field(
            as_in(people[person_index], card),
            card,
            {"client_id": f"demo-ajout-{n:03d}", "field": field, "text": text},
        )
    for n, (number, person_index, text) in enumerate(COMMENTS):
        card = cards[number]
        chantiers.add_comment(
            as_in(people[person_index], card),
            card,
            {"client_id": f"demo-commentaire-{n:03d}", "text": text},
        )
    for n, (number, person_index, contact, consent) in enumerate(ENGAGEMENTS):
        card = cards[number]
        chantiers.engage(
            as_in(people[person_index], card),
            card,
            {"client_id": f"demo-engagement-{n:03d}", "contact": contact, "consent": consent},
        )
    db.session.flush()
