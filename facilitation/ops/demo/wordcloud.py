"""Demo « en un mot » for ``flask demo --sample``: a closed word cloud in a morning atelier.

Called by ``demo_day._load_sample`` once the sample people exist. In « Garder le lien avec
les personnes isolées » (the first pratiques atelier, in the morning) the facilitation team
asked « En un mot, ce que la crise a changé dans votre travail ? » (3 words per phone); 25
phones answered (the ten sample people and fifteen more people of the room), spelling the
same words differently now and then (« solidarité », « Solidarités »), as on the day. The
cloud is closed: the restitution and its exports show it.

Idempotent: an atelier that already has a cloud is left as it is; every word carries a
fixed client id.
"""

from __future__ import annotations

from sqlalchemy import select

from facilitation.domain import wordcloud
from facilitation.domain.access import Actor
from facilitation.extensions import db
from facilitation.models import Event, Participant
from facilitation.models.base import utcnow

#: (sequence kind, atelier index) of the demo cloud: a morning pratiques atelier.
WHERE = ("ateliers_pratiques", 0)

#: The room's other people (the sample people are the first ten phones).
MORE_PEOPLE = [
    ("Hélène P.", "CCAS du Vésinet", "Le Vésinet"),
    ("Yacine B.", "Mission locale", "Sartrouville"),
    ("Martine C.", "Restos du cœur", "Houilles"),
    ("Paul N.", "CCAS de Chatou", "Chatou"),
    ("Inès T.", "Centre social", "Bezons"),
    ("Gérard L.", "Saint-Vincent-de-Paul", "Le Pecq"),
    ("Aïcha M.", "Maison des solidarités", "Montesson"),
    ("Bruno D.", "CCAS de Croissy-sur-Seine", "Croissy-sur-Seine"),
    ("Léa R.", "Banque alimentaire", "Saint-Germain-en-Laye"),
    ("Samir K.", "Épicerie sociale", "Carrières-sur-Seine"),
    ("Odile F.", "CCAS du Port-Marly", "Le Port-Marly"),
    ("Nicolas H.", "Département des Yvelines", "Marly-le-Roi"),
    ("Rose A.", "Association de quartier", "Maisons-Laffitte"),
    ("Cyril V.", "CCAS de Louveciennes", "Louveciennes"),
    ("Émilie G.", "Secours catholique", "Chambourcy"),
]

#: Each phone's words, in the order sent (25 phones).
WORDS = [
    ["Solidarité", "télétravail", "écoute"],
    ["solidarités", "réactivité", "fatigue"],
    ["Entraide", "visio", "solidarité"],
    ["Télétravail", "isolement", "adaptation"],
    ["solidarité", "lien social", "urgence"],
    ["Écoute", "partenariat", "solidarite"],
    ["fatigue", "Télétravail", "entraide"],
    ["adaptation", "solidarité", "numérique"],
    ["Lien social", "écoute", "précarité"],
    ["Réactivité", "coordination", "solidarité"],
    ["entraide", "téléphone", "solidarité"],
    ["numérique", "fatigue", "Adaptation"],
    ["Solidarité", "confiance", "proximité"],
    ["télétravail", "urgence", "écoute"],
    ["isolement", "solidarité", "liens sociaux"],
    ["Partenariats", "réactivité", "créativité"],
    ["entraide", "Solidarité", "souplesse"],
    ["précarité", "écoute", "fatigue"],
    ["adaptation", "télétravail", "solidarité"],
    ["coordination", "entraide", "visio"],
    ["Écoute", "solidarité", "épuisement"],
    ["proximité", "réactivité", "lien social"],
    ["solidarité", "numérique", "confiance"],
    ["créativité", "adaptation", "entraide"],
    ["urgence", "télétravail", "solidarité"],
]


def _people(event: Event, sample: list[Participant]) -> list[Participant]:
    people = list(sample)
    for name, structure, commune in MORE_PEOPLE:
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
    return people


def load_cloud(event: Event, sample: list[Participant], facilitator: Actor) -> None:
    """The morning atelier's closed word cloud, unless it has one already."""
    if not event.is_open:
        return
    kind, index = WHERE
    atelier = next(s for s in event.sequences if s.kind == kind).ateliers[index]
    if wordcloud.latest_cloud(atelier) is not None:
        return
    people = _people(event, sample)
    cloud, _version = wordcloud.open_cloud(facilitator, atelier, wordcloud.DEFAULT_QUESTION, 3)
    for n, (person, words) in enumerate(zip(people, WORDS, strict=True)):
        person.current_atelier_id = atelier.id  # the phones are in the room
        db.session.flush()
        for m, text in enumerate(words):
            wordcloud.send_word(
                person,
                atelier,
                {"cloud_id": cloud.id, "client_id": f"demo-mot-{n:02d}-{m}", "text": text},
            )
    wordcloud.close_cloud(facilitator, atelier, cloud)
    for person in people[len(sample) :]:
        person.current_atelier_id = None
    db.session.flush()
