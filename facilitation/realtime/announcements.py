"""Socket.IO events of the control room's announcements (PROTOCOL.md, "Facilitation").

Validate → authorise (organizers of the event, inside the domain call) → domain → commit →
broadcast. A repeat (same ``client_id``, or withdrawing twice) answers ``duplicate: true``
and broadcasts nothing.
"""

from __future__ import annotations

from typing import Any

from facilitation.domain import announcements, control
from facilitation.domain.access import require_organizer
from facilitation.domain.validation import N_, integer_id
from facilitation.edge.identity import actor_for
from facilitation.extensions import db
from facilitation.models import Event
from facilitation.push import event_wide
from facilitation.realtime.handlers import event, event_from


def _atelier_ids(found: Event) -> list[int]:
    return [a.id for a in control.event_ateliers(found)]


@event("announcement:send")
def announcement_send(payload: dict[str, Any]) -> dict[str, Any]:
    found = event_from(payload)
    made, created = announcements.send(
        actor_for(found.id),
        found,
        payload.get("client_id"),
        payload.get("text"),
        payload.get("minutes"),
    )
    data = announcements.announcement_dict(made, found)
    db.session.commit()
    if created:
        event_wide.announcement(found.id, _atelier_ids(found), data or {})
    return {"ok": True, "duplicate": not created, "announcement": data}


@event("announcement:clear")
def announcement_clear(payload: dict[str, Any]) -> dict[str, Any]:
    found = event_from(payload)
    actor = actor_for(found.id)
    # Authorise before reading the id: a stranger learns nothing, not even "invalid".
    require_organizer(actor, found)
    announcement_id = integer_id(
        payload.get("announcement_id"), "announcement_id", N_("une annonce")
    )
    cleared, changed = announcements.withdraw(actor, found, announcement_id)
    data = announcements.announcement_dict(cleared, found)
    db.session.commit()
    if changed:
        event_wide.announcement_cleared(found.id, _atelier_ids(found), cleared.id)
    return {"ok": True, "duplicate": not changed, "announcement": data}
