"""Two workers behind one Redis message queue: a card posted on one worker reaches a phone
connected to the other (Flask-SocketIO's ``message_queue``), both on one PostgreSQL database."""

from __future__ import annotations

import uuid

import pytest

from tests.realserver.clients import Phone, atelier_ids

pytestmark = [pytest.mark.realserver, pytest.mark.redis, pytest.mark.postgres]


def test_broadcast_crosses_workers(live_server_factory, test_redis_url) -> None:  # type: ignore[no-untyped-def]
    first = live_server_factory(database="postgres", SOCKETIO_MESSAGE_QUEUE=test_redis_url)
    second = live_server_factory(share_db_with=first, SOCKETIO_MESSAGE_QUEUE=test_redis_url)
    here = atelier_ids(first.url)[0]

    alice, bob = Phone(first.url, "Alice"), Phone(second.url, "Bob")
    try:
        for phone in (alice, bob):
            phone.join_event(here)
            phone.connect()
            phone.join_atelier(here)

        cid = f"mq-{uuid.uuid4().hex}"
        ack = alice.call(
            "contribution:create",
            {"atelier_id": here, "client_id": cid, "titre": "Un annuaire partagé des structures"},
        )
        assert ack["ok"] is True, ack
        got = bob.wait_for("contribution:created", lambda p: p["contribution"]["client_id"] == cid)
        assert got["contribution"]["id"] == ack["contribution"]["id"]
    finally:
        alice.close()
        bob.close()
