"""Coalesced broadcasts: many changes to an atelier, one message per interval.

Shared by the vote tallies (``push.votes``) and presence (``push.presence``). A change only
marks its atelier dirty (with a flag the subclass gives a meaning to); one background task
per app (``socketio.start_background_task``, a green thread under eventlet) sends what is
dirty every interval, stops after a few idle intervals and starts again on the next change. An interval of 0 disables the task: messages
then go out only when ``flush()`` is called (the tests count messages this way, without timing).
"""

from __future__ import annotations

import logging
import threading
from typing import Any

from flask import Flask

from facilitation.extensions import socketio

log = logging.getLogger(__name__)


class Coalescer:
    """Dirty ateliers of one app, each sent at most once per interval.

    Subclasses set ``setting`` (the config key holding the interval in seconds),
    ``default_interval``, ``idle_rounds`` (idle intervals before the task stops) and
    ``label`` (for logs), and implement ``_send``.
    """

    setting: str
    default_interval: float
    idle_rounds: int
    label: str

    def __init__(self, app: Flask) -> None:
        self.app = app
        self._lock = threading.Lock()
        #: atelier id → the flags of its changes, or-ed together until sent.
        self._dirty: dict[int, bool] = {}
        self._running = False
        self._stopped = False
        self._task: Any = None
        #: Messages sent (one per atelier and flush), for tests and logs.
        self.sent = 0
        #: Set after every flush that sent something (tests wait on it instead of sleeping).
        self.flushed = threading.Event()

    @property
    def interval(self) -> float:
        return float(self.app.config.get(self.setting, self.default_interval) or 0)

    def mark(self, atelier_id: int, flag: bool = False) -> None:
        """``atelier_id`` changed; it is sent with the next flush."""
        with self._lock:
            self._dirty[atelier_id] = self._dirty.get(atelier_id, False) or flag
            start = self.interval > 0 and not self._running and not self._stopped
            if start:
                self._running = True
        if start:
            self._task = socketio.start_background_task(self._run)

    def pending(self) -> dict[int, bool]:
        with self._lock:
            return dict(self._dirty)

    def _run(self) -> None:
        idle = 0
        while idle < self.idle_rounds and not self._stopped:
            socketio.sleep(self.interval)
            try:
                idle = 0 if self.flush() else idle + 1
            except Exception:  # never let the loop die silently with work pending
                log.exception("%s flush failed", self.label)
        with self._lock:
            self._running = False
            again = bool(self._dirty) and self.interval > 0 and not self._stopped
            if again:
                self._running = True
        if again:
            self._task = socketio.start_background_task(self._run)

    def stop(self) -> None:
        """Stop the background task and wait for it (tests, shutdown); pending work is kept."""
        self._stopped = True
        task = self._task
        join = getattr(task, "join", None) or getattr(task, "wait", None)
        if join is not None:
            join()

    def flush(self, atelier_id: int | None = None) -> int:
        """Send what is dirty (only ``atelier_id`` if given); return the number of ateliers."""
        with self._lock:
            if atelier_id is None:
                work, self._dirty = self._dirty, {}
            elif atelier_id in self._dirty:
                work = {atelier_id: self._dirty.pop(atelier_id)}
            else:
                work = {}
        if not work:
            return 0
        self._send(work)
        self.flushed.set()
        return len(work)

    def _send(self, work: dict[int, bool]) -> None:
        """Send one message per atelier of ``work`` (atelier id → or-ed flags)."""
        raise NotImplementedError
