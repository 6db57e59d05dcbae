"""Setting up a day: the event's uploaded logo and its expected participants."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from facilitation.extensions import db
from facilitation.models.base import UTCDateTime, utcnow


class EventLogo(db.Model):
    """The logo uploaded for an event: a small PNG, JPEG or WebP image, checked on upload."""

    __tablename__ = "event_logo"

    event_id: Mapped[int] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), primary_key=True
    )
    #: ``image/png``, ``image/jpeg`` or ``image/webp``, from the file's magic bytes.
    content_type: Mapped[str] = mapped_column(String(32))
    data: Mapped[bytes] = mapped_column(LargeBinary)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ExpectedParticipant(db.Model):
    """Someone the organizers expect (CSV import): no account, no email is ever sent."""

    __tablename__ = "expected_participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    structure: Mapped[str] = mapped_column(String(120), default="")
    commune: Mapped[str] = mapped_column(String(80), default="")
    email: Mapped[str] = mapped_column(String(254), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
