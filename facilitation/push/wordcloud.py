"""« En un mot » reaches clients after the commit, with coalesced tallies.

A word sent only marks its atelier dirty (``word_added``); a background task sends the
cloud's tally at most once per ``CLOUD_TALLY_INTERVAL`` seconds per atelier (as the vote
tallies do, push/votes.py): 200 phones sending 3 words each make a few tallies a second,
not 600. The tally is read from the database when sent, so it is complete whichever worker
sends it. The atelier room gets the public tally (hidden words left out); the console room
gets the facilitator's one (``moderation: true``, hidden words flagged).

Opening, closing and hiding are sent at once by their handlers (``cloud_changed``).
``CLOUD_TALLY_INTERVAL = 0`` disables the task: tallies go out only on ``flush()`` (tests).
"""

from __future__ import annotations

from typing import Any

from flask import Flask

from facilitation.domain import wordcloud
from facilitation.extensions import db, per_app, socketio
from facilitation.models import Atelier
from facilitation.push.coalesce import Coalescer
from facilitation.push.rooms import atelier_room, console_room

EXTENSION = "facilitation.cloud_flusher"


class CloudFlusher(Coalescer):
    setting = "CLOUD_TALLY_INTERVAL"
    default_interval = 0.5
    idle_rounds = 40
    label = "word cloud tally"

    def _send(self, work: dict[int, bool]) -> None:
        with self.app.app_context():
            try:
                for atelier_id in work:
                    atelier = db.session.get(Atelier, atelier_id)
                    if atelier is not None:
                        send_tally(atelier)
                        self.sent += 1
            finally:
                db.session.remove()


def send_tally(atelier: Atelier) -> None:
    """The latest cloud's tally: public (if open) to the room, full to the console."""
    cloud = wordcloud.latest_cloud(atelier)
    if cloud is None:
        return
    if cloud.is_open:
        socketio.emit("cloud:tally", wordcloud.tally(cloud), to=atelier_room(atelier.id))
    socketio.emit(
        "cloud:tally",
        {**wordcloud.tally(cloud, with_hidden=True), "moderation": True},
        to=console_room(atelier.id),
    )


def flusher(app: Flask | None = None) -> CloudFlusher:
    return per_app(EXTENSION, CloudFlusher, app)


def word_added(atelier_id: int) -> None:
    """A word was committed in ``atelier_id``: its tally goes out with the next flush."""
    flusher().mark(atelier_id)


def flush(atelier_id: int | None = None) -> int:
    return flusher().flush(atelier_id)


def cloud_changed(atelier_id: int, public: dict[str, Any]) -> None:
    """A cloud opened, closed or had a word hidden: everyone's state at once (after the
    commit). ``public``: the phones' and projector's ``cloud_state``."""
    socketio.emit(
        "cloud:changed", {"atelier_id": atelier_id, **public}, to=atelier_room(atelier_id)
    )
    # Pending word tallies are folded into this one; the console gets its own view.
    flusher().mark(atelier_id)
    flush(atelier_id)
