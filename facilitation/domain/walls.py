"""Marking a transaction that leaves every atelier's wall as it was.

The shared part of the atelier snapshot (``domain.snapshot.shared_snapshot``: the atelier,
its cards and their authors' names, chantiers, categories, projector) is cached per atelier
by ``realtime/snapshots.py`` and dropped by any commit in the process, because most writes
could change it. A few hot writes cannot: a dot (votes are not in the shared part) and a new
participant joining (no card names them yet). In a vote burst or a join ramp they commit
hundreds of times a second, and each commit threw the cached walls away, so every join read
its wall again. Those writes call ``wall_unchanged()``; the commit then keeps the cache.

Only for a transaction that writes nothing else: the mark covers the whole transaction.
"""

from __future__ import annotations

from facilitation.extensions import db

#: ``db.session.info`` key, popped by the commit (``realtime/snapshots.py``) or a rollback.
WALL_UNCHANGED = "facilitation.wall_unchanged"


def wall_unchanged() -> None:
    """This transaction changes nothing that an atelier's shared snapshot shows."""
    db.session.info[WALL_UNCHANGED] = True
