"""Facilitator consoles during a load test (``flask loadtest --consoles``).

The facilitator's assistant (push/assistant.py) only computes for an atelier whose console is
connected: to measure the server with it at work, one console joins each atelier of the run
(one event-wide facilitator link, made by the fixture endpoint) and counts the
``assistant:proposals`` it receives. The phones then post cards with words of the field
(``PRACTICES``) rather than only a serial number, so the assistant has duplicates and themes
to find.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from typing import Any

import aiohttp
import socketio

from facilitation.ops.loadtest.target import Target

TIMEOUT = 30.0

#: Titles a phone picks from when consoles are connected (each followed by a serial number).
PRACTICES = (
    "Appels aux personnes âgées isolées",
    "Épicerie solidaire sur rendez-vous",
    "Maraude du soir maintenue",
    "Colis alimentaires livrés à domicile",
    "Prêt d'ordinateurs aux familles",
    "Permanence téléphonique pour les démarches",
    "Transport solidaire vers la vaccination",
    "Soutien scolaire en visio",
    "Cellule d'écoute psychologique",
    "Réunion hebdomadaire avec les associations",
)


class Consoles:
    """One facilitator console per atelier, on one HTTP session (one facilitator cookie)."""

    def __init__(self, target: Target, facilitator_path: str, atelier_ids: list[int]) -> None:
        self.target = target
        self.path = facilitator_path
        self.atelier_ids = atelier_ids
        self.clients: list[socketio.AsyncClient] = []
        self.connected = 0
        self.proposals = 0
        self.duplicates_seen = 0
        self.themes_seen = 0
        self.ateliers_with_proposals: set[int] = set()
        self.errors: list[str] = []
        self.started = 0.0
        self.first_proposal_s: float | None = None

    async def _cookie(self, http: aiohttp.ClientSession) -> str:
        async with http.get(self.target.url(self.path), allow_redirects=False) as resp:
            await resp.read()
            if resp.status not in (302, 303):
                raise RuntimeError(f"lien d'animation : HTTP {resp.status}")
            cookies = {k: m.value for k, m in resp.cookies.items()}
        if not cookies:
            raise RuntimeError("lien d'animation : pas de cookie de session")
        return "; ".join(f"{k}={v}" for k, v in cookies.items())

    def _on_proposals(self, msg: Any) -> None:
        if not isinstance(msg, dict):
            return
        self.proposals += 1
        if self.first_proposal_s is None:
            self.first_proposal_s = time.monotonic() - self.started
        duplicates, themes = msg.get("duplicates") or [], msg.get("themes") or []
        self.duplicates_seen = max(self.duplicates_seen, len(duplicates))
        self.themes_seen = max(self.themes_seen, len(themes))
        if duplicates or themes:
            self.ateliers_with_proposals.add(int(msg.get("atelier_id") or 0))

    async def run(self, stop: asyncio.Event) -> dict[str, Any]:
        self.started = time.monotonic()
        async with aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True)) as http:
            try:
                cookie = await self._cookie(http)
            except Exception as exc:
                self.errors.append(repr(exc))
                return self.report()
            for atelier_id in self.atelier_ids:
                sio = socketio.AsyncClient(reconnection=True, request_timeout=TIMEOUT)
                sio.on("assistant:proposals", self._on_proposals)
                try:
                    await sio.connect(
                        self.target.origin,
                        headers={"Cookie": cookie},
                        transports=["websocket"],
                        socketio_path=self.target.socketio_path,
                        wait_timeout=TIMEOUT,
                    )
                    ack = await sio.call(
                        "console:join", {"atelier_id": atelier_id}, timeout=TIMEOUT
                    )
                    if not isinstance(ack, dict) or ack.get("ok") is not True:
                        raise RuntimeError(f"console:join refusé : {ack}")
                    self.connected += 1
                except Exception as exc:
                    self.errors.append(f"atelier {atelier_id}: {exc!r}")
                self.clients.append(sio)
            await stop.wait()
            for sio in self.clients:
                with contextlib.suppress(Exception):
                    await sio.disconnect()
        return self.report()

    def report(self) -> dict[str, Any]:
        return {
            "consoles": self.connected,
            "proposal_messages": self.proposals,
            "ateliers_with_proposals": len(self.ateliers_with_proposals),
            "most_duplicates": self.duplicates_seen,
            "most_themes": self.themes_seen,
            "first_proposal_s": (
                round(self.first_proposal_s, 2) if self.first_proposal_s is not None else None
            ),
            "errors": self.errors[:10],
        }
