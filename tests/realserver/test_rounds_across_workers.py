"""Rounds across two workers (one PostgreSQL database, one Redis message queue): the
facilitator on one worker, the phone on the other; the timer closes the round once, whichever
worker's ticker gets there first, and every phone hears it once."""

from __future__ import annotations

import pytest

from tests.realserver.clients import Phone, atelier_ids
from tests.support.roles import live_facilitator_path

pytestmark = [pytest.mark.realserver, pytest.mark.redis, pytest.mark.postgres]


def test_a_timed_round_closes_once_across_workers(live_server_factory, test_redis_url) -> None:  # type: ignore[no-untyped-def]
    first = live_server_factory(database="postgres", SOCKETIO_MESSAGE_QUEUE=test_redis_url)
    second = live_server_factory(share_db_with=first, SOCKETIO_MESSAGE_QUEUE=test_redis_url)
    here = atelier_ids(first.url)[0]

    facilitator = Phone(first.url, "Animatrice")
    opened = facilitator.http.get(
        first.url + live_facilitator_path(first, "rencontres-action-sociale-2021", here),
        timeout=10,
    )
    assert opened.status_code == 200, opened.status_code
    phone = Phone(second.url, "Amina")
    try:
        phone.join_event(here)
        facilitator.connect()
        phone.connect()
        assert facilitator.call("console:join", {"atelier_id": here})["ok"]
        snapshot = phone.join_atelier(here)
        assert snapshot["round"]["phase"] == "contributions"
        seen = len(phone.received)

        # At zero the round moves on (the facilitator's « passer à la phase suivante »):
        # both workers run the timer loop, the move must be written and sent once.
        chosen = facilitator.call(
            "round:at_zero",
            {"atelier_id": here, "round_id": snapshot["round"]["id"], "at_zero": "advance"},
        )
        assert chosen["ok"], chosen
        started = facilitator.call(
            "round:timer",
            {
                "atelier_id": here,
                "round_id": snapshot["round"]["id"],
                "action": "start",
                "seconds": 2,
            },
        )
        assert started["ok"], started
        moved = phone.wait_for(
            "round:changed", lambda p: p["round"]["phase"] == "vote", after=seen, timeout=15
        )
        # A later change carries the next version: the move was written (and bumped) once.
        closed = facilitator.call(
            "round:transition",
            {"atelier_id": here, "round_id": snapshot["round"]["id"], "to": "clos"},
        )
        assert closed["ok"], closed
        assert closed["version"] == moved["version"] + 1
        phone.wait_for("round:changed", lambda p: p["round"]["phase"] == "clos", after=seen)
        moves = [
            p
            for e, p in phone.received[seen:]
            if e == "round:changed" and p["round"]["phase"] == "vote"
        ]
        assert len(moves) == 1, moves
    finally:
        facilitator.close()
        phone.close()
