"""Who is connected to which atelier, in this worker process.

Counts people (participant ids), not sockets: two tabs of one phone count once, and a
projector (no participant) is not counted. With several workers each counts its own sockets;
see the README's capacity notes.
"""

from __future__ import annotations

import threading
from collections import Counter, defaultdict


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
