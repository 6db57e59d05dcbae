"""Announcements from the organizers to every screen of an event (« Retour en plénière à
15h45 »), stored so a phone that was away (asleep, reconnecting, arriving late) still gets the
current one in its atelier snapshot."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from facilitation.extensions import db
from facilitation.models.base import UTCDateTime, utcnow


class Announcement(db.Model):
    """One announcement. The event's current one is its latest, unless withdrawn or expired.

    ``client_id`` is made by the control room's page: a retried send stores one row.
    """

    __tablename__ = "announcement"
    __table_args__ = (
        UniqueConstraint("event_id", "client_id", name="uq_announcement_event_client"),
        Index("ix_announcement_event_created", "event_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    client_id: Mapped[str] = mapped_column(String(64))
    text: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Shown until then (``None``: until withdrawn or replaced).
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: Who sent it: a plain id (the history survives a deleted account) and a readable label.
    organizer_id: Mapped[int | None] = mapped_column(nullable=True)
    sent_by: Mapped[str] = mapped_column(String(254), default="")
