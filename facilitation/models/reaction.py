"""« Moi aussi »: reactions of participants to the morning pratiques.

Two kinds: « Nous aussi » (we do this too) and « Ça m'intéresse » (we would like to do it).
One row per participant, card and kind, kept by a unique constraint: a reaction is a state
(on / off), set rather than toggled, so a retried event stores one row and never flips back.
Retracting deletes the row. Its own table (not columns on ``contribution``): reactions are
personal data erased with the person (``ondelete=CASCADE`` and ``domain.privacy``), and the
shared ``contribution`` table stays untouched by this feature's migration.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from facilitation.extensions import db
from facilitation.models.base import UTCDateTime, utcnow


class ReactionKind(enum.StrEnum):
    #: « Nous aussi » : we do this too.
    NOUS_AUSSI = "nous_aussi"
    #: « Ça m'intéresse » : we would like to do it.
    INTERESSE = "interesse"


class Reaction(db.Model):
    __tablename__ = "reaction"
    __table_args__ = (
        # One reaction of each kind per participant and card: a retry or a double tap
        # stores one row, whatever the code does.
        UniqueConstraint("contribution_id", "participant_id", "kind", name="uq_reaction"),
        CheckConstraint("kind in ('nous_aussi', 'interesse')", name="kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contribution.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
