"""A round's phase or timer changed, after the commit: every screen of the atelier switches.

Named apart from ``domain.rounds`` because the handlers that change a round import both.
"""

from __future__ import annotations

from facilitation.domain.phases import round_dict
from facilitation.extensions import socketio
from facilitation.models import Atelier, Round
from facilitation.models.base import utcnow
from facilitation.push import votes
from facilitation.push.rooms import atelier_room, event_room


def round_changed(atelier: Atelier, rnd: Round, version: int) -> None:
    """Phones, projectors and consoles get the round; the control room gets its line."""
    now = utcnow()
    payload = {
        "atelier_id": atelier.id,
        "version": version,
        "round": round_dict(rnd, now),
        # Clients count down from the server's clock, not their own.
        "server_time": now.isoformat(),
    }
    socketio.emit("round:changed", payload, to=atelier_room(atelier.id))
    # The phase may have opened, revealed or closed the ballot (domain.voting.on_round_phase):
    # send that now, not at the next tally tick, so phones switch banner and ballot together.
    votes.flush(atelier.id)
    socketio.emit(
        "control:atelier",
        {"event_id": atelier.event_id, "atelier_id": atelier.id, "round": payload["round"]},
        to=event_room(atelier.event_id),
    )
