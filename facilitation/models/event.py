"""An event (one day) and its timed programme."""

from __future__ import annotations

import enum
from datetime import date, datetime, time
from typing import TYPE_CHECKING

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Time, UniqueConstraint
from sqlalchemy import false as sa_false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitation.extensions import db
from facilitation.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from facilitation.models.atelier import Atelier


class EventStatus(enum.StrEnum):
    DRAFT = "brouillon"
    OPEN = "ouvert"
    CLOSED = "clos"


class SequenceKind(enum.StrEnum):
    ACCUEIL = "accueil"
    PLENIERE = "pleniere"
    ATELIERS_PRATIQUES = "ateliers_pratiques"
    ATELIERS_CHANTIERS = "ateliers_chantiers"
    PAUSE = "pause"
    RESTITUTION = "restitution"

    @property
    def has_ateliers(self) -> bool:
        return self in (SequenceKind.ATELIERS_PRATIQUES, SequenceKind.ATELIERS_CHANTIERS)


class Event(db.Model):
    __tablename__ = "event"
    __table_args__ = (CheckConstraint("status in ('brouillon', 'ouvert', 'clos')", name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stable public identifier used in URLs.
    slug: Mapped[str] = mapped_column(String(80), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    date: Mapped[date]
    venue: Mapped[str] = mapped_column(String(200), default="")
    city: Mapped[str] = mapped_column(String(120), default="")
    #: Short code typed on the home page by participants without the QR code.
    join_code: Mapped[str] = mapped_column(String(12), unique=True)
    timezone: Mapped[str] = mapped_column(String(64), default="Europe/Paris")
    status: Mapped[str] = mapped_column(String(12), default=EventStatus.OPEN.value)
    #: The territory's communes, offered in forms.
    communes: Mapped[list[str]] = mapped_column(JSON, default=list)
    organiser_name: Mapped[str] = mapped_column(String(200), default="")
    #: Branding shown on participant pages and projectors (migration 0010): a display name,
    #: a colour ``#rrggbb`` (checked for contrast) and the uploaded logo's digest (the logo
    #: itself is an ``EventLogo`` row; the digest versions its URL).
    brand_name: Mapped[str] = mapped_column(String(120), default="", server_default="")
    brand_color: Mapped[str] = mapped_column(String(7), default="", server_default="")
    logo_digest: Mapped[str | None] = mapped_column(String(16), nullable=True)
    #: Shown on the public home page. Off by default: an agency hosting several clients'
    #: days on one server must not show every client's day to anyone who opens the site;
    #: an event is reached by its code, QR code or link.
    listed_on_home: Mapped[bool] = mapped_column(default=False, server_default=sa_false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: What is happening now, moved on by the organizer (migration 0003). ``use_alter``: event
    #: and sequence reference each other.
    current_sequence_id: Mapped[int | None] = mapped_column(
        ForeignKey("sequence.id", ondelete="SET NULL", use_alter=True), nullable=True
    )

    sequences: Mapped[list[Sequence]] = relationship(
        back_populates="event",
        order_by="Sequence.position",
        cascade="all, delete-orphan",
        foreign_keys="Sequence.event_id",
    )
    current_sequence: Mapped[Sequence | None] = relationship(
        foreign_keys=[current_sequence_id], post_update=True
    )

    @property
    def is_open(self) -> bool:
        return self.status == EventStatus.OPEN.value


class Sequence(db.Model):
    """A timed slot of the day's programme; atelier sequences hold ateliers."""

    __tablename__ = "sequence"
    __table_args__ = (UniqueConstraint("event_id", "position"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    position: Mapped[int]
    kind: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    #: Local wall-clock times in the event's timezone.
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time | None] = mapped_column(Time, nullable=True)

    event: Mapped[Event] = relationship(back_populates="sequences", foreign_keys=[event_id])
    ateliers: Mapped[list[Atelier]] = relationship(
        back_populates="sequence", order_by="Atelier.position", cascade="all, delete-orphan"
    )

    @property
    def kind_enum(self) -> SequenceKind:
        return SequenceKind(self.kind)
