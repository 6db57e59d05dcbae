"""Moderation by the facilitator, authors changing their own cards, the projector mode,
and the control room's read model and agenda."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from facilitation.domain import access, control, moderation
from facilitation.domain.access import Actor
from facilitation.domain.contributions import create_contribution, wall
from facilitation.domain.errors import Closed, DomainError, Forbidden, NotFound, ValidationError
from facilitation.domain.phases import current_round
from facilitation.extensions import db
from facilitation.models import Contribution
from facilitation.models.round import Phase
from tests.conftest import new_client_id


@pytest.fixture
def wall_of(make_atelier, make_participant):
    """Factory: ``(atelier, facilitator actor, author actor, [cards])``."""

    def make(titles=("Appels", "Appels aussi")):
        atelier = make_atelier()
        link, _ = access.create_facilitator_link(atelier.event, atelier, "Samia")
        cards = []
        author = None
        for n, titre in enumerate(titles):
            person = make_participant(atelier, display_name=f"Personne {n}")
            author = author or person
            card, _ = create_contribution(
                person,
                atelier,
                {"client_id": new_client_id(), "titre": titre, "description": f"Texte {n}"},
            )
            cards.append(card)
        db.session.commit()
        facilitator = Actor(event_id=atelier.event_id, links=(link,))
        return atelier, facilitator, Actor(event_id=atelier.event_id, participant=author), cards

    return make


def test_an_edit_keeps_the_fields_not_sent_and_marks_the_card(wall_of):
    atelier, facilitator, _author, (card, _other) = wall_of()
    version = moderation.edit_card(facilitator, atelier, card, {"titre": "Appels du lundi"})
    assert version is not None and card.edited_at is not None
    assert (card.titre, card.description) == ("Appels du lundi", "Texte 0")
    assert moderation.edit_card(facilitator, atelier, card, {"titre": "Appels du lundi"}) is None
    with pytest.raises(ValidationError):
        moderation.edit_card(facilitator, atelier, card, {"titre": ""})


def test_hidden_cards_leave_the_public_wall_only(wall_of):
    atelier, facilitator, _author, (card, other) = wall_of()
    assert moderation.set_flag(facilitator, atelier, card, "hidden", True) is not None
    assert moderation.set_flag(facilitator, atelier, card, "hidden", True) is None
    assert [c.id for c in wall(atelier)] == [other.id]
    assert {c.id for c in wall(atelier, moderation=True)} == {card.id, other.id}
    with pytest.raises(ValidationError):
        moderation.set_flag(facilitator, atelier, card, "hidden", "oui")


def test_categories_are_made_once_per_name_and_stay_in_their_atelier(wall_of, make_atelier):
    atelier, facilitator, _author, (card, _other) = wall_of()
    category, version = moderation.create_category(facilitator, atelier, " Lien  social ")
    again, none = moderation.create_category(facilitator, atelier, "lien social")
    assert version is not None and none is None and again.id == category.id
    assert category.name == "Lien social"
    moderation.categorize(facilitator, atelier, card, category.id)
    assert card.category_id == category.id
    foreign = make_atelier()
    link, _ = access.create_facilitator_link(foreign.event, foreign)
    theirs, _ = moderation.create_category(
        Actor(event_id=foreign.event_id, links=(link,)), foreign, "Ailleurs"
    )
    with pytest.raises(NotFound):
        moderation.categorize(facilitator, atelier, card, theirs.id)


def test_a_category_name_with_an_accented_capital_is_made_once(wall_of):
    """« Épicerie » then « épicerie »: the same category (SQLite's lower() ignores « É »)."""
    atelier, facilitator, _author, _cards = wall_of()
    category, version = moderation.create_category(facilitator, atelier, "Épicerie")
    again, none = moderation.create_category(facilitator, atelier, "Épicerie")
    lower, still_none = moderation.create_category(facilitator, atelier, "épicerie")
    assert version is not None and none is None and still_none is None
    assert again.id == category.id == lower.id


def test_a_merge_keeps_both_texts_authors_and_any_earlier_merge(wall_of):
    atelier, facilitator, _author, (a, b, c) = wall_of(("A", "B", "C"))
    moderation.set_flag(facilitator, atelier, c, "pinned", True)
    moderation.merge(facilitator, atelier, b, c)  # C into B
    moderation.merge(facilitator, atelier, a, b)  # B (holding C) into A
    db.session.commit()
    assert [x.id for x in wall(atelier)] == [a.id]
    merged = moderation.merged_cards([a.id])[a.id]
    assert [m.titre for m in merged] == ["B", "C"]
    assert {m.author.display_name for m in merged} == {"Personne 1", "Personne 2"}
    assert a.pinned  # the pin travelled with the duplicate
    with pytest.raises(DomainError):
        moderation.merge(facilitator, atelier, a, a)
    with pytest.raises(DomainError, match="déjà été fusionnée"):
        moderation.merge(facilitator, atelier, b, a)


def test_the_projector_shows_one_visible_card_or_a_mode(wall_of):
    atelier, facilitator, _author, (card, other) = wall_of()
    assert moderation.set_projector_mode(facilitator, atelier, "card", card.id) is not None
    assert (atelier.projector_mode, atelier.projector_focus_id) == ("card", card.id)
    assert moderation.set_projector_mode(facilitator, atelier, "card", card.id) is None
    moderation.set_flag(facilitator, atelier, other, "hidden", True)
    with pytest.raises(DomainError, match="masquée"):
        moderation.set_projector_mode(facilitator, atelier, "card", other.id)
    with pytest.raises(ValidationError):
        moderation.set_projector_mode(facilitator, atelier, "tout", None)
    moderation.set_projector_mode(facilitator, atelier, "categories")
    assert atelier.projector_focus_id is None


def test_authors_change_only_their_own_card_while_contributions_are_open(wall_of):
    atelier, _facilitator, author, (mine, theirs) = wall_of()
    card, version = moderation.update_own(
        author, atelier, {"client_id": mine.client_id, "titre": "Mieux dit"}
    )
    assert version is not None and card.titre == "Mieux dit" and card.edited_at
    with pytest.raises(NotFound):
        moderation.update_own(author, atelier, {"client_id": theirs.client_id, "titre": "Non"})
    current_round(atelier).phase = Phase.VOTE.value
    with pytest.raises(Closed):
        moderation.withdraw_own(author, atelier, {"client_id": mine.client_id})
    current_round(atelier).phase = Phase.CONTRIBUTIONS.value
    card, version = moderation.withdraw_own(author, atelier, {"client_id": mine.client_id})
    assert version is not None and card.withdrawn_at is not None
    assert moderation.withdraw_own(author, atelier, {"client_id": mine.client_id})[1] is None
    assert [c.id for c in wall(atelier, moderation=True)] == [theirs.id]


def test_participants_and_strangers_cannot_moderate(wall_of, make_atelier):
    atelier, _facilitator, author, (card, _other) = wall_of()
    for actor in (author, Actor(event_id=atelier.event_id)):
        with pytest.raises(Forbidden):
            moderation.set_flag(actor, atelier, card, "hidden", True)
        with pytest.raises(Forbidden):
            moderation.create_category(actor, atelier, "X")
    assert not db.session.get(Contribution, card.id).hidden


# ------------------------------------------------------------------------- control room
def test_the_control_room_flags_idle_ateliers_and_missing_facilitators(wall_of):
    atelier, _facilitator, _author, (card, _other) = wall_of()
    later = card.created_at + timedelta(minutes=11)
    consoles = {atelier.id: 1}
    data = control.control_snapshot(
        atelier.event,
        people=lambda _a: 3,
        consoles=lambda a: consoles.get(a, 0),
        now=card.created_at + timedelta(minutes=5),
    )
    (row,) = data["ateliers"]
    assert (row["people"], row["facilitators"], row["cards"]) == (3, 1, 2)
    assert row["round"]["phase"] == "contributions" and row["warnings"] == []
    consoles.clear()
    data = control.control_snapshot(
        atelier.event, people=lambda _a: 0, consoles=lambda _a: 0, now=later
    )
    assert data["ateliers"][0]["warnings"] == ["idle", "no_facilitator"]


def test_the_day_moves_on_one_sequence_at_a_time(wall_of, make_participant):
    atelier, facilitator, author, _cards = wall_of()
    event = atelier.event
    organizer = access.create_organizer("agence@example.org", "un-mot-de-passe-solide")
    access.grant_event(organizer, event)
    boss = Actor(event_id=event.id, organizer=organizer)
    with pytest.raises(Forbidden):
        control.next_sequence(facilitator, event)
    assert control.next_step(event, author.participant) is None
    kinds = []
    for _ in event.sequences:
        kinds.append(control.next_sequence(boss, event).kind)
    assert kinds == ["accueil", "ateliers_pratiques", "ateliers_chantiers"]
    with pytest.raises(DomainError, match="dernière"):
        control.next_sequence(boss, event)
    event.current_sequence_id = atelier.sequence_id
    assert control.next_step(event, author.participant) == (
        f"Rejoignez votre atelier « {atelier.title} »."
    )
    event.current_sequence_id = event.sequences[0].id
    assert control.next_step(event, author.participant).startswith("Ensuite : ")


def test_announcements_are_short_texts():
    assert control.clean_announcement("  Retour en plénière à 15h45 ") == (
        "Retour en plénière à 15h45"
    )
    for bad in ("", "x" * 201, ["liste"]):
        with pytest.raises(ValidationError):
            control.clean_announcement(bad)


def test_timestamps_stay_aware():
    assert control._aware(datetime(2021, 6, 24, 8)).tzinfo is UTC
