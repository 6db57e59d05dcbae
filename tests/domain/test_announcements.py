"""Announcements are stored: idempotent by client id, the latest one is current until it is
withdrawn or expires, and the atelier snapshot carries it with its local time."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from facilitation.domain import access, announcements
from facilitation.domain.access import Actor
from facilitation.domain.errors import Forbidden, NotFound, ValidationError
from facilitation.domain.snapshot import atelier_snapshot
from facilitation.extensions import db
from facilitation.models import Announcement, Organizer
from tests.conftest import new_client_id

T0 = datetime(2021, 6, 24, 13, 2, tzinfo=UTC)  # 15h02 in Paris (summer time)


@pytest.fixture
def organized(make_atelier):
    """Factory: ``(atelier, organizer actor)`` for a fresh event."""

    def make():
        atelier = make_atelier()
        organizer = Organizer(email=f"regie-{new_client_id()[:6]}@example.org", password_hash="x")
        db.session.add(organizer)
        db.session.flush()
        access.grant_event(organizer, atelier.event)
        db.session.commit()
        return atelier, Actor(event_id=atelier.event_id, organizer=organizer)

    return make


def test_a_sent_announcement_is_current_and_in_the_snapshot(organized):
    atelier, actor = organized()
    made, created = announcements.send(
        actor, atelier.event, new_client_id(), "  Retour en plénière à 15h45 ", now=T0
    )
    db.session.commit()

    assert created and made.text == "Retour en plénière à 15h45"
    assert announcements.current(atelier.event, T0 + timedelta(minutes=5)) is made
    data = announcements.announcement_dict(made, atelier.event)
    assert data["at_local"] == "2021-06-24T15:02:00+02:00"
    assert "sent_by" not in data and "organizer_id" not in data
    snapshot = atelier_snapshot(atelier, 0)
    # The snapshot reads "now": the announcement sent at T0 expired long ago.
    assert snapshot["announcement"] is None
    fresh, _ = announcements.send(actor, atelier.event, new_client_id(), "Pause café")
    db.session.commit()
    assert atelier_snapshot(atelier, 0)["announcement"]["id"] == fresh.id


def test_the_same_client_id_stores_one_announcement(organized):
    atelier, actor = organized()
    cid = new_client_id()
    first, created = announcements.send(actor, atelier.event, cid, "Pause café")
    again, created_again = announcements.send(actor, atelier.event, cid, "Pause café")
    db.session.commit()
    assert created and not created_again and again.id == first.id
    assert db.session.query(Announcement).count() == 1


def test_the_latest_replaces_and_withdrawing_clears(organized):
    atelier, actor = organized()
    old, _ = announcements.send(actor, atelier.event, new_client_id(), "Pause", now=T0)
    new, _ = announcements.send(
        actor, atelier.event, new_client_id(), "Reprise", now=T0 + timedelta(minutes=1)
    )
    later = T0 + timedelta(minutes=2)
    assert announcements.current(atelier.event, later) is new

    withdrawn, changed = announcements.withdraw(actor, atelier.event, new.id, later)
    assert changed and withdrawn.withdrawn_at == later
    assert announcements.current(atelier.event, later) is None  # the older one stays down
    assert announcements.withdraw(actor, atelier.event, new.id)[1] is False
    assert old.withdrawn_at is None


def test_an_announcement_expires(organized):
    atelier, actor = organized()
    made, _ = announcements.send(actor, atelier.event, new_client_id(), "Pause", 10, now=T0)
    assert announcements.current(atelier.event, T0 + timedelta(minutes=9)) is made
    assert announcements.current(atelier.event, T0 + timedelta(minutes=10)) is None


@pytest.mark.parametrize("minutes", [0, -5, 721, "dix", True])
def test_bad_durations_are_refused(organized, minutes):
    atelier, actor = organized()
    with pytest.raises(ValidationError) as caught:
        announcements.send(actor, atelier.event, new_client_id(), "Pause", minutes)
    assert "minutes" in caught.value.errors


def test_only_the_events_organizers_send_and_withdraw(organized, make_participant):
    atelier, actor = organized()
    other, other_actor = organized()
    made, _ = announcements.send(actor, atelier.event, new_client_id(), "Pause")
    participant = make_participant(atelier)
    for stranger in (
        Actor(event_id=atelier.event_id, participant=participant),
        Actor(event_id=atelier.event_id, organizer=other_actor.organizer),
    ):
        with pytest.raises(Forbidden):
            announcements.send(stranger, atelier.event, new_client_id(), "Piraté")
        with pytest.raises(Forbidden):
            announcements.withdraw(stranger, atelier.event, made.id)
    with pytest.raises(NotFound):
        announcements.withdraw(other_actor, other.event, made.id)


@pytest.mark.parametrize("cid", [None, "", "court", "x" * 65, "pas d'espace"])
def test_a_client_id_is_required(organized, cid):
    atelier, actor = organized()
    with pytest.raises(ValidationError) as caught:
        announcements.send(actor, atelier.event, cid, "Pause")
    assert "client_id" in caught.value.errors
