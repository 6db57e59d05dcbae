"""The control room across two workers (one PostgreSQL database, one Redis message queue):
the organizer's régie on one worker counts the facilitator console and the phone connected to
the other, so « pas d'animation connectée » is only said when it is true."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

import pytest

from tests.realserver.clients import SLUG, Phone, atelier_ids
from tests.support.csrf import token_from
from tests.support.roles import live_facilitator_path

pytestmark = [pytest.mark.realserver, pytest.mark.redis, pytest.mark.postgres]

PASSWORD = "un-mot-de-passe-solide"


def organizer(server: Any) -> Phone:
    """A logged-in organizer of the demo event (HTTP login form, then the same cookie)."""
    email = f"regie-{uuid.uuid4().hex[:6]}@example.org"
    server.flask("organizer", "create", email, "--password", PASSWORD, "--event", SLUG)
    regie = Phone(server.url, "Régie")
    url = f"{server.url}/organisateur/connexion"
    page = regie.http.get(url, timeout=10)
    response = regie.http.post(
        url,
        data={"csrf_token": token_from(page.text), "email": email, "password": PASSWORD},
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code in (302, 303), response.text[:500]
    return regie


def row_until(regie: Phone, event_id: int, atelier_id: int, wanted: Callable[[dict], bool]) -> dict:
    """The régie's row of ``atelier_id`` once ``wanted`` holds (counts are published by each
    worker every couple of seconds): waits, up to 20 s, for the state, not for a time."""
    deadline = time.monotonic() + 20
    while True:
        ack = regie.call("control:snapshot", {"event_id": event_id})
        assert ack["ok"], ack
        row = next(a for a in ack["ateliers"] if a["id"] == atelier_id)
        if wanted(row) or time.monotonic() > deadline:
            return row
        time.sleep(0.2)


def test_the_control_room_counts_consoles_and_phones_on_the_other_worker(
    live_server_factory, test_redis_url
) -> None:  # type: ignore[no-untyped-def]
    first = live_server_factory(database="postgres", SOCKETIO_MESSAGE_QUEUE=test_redis_url)
    second = live_server_factory(share_db_with=first, SOCKETIO_MESSAGE_QUEUE=test_redis_url)
    here = atelier_ids(first.url)[0]

    regie = organizer(first)
    facilitator = Phone(second.url, "Animatrice")
    phone = Phone(second.url, "Amina")
    try:
        regie.connect()
        joined = regie.call("control:join", {"event_id": _event_id(first, regie)})
        assert joined["ok"], joined
        event_id = joined["event"]["id"]
        before = next(a for a in joined["ateliers"] if a["id"] == here)
        assert "no_facilitator" in before["warnings"] and before["facilitators"] == 0

        opened = facilitator.http.get(
            second.url + live_facilitator_path(second, SLUG, here), timeout=10
        )
        assert opened.status_code == 200
        facilitator.connect()
        assert facilitator.call("console:join", {"atelier_id": here})["ok"]
        phone.join_event(here)
        phone.connect().join_atelier(here)

        row = row_until(
            regie, event_id, here, lambda r: r["facilitators"] == 1 and r["people"] == 1
        )
        assert (row["facilitators"], row["people"]) == (1, 1), row
        assert "no_facilitator" not in row["warnings"]

        # The console closes: the warning comes back (the worker republishes without it).
        facilitator.close()
        row = row_until(regie, event_id, here, lambda r: r["facilitators"] == 0)
        assert row["facilitators"] == 0 and "no_facilitator" in row["warnings"], row
    finally:
        for client in (regie, facilitator, phone):
            client.close()


def _event_id(server: Any, regie: Phone) -> int:
    """The event's id, as the régie page gives it to its script."""
    page = regie.http.get(f"{server.url}/organisateur/e/{SLUG}/regie", timeout=10)
    match = re.search(r'data-event-id="(\d+)"', page.text)
    assert match, page.text[:500]
    return int(match.group(1))
