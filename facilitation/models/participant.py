"""A participant: a device identity, no account."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitation.extensions import db
from facilitation.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from facilitation.models.atelier import Atelier
    from facilitation.models.event import Event


class Participant(db.Model):
    __tablename__ = "participant"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    display_name: Mapped[str] = mapped_column(String(60))
    structure: Mapped[str] = mapped_column(String(120))
    commune: Mapped[str] = mapped_column(String(80), default="")
    #: When the participant accepted the notice on what is stored.
    consent_at: Mapped[datetime] = mapped_column(UTCDateTime)
    current_atelier_id: Mapped[int | None] = mapped_column(
        ForeignKey("atelier.id", ondelete="SET NULL"), nullable=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    current_atelier: Mapped[Atelier | None] = relationship()
