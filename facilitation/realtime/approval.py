"""Socket.IO events of « validation des cartes » and « tour anonyme » (PROTOCOL.md).

validate → authorise (the atelier's facilitators, organizers of its event) → domain → commit →
broadcast. An accepted card reaches the room exactly as a card posted without approval
(``contribution:created``, once: accepting again changes nothing and broadcasts nothing).
"""

from __future__ import annotations

from typing import Any

from facilitation.domain import approval, moderation
from facilitation.domain.phases import get_round, round_dict
from facilitation.domain.snapshot import contribution_dict, queue_dict
from facilitation.domain.validation import N_, integer_id
from facilitation.extensions import db
from facilitation.push import approval as approval_push
from facilitation.push import cards
from facilitation.realtime.facilitation import _after_round_change, _facilitated
from facilitation.realtime.handlers import event


@event("approval:set")
def approval_set(payload: dict[str, Any]) -> dict[str, Any]:
    """« Validation des cartes » on or off for the atelier (``enabled``: a boolean)."""
    actor, atelier = _facilitated(payload)
    version = approval.set_card_approval(actor, atelier, payload.get("enabled"))
    enabled = atelier.card_approval
    db.session.commit()
    if version is not None:
        approval_push.settings_changed(atelier, version)
    return {"ok": True, "version": version, "changed": version is not None, "enabled": enabled}


@event("round:anonymous")
def round_anonymous(payload: dict[str, Any]) -> dict[str, Any]:
    """« Tour anonyme » on or off for a round: cards posted from now on keep the choice."""
    actor, atelier = _facilitated(payload)
    rnd = get_round(atelier, integer_id(payload.get("round_id"), "round_id", N_("une manche")))
    version = approval.set_round_anonymous(actor, atelier, rnd, payload.get("anonymous"))
    if version is None:
        return {"ok": True, "version": None, "changed": False, "round": round_dict(rnd)}
    return {**_after_round_change(atelier, rnd, version), "changed": True}


@event("approval:accept")
def approval_accept(payload: dict[str, Any]) -> dict[str, Any]:
    """Accept a waiting card, edited first when the payload carries ``titre`` … fields."""
    actor, atelier = _facilitated(payload)
    card = moderation.get_card(atelier, payload.get("contribution_id"))
    edits = {k: payload[k] for k in ("titre", "description", "public_concerne") if k in payload}
    version = approval.accept(actor, atelier, card, edits)
    data = contribution_dict(card)
    db.session.commit()
    if version is not None:
        cards.contribution_created(atelier.id, version, data)
        approval_push.decided(card)
    return {"ok": True, "version": version, "changed": version is not None, "contribution": data}


@event("approval:decline")
def approval_decline(payload: dict[str, Any]) -> dict[str, Any]:
    """Decline a waiting card, with an optional ``reason`` its author reads."""
    actor, atelier = _facilitated(payload)
    card = moderation.get_card(atelier, payload.get("contribution_id"))
    changed = approval.decline(actor, atelier, card, payload.get("reason"))
    data = queue_dict(card)
    db.session.commit()
    if changed:
        approval_push.decided(card)
    return {"ok": True, "changed": changed, "contribution": data}
