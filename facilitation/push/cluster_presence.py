"""Who is connected, across every worker: the control room's people and facilitator counts.

A worker only knows its own sockets (``presence`` counts participants per atelier, the
Socket.IO manager's console rooms the facilitator consoles). With one worker that is the
truth. With several workers behind a Redis message queue (``SOCKETIO_MESSAGE_QUEUE =
redis://…``), a facilitator whose console landed on the other worker would show as « pas
d'animation connectée » in the régie: so each worker publishes its counts to Redis, in a hash
``facilitation:presence:<worker>`` rewritten every ``PRESENCE_PUBLISH_SECONDS`` with a
time-to-live of a few periods (a worker that dies stops counting by itself), and the control
room adds up every live worker's hash, its own worker's counts read fresh.

Started by a worker's first socket connection (``ensure_publisher``): a worker with no
socket has nothing to publish. Nothing runs without a Redis queue. One small pipeline per
worker and period, one read of a few hashes per control-room snapshot.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from typing import Any

from flask import Flask, current_app

from facilitation.extensions import socketio
from facilitation.push.presence import presence
from facilitation.push.rooms import console_atelier

log = logging.getLogger(__name__)

KEY_PREFIX = "facilitation:presence:"
DEFAULT_PERIOD = 2.0
#: A worker's hash lives this many periods without being rewritten.
TTL_PERIODS = 4
WORKER_ID = f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"

_lock = threading.Lock()
_started: set[str] = set()
_clients: dict[str, Any] = {}

#: ``people(atelier_id)``, ``consoles(atelier_id)``: what ``domain.control`` asks.
Counter = Callable[[int], int]


def _queue_url(app: Flask) -> str | None:
    url = app.config.get("SOCKETIO_MESSAGE_QUEUE")
    return url if isinstance(url, str) and url.startswith(("redis://", "rediss://")) else None


def _redis(url: str) -> Any:
    with _lock:
        client = _clients.get(url)
        if client is None:
            import redis  # the message queue's own dependency

            client = _clients[url] = redis.Redis.from_url(
                url, socket_timeout=2, socket_connect_timeout=2
            )
        return client


def _period(app: Flask) -> float:
    return float(app.config.get("PRESENCE_PUBLISH_SECONDS", DEFAULT_PERIOD) or DEFAULT_PERIOD)


def local_counts() -> tuple[dict[int, int], dict[int, int]]:
    """This worker's ``(people, consoles)`` per atelier id."""
    people = presence.counts()
    consoles: dict[int, int] = {}
    manager = socketio.server.manager if socketio.server else None
    rooms = getattr(manager, "rooms", {}).get("/", {}) if manager is not None else {}
    for room, members in list(rooms.items()):
        atelier_id = console_atelier(room)
        if atelier_id is not None and members:
            consoles[atelier_id] = len(members)
    return people, consoles


def publish(app: Flask) -> bool:
    """Write this worker's counts to Redis now; False without a Redis queue or on error."""
    url = _queue_url(app)
    if url is None:
        return False
    people, consoles = local_counts()
    fields: dict[str, int] = {"alive": 1}
    fields.update({f"p:{a}": n for a, n in people.items() if n})
    fields.update({f"c:{a}": n for a, n in consoles.items() if n})
    key = KEY_PREFIX + WORKER_ID
    try:
        pipe = _redis(url).pipeline()
        pipe.delete(key)
        pipe.hset(key, mapping=fields)
        pipe.expire(key, max(1, int(_period(app) * TTL_PERIODS)))
        pipe.execute()
    except Exception:  # Redis down: the régie falls back to this worker's counts
        log.warning("presence: could not publish this worker's counts to Redis", exc_info=True)
        return False
    return True


def counters(app: Flask | None = None) -> tuple[Counter, Counter]:
    """``(people, consoles)`` for the control room: every live worker's counts added up.

    Without a Redis queue (one worker), or if Redis does not answer, this worker's own.
    """
    app = app or current_app._get_current_object()  # type: ignore[attr-defined]
    people, consoles = local_counts()
    url = _queue_url(app)
    if url is not None:
        try:
            client = _redis(url)
            own = KEY_PREFIX + WORKER_ID
            for key in client.scan_iter(match=KEY_PREFIX + "*", count=100):
                name = key.decode() if isinstance(key, bytes) else str(key)
                if name == own:
                    continue  # read fresh above
                for field, value in client.hgetall(name).items():
                    kind, _, atelier = (
                        field.decode() if isinstance(field, bytes) else str(field)
                    ).partition(":")
                    if kind not in ("p", "c") or not atelier.isdigit():
                        continue
                    target = people if kind == "p" else consoles
                    target[int(atelier)] = target.get(int(atelier), 0) + int(value)
        except Exception:
            log.warning("presence: Redis did not answer, counting this worker only", exc_info=True)
    return (lambda a: people.get(a, 0)), (lambda a: consoles.get(a, 0))


def ensure_publisher(app: Flask) -> None:
    """Start this worker's publishing loop once (only with a Redis queue)."""
    url = _queue_url(app)
    if url is None:
        return
    with _lock:
        if url in _started:
            return
        _started.add(url)
    period = _period(app)

    def loop() -> None:
        while True:
            publish(app)
            socketio.sleep(period)

    socketio.start_background_task(loop)
