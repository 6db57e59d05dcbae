"""« Tour anonyme » and « validation des cartes » in the domain (issue 20)."""

from __future__ import annotations

import pytest

from facilitation.domain import access, approval, moderation, rounds, voting
from facilitation.domain.access import Actor
from facilitation.domain.contributions import create_contribution, wall
from facilitation.domain.errors import DomainError, Forbidden, NotFound, ValidationError
from facilitation.domain.phases import current_round
from facilitation.domain.snapshot import atelier_snapshot, contribution_dict
from facilitation.extensions import db
from facilitation.models.round import Phase
from tests.conftest import new_client_id


@pytest.fixture
def room(make_atelier, make_participant):
    """Factory: ``(atelier, facilitator, author actor, other participant actor)``."""

    def make(anonymous=False, card_approval=False):
        atelier = make_atelier()
        atelier.card_approval = card_approval
        current_round(atelier).anonymous = anonymous
        link, _ = access.create_facilitator_link(atelier.event, atelier, "Samia")
        author = make_participant(atelier, display_name="Zoé", structure="Mairie")
        other = make_participant(atelier, display_name="Karim")
        db.session.commit()
        return (
            atelier,
            Actor(event_id=atelier.event_id, links=(link,)),
            Actor(event_id=atelier.event_id, participant=author),
            Actor(event_id=atelier.event_id, participant=other),
        )

    return make


def post(actor, atelier, titre="Café des aidants"):
    card, version = create_contribution(
        actor.participant,
        atelier,
        {"client_id": new_client_id(), "titre": titre, "structure": "Mairie", "commune": "Chatou"},
    )
    db.session.commit()
    return card, version


def test_a_card_keeps_the_anonymity_of_the_round_it_was_posted_in(room):
    atelier, facilitator, author, _ = room(anonymous=True)
    before, _ = post(author, atelier, "Avant")
    assert before.anonymous is True
    rnd = current_round(atelier)
    assert approval.set_round_anonymous(facilitator, atelier, rnd, False) is not None
    assert approval.set_round_anonymous(facilitator, atelier, rnd, False) is None  # a set
    after, _ = post(author, atelier, "Après")
    db.session.refresh(before)
    assert before.anonymous is True and after.anonymous is False
    public = contribution_dict(before)
    assert public["author"] is None and public["structure"] == public["commune"] == ""
    assert contribution_dict(after)["author"]["display_name"] == "Zoé"
    # The server still knows: the author's own card, edits and « Mes données » keep working.
    assert before.participant_id == author.participant.id


def test_a_new_round_keeps_the_facilitators_anonymity_choice(room):
    atelier, facilitator, _author, _ = room(anonymous=True)
    rnd = current_round(atelier)
    rounds.transition(facilitator, atelier, rnd, Phase.CLOS)
    nxt, _ = rounds.create_round(facilitator, atelier)
    assert nxt.anonymous is True


def test_only_facilitators_change_the_settings(room):
    atelier, _facilitator, author, _ = room()
    with pytest.raises(Forbidden):
        approval.set_card_approval(author, atelier, True)
    with pytest.raises(Forbidden):
        approval.set_round_anonymous(author, atelier, current_round(atelier), True)


def test_a_pending_card_is_on_no_wall_and_in_no_vote(room):
    atelier, facilitator, author, other = room(card_approval=True)
    card, version = post(author, atelier)
    assert card.status == "pending" and version is None
    assert wall(atelier) == [] and wall(atelier, moderation=True) == []
    assert [c.id for c in approval.queue(atelier)] == [card.id]
    snap = atelier_snapshot(atelier, 0, actor=author)
    assert [c["id"] for c in snap["mine"]["waiting"]] == [card.id]
    assert atelier_snapshot(atelier, 0, actor=other)["mine"]["waiting"] == []
    assert atelier_snapshot(atelier, 0, moderation=True)["queue"][0]["id"] == card.id
    # Not votable while pending.
    rnd = current_round(atelier)
    rounds.transition(facilitator, atelier, rnd, Phase.VOTE)
    with pytest.raises(NotFound):
        voting.set_dots(other, atelier, card.id, 1)


def test_accept_is_idempotent_and_can_edit_first(room):
    atelier, facilitator, author, _ = room(card_approval=True)
    card, _ = post(author, atelier)
    version = approval.accept(facilitator, atelier, card, {"titre": "Café (relu)"})
    assert version is not None and card.status == "accepted" and card.titre == "Café (relu)"
    assert approval.accept(facilitator, atelier, card) is None
    assert [c.id for c in wall(atelier)] == [card.id]
    assert approval.queue(atelier) == []


def test_decline_keeps_the_text_and_the_reason_and_rework_requeues(room):
    atelier, facilitator, author, _ = room(card_approval=True)
    card, _ = post(author, atelier)
    assert approval.decline(facilitator, atelier, card, "Trop vague") is True
    assert approval.decline(facilitator, atelier, card, "Trop vague") is False
    assert (card.status, card.decline_reason, card.titre) == (
        "declined",
        "Trop vague",
        "Café des aidants",
    )
    assert approval.queue(atelier) == []
    with pytest.raises(ValidationError):
        approval.decline(facilitator, atelier, card, "x" * 301)
    reworked, version = moderation.update_own(
        author, atelier, {"client_id": card.client_id, "titre": "Café des aidants du mardi"}
    )
    assert version is None and reworked.status == "pending"
    assert [c.id for c in approval.queue(atelier)] == [card.id]


def test_participants_do_not_decide_and_accepted_cards_are_not_declined(room):
    atelier, facilitator, author, other = room(card_approval=True)
    card, _ = post(author, atelier)
    for who in (author, other):
        with pytest.raises(Forbidden):
            approval.accept(who, atelier, card)
        with pytest.raises(Forbidden):
            approval.decline(who, atelier, card, "")
    approval.accept(facilitator, atelier, card)
    with pytest.raises(DomainError):
        approval.decline(facilitator, atelier, card, "")


def test_turning_approval_off_leaves_waiting_cards_waiting(room):
    atelier, facilitator, author, _ = room(card_approval=True)
    waiting, _ = post(author, atelier, "En file")
    assert approval.set_card_approval(facilitator, atelier, False) is not None
    direct, version = post(author, atelier, "Directe")
    assert direct.status == "accepted" and version is not None
    assert [c.id for c in approval.queue(atelier)] == [waiting.id]
    assert [c.id for c in wall(atelier)] == [direct.id]
