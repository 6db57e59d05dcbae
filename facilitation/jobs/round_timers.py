"""The round timer loop: closes every round whose timer reached zero, and tells its room.

The deadline lives in the database, not in a per-round timer: one indexed query per tick and
worker, nothing to lose on a restart (a restarted server closes overdue rounds at its first
tick), and several workers may tick at once (``rounds.settle`` is a compare-and-set, so each
round is closed, and sent, by exactly one of them).
"""

from __future__ import annotations

import logging
import threading

from flask import Flask

from facilitation.domain import rounds
from facilitation.extensions import db, socketio
from facilitation.push import round_state

log = logging.getLogger(__name__)

_lock = threading.Lock()
_started = False


def tick(app: Flask) -> int:
    """Close every round whose timer reached zero and tell its room; return how many."""
    closed = 0
    with app.app_context():
        try:
            for rnd in rounds.due_rounds():
                version = rounds.settle(rnd)
                if version is None:
                    db.session.rollback()
                    continue
                atelier = rnd.atelier
                db.session.commit()
                round_state.round_changed(atelier, rnd, version)
                closed += 1
        except Exception:
            db.session.rollback()
            log.exception("round timer loop failed; trying again at the next tick")
        finally:
            db.session.remove()
    return closed


def ensure_started(app: Flask) -> None:
    """Start this process's loop once, every ``ROUND_TICKER_SECONDS`` (0 disables it)."""
    global _started
    interval = float(app.config.get("ROUND_TICKER_SECONDS", 1.0) or 0)
    if interval <= 0 or _started:
        return
    with _lock:
        if _started:
            return
        _started = True

    def loop() -> None:
        while True:
            socketio.sleep(interval)
            tick(app)

    socketio.start_background_task(loop)
