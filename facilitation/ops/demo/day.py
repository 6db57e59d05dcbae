"""The demo day: « Les rencontres de l'action sociale — Journée collaborative », 24 juin 2021.

Drawn from the reference programme (Saint-Germain-en-Laye, Théâtre Alexandre-Dumas). Loading
is idempotent: the event, its sequences and ateliers are matched by slug, position and title;
sample cards carry fixed client ids, so loading twice stores them once.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, time
from typing import Any, TypeVar

from sqlalchemy import select

from facilitation.domain.contributions import create_contribution
from facilitation.domain.phases import current_round
from facilitation.extensions import db
from facilitation.models import Atelier, Event, Participant, Sequence
from facilitation.models.base import utcnow
from facilitation.models.contribution import CardStatus
from facilitation.ops.demo.interconnaissance import load_profiles

Row = TypeVar("Row")

SLUG = "rencontres-action-sociale-2021"

COMMUNES = [
    "Aigremont", "Bezons", "Carrières-sur-Seine", "Chambourcy", "Chatou",
    "Croissy-sur-Seine", "Houilles", "L'Étang-la-Ville", "Le Mesnil-le-Roi", "Le Pecq",
    "Le Port-Marly", "Le Vésinet", "Louveciennes", "Maisons-Laffitte", "Mareil-Marly",
    "Marly-le-Roi", "Montesson", "Saint-Germain-en-Laye", "Sartrouville",
]  # fmt: skip

EVENT = {
    "slug": SLUG,
    "title": "Les rencontres de l'action sociale — Journée collaborative",
    "date": date(2021, 6, 24),
    "venue": "Théâtre Alexandre-Dumas, Jardin des arts, 3 rue Henri-IV",
    "city": "Saint-Germain-en-Laye",
    "join_code": "RAS24",
    "timezone": "Europe/Paris",
    "organiser_name": "Les beaux jours, agence d'innovation sociale",
    # The demo is meant to be found from the home page; a client's day is not by default.
    "listed_on_home": True,
}

PRATIQUES = [
    {
        "title": "Garder le lien avec les personnes isolées",
        "theme": "Publics vulnérables",
        "question": "Qu'est-ce qui vous a permis de garder le contact avec les personnes "
        "isolées pendant les confinements ?",
        "room": "Grande salle",
    },
    {
        "title": "Aide alimentaire et urgence sociale",
        "theme": "Nouvelles pratiques de terrain",
        "question": "Quelles organisations de l'aide alimentaire ont tenu pendant la crise, "
        "et avec quels partenaires ?",
        "room": "Foyer du théâtre",
    },
    {
        "title": "Jeunes et étudiants en précarité",
        "theme": "Publics vulnérables",
        "question": "Comment avez-vous repéré et accompagné les jeunes et les étudiants "
        "tombés dans la précarité ?",
        "room": "Salle Debussy",
    },
    {
        "title": "Violences intrafamiliales : repérer et accompagner",
        "theme": "Nouvelles pratiques de terrain",
        "question": "Quelles pratiques ont permis de repérer et de mettre à l'abri les "
        "victimes pendant les confinements ?",
        "room": "Salle Ravel",
    },
    {
        "title": "Numérique et accès aux droits",
        "theme": "Nouvelles pratiques de terrain",
        "question": "Comment avez-vous maintenu l'accès aux droits quand les guichets "
        "étaient fermés ?",
        "room": "Salle Berlioz",
    },
]

CHANTIERS = [
    {
        "title": "Une analyse des besoins sociaux partagée entre communes",
        "theme": "Outils de coopération : l'ABS",
        "question": "Quels besoins sociaux veut-on observer ensemble, à l'échelle de la "
        "Boucle, et avec quelles données ?",
        "room": "Grande salle",
    },
    {
        "title": "Vers un pôle territorial de coopération (PTCE)",
        "theme": "Outils de coopération : les PTCE",
        "question": "Quels acteurs publics, associatifs et économiques réunir dans un pôle "
        "de coopération, autour de quel premier projet ?",
        "room": "Foyer du théâtre",
    },
    {
        "title": "Un réseau intercommunal de veille des personnes fragiles",
        "theme": "Publics vulnérables",
        "question": "Comment partager entre communes le repérage des personnes fragiles "
        "(canicule, épidémie, isolement) ?",
        "room": "Salle Debussy",
    },
    {
        "title": "Coordonner l'aide alimentaire à l'échelle de l'agglomération",
        "theme": "Nouvelles pratiques de terrain",
        "question": "Quelles actions intercommunales pour que l'aide alimentaire ne laisse "
        "personne de côté ?",
        "room": "Salle Ravel",
    },
    {
        "title": "Former et soutenir les professionnels et les bénévoles",
        "theme": "Coopérations territoriales",
        "question": "Quels temps de formation et de soutien mutualiser entre structures ?",
        "room": "Salle Berlioz",
    },
]

PROGRAMME: list[dict[str, Any]] = [
    {"kind": "accueil", "title": "Accueil", "starts_at": time(9, 0), "ends_at": time(9, 30)},
    {
        "kind": "pleniere",
        "title": "Début des travaux",
        "starts_at": time(9, 30),
        "ends_at": time(10, 0),
    },
    {
        "kind": "ateliers_pratiques",
        "title": "Ateliers d'interconnaissance et d'échange de pratiques",
        "starts_at": time(10, 0),
        "ends_at": time(12, 0),
        "ateliers": PRATIQUES,
    },
    {
        "kind": "pause",
        "title": "Buffet déjeunatoire",
        "starts_at": time(12, 0),
        "ends_at": time(13, 30),
    },
    {
        "kind": "ateliers_chantiers",
        "title": "Ateliers de co-construction de chantiers et d'actions intercommunales",
        "starts_at": time(13, 30),
        "ends_at": time(15, 30),
        "ateliers": CHANTIERS,
    },
    {
        "kind": "restitution",
        "title": "Restitution des travaux et perspectives collectives",
        "starts_at": time(15, 45),
        "ends_at": time(16, 30),
    },
]

SAMPLE_PEOPLE = [
    ("Nadia B.", "CCAS de Saint-Germain-en-Laye", "Saint-Germain-en-Laye"),
    ("Olivier M.", "Croix-Rouge, unité locale", "Saint-Germain-en-Laye"),
    ("Claire D.", "CCAS de Houilles", "Houilles"),
    ("Karim A.", "Crous de Versailles", "Le Vésinet"),
    ("Sophie L.", "Département des Yvelines, action sociale territoriale", "Chatou"),
    ("Julien R.", "Secours populaire", "Sartrouville"),
    ("Amélie F.", "Association d'aide aux victimes", "Le Pecq"),
    ("Thomas G.", "CCAS de Montesson", "Montesson"),
    ("Fatou S.", "Épicerie solidaire", "Carrières-sur-Seine"),
    ("Marc V.", "Bailleur social", "Maisons-Laffitte"),
]

# (atelier index in its sequence, person index, titre, description, public concerné)
SAMPLE_PRATIQUES = [
    (0, 0, "Appels de convivialité aux personnes du registre canicule",
     "Pendant le premier confinement, les agents du CCAS et des bénévoles ont appelé chaque "
     "semaine les 600 personnes inscrites au registre. Une grille simple pour repérer les "
     "besoins (courses, médicaments, moral) et orienter.", "Personnes âgées isolées"),
    (0, 1, "Portage de courses et de médicaments par des bénévoles",
     "Binômes de bénévoles formés aux gestes barrières, commandes prises par téléphone, "
     "paiement sans contact avec la pharmacie partenaire.", "Personnes âgées, personnes malades"),
    (0, 7, "Cartes postales entre écoliers et résidents d'EHPAD",
     "Les écoles ont écrit aux résidents ; les réponses ont été lues en classe. Un lien qui "
     "dure depuis.", "Résidents d'EHPAD"),
    (1, 5, "Distribution de colis sur rendez-vous",
     "Créneaux de 10 minutes réservés par SMS pour éviter les files d'attente dehors.",
     "Familles en précarité"),
    (1, 8, "Épicerie solidaire en drive",
     "Commande la veille, retrait au drive : les bénéficiaires ont gardé le choix des "
     "produits.", "Familles, étudiants"),
    (1, 0, "Chèques services d'urgence délivrés en 48 h",
     "Circuit de décision raccourci entre le CCAS et le Département pour les aides "
     "d'urgence.", "Ménages ayant perdu leurs revenus"),
    (2, 3, "Distribution de repas à 1 € et paniers étudiants",
     "Le Crous et les associations ont ouvert des points de distribution près des "
     "résidences ; inscription en ligne, sans justificatif.", "Étudiants"),
    (2, 4, "Permanences sociales en visio pour les jeunes",
     "Rendez-vous avec une assistante sociale en visio ou par téléphone, le soir.",
     "Jeunes de 18 à 25 ans"),
    (3, 6, "Points d'écoute dans les pharmacies",
     "Le code « masque 19 » permettait aux victimes de donner l'alerte en pharmacie ; "
     "formation rapide des pharmaciens du territoire.", "Victimes de violences conjugales"),
    (3, 9, "Logements d'urgence mis à disposition par le bailleur",
     "Trois logements réservés pour mettre à l'abri en moins de 24 h, avec "
     "l'accompagnement de l'association.", "Femmes victimes et leurs enfants"),
    (4, 2, "Médiateurs numériques au téléphone",
     "Une ligne dédiée pour aider à remplir les démarches en ligne (CAF, Pôle emploi, "
     "attestations).", "Personnes éloignées du numérique"),
    (4, 4, "Prêt de tablettes et recharges de données",
     "Tablettes récupérées auprès d'entreprises, reconditionnées et prêtées aux familles "
     "pour l'école à distance.", "Familles avec enfants scolarisés"),
    # For the facilitator's assistant (console « Assistant »): two cards that say what
    # earlier ones say, and a third card on calls, so « Garder le lien » shows proposals.
    (0, 3, "Appels chaque semaine aux personnes du registre canicule",
     "Un agent téléphone aux personnes âgées inscrites pour prendre des nouvelles et "
     "repérer les besoins.", "Personnes âgées isolées"),
    (0, 4, "Lettres des écoliers pour les résidents des EHPAD",
     "Des courriers d'enfants pour les résidents privés de visites.", "Résidents d'EHPAD"),
    (0, 9, "Chaîne d'appels entre voisins",
     "Les gardiens d'immeuble appellent les locataires âgés isolés une fois par semaine.",
     "Personnes âgées isolées"),
]  # fmt: skip

SAMPLE_CHANTIERS = [
    (0, 0, "Un observatoire social partagé de la Boucle",
     "Chaque commune fait son ABS seule, avec des données différentes. Objectif : un socle "
     "commun d'indicateurs et une publication annuelle.", "Toute la population"),
    (0, 2, "Mutualiser l'enquête auprès des publics non recourants",
     "Une enquête commune sur le non-recours aux droits, menée par les CCAS volontaires.",
     "Personnes en non-recours"),
    (1, 5, "Une recyclerie solidaire intercommunale",
     "Emplois en insertion, dons d'équipements aux ménages relogés, en lien avec les "
     "bailleurs.", "Personnes en insertion, ménages relogés"),
    (2, 7, "Un registre des personnes fragiles commun aux communes voisines",
     "Harmoniser les fiches et les consentements pour pouvoir s'entraider en cas de crise.",
     "Personnes âgées et handicapées isolées"),
    (3, 8, "Une plateforme logistique partagée pour l'aide alimentaire",
     "Stockage et camion frigorifique mutualisés entre épiceries solidaires et banques "
     "alimentaires.", "Familles en précarité"),
    (4, 1, "Un cycle de formation commun aux bénévoles",
     "Premiers secours psychologiques, accueil des publics, droits sociaux : trois modules "
     "ouverts à toutes les structures.", "Bénévoles et professionnels"),
]  # fmt: skip


def _upsert(row: Row | None, model: type[Row], values: Mapping[str, Any], **new: Any) -> Row:
    """``row`` (else a new ``model(**new)``, added) with ``values`` set: loading twice updates."""
    if row is None:
        row = model(**new)
        db.session.add(row)
    for key, value in values.items():
        setattr(row, key, value)
    return row


def load(sample: bool = False) -> Event:
    """Create or update the demo day; with ``sample`` also fill it with cards."""
    found = db.session.scalar(select(Event).where(Event.slug == SLUG))
    event = _upsert(found, Event, EVENT | {"communes": COMMUNES})
    db.session.flush()
    by_position = {s.position: s for s in event.sequences}
    for position, spec in enumerate(PROGRAMME):
        fields = {k: spec[k] for k in ("kind", "title", "starts_at", "ends_at")}
        sequence = _upsert(
            by_position.get(position), Sequence, fields, event=event, position=position
        )
        db.session.flush()
        existing = {a.title: a for a in sequence.ateliers}
        for index, atelier_spec in enumerate(spec.get("ateliers", [])):
            atelier = _upsert(
                existing.get(atelier_spec["title"]),
                Atelier,
                atelier_spec,
                event_id=event.id,
                sequence=sequence,
            )
            atelier.position = index
    db.session.flush()
    if sample:
        _load_sample(event)
    return event


#: The pratiques atelier whose sample round is anonymous and whose cards need approval.
SENSITIVE_ATELIER = 3
#: Cards waiting in its console's queue, then one declined with the reason its author reads.
SAMPLE_QUEUE = [
    (2, "Groupe de parole pour les enfants témoins", "Avec la maison des adolescents.", ""),
    (5, "Un numéro", "", "Précisez le numéro, qui l’anime et pour quel public."),
]


def _load_approval_queue(atelier: Atelier, people: list[Participant]) -> None:
    """« Validation des cartes » on, a card waiting and a declined one (console and phones)."""
    atelier.card_approval = True
    for n, (person_index, titre, description, reason) in enumerate(SAMPLE_QUEUE):
        person = people[person_index]
        person.current_atelier_id = atelier.id
        card, _ = create_contribution(
            person,
            atelier,
            {"client_id": f"demo-queue-{n:03d}", "titre": titre, "description": description},
        )
        if reason and card.status == CardStatus.PENDING:
            card.status = CardStatus.DECLINED.value
            card.decline_reason = reason
            card.decided_at = utcnow()
    db.session.flush()


def _load_sample(event: Event) -> None:
    people = []
    for name, structure, commune in SAMPLE_PEOPLE:
        person = db.session.scalar(
            select(Participant).where(
                Participant.event_id == event.id,
                Participant.display_name == name,
                Participant.structure == structure,
            )
        )
        if person is None:
            person = Participant(
                event_id=event.id,
                display_name=name,
                structure=structure,
                commune=commune,
                consent_at=utcnow(),
            )
            db.session.add(person)
        people.append(person)
    db.session.flush()
    sequences = {s.kind: s for s in event.sequences}
    # Issue 20: the violences atelier runs an anonymous round (its cards name nobody).
    sensitive = sequences["ateliers_pratiques"].ateliers[SENSITIVE_ATELIER]
    rnd = current_round(sensitive)
    if rnd is not None:
        rnd.anonymous = True
    for kind, rows in (
        ("ateliers_pratiques", SAMPLE_PRATIQUES),
        ("ateliers_chantiers", SAMPLE_CHANTIERS),
    ):
        ateliers = sequences[kind].ateliers
        for n, (atelier_index, person_index, titre, description, public) in enumerate(rows):
            person = people[person_index]
            atelier = ateliers[atelier_index]
            person.current_atelier_id = atelier.id
            create_contribution(
                person,
                atelier,
                {
                    "client_id": f"demo-{kind}-{n:03d}",
                    "titre": titre,
                    "description": description,
                    "structure": person.structure,
                    "commune": person.commune,
                    "public_concerne": public,
                },
            )
    _load_approval_queue(sensitive, people)
    # The chantiers' fields, additions, comments and engagements.
    from facilitation.ops.demo.chantiers import load_chantiers

    load_chantiers(event, people)
    # Rounds moved to « vote » then « résultats », dots placed: a restitution with rankings.
    from facilitation.ops.demo.votes import load_votes

    load_votes(event, people)
    # « Moi aussi » on the morning pratiques: counts on walls and projectors, who on the
    # authors' phones, suggestions on « rencontres », figures in the restitution.
    from facilitation.ops.demo.reactions import load_reactions

    load_reactions(event, people)
    # A paperboard photo drawn by the demo itself (issue 19.3).
    from facilitation.ops.demo.photos import load_photos

    load_photos(event)
    # « En un mot »: a closed word cloud with 25 phones' words in a morning atelier.
    from facilitation.ops.demo.votes import _facilitator
    from facilitation.ops.demo.wordcloud import load_cloud

    load_cloud(event, people, _facilitator(event))
    for person in people:
        person.current_atelier_id = None
    db.session.flush()
    load_profiles(event)  # who's who, tour de table, matches
