"""« Moi aussi » (issue 19.2): one reaction of each kind per person and card, set not toggled."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from facilitation.domain import privacy, profiles, reactions
from facilitation.domain.access import Actor
from facilitation.domain.errors import Forbidden, NotFound, NotJoined, ValidationError
from facilitation.extensions import db
from facilitation.models import Contribution, Reaction
from facilitation.models.base import utcnow


@pytest.fixture
def atelier(make_atelier):
    return make_atelier()


@pytest.fixture
def card(atelier, make_participant):
    def make(author=None, where=None, titre="Épicerie solidaire mobile", **kw):
        where = where or atelier
        author = author or make_participant(where)
        c = Contribution(
            atelier_id=where.id,
            participant_id=author.id,
            client_id=f"c-{author.id}-{titre}"[:64],
            kind=kw.pop("kind", "pratique"),
            titre=titre,
            **kw,
        )
        db.session.add(c)
        db.session.commit()
        return c

    return make


def actor(p):
    return Actor(event_id=p.event_id, participant=p)


def rows():
    return db.session.scalar(select(func.count(Reaction.id)))


def test_one_reaction_of_each_kind_per_person_and_card(atelier, card, make_participant):
    c = card()
    me = make_participant(atelier)
    a = reactions.set_reaction(actor(me), c.id, "nous_aussi", True)
    b = reactions.set_reaction(actor(me), c.id, "interesse", True)
    db.session.commit()
    assert a.changed and b.changed
    assert b.mine == ["interesse", "nous_aussi"]
    assert b.counts == {"nous_aussi": 1, "interesse": 1}
    assert rows() == 2


def test_setting_the_same_state_twice_is_one_row_and_a_retry_cannot_flip_it(
    atelier, card, make_participant
):
    c = card()
    me = make_participant(atelier)
    assert reactions.set_reaction(actor(me), c.id, "nous_aussi", True).changed
    again = reactions.set_reaction(actor(me), c.id, "nous_aussi", True)
    db.session.commit()
    assert again.changed is False and again.as_dict()["duplicate"] is True
    assert again.mine == ["nous_aussi"]
    assert rows() == 1


def test_retract_deletes_the_row_and_retracting_again_changes_nothing(
    atelier, card, make_participant
):
    c = card()
    me = make_participant(atelier)
    reactions.set_reaction(actor(me), c.id, "interesse", True)
    off = reactions.set_reaction(actor(me), c.id, "interesse", False)
    assert off.changed and off.mine == [] and off.counts == {"nous_aussi": 0, "interesse": 0}
    assert reactions.set_reaction(actor(me), c.id, "interesse", False).changed is False
    db.session.commit()
    assert rows() == 0


def test_one_cannot_react_to_ones_own_card(atelier, card, make_participant):
    me = make_participant(atelier)
    c = card(author=me)
    with pytest.raises(Forbidden) as exc:
        reactions.set_reaction(actor(me), c.id, "nous_aussi", True)
    assert "votre propre pratique" in exc.value.message


def test_only_participants_of_the_cards_atelier_may_react(
    atelier, card, make_atelier, make_participant
):
    c = card()
    elsewhere = make_participant(make_atelier(event=atelier.event))
    with pytest.raises(NotJoined):
        reactions.set_reaction(actor(elsewhere), c.id, "nous_aussi", True)
    stranger = make_participant(make_atelier())
    with pytest.raises(NotFound):
        reactions.set_reaction(actor(stranger), c.id, "nous_aussi", True)
    with pytest.raises(NotJoined):
        reactions.set_reaction(Actor(event_id=atelier.event_id), c.id, "nous_aussi", True)


@pytest.mark.parametrize(
    ("change", "words"),
    [
        ({"hidden": True}, "masquée"),
        ({"withdrawn_at": utcnow()}, "retirée"),
    ],
)
def test_hidden_or_withdrawn_cards_refuse_in_french(atelier, card, make_participant, change, words):
    c = card(**change)
    me = make_participant(atelier)
    with pytest.raises(NotFound) as exc:
        reactions.set_reaction(actor(me), c.id, "nous_aussi", True)
    assert words in exc.value.message


def test_merged_cards_and_chantiers_refuse(atelier, card, make_participant):
    target = card(titre="Cible")
    merged = card(titre="Doublon", merged_into_id=target.id)
    chantier = card(titre="Chantier", kind="chantier")
    me = make_participant(atelier)
    with pytest.raises(NotFound) as exc:
        reactions.set_reaction(actor(me), merged.id, "nous_aussi", True)
    assert "regroupée" in exc.value.message
    with pytest.raises(ValidationError):
        reactions.set_reaction(actor(me), chantier.id, "nous_aussi", True)


@pytest.mark.parametrize(
    ("card_id", "kind", "on"),
    [
        ("x", "nous_aussi", True),
        (-1, "nous_aussi", True),
        (2**40, "nous_aussi", True),
        (None, "interesse", True),
        ("ok", "bravo", True),
        ("ok", None, True),
        ("ok", "interesse", "toggle"),
        ("ok", "interesse", 1),
    ],
)
def test_bad_input_is_refused_and_stores_nothing(
    atelier, card, make_participant, card_id, kind, on
):
    c = card()
    me = make_participant(atelier)
    with pytest.raises(ValidationError):
        reactions.set_reaction(actor(me), c.id if card_id == "ok" else card_id, kind, on)
    assert rows() == 0


def test_unknown_card_is_not_found(atelier, make_participant):
    me = make_participant(atelier)
    with pytest.raises(NotFound):
        reactions.set_reaction(actor(me), 999999, "nous_aussi", True)


def test_the_author_sees_only_visible_profiles_and_counts_the_others(
    atelier, card, make_participant
):
    author = make_participant(atelier)
    c = card(author=author)
    seen = make_participant(atelier, display_name="Inès", structure="CCAS de Chatou")
    profiles.save_profile(seen, {"visible": "on"})
    hidden = make_participant(atelier, display_name="Secret", structure="Mairie")
    profiles.save_profile(hidden, {"visible": ""})
    no_profile = make_participant(atelier, display_name="Sans profil")
    for p in (seen, hidden, no_profile):
        reactions.set_reaction(actor(p), c.id, "nous_aussi", True)
    db.session.commit()
    who = reactions.reactors(actor(author), c.id)["reactions"]["nous_aussi"]
    assert who["count"] == 3
    assert who["people"] == [{"id": seen.id, "display_name": "Inès", "structure": "CCAS de Chatou"}]
    assert who["others"] == 2
    assert "Secret" not in str(who)
    with pytest.raises(Forbidden):
        reactions.reactors(actor(seen), c.id)


def test_snapshot_counts_and_mine(atelier, card, make_participant):
    c = card()
    hidden = card(titre="Masquée")
    me = make_participant(atelier)
    reactions.set_reaction(actor(me), c.id, "interesse", True)
    reactions.set_reaction(actor(me), hidden.id, "nous_aussi", True)
    hidden.hidden = True
    db.session.commit()
    assert reactions.atelier_counts(atelier.id) == {str(c.id): {"nous_aussi": 0, "interesse": 1}}
    assert reactions.mine(me, atelier)[str(c.id)] == ["interesse"]


def test_structure_counts_count_distinct_structures(atelier, card, make_participant):
    c = card()
    for structure in ("CCAS du Pecq", "ccas  du pecq", "Secours populaire", "", ""):
        p = make_participant(atelier, structure=structure)
        reactions.set_reaction(actor(p), c.id, "nous_aussi", True)
    db.session.commit()
    # Two named structures (case and spaces aside) + two people without one.
    assert reactions.structure_counts([c.id])[c.id] == {"nous_aussi": 4, "interesse": 0}


def test_forgetting_a_participant_deletes_their_reactions(atelier, card, make_participant):
    c = card()
    me = make_participant(atelier)
    other = make_participant(atelier)
    reactions.set_reaction(actor(me), c.id, "nous_aussi", True)
    reactions.set_reaction(actor(other), c.id, "nous_aussi", True)
    db.session.commit()
    assert privacy.my_data(me)["reactions"][0]["kind"] == "nous_aussi"
    done = privacy.forget_participant(me)
    db.session.commit()
    assert done.reactions == {atelier.id}
    assert rows() == 1
    assert reactions.counts_of([c.id])[c.id]["nous_aussi"] == 1


def test_interest_suggestions_both_ways_and_visible_profiles_only(atelier, card, make_participant):
    me = make_participant(atelier, display_name="Moi")
    profiles.save_profile(me, {"visible": "on"})
    mine = card(author=me, titre="Ma pratique")
    fan = make_participant(atelier, display_name="Fan")
    profiles.save_profile(fan, {"visible": "on"})
    shy = make_participant(atelier, display_name="Discrète")
    profiles.save_profile(shy, {"visible": ""})
    theirs_author = make_participant(atelier, display_name="Autrice")
    profiles.save_profile(theirs_author, {"visible": "on"})
    theirs = card(author=theirs_author, titre="Sa pratique")
    reactions.set_reaction(actor(fan), mine.id, "interesse", True)
    reactions.set_reaction(actor(fan), mine.id, "nous_aussi", True)
    reactions.set_reaction(actor(shy), mine.id, "interesse", True)
    reactions.set_reaction(actor(me), theirs.id, "interesse", True)
    db.session.commit()
    found = reactions.interest_suggestions(me)
    assert [s.person["display_name"] for s in found] == ["Autrice", "Fan"]
    assert found[1].sentences == ["Fan s'intéresse à votre pratique « Ma pratique »"]
    assert found[0].sentences == ["Vous vous intéressez à la pratique « Sa pratique » de Autrice"]
    # « Nous aussi » alone does not suggest a meeting, a hidden card neither.
    theirs.hidden = True
    db.session.commit()
    assert [s.person["display_name"] for s in reactions.interest_suggestions(me)] == ["Fan"]


def test_an_anonymous_pratique_never_names_its_author_in_the_suggestions(
    atelier, card, make_participant
):
    """Issue 20 beside 19.2: the author of a pratique posted in an anonymous round is not
    suggested to those who answered « Ça m'intéresse » (it would name them)."""
    me = make_participant(atelier, display_name="Moi")
    profiles.save_profile(me, {"visible": "on"})
    author = make_participant(atelier, display_name="Autrice")
    profiles.save_profile(author, {"visible": "on"})
    theirs = card(author=author, titre="Sa pratique")
    reactions.set_reaction(actor(me), theirs.id, "interesse", True)
    db.session.commit()
    assert [s.person["display_name"] for s in reactions.interest_suggestions(me)] == ["Autrice"]
    theirs.anonymous = True
    db.session.commit()
    assert reactions.interest_suggestions(me) == []
    # The author, who knows the card is theirs, still sees who is interested.
    assert [s.person["display_name"] for s in reactions.interest_suggestions(author)] == ["Moi"]
