"""A card on an atelier's wall: a *pratique* in the morning, a *chantier* in the afternoon."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitation.extensions import db
from facilitation.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from facilitation.models.atelier import Atelier
    from facilitation.models.participant import Participant


class ContributionKind(enum.StrEnum):
    PRATIQUE = "pratique"
    CHANTIER = "chantier"


class Contribution(db.Model):
    __tablename__ = "contribution"
    __table_args__ = (
        # A phone retrying a post sends the same client id: the database keeps one card.
        UniqueConstraint("participant_id", "client_id", name="uq_contribution_client"),
        CheckConstraint("kind in ('pratique', 'chantier')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    atelier_id: Mapped[int] = mapped_column(
        ForeignKey("atelier.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), nullable=True
    )
    #: Made by the phone, so that a retried write is stored once.
    client_id: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(16))
    titre: Mapped[str] = mapped_column(String(120))
    description: Mapped[str] = mapped_column(Text, default="")
    structure: Mapped[str] = mapped_column(String(120), default="")
    commune: Mapped[str] = mapped_column(String(80), default="")
    public_concerne: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    atelier: Mapped[Atelier] = relationship()
    author: Mapped[Participant | None] = relationship()
