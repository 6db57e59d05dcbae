"""How many SQL statements the hot events run (issue 7).

A vote burst is 10,000 ``dot:set`` and a reconnect storm 2,000 ``atelier:join`` on one
worker: each statement costs every one of them. These budgets hold what was measured, so a
change that adds a query to a hot path says so here rather than in the next ``make bench``.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from sqlalchemy import event as sa_event

from facilitation.extensions import db
from tests.conftest import new_client_id
from tests.support.voting import facilitator_client, make_card

#: upsert of the budget (with the open check; it also returns the applied client ids, so a
#: repeat costs nothing more), the voter's dots, the spend (which records the client id), the
#: dot; before them the atelier, the participant, event + open ballot, the card.
DOT_SET_BUDGET = 5
#: A phone's join with a vote open: see domain/snapshot.py (the wall is cached or not).
#: 13 since « Moi aussi » (issue 19.2): the cards' reaction counts, in the shared (cached)
#: part; the phone's own reactions are read only when some card has reactions.
#: One more since issue 20: the phone's own cards (« votre carte » on anonymous cards, those
#: waiting for approval), in one query, outside the cached part.
#: One more since the photos (issue 19.3): one read of the atelier's photos, in the shared
#: part (a storm of joins reads it from the cache).
#: One more since « en un mot » (issue 19.1): which cloud is open, in the shared part.
JOIN_BUDGET = 16
#: The same join when the shared part of the snapshot is cached (realtime/snapshots.py).
JOIN_CACHED_BUDGET = 8


@contextmanager
def statements(app) -> Iterator[list[str]]:
    seen: list[str] = []

    def record(_conn, _cursor, statement, *_args) -> None:
        seen.append(statement)

    with app.app_context():
        engine = db.engine
    sa_event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        sa_event.remove(engine, "before_cursor_execute", record)


@pytest.fixture
def voting_room(app, make_atelier, joined_client, make_socket):
    atelier = make_atelier()
    phones = [make_socket(joined_client(atelier, display_name=n)) for n in ("Alice", "Bob")]
    cards = [make_card(atelier, titre=t) for t in ("Bus solidaire", "Cantine", "Épicerie")]
    facilitator = make_socket(facilitator_client(app, atelier))
    for socket in [*phones, facilitator]:
        assert socket.emit("atelier:join", {"atelier_id": atelier.id}, callback=True)["ok"]
    ack = facilitator.emit(
        "vote:open",
        {"atelier_id": atelier.id, "settings": {"dots_per_participant": 5}},
        callback=True,
    )
    assert ack["ok"], ack
    # Plain ids: reading an expired test object inside the count would query it.
    return atelier.id, phones, [card.id for card in cards]


def tap(socket, atelier_id, card_id, count):
    payload = {
        "client_id": new_client_id(),
        "atelier_id": atelier_id,
        "contribution_id": card_id,
        "count": count,
    }
    return socket.emit("dot:set", payload, callback=True)


def test_a_dot_tap_stays_within_its_statement_budget(app, voting_room):
    atelier, phones, cards = voting_room
    assert tap(phones[0], atelier, cards[0], 1)["ok"]  # the budget row exists from here on
    for card, count in ((cards[1], 2), (cards[0], 2), (cards[0], 0)):  # new, change, remove
        with statements(app) as seen:
            ack = tap(phones[0], atelier, card, count)
        assert ack["ok"], ack
        assert len(seen) <= DOT_SET_BUDGET, "\n".join(seen)
    # The ack carries the voter's whole state without reading it again.
    assert ack["mine"]["dots"] == {str(cards[1]): 2}
    assert ack["mine"]["dots_left"] == 3


def test_a_first_tap_creates_the_budget_in_the_same_statements(app, voting_room):
    atelier, phones, cards = voting_room
    with statements(app) as seen:
        ack = tap(phones[1], atelier, cards[2], 1)
    assert ack["ok"] and ack["mine"]["used"] == 1
    assert len(seen) <= DOT_SET_BUDGET, "\n".join(seen)


def test_a_join_stays_within_its_statement_budget(app, voting_room):
    atelier, phones, _ = voting_room
    with statements(app) as seen:
        assert phones[1].emit("atelier:join", {"atelier_id": atelier}, callback=True)["ok"]
    assert len(seen) <= JOIN_BUDGET, "\n".join(seen)


def test_a_join_right_after_another_reads_only_its_own_part(app, voting_room):
    """A storm: the second phone of an atelier reuses the wall read for the first."""
    atelier, phones, _ = voting_room
    assert phones[1].emit("atelier:join", {"atelier_id": atelier}, callback=True)["ok"]
    with statements(app) as seen:
        assert phones[0].emit("atelier:join", {"atelier_id": atelier}, callback=True)["ok"]
    assert len(seen) <= JOIN_CACHED_BUDGET, "\n".join(seen)
