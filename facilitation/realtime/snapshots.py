"""The shared part of atelier snapshots, built once for a burst of joins.

A reconnect storm brings every phone of an atelier back within seconds, and each
``atelier:join`` would read and serialise the whole wall again, most of it the same cards
for every phone: a large share of the worker during the storm. Here the part
that is the same for every viewer (``domain.snapshot.shared_snapshot``: the atelier, its
cards, chantiers, categories, projector mode, ``version``) is kept per atelier and reused
while all of these hold:

* the atelier's ``version`` is the one it was built at (every change of the wall bumps it);
* no transaction committed in this worker process since it was built (a commit of anything,
  a profile's name for instance, drops every entry: the next join reads afresh), except a
  transaction marked ``domain.walls.wall_unchanged`` (a dot, a new participant);
* it is younger than ``SNAPSHOT_CACHE_SECONDS`` (0 turns the cache off),
  which bounds what another worker's commit that does not bump the version (a name) can
  leave unseen, to the same order as the race any snapshot has with a concurrent commit.

The personal and time-dependent parts (``connected``, ``server_time``, ``round`` with its
timer, ``vote`` with the asker's own dots, ``announcement``) are read for every join.
Facilitator consoles (hidden cards) never use the cache.
"""

from __future__ import annotations

import itertools
import threading
import time
from typing import Any

from flask import Flask
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from facilitation.domain.snapshot import shared_snapshot
from facilitation.domain.walls import WALL_UNCHANGED
from facilitation.extensions import per_app
from facilitation.models import Atelier

EXTENSION = "facilitation.snapshot_cache"
DEFAULT_SECONDS = 1.0

_commits = itertools.count(1)
_generation = 0


def generation() -> int:
    """A number that changes after every commit in this process."""
    return _generation


@sa_event.listens_for(Session, "after_commit")
def _committed(session: Session) -> None:
    global _generation
    if session.info.pop(WALL_UNCHANGED, False):
        return  # a dot, a new participant: no wall changed (domain/walls.py)
    _generation = next(_commits)


@sa_event.listens_for(Session, "after_rollback")
def _rolled_back(session: Session) -> None:
    session.info.pop(WALL_UNCHANGED, None)


class SnapshotCache:
    """Per atelier: ``(version, generation)``, when it was built, the shared part."""

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        self._entries: dict[int, tuple[tuple[int, int], float, dict[str, Any]]] = {}
        #: For tests and logs.
        self.hits = 0
        self.builds = 0

    @property
    def seconds(self) -> float:
        return float(self.app.config.get("SNAPSHOT_CACHE_SECONDS", DEFAULT_SECONDS) or 0)

    def shared(self, atelier: Atelier, seen_generation: int) -> dict[str, Any]:
        """The shared part for ``atelier``, reused or built.

        ``seen_generation``: :func:`generation` read *before* the caller's transaction read
        anything, so data read in an older transaction is never filed under a newer commit.
        """
        ttl = self.seconds
        key = (atelier.version, seen_generation)
        now = time.monotonic()
        if ttl > 0:
            with self._lock:
                entry = self._entries.get(atelier.id)
            if (
                entry is not None
                and entry[0] == key
                and seen_generation == _generation
                and now - entry[1] < ttl
            ):
                self.hits += 1
                return entry[2]
        data = shared_snapshot(atelier)
        self.builds += 1
        if ttl > 0:
            with self._lock:
                self._entries[atelier.id] = (key, now, data)
        return data


def cache(app: Flask | None = None) -> SnapshotCache:
    return per_app(EXTENSION, SnapshotCache, app)
