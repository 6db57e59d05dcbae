"""Logout and link revocation cut sockets on the other worker too (issue 18.9): two real
workers behind one Redis message queue; the organizer logs out and revokes a link on the
first, and the sockets connected to the second are told and disconnected by the server
(these test clients ignore ``session:ended``, as a hostile one would)."""

from __future__ import annotations

import re
import time
from typing import Any

import pytest

from tests.realserver.clients import SLUG, Phone, atelier_ids
from tests.realserver.test_regie_across_workers import _event_id, organizer
from tests.support.csrf import token_from
from tests.support.roles import live_facilitator_path

pytestmark = [pytest.mark.realserver, pytest.mark.redis]


def disconnected(client: Phone, timeout: float = 10) -> bool:
    deadline = time.monotonic() + timeout
    while client.sio.connected and time.monotonic() < deadline:
        time.sleep(0.05)
    return not client.sio.connected


def post_form(client: Phone, page_url: str, url: str, **data: str) -> Any:
    page = client.http.get(page_url, timeout=10)
    return client.http.post(
        url,
        data={"csrf_token": token_from(page.text), **data},
        allow_redirects=False,
        timeout=10,
    )


def test_logout_and_revocation_on_one_worker_cut_sockets_on_the_other(
    live_server_factory, test_redis_url
) -> None:  # type: ignore[no-untyped-def]
    first = live_server_factory(SOCKETIO_MESSAGE_QUEUE=test_redis_url)
    second = live_server_factory(share_db_with=first, SOCKETIO_MESSAGE_QUEUE=test_redis_url)
    here = atelier_ids(first.url)[0]

    regie = organizer(first)
    event_id = _event_id(first, regie)
    # The same login in another tab whose socket landed on the second worker.
    elsewhere = Phone(second.url, "Régie ailleurs")
    for cookie in regie.http.cookies:
        elsewhere.http.cookies.set(cookie.name, cookie.value)
    facilitator = Phone(second.url, "Animatrice")
    try:
        elsewhere.connect()
        assert elsewhere.call("control:join", {"event_id": event_id})["ok"]
        opened = facilitator.http.get(
            second.url + live_facilitator_path(second, SLUG, here), timeout=10
        )
        assert opened.status_code == 200
        facilitator.connect()
        assert facilitator.call("console:join", {"atelier_id": here})["ok"]

        links = f"{first.url}/organisateur/e/{SLUG}/liens"
        page = regie.http.get(links, timeout=10).text
        newest = max(int(i) for i in re.findall(r'name="link_id" value="(\d+)"', page))
        revoked = post_form(regie, links, links, action="revoke", link_id=str(newest))
        assert revoked.status_code == 303
        assert facilitator.wait_for("session:ended") == {"reason": "revoked"}
        assert disconnected(facilitator), "the revoked console is still connected"
        assert elsewhere.sio.connected

        home = f"{first.url}/organisateur/"
        out = post_form(regie, home, f"{first.url}/organisateur/deconnexion")
        assert out.status_code == 303
        assert elsewhere.wait_for("session:ended") == {"reason": "logout"}
        assert disconnected(elsewhere), "the logged-out régie is still connected"
    finally:
        for client in (regie, elsewhere, facilitator):
            client.close()
