"""Socket.IO events of dot-voting (see PROTOCOL.md, "Dot-voting").

Each handler: validate → authorise (domain.access via domain.voting) → domain → commit →
broadcast. Ballot changes are flushed at once; tallies are coalesced by
facilitation/vote_broadcast.py.
"""

from __future__ import annotations

from typing import Any

from flask_socketio import join_room

from facilitation import vote_broadcast
from facilitation.domain import voting
from facilitation.domain.access import require_facilitator
from facilitation.domain.errors import NotFound
from facilitation.domain.validation import client_id, integer_id
from facilitation.extensions import db
from facilitation.identity import actor_for
from facilitation.models import Atelier
from facilitation.realtime.handlers import event


def _atelier(payload: dict[str, Any]) -> Atelier:
    atelier_id = integer_id(payload.get("atelier_id"), "atelier_id", "un atelier")
    atelier = db.session.get(Atelier, atelier_id)
    if atelier is None:
        raise NotFound("Cet atelier n'existe pas.")
    return atelier


@event("vote:state", write=False)
def vote_state(payload: dict[str, Any]) -> dict[str, Any]:
    """The vote state for this socket; subscribes it to its own and facilitator updates."""
    atelier = _atelier(payload)
    actor = actor_for(atelier.event_id)
    state = voting.vote_state(atelier, actor)
    if actor.facilitates(atelier):
        join_room(vote_broadcast.facilitators_room(atelier.id))
    if actor.participant is not None:
        join_room(vote_broadcast.participant_room(actor.participant.id))
    return {"ok": True, "atelier_id": atelier.id, **state}


def _ballot_change(payload: dict[str, Any], change: str) -> dict[str, Any]:
    atelier = _atelier(payload)
    actor = actor_for(atelier.event_id)
    require_facilitator(actor, atelier)
    if change == "open":
        ballot = voting.open_ballot(atelier, voting.parse_settings(payload.get("settings")))
    elif change == "close":
        ballot = voting.close_ballot(atelier)
        if ballot is None:
            raise voting.VoteClosed()
    else:
        ballot = voting.reveal_ballot(atelier)
    data = voting.ballot_dict(ballot)
    db.session.commit()
    vote_broadcast.flush(atelier.id)
    return {"ok": True, "ballot": data}


@event("vote:open")
def vote_open(payload: dict[str, Any]) -> dict[str, Any]:
    return _ballot_change(payload, "open")


@event("vote:close")
def vote_close(payload: dict[str, Any]) -> dict[str, Any]:
    return _ballot_change(payload, "close")


@event("vote:reveal")
def vote_reveal(payload: dict[str, Any]) -> dict[str, Any]:
    return _ballot_change(payload, "reveal")


@event("dot:set")
def dot_set(payload: dict[str, Any]) -> dict[str, Any]:
    cid = client_id(payload.get("client_id"))
    atelier = _atelier(payload)
    actor = actor_for(atelier.event_id)
    result = voting.set_dots(
        actor, atelier, payload.get("contribution_id"), payload.get("count"), cid
    )
    ballot = voting.open_ballot_of(atelier)
    participant = actor.participant
    assert participant is not None  # set_dots required it
    mine = voting.my_dots(ballot, participant) if ballot is not None else None
    db.session.commit()
    if mine is not None and result.changed:
        # Other tabs of the same phone follow; the sender reads the ack.
        join_room(vote_broadcast.participant_room(participant.id))
        vote_broadcast.send_mine(participant.id, atelier.id, mine)
    return {
        "ok": True,
        "client_id": cid,
        "atelier_id": atelier.id,
        "duplicate": not result.changed,
        **result.as_dict(),
        "mine": mine,
    }


@event("dot:scribe")
def dot_scribe(payload: dict[str, Any]) -> dict[str, Any]:
    atelier = _atelier(payload)
    actor = actor_for(atelier.event_id)
    count = voting.scribe_set(
        actor, atelier, payload.get("contribution_id"), payload.get("label"), payload.get("count")
    )
    db.session.commit()
    return {"ok": True, "atelier_id": atelier.id, "count": count}
