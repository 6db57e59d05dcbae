"""Socket.IO events of rounds, moderation, the projector, the control room (PROTOCOL.md,
"Facilitation"). Each handler: validate → authorise (``domain.access``, inside the domain
call) → domain → commit → broadcast. A refusal answers with the error object and
``app:error`` (see ``handlers.event``) and changes nothing: the transaction is rolled back.
"""

from __future__ import annotations

from typing import Any

from flask_socketio import emit, join_room

from facilitation.domain import announcements, control, moderation, rounds
from facilitation.domain.access import require_facilitator, require_organizer
from facilitation.domain.phases import get_round, parse_phase, round_dict
from facilitation.domain.snapshot import atelier_snapshot, contribution_dict
from facilitation.domain.validation import N_, integer_id
from facilitation.edge.identity import actor_for
from facilitation.extensions import db
from facilitation.models import Atelier, Contribution, Event
from facilitation.models.base import utcnow
from facilitation.models.contribution import CardStatus
from facilitation.push import approval as approval_push
from facilitation.push import assistant, cards, cluster_presence, display, event_wide, round_state
from facilitation.push.presence import presence
from facilitation.push.rooms import atelier_room, console_room, event_room
from facilitation.realtime import sessions
from facilitation.realtime.handlers import atelier_from, event, event_from


def _facilitated(payload: dict[str, Any]) -> tuple[Any, Atelier]:
    """The actor and the payload's atelier, authorised as its facilitator before anything
    else of the payload (a round, a card) is looked up: a stranger learns nothing about ids."""
    atelier = atelier_from(payload)
    actor = actor_for(atelier.event_id)
    require_facilitator(actor, atelier)
    return actor, atelier


def _round(atelier: Atelier, payload: dict[str, Any]):  # type: ignore[no-untyped-def]
    round_id = integer_id(payload.get("round_id"), "round_id", N_("une manche"))
    return get_round(atelier, round_id)


# ------------------------------------------------------------------------- console
@event("console:join", write=False)
def console_join(payload: dict[str, Any]) -> dict[str, Any]:
    """A facilitator console: the atelier room plus the console room, and the full snapshot
    (hidden cards included)."""
    _, atelier = _facilitated(payload)
    sessions.bind()  # hidden cards stop with the link or the login (push/sessions.py)
    join_room(atelier_room(atelier.id))
    join_room(console_room(atelier.id))
    emit(
        "atelier:snapshot",
        atelier_snapshot(atelier, presence.count(atelier.id), moderation=True),
    )
    # The assistant's proposals follow within a second (push/assistant.py).
    assistant.changed(atelier.id)
    return {"ok": True, "version": atelier.version}


# ------------------------------------------------------------------------- rounds
def _after_round_change(atelier: Atelier, rnd: Any, version: int) -> dict[str, Any]:
    data = round_dict(rnd)
    db.session.commit()
    round_state.round_changed(atelier, rnd, version)
    return {"ok": True, "version": version, "round": data, "server_time": utcnow().isoformat()}


@event("round:create")
def round_create(payload: dict[str, Any]) -> dict[str, Any]:
    atelier = atelier_from(payload)
    rnd, version = rounds.create_round(actor_for(atelier.event_id), atelier)
    return _after_round_change(atelier, rnd, version)


@event("round:transition")
def round_transition(payload: dict[str, Any]) -> dict[str, Any]:
    actor, atelier = _facilitated(payload)
    rnd = _round(atelier, payload)
    version = rounds.transition(actor, atelier, rnd, parse_phase(payload.get("to")))
    return _after_round_change(atelier, rnd, version)


@event("round:timer")
def round_timer(payload: dict[str, Any]) -> dict[str, Any]:
    actor, atelier = _facilitated(payload)
    rnd = _round(atelier, payload)
    version = rounds.set_timer(
        actor, atelier, rnd, str(payload.get("action")), payload.get("seconds")
    )
    return _after_round_change(atelier, rnd, version)


@event("round:at_zero")
def round_at_zero(payload: dict[str, Any]) -> dict[str, Any]:
    """What the timer does at zero on this round: ``alert`` (default) or ``advance``."""
    actor, atelier = _facilitated(payload)
    rnd = _round(atelier, payload)
    version = rounds.set_timer_at_zero(actor, atelier, rnd, payload.get("at_zero"))
    return _after_round_change(atelier, rnd, version)


# ------------------------------------------------------------------------- moderation
def _card_done(card: Contribution, version: int | None) -> dict[str, Any]:
    merged = moderation.merged_cards([card.id]).get(card.id, [])
    data = contribution_dict(card, merged)
    db.session.commit()
    if version is not None:
        cards.card_changed(card, version, merged)
    return {"ok": True, "version": version, "changed": version is not None, "contribution": data}


def _moderated(payload: dict[str, Any]) -> tuple[Any, Atelier, Contribution]:
    actor, atelier = _facilitated(payload)
    return actor, atelier, moderation.get_card(atelier, payload.get("contribution_id"))


@event("moderation:edit")
def moderation_edit(payload: dict[str, Any]) -> dict[str, Any]:
    actor, atelier, card = _moderated(payload)
    return _card_done(card, moderation.edit_card(actor, atelier, card, payload))


@event("moderation:hide")
def moderation_hide(payload: dict[str, Any]) -> dict[str, Any]:
    actor, atelier, card = _moderated(payload)
    return _card_done(
        card, moderation.set_flag(actor, atelier, card, "hidden", payload.get("hidden"))
    )


@event("moderation:pin")
def moderation_pin(payload: dict[str, Any]) -> dict[str, Any]:
    actor, atelier, card = _moderated(payload)
    return _card_done(
        card, moderation.set_flag(actor, atelier, card, "pinned", payload.get("pinned"))
    )


@event("moderation:categorize")
def moderation_categorize(payload: dict[str, Any]) -> dict[str, Any]:
    actor, atelier, card = _moderated(payload)
    return _card_done(card, moderation.categorize(actor, atelier, card, payload.get("category_id")))


@event("moderation:merge")
def moderation_merge(payload: dict[str, Any]) -> dict[str, Any]:
    actor, atelier = _facilitated(payload)
    target = moderation.get_card(atelier, payload.get("target_id"), "target_id")
    source = moderation.get_card(atelier, payload.get("source_id"), "source_id")
    version = moderation.merge(actor, atelier, target, source)
    merged = moderation.merged_cards([target.id]).get(target.id, [])
    data = contribution_dict(target, merged)
    db.session.commit()
    cards.card_changed(source, version)
    cards.card_changed(target, version, merged)
    return {"ok": True, "version": version, "contribution": data}


@event("category:create")
def category_create(payload: dict[str, Any]) -> dict[str, Any]:
    atelier = atelier_from(payload)
    category, version = moderation.create_category(
        actor_for(atelier.event_id), atelier, payload.get("name")
    )
    data = {"id": category.id, "name": category.name}
    db.session.commit()
    if version is not None:
        cards.category_created(atelier.id, version, data)
    return {"ok": True, "version": version, "category": data}


@event("projector:mode")
def projector_mode(payload: dict[str, Any]) -> dict[str, Any]:
    atelier = atelier_from(payload)
    version = moderation.set_projector_mode(
        actor_for(atelier.event_id), atelier, payload.get("mode"), payload.get("contribution_id")
    )
    db.session.commit()
    if version is not None:
        display.projector_mode(atelier, version)
    return {
        "ok": True,
        "version": version,
        "projector": {"mode": atelier.projector_mode, "focus_id": atelier.projector_focus_id},
    }


# ------------------------------------------------------------------------- authors
@event("contribution:update")
def contribution_update(payload: dict[str, Any]) -> dict[str, Any]:
    atelier = atelier_from(payload)
    card, version = moderation.update_own(actor_for(atelier.event_id), atelier, payload)
    if card.status != CardStatus.ACCEPTED:
        # Waiting or declined, reworked: back in the consoles' queue, nothing for the room.
        data = contribution_dict(card, mine=True)
        db.session.commit()
        approval_push.queued(card)
        return {"ok": True, "version": None, "changed": True, "contribution": data}
    return {**_card_done(card, version), "duplicate": version is None}


@event("contribution:withdraw")
def contribution_withdraw(payload: dict[str, Any]) -> dict[str, Any]:
    atelier = atelier_from(payload)
    card, version = moderation.withdraw_own(actor_for(atelier.event_id), atelier, payload)
    db.session.commit()
    if version is not None:
        cards.card_changed(card, version)
    return {"ok": True, "version": version, "duplicate": version is None, "id": card.id}


# ------------------------------------------------------------------------- control room
def _control(found: Event) -> dict[str, Any]:
    # People and consoles on every worker (Redis), not only this one: a facilitator whose
    # console landed on the other worker is connected all the same.
    people, consoles = cluster_presence.counters()
    snapshot = control.control_snapshot(found, people, consoles)
    # The announcement on the screens now (realtime/announcements.py sends and withdraws it).
    return {**snapshot, "announcement": announcements.current_dict(found)}


@event("control:join", write=False)
def control_join(payload: dict[str, Any]) -> dict[str, Any]:
    """The organizers' control room of one event: joins ``event:<id>``, answers the state."""
    found = event_from(payload)
    require_organizer(actor_for(found.id), found)
    sessions.bind()
    join_room(event_room(found.id))
    return {"ok": True, **_control(found)}


@event("control:snapshot", write=False)
def control_snapshot(payload: dict[str, Any]) -> dict[str, Any]:
    found = event_from(payload)
    require_organizer(actor_for(found.id), found)
    return {"ok": True, **_control(found)}


@event("agenda:next")
def agenda_next(payload: dict[str, Any]) -> dict[str, Any]:
    found = event_from(payload)
    control.next_sequence(actor_for(found.id), found)
    data = control.agenda(found)
    db.session.commit()
    event_wide.sequence_changed(found.id, [a.id for a in control.event_ateliers(found)], data)
    return {"ok": True, "agenda": data}
