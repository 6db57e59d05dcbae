"""Who may run a day: organizers (accounts of the animating agency) and facilitator links."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitation.extensions import db
from facilitation.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from facilitation.models.atelier import Atelier
    from facilitation.models.event import Event

#: Organizers own events; an event may have several (an agency team).
event_organizer = Table(
    "event_organizer",
    db.metadata,
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    Column("organizer_id", ForeignKey("organizer.id", ondelete="CASCADE"), primary_key=True),
)


class Organizer(db.Model):
    """An account of the animating agency: email + hashed password."""

    __tablename__ = "organizer"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased: logins are case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    events: Mapped[list[Event]] = relationship(secondary=event_organizer)


class FacilitatorLink(db.Model):
    """A secret link handed to a facilitator: no account, scoped to one atelier or the event.

    Only a SHA-256 of the token is stored, so a database leak does not leak working links.
    Revoking sets ``revoked_at``; regenerating revokes and makes a new link.
    """

    __tablename__ = "facilitator_link"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    #: ``None``: every atelier of the event.
    atelier_id: Mapped[int | None] = mapped_column(
        ForeignKey("atelier.id", ondelete="CASCADE"), nullable=True, index=True
    )
    label: Mapped[str] = mapped_column(String(120), default="")
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    event: Mapped[Event] = relationship()
    atelier: Mapped[Atelier | None] = relationship()

    @property
    def active(self) -> bool:
        return self.revoked_at is None
