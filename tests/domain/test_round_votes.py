"""Rounds drive the atelier's ballot, and a merge carries the dots: the two hooks wired."""

import uuid

from facilitation.domain import access, moderation, rounds, voting
from facilitation.domain.access import Actor
from facilitation.domain.phases import current_round
from facilitation.extensions import db
from facilitation.models import Contribution
from facilitation.models.round import Phase


def facilitator(atelier):
    link, _ = access.create_facilitator_link(atelier.event, atelier, "Samia")
    db.session.commit()
    return Actor(event_id=atelier.event_id, links=(link,))


def card(atelier, participant, titre):
    made = Contribution(
        atelier_id=atelier.id,
        participant_id=participant.id,
        client_id=uuid.uuid4().hex,
        kind="pratique",
        titre=titre,
    )
    db.session.add(made)
    db.session.commit()
    return made


def move(actor, atelier, to):
    rounds.transition(actor, atelier, current_round(atelier), to)
    db.session.commit()


def test_the_round_phases_open_reveal_and_close_the_ballot(make_atelier):
    atelier = make_atelier()
    actor = facilitator(atelier)
    assert voting.current_ballot(atelier) is None

    move(actor, atelier, Phase.VOTE)
    ballot = voting.open_ballot_of(atelier)
    assert ballot is not None and ballot.status == "ouvert"

    move(actor, atelier, Phase.RESULTATS)
    assert voting.open_ballot_of(atelier) is None
    assert voting.current_ballot(atelier).status == "révélé"

    move(actor, atelier, Phase.CLOS)
    assert voting.open_ballot_of(atelier) is None


def test_merging_duplicates_moves_their_dots(make_atelier, make_participant):
    atelier = make_atelier()
    actor = facilitator(atelier)
    author, voter = make_participant(atelier), make_participant(atelier)
    target = card(atelier, author, "Épicerie solidaire")
    source = card(atelier, author, "Epicerie solidaire (doublon)")
    move(actor, atelier, Phase.VOTE)
    voting.set_dots(Actor(event_id=atelier.event_id, participant=voter), atelier, source.id, 2)
    db.session.commit()

    moderation.merge(actor, atelier, target, source)
    db.session.commit()

    ballot = voting.current_ballot(atelier)
    counts = {r["contribution_id"]: r["dots"] for r in voting.tally(ballot)["results"]}
    assert counts.get(target.id) == 2
    assert counts.get(source.id, 0) == 0
    mine = voting.my_dots(ballot, voter)
    assert mine["dots_left"] == ballot.dots_per_participant - 2


def test_hiding_a_card_gives_its_dots_back(make_atelier, make_participant):
    atelier = make_atelier()
    actor = facilitator(atelier)
    author, voter = make_participant(atelier), make_participant(atelier)
    kept = card(atelier, author, "Permanence commune")
    hidden = card(atelier, author, "Hors sujet")
    move(actor, atelier, Phase.VOTE)
    phone = Actor(event_id=atelier.event_id, participant=voter)
    voting.set_dots(phone, atelier, hidden.id, 2)
    voting.set_dots(phone, atelier, kept.id, 1)
    db.session.commit()

    moderation.set_flag(actor, atelier, hidden, "hidden", True)
    db.session.commit()

    ballot = voting.current_ballot(atelier)
    mine = voting.my_dots(ballot, voter)
    assert mine["dots"] == {str(kept.id): 1}
    assert mine["dots_left"] == ballot.dots_per_participant - 1
