"""Socket.IO events of the facilitator's assistant (PROTOCOL.md, « Assistant de l'animateur »).

Proposals reach the consoles from ``push.assistant`` (``assistant:proposals``, console room
only). Accepting one uses the console's own moderation (merge, category); dismissing one
stores it so it never comes back. Both are the atelier's facilitators' only.
"""

from __future__ import annotations

from typing import Any

from facilitation.domain import assistant, moderation
from facilitation.domain.access import require_facilitator
from facilitation.domain.snapshot import contribution_dict
from facilitation.edge.identity import actor_for
from facilitation.extensions import db
from facilitation.push import assistant as assistant_push
from facilitation.push import cards
from facilitation.realtime.handlers import atelier_from, event


@event("assistant:accept")
def assistant_accept(payload: dict[str, Any]) -> dict[str, Any]:
    """``key`` ``d:<id>-<id>``: merge the pair (newer into older). ``key`` ``t:…`` with
    ``name`` and ``card_ids``: a category of that name holding those cards."""
    atelier = atelier_from(payload)
    actor = actor_for(atelier.event_id)
    require_facilitator(actor, atelier)
    key = payload.get("key")
    if isinstance(key, str) and key.startswith("t:"):
        done = assistant.accept_theme(
            actor, atelier, key, payload.get("name"), payload.get("card_ids")
        )
        category = {"id": done.category.id, "name": done.category.name}
        merged = moderation.merged_cards([card.id for card, _ in done.cards])
        db.session.commit()
        if done.category_version is not None:
            cards.category_created(atelier.id, done.category_version, category)
        for card, version in done.cards:
            cards.card_changed(card, version, merged.get(card.id))
        assistant_push.changed(atelier.id)
        return {
            "ok": True,
            "key": key,
            "category": category,
            "card_ids": [card.id for card, _ in done.cards],
        }
    merge = assistant.accept_duplicate(actor, atelier, key)
    merged = moderation.merged_cards([merge.target.id]).get(merge.target.id, [])
    data = contribution_dict(merge.target, merged)
    db.session.commit()
    if merge.version is not None:
        cards.card_changed(merge.source, merge.version)
        cards.card_changed(merge.target, merge.version, merged)
    assistant_push.changed(atelier.id)
    return {
        "ok": True,
        "key": key,
        "version": merge.version,
        "changed": merge.version is not None,
        "contribution": data,
    }


@event("assistant:dismiss")
def assistant_dismiss(payload: dict[str, Any]) -> dict[str, Any]:
    """Set a proposal aside for good (a repeat answers ``changed: false``)."""
    atelier = atelier_from(payload)
    created = assistant.dismiss(actor_for(atelier.event_id), atelier, payload.get("key"))
    db.session.commit()
    assistant_push.changed(atelier.id)
    return {"ok": True, "key": payload.get("key"), "changed": created}
