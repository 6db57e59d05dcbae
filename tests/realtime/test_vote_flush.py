"""The tally flush (push/votes.py, issue 21): reads end before the sends, and phones hear
``vote:progress`` when it says something new, not at every flush of a burst."""

from __future__ import annotations

from facilitation.extensions import db
from facilitation.push import votes
from tests.realtime.test_votes import dot, events, names, open_vote, room  # noqa: F401


def test_an_unchanged_progress_is_not_sent_again_to_every_phone(room, monkeypatch):  # noqa: F811
    open_vote(room, dots_per_participant=3)
    assert dot(room.phones[0], room, room.cards[0], 1)["ok"]
    assert votes.flush() == 1
    (progress,) = events(room.projector, "vote:progress")
    assert (progress["voted"], progress["eligible"]) == (1, 2)
    room.facilitator.get_received()

    # Alice's second dot: the facilitator's tally moves, the room's « 1 / 2 » does not.
    assert dot(room.phones[0], room, room.cards[1], 1)["ok"]
    assert votes.flush() == 1
    (tally,) = events(room.facilitator, "vote:tally")
    assert tally["results"][0]["dots"] == 1 and tally["voted"] == 1
    assert "vote:progress" not in names(room.projector)

    # Bob votes: the progress changed, every phone hears it.
    assert dot(room.phones[1], room, room.cards[0], 1)["ok"]
    votes.flush()
    (progress,) = events(room.projector, "vote:progress")
    assert progress["voted"] == 2

    # Unchanged but old enough: sent again, so a phone back from a reconnection learns it.
    monkeypatch.setattr(votes, "PROGRESS_REFRESH", 0.0)
    assert dot(room.phones[1], room, room.cards[1], 1)["ok"]
    votes.flush()
    assert [m["voted"] for m in events(room.projector, "vote:progress")] == [2]


def test_a_flush_sends_with_no_transaction_open(app, room, monkeypatch):  # noqa: F811
    open_vote(room, dots_per_participant=3)
    assert dot(room.phones[0], room, room.cards[0], 2)["ok"]
    seen: list[tuple[str, bool]] = []
    emit = votes.socketio.emit

    def watching(name, *args, **kwargs):
        seen.append((name, db.session().in_transaction()))
        return emit(name, *args, **kwargs)

    monkeypatch.setattr(votes.socketio, "emit", watching)
    assert votes.flush() == 1
    assert [n for n, _ in seen] == ["vote:tally", "vote:progress"]
    assert not any(open_ for _, open_ in seen), seen
