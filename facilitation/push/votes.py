"""Votes reach clients after the commit, with coalesced tallies.

The domain records which ateliers' votes changed in ``db.session.info`` (see
``domain.voting``); the ``after_commit`` listener below hands them to the app's
``TallyFlusher``. Nothing is sent for a transaction that rolled back.

Why a listener, when every other topic is an explicit call after the commit: votes change
inside hooks that other code calls without knowing about votes (a round changing phase, two
cards merged, a card hidden or withdrawn, a participant's cards deleted with their data, the
timer loop closing a round). An explicit call would have to follow every commit of every
such path, and a missed one would leave the tallies stale until the next dot, silently. The
listener only marks ateliers dirty (it never emits, so nothing is sent from inside a
transaction); the sending happens later, from the flusher, reading committed data. It costs
a dictionary look-up per commit, so the vote burst is not slowed.

Coalescing: a burst of dots must not send one full tally per dot. Each change only marks its
atelier dirty; a background task (``socketio.start_background_task``, a green thread under
eventlet) flushes the dirty ateliers every ``VOTE_TALLY_INTERVAL`` seconds: one tally per
atelier per interval, whatever the number of dots. A second is quick enough for people
watching a count, and it matters in a burst: with the tallies hidden, each flush also sends
``vote:progress`` to every phone of the atelier, so a shorter interval multiplies the
messages the server must write while the burst is still coming in (the README's capacity
notes hold the measurements). The task stops after a few idle intervals and starts again on
the next change. With several workers each worker flushes the changes it committed; the
tally is read from the database, so it is complete whichever worker sends it, and the
message queue delivers it to every worker's sockets.

Ballot changes (open, close, reveal) are flushed at once by the handlers that make them
(``flush(atelier_id)``); the same changes made by a hook (a round changing phase) go through
the background task.

``VOTE_TALLY_INTERVAL = 0`` disables the background task: tallies then go out only when
``flush()`` is called (the tests count the tallies of a burst this way, without timing).
"""

from __future__ import annotations

import time
from typing import Any

from flask import Flask, has_app_context
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from facilitation.domain.voting import PENDING_KEY, ballot_dict, current_ballot, tally
from facilitation.extensions import db, per_app, socketio
from facilitation.models import Atelier
from facilitation.push.coalesce import Coalescer
from facilitation.push.rooms import atelier_room, facilitators_room, participant_room

EXTENSION = "facilitation.vote_flusher"
DEFAULT_INTERVAL = 1.0
#: Idle intervals before the background task stops (it restarts on the next change).
IDLE_ROUNDS = 40
#: Seconds after which an unchanged ``vote:progress`` is sent again (see ``_progress_due``).
PROGRESS_REFRESH = 5.0


class TallyFlusher(Coalescer):
    """Dirty ateliers of one app, flushed at most once per interval.

    The flag of a change says the ballot itself (status, settings) changed.
    """

    setting = "VOTE_TALLY_INTERVAL"
    default_interval = DEFAULT_INTERVAL
    idle_rounds = IDLE_ROUNDS
    label = "vote tally"

    def __init__(self, app: Flask) -> None:
        super().__init__(app)
        #: atelier id → the last ``vote:progress`` sent: ``(ballot id, voted, eligible)`` and
        #: when (``time.monotonic``).
        self._progress: dict[int, tuple[tuple[int, int, int], float]] = {}

    def _send(self, work: dict[int, bool]) -> None:
        with self.app.app_context():
            try:
                messages = [m for aid, changed in work.items() for m in self._read(aid, changed)]
            finally:
                # Every read is done before the first send: the sends wait on sockets (and,
                # with several workers, on the message queue) and let other green threads run;
                # a transaction held across them sat « idle in transaction » on PostgreSQL.
                db.session.remove()
            for name, data, room in messages:
                socketio.emit(name, data, to=room)

    def _read(self, atelier_id: int, ballot_changed: bool) -> list[tuple[str, Any, str]]:
        """The messages of one atelier's flush, ``(event, payload, room)``, read from the
        database; each payload goes to its room once (python-socketio encodes it once)."""
        atelier = db.session.get(Atelier, atelier_id)
        if atelier is None:
            return []
        ballot = current_ballot(atelier)
        room = atelier_room(atelier_id)
        messages: list[tuple[str, Any, str]] = []
        if ballot_changed:
            messages.append(
                ("vote:changed", {"atelier_id": atelier_id, "ballot": ballot_dict(ballot)}, room)
            )
        if ballot is None:
            return messages
        data = tally(ballot)
        self.sent += 1
        if ballot.tallies_public:
            messages.append(("vote:tally", data, room))
            return messages
        messages.append(("vote:tally", data, facilitators_room(atelier_id)))
        if self._progress_due(
            atelier_id, (ballot.id, data["voted"], data["eligible"]), ballot_changed
        ):
            messages.append(
                (
                    "vote:progress",
                    {
                        "atelier_id": atelier_id,
                        "ballot_id": ballot.id,
                        "voted": data["voted"],
                        "eligible": data["eligible"],
                    },
                    room,
                )
            )
        return messages

    def _progress_due(self, atelier_id: int, progress: tuple[int, int, int], forced: bool) -> bool:
        """Whether every phone of the atelier must hear ``vote:progress`` now.

        It goes to every phone: in a burst, most flushes follow a second or third dot of
        people already counted, and the same « 12 / 50 » again would be thousands of
        messages for nothing. It is sent when it changed, when the ballot changed, and
        otherwise at most every ``PROGRESS_REFRESH`` seconds (a phone back from a
        reconnection learns it at the latest then).
        """
        now = time.monotonic()
        last = self._progress.get(atelier_id)
        if (
            not forced
            and last is not None
            and last[0] == progress
            and now - last[1] < PROGRESS_REFRESH
        ):
            return False
        if len(self._progress) > 10_000:
            self._progress.clear()
        self._progress[atelier_id] = (progress, now)
        return True


def flusher(app: Flask | None = None) -> TallyFlusher:
    """The app's tally flusher (the current app's by default), made on first use."""
    return per_app(EXTENSION, TallyFlusher, app)


def flush(atelier_id: int | None = None) -> int:
    """Send pending vote changes now (handlers call it after a ballot change)."""
    return flusher().flush(atelier_id)


def changed(atelier_id: int) -> None:
    """After a commit made outside the ORM session (a tap's fast path, which records nothing
    in ``db.session.info``): the atelier's tally goes out with the next flush."""
    flusher().mark(atelier_id)


def send_mine(
    participant_id: int, atelier_id: int, mine: dict[str, Any], skip_sid: str | None = None
) -> None:
    """A voter's own state to every tab of theirs but ``skip_sid`` (the sender: it has the
    state in its ack; echoing it would double the messages of a vote burst)."""
    socketio.emit(
        "vote:mine",
        {"atelier_id": atelier_id, **mine},
        to=participant_room(participant_id),
        skip_sid=skip_sid,
    )


@sa_event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    if not pending or not has_app_context():
        return
    target = flusher()
    for atelier_id, ballot_changed in pending.items():
        target.mark(atelier_id, ballot_changed)


@sa_event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)
