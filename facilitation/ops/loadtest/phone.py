"""One simulated phone on asyncio: joins over HTTP like a browser, then speaks Socket.IO.

It records when each card reaches it (``contribution:created``, live) or is first seen in a
snapshot (after a reconnect), so the runner can compute delivery latency and losses.
``time.monotonic()`` is one clock for every process of the machine, so a post timed in one
generator process and received in another can be compared.
"""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import socketio

from facilitation.ops.loadtest.target import Target

TIMEOUT = 30.0
CSRF = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')

#: Error codes meaning "this server does not know ``dot:set``".
UNKNOWN_EVENT_CODES = {"unknown_event", "not_implemented", "unknown"}


@dataclass
class PhoneRecord:
    """What one phone saw; sent back to the runner at the end."""

    index: int
    atelier_id: int
    ready: bool = False
    #: client_id -> monotonic time of the live delivery, or None when first seen in a snapshot.
    seen: dict[str, float | None] = field(default_factory=dict)
    reconnects: int = 0
    resync_s: list[float] = field(default_factory=list)
    join_s: float | None = None
    errors: list[str] = field(default_factory=list)
    unexpected_disconnects: int = 0
    #: Reconnect storm: monotonic time this phone had its snapshot again, and how long the
    #: reconnection took (connect + join + snapshot); None when it did not come back.
    storm_back_at: float | None = None
    storm_resync_s: float | None = None
    #: Vote burst: contribution id -> this phone's dots there as the server acknowledged them;
    #: cards whose last tap got no answer at all (stored or not: unknown) are in dots_unsure.
    dots_acked: dict[int, int] = field(default_factory=dict)
    dots_unsure: list[int] = field(default_factory=list)
    dot_ack_s: list[float] = field(default_factory=list)
    dots_last_ack_at: float | None = None
    #: « En un mot »: the open cloud of the atelier (from the snapshot), the words this phone
    #: had acknowledged, their ack times, and the coalesced ``cloud:tally`` messages it got.
    cloud_id: int | None = None
    words_acked: int = 0
    word_ack_s: list[float] = field(default_factory=list)
    cloud_tallies: int = 0
    cloud_last_tally_at: float | None = None


class Phone:
    def __init__(
        self,
        target: Target,
        index: int,
        atelier_id: int,
        local_addr: str | None = None,
        titles: tuple[str, ...] = (),
    ) -> None:
        self.target = target
        #: Words of the field to post (``--consoles``: the assistant has work); else none.
        self.titles = titles
        self.record = PhoneRecord(index=index, atelier_id=atelier_id)
        self.local_addr = local_addr
        self.http: aiohttp.ClientSession | None = None
        self.sio: socketio.AsyncClient | None = None
        self.cookie = ""
        self.leaving = False
        self.stopping = False
        #: client_id -> contribution id of every card this phone knows (for dots).
        self.cards: dict[str, int] = {}
        self._snapshot: asyncio.Event | None = None
        self._recovering: asyncio.Task[None] | None = None

    @property
    def atelier_id(self) -> int:
        return self.record.atelier_id

    # ------------------------------------------------------------------ HTTP
    async def open(self) -> None:
        # One session per phone: its own cookie jar (python-engineio moves a Cookie header
        # into the session's jar, so phones must not share one) and, for nginx's ip_hash,
        # its own loopback source address. unsafe=True: jars otherwise ignore IP hosts.
        connector = aiohttp.TCPConnector(
            limit=4, local_addr=(self.local_addr, 0) if self.local_addr else None
        )
        self.http = aiohttp.ClientSession(
            connector=connector,
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            timeout=aiohttp.ClientTimeout(total=TIMEOUT),
        )

    async def join_event(self, slug: str) -> None:
        """The join form, as a browser posts it; keeps the signed session cookie."""
        assert self.http is not None
        url = self.target.url(f"/e/{slug}/rejoindre")
        data = {
            "display_name": f"Téléphone {self.record.index}",
            "structure": "Structure de test de charge",
            "commune": "Commune de test",
            "atelier_id": str(self.atelier_id),
            "consent": "on",
        }
        async with self.http.get(url, allow_redirects=False) as page:
            text = await page.text()
            if page.status != 200:
                raise RuntimeError(f"GET rejoindre: HTTP {page.status}")
            token = CSRF.search(text)
            if token:
                data["csrf_token"] = token.group(1)
            cookies = {k: m.value for k, m in page.cookies.items()}
        headers = {"Cookie": _cookie_header(cookies)} if cookies else {}
        async with self.http.post(url, data=data, headers=headers, allow_redirects=False) as resp:
            await resp.read()
            if resp.status not in (302, 303):
                raise RuntimeError(f"POST rejoindre: HTTP {resp.status}")
            location = resp.headers.get("Location", "")
            if location.startswith("http"):
                self.target.check(location)
            cookies.update({k: m.value for k, m in resp.cookies.items()})
        if not cookies:
            raise RuntimeError("POST rejoindre: pas de cookie de session")
        self.cookie = _cookie_header(cookies)

    # ------------------------------------------------------------------ Socket.IO
    async def connect(self) -> None:
        """Connect, join the atelier, wait for its snapshot."""
        if self.sio is None:
            self.sio = socketio.AsyncClient(
                reconnection=False, http_session=self.http, request_timeout=TIMEOUT
            )
            self.sio.on("contribution:created", self._on_created)
            self.sio.on("atelier:snapshot", self._on_snapshot)
            self.sio.on("cloud:tally", self._on_cloud_tally)
            self.sio.on("disconnect", self._on_disconnect)
        self._snapshot = asyncio.Event()
        await self.sio.connect(
            self.target.origin,
            headers={"Cookie": self.cookie},
            transports=["websocket"],
            socketio_path=self.target.socketio_path,
            wait_timeout=TIMEOUT,
        )
        ack = await self.sio.call("atelier:join", {"atelier_id": self.atelier_id}, timeout=TIMEOUT)
        if not isinstance(ack, dict) or ack.get("ok") is not True:
            raise RuntimeError(f"atelier:join refusé : {ack}")
        await asyncio.wait_for(self._snapshot.wait(), TIMEOUT)

    async def drop_and_return(self, away_s: float, attempts: int = 1) -> float:
        """Lose the connection, stay away ``away_s``, come back and resync from the snapshot.

        Tries ``attempts`` times (1 s apart, as a phone retries); returns the seconds the
        successful reconnection took (connect + join + snapshot), raises the last error.
        """
        assert self.sio is not None
        if self._recovering is not None and not self._recovering.done():
            await self._recovering  # already coming back from a drop it did not ask for
        await self._hang_up()
        await asyncio.sleep(away_s)
        for attempt in range(attempts):
            started = time.monotonic()
            try:
                await self.connect()
            except Exception:
                if attempt + 1 >= attempts:
                    raise
                await self._hang_up()  # half-open (connected, join unanswered): start over
                await asyncio.sleep(1.0)
                continue
            took = time.monotonic() - started
            self.record.reconnects += 1
            self.record.resync_s.append(took)
            return took
        raise RuntimeError("unreachable")

    async def _hang_up(self) -> None:
        """Close the socket on purpose (not counted as a drop, no automatic recovery)."""
        assert self.sio is not None
        self.leaving = True
        try:
            with contextlib.suppress(Exception):
                await self.sio.disconnect()
        finally:
            self.leaving = False

    def _title(self, client_id: str) -> str:
        if not self.titles:
            return f"Carte de charge {client_id[-8:]}"
        pick = self.titles[sum(map(ord, client_id)) % len(self.titles)]
        return f"{pick} {client_id[-8:]}"

    async def post(self, client_id: str) -> dict[str, Any]:
        assert self.sio is not None
        return await self.sio.call(
            "contribution:create",
            {
                "client_id": client_id,
                "atelier_id": self.atelier_id,
                "titre": self._title(client_id),
                "description": "Une pratique inventée par le test de charge.",
                "structure": "Structure de test de charge",
                "commune": "Commune de test",
                "public_concerne": "",
            },
            timeout=TIMEOUT,
        )

    async def set_dots(
        self, client_id: str, contribution_id: int, count: int, timeout: float = TIMEOUT
    ) -> Any:
        assert self.sio is not None
        return await self.sio.call(
            "dot:set",
            {
                "client_id": client_id,
                "atelier_id": self.atelier_id,
                "contribution_id": contribution_id,
                "count": count,
            },
            timeout=timeout,
        )

    async def send_word(self, client_id: str, text: str, timeout: float = TIMEOUT) -> Any:
        """One word to the atelier's open « en un mot » cloud (``cloud:send``)."""
        assert self.sio is not None
        return await self.sio.call(
            "cloud:send",
            {
                "client_id": client_id,
                "atelier_id": self.atelier_id,
                "cloud_id": self.record.cloud_id,
                "text": text,
            },
            timeout=timeout,
        )

    async def close(self) -> None:
        self.stopping = True
        try:
            if self.sio is not None and self.sio.connected:
                await self.sio.disconnect()
        finally:
            if self.http is not None:
                await self.http.close()

    # ------------------------------------------------------------------ handlers
    async def _on_created(self, payload: dict[str, Any]) -> None:
        now = time.monotonic()
        cid = (payload.get("contribution") or {}).get("client_id")
        if not isinstance(cid, str):
            return
        if self.record.seen.get(cid) is None:
            self.record.seen[cid] = now
        self.cards[cid] = payload["contribution"]["id"]

    async def _on_snapshot(self, payload: dict[str, Any]) -> None:
        if (payload.get("atelier") or {}).get("id") != self.atelier_id:
            return
        for card in payload.get("contributions") or []:
            cid = card.get("client_id")
            if isinstance(cid, str):
                self.record.seen.setdefault(cid, None)
                self.cards[cid] = card["id"]
        cloud = (payload.get("cloud") or {}).get("cloud") or {}
        if isinstance(cloud.get("id"), int):
            self.record.cloud_id = cloud["id"]
        if self._snapshot is not None:
            self._snapshot.set()

    async def _on_cloud_tally(self, payload: dict[str, Any]) -> None:
        if payload.get("atelier_id") == self.atelier_id:
            self.record.cloud_tallies += 1
            self.record.cloud_last_tally_at = time.monotonic()

    async def _on_disconnect(self, *_: Any) -> None:
        if self.leaving or self.stopping:
            return
        # Dropped by the server or the network: come back like a real phone would.
        self.record.unexpected_disconnects += 1
        if self._recovering is None or self._recovering.done():
            self._recovering = asyncio.get_running_loop().create_task(self._recover())

    async def _recover(self) -> None:
        for attempt in range(5):
            await asyncio.sleep(0.5 * (attempt + 1))
            if self.stopping:
                return
            started = time.monotonic()
            try:
                await self.connect()
            except Exception as exc:  # noqa: BLE001  (recorded, retried)
                self.record.errors.append(f"reconnexion : {exc!r}"[:200])
                if self.sio is not None and self.sio.connected:
                    await self._hang_up()
                continue
            self.record.reconnects += 1
            self.record.resync_s.append(time.monotonic() - started)
            return


def _cookie_header(cookies: dict[str, str]) -> str:
    return "; ".join(f"{k}={v}" for k, v in cookies.items())
