"""The facilitator's assistant at work: proposals computed for the consoles, never for phones.

A new, changed or sorted card only marks its atelier dirty (``changed``); a background task
(``Coalescer``: a green thread under eventlet) recomputes each dirty atelier at most once per
``ASSISTANT_INTERVAL`` (1 s) and sends ``assistant:proposals`` to the atelier's console room
(``console:<id>``: facilitators only). Nothing is computed for an atelier without a console
connected (on any worker: ``cluster_presence``).

Off the phones' way: the cards are read in one query and the session is given back before
the computation (``domain.similarity``, pure Python: about 15 ms for 100 cards, 60 ms for
300), whose loops yield to the event loop every few dozen steps (``socketio.sleep(0)``), so
a phone's event waits for one slice, not for the whole computation.

With several workers, each worker that saw the change computes and sends the same
proposals: a console may get one message per worker, each the whole state (idempotent).
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask

from facilitation.domain import assistant
from facilitation.extensions import db, per_app, socketio
from facilitation.models import Atelier
from facilitation.push import cluster_presence
from facilitation.push.coalesce import Coalescer
from facilitation.push.rooms import console_room

EXTENSION = "facilitation.assistant_flusher"
DEFAULT_INTERVAL = 1.0
IDLE_ROUNDS = 30


def _pause() -> None:
    socketio.sleep(0)


def send(atelier_id: int, data: dict[str, Any]) -> None:
    """``assistant:proposals`` to the atelier's facilitator consoles only."""
    socketio.emit("assistant:proposals", data, to=console_room(atelier_id))


class AssistantFlusher(Coalescer):
    """Dirty ateliers, each recomputed at most once per interval."""

    setting = "ASSISTANT_INTERVAL"
    default_interval = DEFAULT_INTERVAL
    idle_rounds = IDLE_ROUNDS
    label = "assistant"

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        #: Milliseconds of the last computation per atelier (logs, loadtest report).
        self.last_ms: dict[int, float] = {}

    def _send(self, work: dict[int, bool]) -> None:
        with self.app.app_context():
            _, consoles = cluster_presence.counters(self.app)
            for atelier_id in sorted(work):
                if consoles(atelier_id) <= 0:
                    continue  # nobody to propose to: no work
                try:
                    atelier = db.session.get(Atelier, atelier_id)
                    if atelier is None:
                        continue
                    data = assistant.inputs(atelier)
                finally:
                    db.session.remove()  # the connection is not held while computing
                started = time.perf_counter()
                proposals = assistant.compute(data, _pause)
                self.last_ms[atelier_id] = (time.perf_counter() - started) * 1000
                send(atelier_id, proposals)
                self.sent += 1


def flusher(app: Flask | None = None) -> AssistantFlusher:
    return per_app(EXTENSION, AssistantFlusher, app)


def changed(atelier_id: int) -> None:
    """The cards of ``atelier_id`` changed: its consoles get new proposals within a second."""
    flusher().mark(atelier_id)


def flush(atelier_id: int | None = None) -> int:
    """Compute and send the pending proposals now (tests; a console that just joined)."""
    return flusher().flush(atelier_id)
