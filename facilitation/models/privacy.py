"""Privacy of an event's personal data: the scheduled purge and what it kept.

A separate one-to-one table rather than columns on ``event``: the purge has its own life
(scheduled, run once, then frozen figures), and the shared ``event`` table stays untouched by
this feature's migration while others extend it.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Date, ForeignKey
from sqlalchemy.orm import Mapped, mapped_column

from facilitation.extensions import db
from facilitation.models.base import UTCDateTime, utcnow


class EventPrivacy(db.Model):
    """When an event's personal data is purged, and the anonymised figures it left behind."""

    __tablename__ = "event_privacy"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    #: The organizer's « purger après le » date (event's calendar day); ``flask purge --due``
    #: purges the events whose date has passed. ``None``: not scheduled.
    purge_after: Mapped[date | None] = mapped_column(Date, nullable=True)
    #: When the last purge ran (``None``: never).
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Aggregates computed from personal data just before the first purge, so that the
    #: restitution's figures stay the same once names, structures and author links are gone:
    #: ``{"structures_list": [...], "communes_list": [...], "atelier_participants": {id: n}}``.
    kept_figures: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
