"""The throwaway load-test event: made with K ateliers, removed whole, never a real event."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from facilitation.domain.contributions import create_contribution
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Event, Participant
from facilitation.models.base import utcnow
from facilitation.ops.loadtest import fixture


def test_create_makes_an_open_marked_event_with_its_ateliers(app) -> None:  # type: ignore[no-untyped-def]
    event = fixture.create_event(3)
    db.session.commit()
    assert event.slug.startswith("loadtest-")
    assert event.organiser_name == fixture.MARKER
    assert event.is_open
    assert len(fixture.describe(event)["ateliers"]) == 3


@pytest.mark.parametrize("count", [0, fixture.MAX_ATELIERS + 1])
def test_create_refuses_an_absurd_atelier_count(app, count: int) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        fixture.create_event(count)


def test_remove_deletes_the_event_and_everything_in_it(app) -> None:  # type: ignore[no-untyped-def]
    event = fixture.create_event(2)
    atelier = db.session.get(Atelier, fixture.describe(event)["ateliers"][0])
    phone = Participant(
        event_id=event.id, display_name="T", structure="S", consent_at=utcnow(),
        current_atelier_id=atelier.id,
    )  # fmt: skip
    db.session.add(phone)
    db.session.flush()
    create_contribution(phone, atelier, {"client_id": uuid.uuid4().hex, "titre": "Carte"})
    db.session.commit()
    assert fixture.tallies(event)["contributions"] == 1

    fixture.remove_event(event.slug)
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Event)) == 0
    assert db.session.scalar(select(func.count()).select_from(Atelier)) == 0
    assert db.session.scalar(select(func.count()).select_from(Participant)) == 0
    assert db.session.scalar(select(func.count()).select_from(Contribution)) == 0


def test_remove_refuses_a_real_event_even_with_a_loadtest_slug(app, make_event) -> None:  # type: ignore[no-untyped-def]
    real = make_event(slug="loadtest-but-real")  # slug alone is not enough: no marker
    db.session.commit()
    with pytest.raises(fixture.NotALoadTestEvent):
        fixture.remove_event(real.slug)
    assert db.session.get(Event, real.id) is not None


def test_dots_open_a_vote_in_every_atelier(app) -> None:  # type: ignore[no-untyped-def]
    from facilitation.domain import voting

    event = fixture.create_event(2, dots=5)
    db.session.commit()
    for atelier_id in fixture.describe(event)["ateliers"]:
        ballot = voting.open_ballot_of(db.session.get(Atelier, atelier_id))
        assert ballot is not None and ballot.dots_per_participant == 5
    assert fixture.tallies(event)["dots"] == 0
    fixture.remove_event(event.slug)
    db.session.commit()


def test_tallies_give_dots_per_card_and_check_every_budget(app) -> None:  # type: ignore[no-untyped-def]
    from facilitation.domain import voting
    from facilitation.domain.access import Actor
    from facilitation.models import Dot, VoterBudget

    event = fixture.create_event(1, dots=3)
    atelier = db.session.get(Atelier, fixture.describe(event)["ateliers"][0])
    people = []
    for name in ("A", "B"):
        person = Participant(
            event_id=event.id, display_name=name, structure="S", consent_at=utcnow(),
            current_atelier_id=atelier.id,
        )  # fmt: skip
        db.session.add(person)
        people.append(person)
    db.session.flush()
    card, _ = create_contribution(people[0], atelier, {"client_id": uuid.uuid4().hex, "titre": "C"})
    db.session.commit()
    for person, n in zip(people, (2, 3), strict=True):
        voting.set_dots(Actor(event_id=event.id, participant=person), atelier, card.id, n)
        db.session.commit()

    read = fixture.tallies(event)
    assert read["dots"] == 5
    assert read["dots_by_contribution"] == {str(card.id): 5}
    assert read["over_budget"] == 0 and read["budget_mismatch"] == 0

    # A budget row that disagrees with its dots is reported (the checks can fail).
    row = db.session.get(VoterBudget, (voting.open_ballot_of(atelier).id, people[0].id))
    row.used = 1
    db.session.commit()
    assert fixture.tallies(event)["budget_mismatch"] == 1
    dot = db.session.scalar(select(Dot).where(Dot.participant_id == people[1].id))
    dot.count = 4  # past the budget of 3 (the dot row itself allows it; the sum does not)
    db.session.commit()
    assert fixture.tallies(event)["over_budget"] == 1


def test_words_open_a_cloud_in_every_atelier_and_tallies_count_its_words(app) -> None:  # type: ignore[no-untyped-def]
    from facilitation.domain import wordcloud
    from facilitation.models import Participant
    from facilitation.models.base import utcnow

    event = fixture.create_event(2, words=3)
    db.session.commit()
    ateliers = [db.session.get(Atelier, i) for i in fixture.describe(event)["ateliers"]]
    clouds = [wordcloud.current_cloud(a) for a in ateliers]
    assert all(c is not None and c.max_words == 3 for c in clouds)
    person = Participant(
        event_id=event.id, display_name="Charge", structure="Test", current_atelier_id=ateliers[0].id,
        consent_at=utcnow(),
    )  # fmt: skip
    db.session.add(person)
    db.session.flush()
    for n, text in enumerate(("écoute", "lien")):
        wordcloud.send_word(
            person,
            ateliers[0],
            {"cloud_id": clouds[0].id, "client_id": f"ltw-test-{n:04d}", "text": text},
        )
    db.session.commit()
    assert fixture.tallies(event)["words"] == 2
    fixture.remove_event(event.slug)
    db.session.commit()


@pytest.mark.parametrize("words", [-1, 11])
def test_create_refuses_an_absurd_word_count(app, words: int) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValueError):
        fixture.create_event(1, words=words)
