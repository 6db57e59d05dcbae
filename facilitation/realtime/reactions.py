"""Socket.IO events of « Moi aussi » (PROTOCOL.md, « Réactions aux pratiques »).

``reaction:set``: validate → authorise (domain.reactions, domain.access) → write → commit →
then the coalesced ``reaction:counts`` to the room (push/reactions.py) and ``reaction:mine``
to the participant's other tabs. ``reaction:who``: the card's author reads who reacted
(visible profiles only), answered to that socket alone.
"""

from __future__ import annotations

from typing import Any

from flask import request
from flask_babel import gettext
from flask_socketio import join_room

from facilitation.domain import reactions
from facilitation.domain.errors import NotFound
from facilitation.domain.validation import client_id
from facilitation.edge.identity import actor_for
from facilitation.extensions import db
from facilitation.push import reactions as reactions_push
from facilitation.push.rooms import participant_room
from facilitation.realtime.handlers import atelier_from, event


@event("reaction:set")
def reaction_set(payload: dict[str, Any]) -> dict[str, Any]:
    cid = client_id(payload.get("client_id"))
    atelier = atelier_from(payload)
    actor = actor_for(atelier.event_id)
    result = reactions.set_reaction(
        actor, payload.get("contribution_id"), payload.get("kind"), payload.get("on")
    )
    if result.atelier_id != atelier.id:
        raise NotFound(gettext("Cette carte n'est pas dans cet atelier."))
    assert actor.participant is not None  # set_reaction required it
    participant_id = actor.participant.id
    db.session.commit()
    answer = {"ok": True, "client_id": cid, "atelier_id": result.atelier_id, **result.as_dict()}
    if result.changed:
        reactions_push.changed(result.atelier_id)
        join_room(participant_room(participant_id))
        reactions_push.send_mine(
            participant_id,
            result.atelier_id,
            {"contribution_id": result.contribution_id, "mine": result.mine},
            skip_sid=request.sid,  # type: ignore[attr-defined]
        )
    return answer


@event("reaction:who", write=False)
def reaction_who(payload: dict[str, Any]) -> dict[str, Any]:
    atelier = atelier_from(payload)
    data = reactions.reactors(actor_for(atelier.event_id), payload.get("contribution_id"))
    if data["atelier_id"] != atelier.id:
        raise NotFound(gettext("Cette carte n'est pas dans cet atelier."))
    return {"ok": True, **data}
