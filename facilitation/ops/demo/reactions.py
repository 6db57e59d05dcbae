"""Sample « Moi aussi » for ``flask demo --sample``: reactions on the morning pratiques.

Called by ``demo_day._load_sample`` once the sample people and cards exist, while each
person is still placed in an atelier. Every reaction goes through the domain as a phone's
tap would (``reactions.set_reaction``: participant of the card's atelier, never their own
card); a set, so loading twice stores each reaction once.
"""

from __future__ import annotations

from sqlalchemy import select

from facilitation.domain import reactions
from facilitation.domain.access import Actor
from facilitation.extensions import db
from facilitation.models import Contribution, Event, Participant

_P = "demo-ateliers_pratiques-{:03d}".format

# card client id → (people who do it too, people interested), by index in SAMPLE_PEOPLE.
REACTIONS: dict[str, tuple[tuple[int, ...], tuple[int, ...]]] = {
    _P(0): ((2, 7, 5, 6, 8, 1), (3, 4, 9)),  # registre canicule: shared widely
    _P(1): ((8, 5), (0, 3)),
    _P(2): ((), (2, 4, 6)),
    _P(3): ((8, 1), (9,)),
    _P(4): ((5,), (3, 0, 1, 4)),  # épicerie en drive: many would like to
    _P(5): ((7, 2), ()),
    _P(6): ((8,), (4, 5)),
    _P(9): ((), (6, 0)),
}


def load_reactions(event: Event, people: list[Participant]) -> None:
    for client_id, (too, interested) in REACTIONS.items():
        card = db.session.scalar(
            select(Contribution)
            .join(Contribution.atelier)
            .where(Contribution.client_id == client_id)
            .where(Contribution.atelier.has(event_id=event.id))
        )
        if card is None or not card.visible:
            continue
        for kind, who in (("nous_aussi", too), ("interesse", interested)):
            for index in who:
                person = people[index]
                if person.id == card.participant_id:
                    continue
                # In the card's atelier for the tap, as a phone there would be.
                person.current_atelier_id = card.atelier_id
                db.session.flush()
                reactions.set_reaction(
                    Actor(event_id=event.id, participant=person), card.id, kind, True
                )
