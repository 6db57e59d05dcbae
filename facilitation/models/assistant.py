"""What the facilitator decided about the assistant's proposals (duplicates, themes)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from facilitation.extensions import db
from facilitation.models.base import UTCDateTime, utcnow


class AssistantDecision(db.Model):
    """One proposal accepted or dismissed: it is never proposed again in this atelier.

    ``key`` names the proposal: ``d:<id>-<id>`` for a duplicate pair (sorted card ids),
    ``t:<key>+<key>`` for a theme (its sorted characteristic words), so a theme that gains a
    card is still the one dismissed. The unique key makes a repeated accept or dismiss one row.
    """

    __tablename__ = "assistant_decision"
    __table_args__ = (
        UniqueConstraint("atelier_id", "key", name="uq_assistant_decision_atelier_key"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    atelier_id: Mapped[int] = mapped_column(ForeignKey("atelier.id", ondelete="CASCADE"))
    key: Mapped[str] = mapped_column(String(200))
    #: ``accepted`` or ``dismissed``.
    decision: Mapped[str] = mapped_column(String(16))
    decided_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
