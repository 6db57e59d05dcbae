"""Who may run a day: organizers (accounts of the animating agency) and facilitator links."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import Column, ForeignKey, Integer, String, Table
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitation.extensions import db
from facilitation.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from facilitation.models.atelier import Atelier
    from facilitation.models.event import Event

#: Organizers run events; an event may have several (an agency team). ``role`` is
#: ``owner`` (who created the event: invites and removes organizers) or ``organizer``.
event_organizer = Table(
    "event_organizer",
    db.metadata,
    Column("event_id", ForeignKey("event.id", ondelete="CASCADE"), primary_key=True),
    Column("organizer_id", ForeignKey("organizer.id", ondelete="CASCADE"), primary_key=True),
    Column("role", String(12), nullable=False, default="owner", server_default="owner"),
)

OWNER = "owner"
ORGANIZER = "organizer"


class Organizer(db.Model):
    """An account of the animating agency: email + hashed password."""

    __tablename__ = "organizer"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stored lower-cased: logins are case-insensitive.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    display_name: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: Copied into the signed session cookie at login; bumped by logout, a password change
    #: or reset, so every session (cookie, open socket) opened before stops counting.
    session_version: Mapped[int] = mapped_column(Integer, default=1, server_default="1")

    events: Mapped[list[Event]] = relationship(secondary=event_organizer)

    @property
    def label(self) -> str:
        return self.display_name or self.email


class OrganizerToken(db.Model):
    """A one-time link for an organizer: an invitation to an event, or a password reset.

    Only a SHA-256 of the token is stored; the link is shown once. ``used_at`` or
    ``revoked_at`` set: spent.
    """

    __tablename__ = "organizer_token"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: ``invitation`` (to ``event_id``, made by ``created_by_id``) or ``reset`` (for
    #: ``organizer_id``, printed by an administrator with the CLI).
    kind: Mapped[str] = mapped_column(String(12))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("event.id", ondelete="CASCADE"), nullable=True, index=True
    )
    organizer_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizer.id", ondelete="CASCADE"), nullable=True, index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizer.id", ondelete="SET NULL"), nullable=True
    )
    #: For whom the invitation is meant (a reminder for the owner, not checked).
    label: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    event: Mapped[Event | None] = relationship()
    organizer: Mapped[Organizer | None] = relationship(foreign_keys=[organizer_id])
    created_by: Mapped[Organizer | None] = relationship(foreign_keys=[created_by_id])


class EventAuditEntry(db.Model):
    """One line of an event's audit log: who did what to the event's team and accounts."""

    __tablename__ = "event_audit"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: ``None`` for the command line or a deleted account; ``actor_label`` keeps a name.
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("organizer.id", ondelete="SET NULL"), nullable=True
    )
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    #: A code (``invitation.created``, ``organizer.removed`` ...), shown translated.
    action: Mapped[str] = mapped_column(String(40))
    #: Whom or what it was about (an email, an invitation's label).
    detail: Mapped[str] = mapped_column(String(254), default="")


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
