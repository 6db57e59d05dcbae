"""How long an event keeps personal data: the purge date, and the figures frozen by the purge.

Both live on the event's ``EventPrivacy`` row. The restitution reads the frozen figures here
rather than from the purge rules, which are built on the restitution themselves: the purge
freezes the restitution's figures before it removes the names they are counted from.
"""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext

from facilitation.domain.access import Actor, require_organizer
from facilitation.domain.errors import ValidationError
from facilitation.extensions import db
from facilitation.models import Event
from facilitation.models.privacy import EventPrivacy


def privacy_of(event: Event, create: bool = False) -> EventPrivacy | None:
    """The event's privacy row (its purge date and state); made empty with ``create``."""
    found = db.session.get(EventPrivacy, event.id)
    if found is None and create:
        found = EventPrivacy(event_id=event.id, kept_figures={})
        db.session.add(found)
        db.session.flush()
    return found


def schedule_purge(actor: Actor, event: Event, raw: Any) -> date | None:
    """Set (an ISO date) or clear ("" / None) the event's « purger après le » date."""
    require_organizer(actor, event)
    when: date | None = None
    if isinstance(raw, date):
        when = raw
    elif isinstance(raw, str) and raw.strip():
        try:
            when = date.fromisoformat(raw.strip())
        except ValueError:
            raise ValidationError(
                errors={"purge_after": gettext("Indiquez une date valide (jj/mm/aaaa).")}
            ) from None
    elif raw not in (None, ""):
        raise ValidationError(
            errors={"purge_after": gettext("Indiquez une date valide (jj/mm/aaaa).")}
        )
    if when is not None and when < event.date:
        raise ValidationError(
            errors={
                "purge_after": gettext(
                    "La purge ne peut pas être prévue avant le jour de l'événement."
                )
            }
        )
    privacy = privacy_of(event, create=True)
    assert privacy is not None
    privacy.purge_after = when
    db.session.flush()
    return when


def kept_figures(event: Event) -> dict[str, Any]:
    """The figures frozen by the first purge (``{}`` before it), for the restitution."""
    found = db.session.get(EventPrivacy, event.id)
    return dict(found.kept_figures or {}) if found is not None else {}
