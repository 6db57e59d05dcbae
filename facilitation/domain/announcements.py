"""Announcements from the control room (régie) to every screen of an event.

Stored, so the current one reaches a phone that was away: it is part of the atelier
snapshot every (re)join receives. The event's *current* announcement is its latest one,
unless the organizer withdrew it or it expired (``None`` then: sending a new one replaces
the previous, withdrawing clears the screens).

Writes are idempotent: ``send`` stores one row per ``(event, client_id)`` (a retry after a
lost ack answers the stored announcement), ``withdraw`` is a set (withdrawing twice changes
nothing the second time). Like the rest of the domain: flush, never commit, never emit.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import gettext
from sqlalchemy import select

from facilitation.domain.access import Actor, require_organizer
from facilitation.domain.control import clean_announcement
from facilitation.domain.errors import NotFound, ValidationError
from facilitation.domain.once import add_once
from facilitation.domain.validation import as_int
from facilitation.domain.validation import client_id as clean_client_id
from facilitation.extensions import db
from facilitation.models import Announcement, Event
from facilitation.models.base import utcnow

#: How long an announcement stays on the screens unless the organizer says otherwise.
DEFAULT_MINUTES = 60
MAX_MINUTES = 12 * 60


def _minutes(raw: Any) -> int:
    if raw is None or raw == "":
        return DEFAULT_MINUTES
    raw = as_int(raw)
    if raw is None or not 1 <= raw <= MAX_MINUTES:
        message = gettext("Indiquez une durée entre 1 et %(max)s minutes.", max=MAX_MINUTES)
        raise ValidationError(message, {"minutes": message})
    return raw


def send(
    actor: Actor,
    event: Event,
    raw_client_id: Any,
    raw_text: Any,
    raw_minutes: Any = None,
    now: datetime | None = None,
) -> tuple[Announcement, bool]:
    """Store an announcement; return ``(announcement, created)``.

    ``created`` is False for a repeat of the same ``client_id`` (nothing new to broadcast).
    """
    organizer = require_organizer(actor, event)
    cid = clean_client_id(raw_client_id)
    existing = _by_client_id(event, cid)
    if existing is not None:
        return existing, False
    text = clean_announcement(raw_text)
    minutes = _minutes(raw_minutes)
    now = now or utcnow()
    made = Announcement(
        event_id=event.id,
        client_id=cid,
        text=text,
        created_at=now,
        expires_at=now + timedelta(minutes=minutes),
        organizer_id=organizer.id,
        sent_by=organizer.email,
    )
    # The same send arriving twice at once (two workers): the unique constraint keeps one.
    return add_once(made, lambda: _by_client_id(event, cid))


def _by_client_id(event: Event, cid: str) -> Announcement | None:
    return db.session.scalar(
        select(Announcement).where(Announcement.event_id == event.id, Announcement.client_id == cid)
    )


def withdraw(
    actor: Actor, event: Event, announcement_id: int, now: datetime | None = None
) -> tuple[Announcement, bool]:
    """Take an announcement off every screen; return ``(announcement, changed)``."""
    require_organizer(actor, event)
    found = db.session.get(Announcement, announcement_id)
    if found is None or found.event_id != event.id:
        raise NotFound(gettext("Cette annonce n'existe pas."))
    if found.withdrawn_at is not None:
        return found, False
    found.withdrawn_at = now or utcnow()
    db.session.flush()
    return found, True


def current(event: Event | int, now: datetime | None = None) -> Announcement | None:
    """The announcement the screens show now: the latest, unless withdrawn or expired."""
    event_id = event if isinstance(event, int) else event.id
    latest = db.session.scalar(
        select(Announcement)
        .where(Announcement.event_id == event_id)
        .order_by(Announcement.created_at.desc(), Announcement.id.desc())
        .limit(1)
    )
    if latest is None or not is_live(latest, now):
        return None
    return latest


def is_live(announcement: Announcement, now: datetime | None = None) -> bool:
    if announcement.withdrawn_at is not None:
        return False
    return announcement.expires_at is None or announcement.expires_at > (now or utcnow())


def announcement_dict(announcement: Announcement | None, event: Event) -> dict[str, Any] | None:
    """What the screens receive. ``at`` is UTC; ``at_local`` the same instant in the event's
    time zone (the time shown, « envoyée à 15h02 »). Never the sender's address."""
    if announcement is None:
        return None
    local = announcement.created_at.astimezone(ZoneInfo(event.timezone))
    return {
        "id": announcement.id,
        "event_id": announcement.event_id,
        "client_id": announcement.client_id,
        "text": announcement.text,
        "at": announcement.created_at.isoformat(),
        "at_local": local.isoformat(),
        "expires_at": announcement.expires_at.isoformat() if announcement.expires_at else None,
        "withdrawn": announcement.withdrawn_at is not None,
    }


def current_dict(event: Event, now: datetime | None = None) -> dict[str, Any] | None:
    return announcement_dict(current(event, now), event)
