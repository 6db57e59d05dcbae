"""A participant's phone for real-server tests: an HTTP session holding the signed participant
cookie (from the real join form) and a python-socketio client on the websocket transport."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

import requests
import socketio

from tests.support.csrf import token_from

SLUG = "rencontres-action-sociale-2021"
TIMEOUT = 10.0

Payload = dict[str, Any]


def event_json(base_url: str, slug: str = SLUG) -> Payload:
    response = requests.get(f"{base_url}/api/events/{slug}", timeout=TIMEOUT)
    response.raise_for_status()
    return response.json()


def atelier_ids(base_url: str, slug: str = SLUG) -> list[int]:
    """The ateliers of the first sequence that has ateliers, in programme order."""
    for sequence in event_json(base_url, slug)["programme"]:
        if sequence["ateliers"]:
            return [a["id"] for a in sequence["ateliers"]]
    raise AssertionError("the demo day has no atelier")


def card_count(base_url: str, atelier_id: int, slug: str = SLUG) -> int:
    for atelier in event_json(base_url, slug)["ateliers"]:
        if atelier["id"] == atelier_id:
            count = atelier["contributions"]
            return count if isinstance(count, int) else len(count)
    raise AssertionError(f"atelier {atelier_id} not in the event's JSON")


class Phone:
    """One participant: joins over HTTP like a browser, then talks Socket.IO."""

    def __init__(self, base_url: str, name: str, *, reconnection: bool = False) -> None:
        self.base_url = base_url
        self.name = name
        self.http = requests.Session()
        self.sio = socketio.Client(reconnection=reconnection, reconnection_delay=0.2)
        self.received: list[tuple[str, Payload]] = []
        self._cond = threading.Condition()
        self.sio.on("*", self._record)
        self.sio.on("connect", self._on_connect)
        self.connects = 0
        self.on_connect: Callable[[], None] | None = None

    # -- HTTP ------------------------------------------------------------------------
    def join_event(self, atelier_id: int, slug: str = SLUG) -> None:
        url = f"{self.base_url}/e/{slug}/rejoindre"
        page = self.http.get(url, timeout=TIMEOUT)
        assert page.status_code == 200, page.text[:500]
        response = self.http.post(
            url,
            data={
                "csrf_token": token_from(page.text),  # the form's token, as a browser sends it
                "display_name": self.name,
                "structure": f"Structure de {self.name}",
                "commune": "Saint-Germain-en-Laye",
                "atelier_id": str(atelier_id),
                "consent": "on",
            },
            allow_redirects=False,
            timeout=TIMEOUT,
        )
        assert response.status_code in (302, 303), (response.status_code, response.text[:800])
        assert self.http.cookies, "the join answered without setting the participant cookie"

    @property
    def cookie_header(self) -> str:
        return "; ".join(f"{c.name}={c.value}" for c in self.http.cookies)

    # -- Socket.IO -------------------------------------------------------------------
    def connect(self) -> Phone:
        headers = {"Cookie": self.cookie_header} if self.http.cookies else {}
        self.sio.connect(
            self.base_url, headers=headers, transports=["websocket"], wait_timeout=TIMEOUT
        )
        return self

    def call(self, event: str, payload: Payload) -> Payload:
        return self.sio.call(event, payload, timeout=TIMEOUT)

    def join_atelier(self, atelier_id: int) -> Payload:
        """``atelier:join``; returns the snapshot that the server sends with it."""
        seen = len(self.received)
        ack = self.call("atelier:join", {"atelier_id": atelier_id})
        assert ack.get("ok") is True, ack
        return self.wait_for(
            "atelier:snapshot", lambda p: p["atelier"]["id"] == atelier_id, after=seen
        )

    def _on_connect(self) -> None:
        self.connects += 1
        if self.on_connect is not None:
            self.on_connect()

    def _record(self, event: str, payload: Any = None) -> None:
        with self._cond:
            self.received.append((event, payload))
            self._cond.notify_all()

    def events(self, name: str) -> list[Payload]:
        with self._cond:
            return [p for e, p in self.received if e == name]

    def wait_for(
        self,
        name: str,
        predicate: Callable[[Payload], bool] = lambda _: True,
        *,
        after: int = 0,
        timeout: float = TIMEOUT,
    ) -> Payload:
        """The first ``name`` event (from index ``after``) matching ``predicate``."""

        def match() -> Payload | None:
            for event, payload in self.received[after:]:
                if event == name and predicate(payload):
                    return payload
            return None

        with self._cond:
            found = self._cond.wait_for(match, timeout=timeout)
        assert found is not None, (
            f"{self.name}: no {name!r} within {timeout}s; got {[e for e, _ in self.received]}"
        )
        return found

    def barrier(self, atelier_id: int) -> None:
        """A round trip on this socket: everything the server sent it before is now here.

        One websocket delivers in order, so once the ack of a later request is back, any
        broadcast the server had queued for this socket earlier has been received.
        """
        self.join_atelier(atelier_id)

    def close(self) -> None:
        self.sio.shutdown()  # disconnects, and stops a reconnection loop
        self.http.close()
