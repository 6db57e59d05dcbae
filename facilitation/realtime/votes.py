"""Socket.IO events of dot-voting (see PROTOCOL.md, "Dot-voting").

Each handler: validate → authorise (domain.access via domain.voting) → domain → commit →
broadcast. Opening, closing and revealing go through the round (``domain.rounds``): the
round's phase and the ballot change in one transaction and are broadcast together; tallies
are coalesced by facilitation/push/votes.py.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_socketio import join_room

from facilitation.domain import rounds, voting
from facilitation.domain.access import require_facilitator
from facilitation.domain.phases import round_dict
from facilitation.domain.validation import N_, client_id, integer_id
from facilitation.domain.walls import wall_unchanged
from facilitation.edge.identity import actor_for, note_atelier, participant_id_in
from facilitation.extensions import db
from facilitation.push import round_state, votes
from facilitation.push.rooms import facilitators_room, participant_room
from facilitation.realtime import sessions
from facilitation.realtime.handlers import atelier_from, event


@event("vote:state", write=False)
def vote_state(payload: dict[str, Any]) -> dict[str, Any]:
    """The vote state for this socket; subscribes it to its own and facilitator updates."""
    atelier = atelier_from(payload)
    actor = actor_for(atelier.event_id)
    state = voting.vote_state(atelier, actor)
    if actor.facilitates(atelier):
        sessions.bind()
        join_room(facilitators_room(atelier.id))
    if actor.participant is not None:
        join_room(participant_room(actor.participant.id))
    return {"ok": True, "atelier_id": atelier.id, **state}


def _ballot_change(payload: dict[str, Any], change: str) -> dict[str, Any]:
    """The vote panel moves the round (``domain.rounds``), whose hook moves the ballot: the
    phones' phase banner and their ballot switch together, and every change is audited."""
    atelier = atelier_from(payload)
    actor = actor_for(atelier.event_id)
    require_facilitator(actor, atelier)
    version: int | None
    if change == "open":
        settings = voting.parse_settings(payload.get("settings"))
        rnd, version = rounds.open_vote(actor, atelier, settings)
    elif change == "close":
        rnd, version = rounds.close_vote(actor, atelier)
    else:
        rnd, version = rounds.reveal_vote(actor, atelier)
    data = voting.ballot_dict(voting.current_ballot(atelier))
    round_data = round_dict(rnd)
    db.session.commit()
    if version is not None:
        # round:changed, then vote:changed at once (round_state flushes the ballot).
        round_state.round_changed(atelier, rnd, version)
    else:
        votes.flush(atelier.id)
    return {"ok": True, "ballot": data, "round": round_data, "version": version}


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
    atelier_id = integer_id(payload.get("atelier_id"), "atelier_id", N_("un atelier"))
    # A vote burst is thousands of taps: the usual one is checked and written from ids in one
    # transaction (domain.voting.quick_set_dots re-checks every rule in SQL), without loading
    # the atelier, the participant or the ballot as objects. Anything unusual (a first tap on
    # this worker, a refusal) takes the ordinary path, which says precisely what is wrong.
    participant_id = participant_id_in(atelier_id)
    result = None
    if participant_id is not None:
        # A Core connection and its own transaction, not the ORM session: a tap pays no
        # session, flush or ORM commit. Committed when the block ends; a refusal rolls back.
        with db.engine.begin() as conn:
            result = voting.quick_set_dots(
                conn,
                participant_id,
                atelier_id,
                payload.get("contribution_id"),
                payload.get("count"),
                cid,
            )
        if result is not None and result.changed:
            votes.changed(atelier_id)
    if result is None:
        atelier = atelier_from(payload)
        note_atelier(atelier.id, atelier.event_id)
        actor = actor_for(atelier.event_id)
        result = voting.set_dots(
            actor, atelier, payload.get("contribution_id"), payload.get("count"), cid
        )
        # Ids read before the commit: after it every object is expired, and reading one again
        # costs a query.
        assert actor.participant is not None  # set_dots required it
        participant_id = actor.participant.id
        # This transaction is the tap alone, and votes are not part of the cached walls: a
        # burst of dots keeps them for the joins that come meanwhile (domain/walls.py).
        wall_unchanged()
        db.session.commit()
    if result.changed:
        # Other tabs of the same phone follow; the sender reads the ack.
        join_room(participant_room(participant_id))
        votes.send_mine(
            participant_id,
            atelier_id,
            result.mine,
            skip_sid=request.sid,  # type: ignore[attr-defined]
        )
    return {
        "ok": True,
        "client_id": cid,
        "atelier_id": atelier_id,
        **result.as_dict(),  # ``duplicate``: this client_id was already applied
    }


@event("dot:scribe")
def dot_scribe(payload: dict[str, Any]) -> dict[str, Any]:
    atelier = atelier_from(payload)
    actor = actor_for(atelier.event_id)
    count = voting.scribe_set(
        actor, atelier, payload.get("contribution_id"), payload.get("label"), payload.get("count")
    )
    db.session.commit()
    return {"ok": True, "atelier_id": atelier.id, "count": count}
