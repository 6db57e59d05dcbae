"""Demo votes for ``flask demo --sample``: rounds moved and dots placed as on the day.

Called by ``demo_day._load_sample`` once the sample people, cards and chantiers exist. Each
atelier below is run as a facilitator and its participants would run it: the facilitator's
vote panel moves the round from « contributions ouvertes » to « vote » (``rounds.open_vote``,
which opens the ballot), each participant, present in the atelier, sets their dots
(``voting.set_dots``), then « Révéler les résultats » moves the round to « résultats »
(``rounds.reveal_vote``). So the restitution ranks the chantiers and pratiques with dots.

The facilitator acts through an event-wide facilitation link labelled ``FACILITATOR_LABEL``
(its token is thrown away: nobody can open it), so the rounds' audit reads like a real one.

Idempotent: an atelier that already has a ballot is left as it is (a second load neither
votes again nor moves a round a demo user has moved since); every dot carries a fixed client
id and is a set. The other ateliers (the first two pratiques ateliers, the last chantier one)
stay in « contributions ouvertes »: the demo keeps live walls to post on.
"""

from __future__ import annotations

from sqlalchemy import select

from facilitation.domain import rounds, voting
from facilitation.domain.access import Actor, create_facilitator_link
from facilitation.domain.phases import current_round
from facilitation.extensions import db
from facilitation.models import Contribution, Event, FacilitatorLink, Participant
from facilitation.models.round import Phase

FACILITATOR_LABEL = "Équipe d'animation (démo)"
#: The vote panel's settings in every demo atelier: 3 dots, at most 2 on one card.
SETTINGS = voting.BallotSettings(dots_per_participant=3, max_per_card=2)

# (sequence kind, atelier index in it, [(person index in demo_day.SAMPLE_PEOPLE,
#  {card client id: dots})]). Card client ids: demo_day (« demo-<kind>-NNN ») and
# demo_chantiers (« demo-chantier-NNN »).
_C = "demo-ateliers_chantiers-{:03d}".format
_N = "demo-chantier-{:03d}".format
_P = "demo-ateliers_pratiques-{:03d}".format
VOTES: list[tuple[str, int, list[tuple[int, dict[str, int]]]]] = [
    # Observatoire social 7, annuaire partagé 6, enquête non-recours 5.
    ("ateliers_chantiers", 0, [
        (0, {_C(0): 1, _N(0): 2}),
        (2, {_C(1): 2, _C(0): 1}),
        (4, {_N(0): 2, _C(1): 1}),
        (6, {_C(0): 2, _N(0): 1}),
        (7, {_C(0): 2, _C(1): 1}),
        (3, {_C(0): 1, _N(0): 1, _C(1): 1}),
    ]),
    # Recyclerie 6, then the two new chantiers 4 and 2.
    ("ateliers_chantiers", 1, [
        (5, {_C(2): 2, _N(2): 1}),
        (9, {_N(1): 2, _C(2): 1}),
        (1, {_C(2): 1, _N(1): 1, _N(2): 1}),
        (8, {_C(2): 2, _N(1): 1}),
    ]),
    # A tie: the registre commun and the new chantier, 6 dots each.
    ("ateliers_chantiers", 2, [
        (7, {_C(3): 2, _N(3): 1}),
        (0, {_N(3): 2, _C(3): 1}),
        (3, {_C(3): 1, _N(3): 2}),
        (6, {_C(3): 2, _N(3): 1}),
    ]),
    ("ateliers_chantiers", 3, [
        (8, {_C(4): 2}),
        (5, {_C(4): 2}),
        (1, {_C(4): 2}),
    ]),
    ("ateliers_pratiques", 2, [
        (3, {_P(6): 2, _P(7): 1}),
        (4, {_P(7): 2, _P(6): 1}),
        (9, {_P(6): 2}),
    ]),
    ("ateliers_pratiques", 3, [
        (6, {_P(8): 2, _P(9): 1}),
        (9, {_P(9): 2, _P(8): 1}),
        (2, {_P(8): 2, _P(9): 1}),
    ]),
    ("ateliers_pratiques", 4, [
        (2, {_P(10): 2, _P(11): 1}),
        (4, {_P(11): 2, _P(10): 1}),
        (7, {_P(11): 2, _P(10): 1}),
    ]),
]  # fmt: skip


def _facilitator(event: Event) -> Actor:
    """The demo's facilitation team: an event-wide link, made once."""
    link = db.session.scalar(
        select(FacilitatorLink).where(
            FacilitatorLink.event_id == event.id,
            FacilitatorLink.atelier_id.is_(None),
            FacilitatorLink.label == FACILITATOR_LABEL,
            FacilitatorLink.revoked_at.is_(None),
        )
    )
    if link is None:
        link, _token = create_facilitator_link(event, None, FACILITATOR_LABEL)
    return Actor(event_id=event.id, links=(link,))


def _card(client_id: str) -> Contribution:
    card = db.session.scalar(select(Contribution).where(Contribution.client_id == client_id))
    if card is None:
        raise LookupError(f"demo card {client_id} is missing")
    return card


def load_votes(event: Event, people: list[Participant]) -> None:
    """Vote in the ateliers of ``VOTES`` that have no ballot yet, and reveal the results."""
    if not event.is_open:  # a closed demo event takes no vote (as on the day)
        return
    facilitator = _facilitator(event)
    sequences = {s.kind: s for s in event.sequences}
    for n, (kind, index, ballots) in enumerate(VOTES):
        atelier = sequences[kind].ateliers[index]
        rnd = current_round(atelier)
        if voting.current_ballot(atelier) is not None or rnd is None:
            continue
        if rnd.phase != Phase.CONTRIBUTIONS.value:
            continue  # moved by hand since: leave it
        rounds.open_vote(facilitator, atelier, SETTINGS)
        for person_index, dots in ballots:
            person = people[person_index]
            person.current_atelier_id = atelier.id  # voters are in the room
            db.session.flush()
            voter = Actor(event_id=event.id, participant=person)
            for client_id, count in dots.items():
                card = _card(client_id)
                voting.set_dots(
                    voter,
                    atelier,
                    card.id,
                    count,
                    client_id=f"demo-point-{n:02d}-{person_index}-{client_id}",
                )
        rounds.reveal_vote(facilitator, atelier)
    db.session.flush()
