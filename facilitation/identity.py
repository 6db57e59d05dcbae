"""Who is this browser? The participant ids it holds, per event, in the signed session cookie.

Shared by ``web`` and ``realtime`` (which never import each other). One device may take part
in several events, hence a mapping event id → participant id.
"""

from __future__ import annotations

from flask import session

from facilitation.extensions import db
from facilitation.models import Participant

SESSION_KEY = "participants"


def participant_for(event_id: int) -> Participant | None:
    ids = session.get(SESSION_KEY) or {}
    pid = ids.get(str(event_id)) if isinstance(ids, dict) else None
    if not isinstance(pid, int):
        return None
    participant = db.session.get(Participant, pid)
    if participant is None or participant.event_id != event_id:
        return None
    return participant


def remember(participant: Participant) -> None:
    """Bind the participant to this browser; the cookie outlives the tab and a restart."""
    ids = dict(session.get(SESSION_KEY) or {})
    ids[str(participant.event_id)] = participant.id
    session[SESSION_KEY] = ids
    session.permanent = True
