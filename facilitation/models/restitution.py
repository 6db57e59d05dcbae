"""What the restitution adds to a day: each atelier's synthesis and the plenary's settings."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import JSON, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitation.extensions import db
from facilitation.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from facilitation.models.atelier import Atelier
    from facilitation.models.event import Event


class AtelierSynthesis(db.Model):
    """« Ce qu'il faut retenir » : the short text a facilitator writes for the plenary."""

    __tablename__ = "atelier_synthesis"

    id: Mapped[int] = mapped_column(primary_key=True)
    #: One synthesis per atelier: saving again replaces the text.
    atelier_id: Mapped[int] = mapped_column(
        ForeignKey("atelier.id", ondelete="CASCADE"), unique=True
    )
    text: Mapped[str] = mapped_column(Text, default="")
    #: Who saved it last (organizer name or facilitator link label), for the console only.
    updated_by: Mapped[str] = mapped_column(String(120), default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    atelier: Mapped[Atelier] = relationship()


class RestitutionSettings(db.Model):
    """The organizer's choices for the plenary: slide order, hidden slides, publication."""

    __tablename__ = "restitution_settings"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), unique=True)
    #: Slide keys in the organizer's order; slides missing here keep their natural place.
    slide_order: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Keys of slides left out of the presentation.
    hidden_slides: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: Secret part of the public restitution link; ``None`` while unpublished. A new token is
    #: drawn at each publication, so unpublishing kills the old link for good.
    public_token: Mapped[str | None] = mapped_column(String(64), unique=True, nullable=True)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    event: Mapped[Event] = relationship()
