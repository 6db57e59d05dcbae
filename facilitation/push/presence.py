"""Who is connected to which atelier, in this worker process, and the coalesced ``presence``.

Counts people (participant ids), not sockets: two tabs of one phone count once, and a
projector (no participant) is not counted. With several workers each counts its own sockets
(``cluster_presence`` adds them up for the control room).

Coalesced: a join or a departure only marks its atelier dirty; a background task sends one
``presence`` per dirty atelier every ``PRESENCE_INTERVAL`` seconds, carrying the count at
that moment. One message to the whole room for every join would make a reconnect storm cost
O(room) messages per phone, O(n²) in all; coalesced it is at most one message per atelier
and interval. The joining phone does not wait for it: its snapshot carries ``connected``.
The task stops after a few idle intervals and starts again on the next change (see
``coalesce``).

``PRESENCE_INTERVAL = 0`` disables the background task: ``presence`` then goes out only when
``flush()`` is called (the tests count messages this way, without timing).

Lives in ``push`` rather than ``realtime``: the handlers fill the registry, but what it is
for is sending, and ``cluster_presence`` reads it without importing a handler module.
"""

from __future__ import annotations

import logging
import threading
from collections import Counter, defaultdict

from flask import Flask

from facilitation.extensions import per_app, socketio
from facilitation.push.coalesce import Coalescer
from facilitation.push.rooms import atelier_room

log = logging.getLogger(__name__)

EXTENSION = "facilitation.presence_flusher"
DEFAULT_INTERVAL = 1.0
#: Idle intervals before the background task stops (it restarts on the next change).
IDLE_ROUNDS = 20


class Presence:
    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._by_sid: dict[str, tuple[int, int | None]] = {}
        self._people: dict[int, Counter[int]] = defaultdict(Counter)

    def enter(self, sid: str, atelier_id: int, participant_id: int | None) -> int | None:
        """Place ``sid`` in an atelier; return the atelier it left, if any."""
        with self._lock:
            left = self._remove(sid)
            self._by_sid[sid] = (atelier_id, participant_id)
            if participant_id is not None:
                self._people[atelier_id][participant_id] += 1
            return left

    def leave(self, sid: str) -> int | None:
        """Forget ``sid``; return the atelier it was in."""
        with self._lock:
            return self._remove(sid)

    def count(self, atelier_id: int) -> int:
        with self._lock:
            return len(self._people.get(atelier_id, ()))

    def counts(self) -> dict[int, int]:
        """People per atelier in this worker (``cluster_presence`` publishes it)."""
        with self._lock:
            return {atelier_id: len(people) for atelier_id, people in self._people.items()}

    def atelier_of(self, sid: str) -> int | None:
        with self._lock:
            entry = self._by_sid.get(sid)
            return entry[0] if entry else None

    def _remove(self, sid: str) -> int | None:
        entry = self._by_sid.pop(sid, None)
        if entry is None:
            return None
        atelier_id, participant_id = entry
        if participant_id is not None:
            people = self._people[atelier_id]
            people[participant_id] -= 1
            if people[participant_id] <= 0:
                del people[participant_id]
            if not people:
                del self._people[atelier_id]
        return atelier_id


presence = Presence()


def send_count(atelier_id: int, connected: int) -> None:
    """``presence`` to the atelier's room: how many people are connected to it."""
    socketio.emit(
        "presence", {"atelier_id": atelier_id, "connected": connected}, to=atelier_room(atelier_id)
    )


class PresenceFlusher(Coalescer):
    """Ateliers whose presence changed, each announced at most once per interval."""

    setting = "PRESENCE_INTERVAL"
    default_interval = DEFAULT_INTERVAL
    idle_rounds = IDLE_ROUNDS
    label = "presence"

    def __init__(self, app: Flask, registry: Presence = presence) -> None:
        super().__init__(app)
        self.registry = registry

    def _send(self, work: dict[int, bool]) -> None:
        with self.app.app_context():
            for atelier_id in sorted(work):
                # The count when sending, not when marked: the latest truth, once.
                send_count(atelier_id, self.registry.count(atelier_id))
                self.sent += 1


def flusher(app: Flask | None = None) -> PresenceFlusher:
    return per_app(EXTENSION, PresenceFlusher, app)


def changed(atelier_id: int) -> None:
    """Someone joined or left ``atelier_id``: its room hears the new count soon, once."""
    flusher().mark(atelier_id)


def flush() -> int:
    """Send the pending ``presence`` messages now (tests; also usable at shutdown)."""
    return flusher().flush()
