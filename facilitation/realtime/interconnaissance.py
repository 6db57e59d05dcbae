"""Socket events of the who's who and the tour de table (PROTOCOL.md, « Interconnaissance »).

Reading the who's who needs a participant of the event or a facilitator of the atelier; the
tour's state is public (the projector is an anonymous viewer) and only ever carries a visible
profile; moving the tour needs ``require_facilitator``.
"""

from __future__ import annotations

from typing import Any

from flask_babel import gettext

from facilitation.domain import tour
from facilitation.domain.access import require_facilitator
from facilitation.domain.errors import Forbidden
from facilitation.domain.profiles import whoswho
from facilitation.edge.identity import actor_for
from facilitation.extensions import db
from facilitation.models import Atelier
from facilitation.push import interconnaissance
from facilitation.realtime.handlers import atelier_from, event


def require_whoswho_reader(atelier: Atelier) -> None:
    """Participants of the event and the atelier's facilitators may read its who's who."""
    actor = actor_for(atelier.event_id)
    if actor.participant is not None or actor.facilitates(atelier):
        return
    raise Forbidden(gettext("Rejoignez l'événement pour voir qui participe à cet atelier."))


@event("whoswho:get", write=False)
def whoswho_get(payload: dict[str, Any]) -> dict[str, Any]:
    atelier = atelier_from(payload)
    require_whoswho_reader(atelier)
    return {"ok": True, "whoswho": whoswho(atelier)}


@event("tour:get", write=False)
def tour_get(payload: dict[str, Any]) -> dict[str, Any]:
    """Anyone reads the state; a facilitator of the atelier also gets the speaking order."""
    atelier = atelier_from(payload)
    answer: dict[str, Any] = {"ok": True, "tour": tour.tour_state(atelier)}
    if actor_for(atelier.event_id).facilitates(atelier):
        answer["order"] = tour.tour_order(atelier)
    return answer


def _facilitated(payload: dict[str, Any]) -> Atelier:
    atelier = atelier_from(payload)
    require_facilitator(actor_for(atelier.event_id), atelier)
    return atelier


def _commit_and_broadcast(atelier: Atelier, changed: bool = True) -> dict[str, Any]:
    """Commit, then send the state to the room; the ack (a facilitator) adds the order."""
    state = tour.tour_state(atelier)
    order = tour.tour_order(atelier)
    db.session.commit()
    if changed:
        interconnaissance.tour_changed(atelier.id, state)
    return {"ok": True, "changed": changed, "tour": state, "order": order}


@event("tour:start")
def tour_start(payload: dict[str, Any]) -> dict[str, Any]:
    atelier = _facilitated(payload)
    tour.start(atelier, payload)
    return _commit_and_broadcast(atelier)


@event("tour:next")
def tour_next(payload: dict[str, Any]) -> dict[str, Any]:
    atelier = _facilitated(payload)
    _, changed = tour.step(atelier, payload, +1)
    return _commit_and_broadcast(atelier, changed)


@event("tour:prev")
def tour_prev(payload: dict[str, Any]) -> dict[str, Any]:
    atelier = _facilitated(payload)
    _, changed = tour.step(atelier, payload, -1)
    return _commit_and_broadcast(atelier, changed)


@event("tour:timer")
def tour_timer(payload: dict[str, Any]) -> dict[str, Any]:
    atelier = _facilitated(payload)
    tour.set_timer(atelier, payload)
    return _commit_and_broadcast(atelier)


@event("tour:stop")
def tour_stop(payload: dict[str, Any]) -> dict[str, Any]:
    atelier = _facilitated(payload)
    tour.stop(atelier)
    return _commit_and_broadcast(atelier)
