"""The tour de table and the who's who across two workers (one PostgreSQL database, one Redis
message queue): the facilitator on one worker, the projector and the phones on the other."""

from __future__ import annotations

import pytest

from tests.realserver.clients import SLUG, Phone, atelier_ids
from tests.support.csrf import token_from
from tests.support.roles import live_facilitator_path

pytestmark = [pytest.mark.realserver, pytest.mark.redis, pytest.mark.postgres]


def present(phone: Phone, atelier_id: int, structure: str, offers: str) -> None:
    """Join through the real form with the optional profile filled and « visible » ticked."""
    url = f"{phone.base_url}/e/{SLUG}/rejoindre"
    page = phone.http.get(url, timeout=10)
    response = phone.http.post(
        url,
        data={
            "csrf_token": token_from(page.text),
            "display_name": phone.name,
            "structure": structure,
            "atelier_id": str(atelier_id),
            "consent": "on",
            "offers": offers,
            "visible": "on",
        },
        allow_redirects=False,
        timeout=10,
    )
    assert response.status_code == 303, response.text[:500]


def test_the_tour_and_the_whoswho_cross_workers(live_server_factory, test_redis_url) -> None:  # type: ignore[no-untyped-def]
    first = live_server_factory(database="postgres", SOCKETIO_MESSAGE_QUEUE=test_redis_url)
    second = live_server_factory(share_db_with=first, SOCKETIO_MESSAGE_QUEUE=test_redis_url)
    here = atelier_ids(first.url)[0]

    facilitator = Phone(first.url, "Animatrice")
    opened = facilitator.http.get(first.url + live_facilitator_path(first, SLUG, here), timeout=10)
    assert opened.status_code == 200 and facilitator.http.cookies, opened.status_code
    projector = Phone(second.url, "Projecteur")  # no cookie: an anonymous viewer
    amina, bruno = Phone(second.url, "Amina"), Phone(second.url, "Bruno")
    try:
        for socket in (facilitator, projector):
            socket.connect()
            socket.join_atelier(here)

        seen = len(facilitator.received)
        present(amina, here, "Association Alpha", "aide alimentaire")
        facilitator.wait_for("whoswho:changed", lambda p: p["visible"] >= 1, after=seen)
        present(bruno, here, "Bailleur Bêta", "logements d'urgence")
        changed = facilitator.wait_for("whoswho:changed", lambda p: p["visible"] >= 2, after=seen)
        assert set(changed) == {"atelier_id", "visible"}  # a count, never names, to the room

        whoswho = facilitator.call("whoswho:get", {"atelier_id": here})["whoswho"]
        names = [p["display_name"] for g in whoswho["groups"] for p in g["people"]]
        assert names == ["Amina", "Bruno"]

        ack = facilitator.call("tour:start", {"atelier_id": here, "seconds": 60})
        assert ack["ok"] is True, ack
        state = projector.wait_for("tour:changed", lambda p: p["version"] == ack["tour"]["version"])
        assert state["person"]["display_name"] == "Amina" and state["total"] == 2

        step = facilitator.call("tour:next", {"atelier_id": here, "version": state["version"]})
        assert step["changed"] is True
        state = projector.wait_for(
            "tour:changed", lambda p: p["version"] == step["tour"]["version"]
        )
        assert state["person"]["display_name"] == "Bruno"

        # The projector's worker reads the same state from the shared database.
        assert projector.call("tour:get", {"atelier_id": here})["tour"]["position"] == 1
        refused = projector.call("tour:prev", {"atelier_id": here})
        assert refused["ok"] is False and refused["code"] == "forbidden"
    finally:
        for phone in (facilitator, projector, amina, bruno):
            phone.close()
