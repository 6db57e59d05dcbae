"""A card on an atelier's wall: a *pratique* in the morning, a *chantier* in the afternoon."""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    String,
    Text,
    UniqueConstraint,
    and_,
    false,
)
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitation.extensions import db
from facilitation.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from facilitation.models.atelier import Atelier
    from facilitation.models.participant import Participant


class CardStatus(enum.StrEnum):
    """Where a card stands with « validation des cartes » (migration 0021)."""

    ACCEPTED = "accepted"
    PENDING = "pending"
    DECLINED = "declined"


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
    # -- rounds and moderation (migration 0003) ------------------------------------------
    #: The round the card was posted in (``None`` for cards older than rounds).
    round_id: Mapped[int | None] = mapped_column(
        ForeignKey("round.id", ondelete="SET NULL"), nullable=True, index=True
    )
    #: Hidden by the facilitator: kept, but shown only on the facilitator console.
    hidden: Mapped[bool] = mapped_column(default=False)
    pinned: Mapped[bool] = mapped_column(default=False)
    category_id: Mapped[int | None] = mapped_column(
        ForeignKey("category.id", ondelete="SET NULL"), nullable=True
    )
    #: Set when the text was changed after posting (by its author or the facilitator).
    edited_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    #: A duplicate merged into another card: it keeps its text and author, shown there.
    merged_into_id: Mapped[int | None] = mapped_column(
        ForeignKey("contribution.id", ondelete="SET NULL"), nullable=True, index=True
    )
    #: Withdrawn by its author: kept for the audit, shown nowhere.
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    # -- anonymity and approval (migration 0021) -----------------------------------------
    #: Posted while its round was anonymous: its author, structure and commune are shown to
    #: nobody but its author, for good (the promise made at posting is kept).
    anonymous: Mapped[bool] = mapped_column(default=False, server_default=false())
    #: ``accepted`` (on the wall), ``pending`` (in the console's queue) or ``declined`` (back
    #: with its author, with ``decline_reason``): see ``domain.approval``.
    status: Mapped[str] = mapped_column(
        String(16), default=CardStatus.ACCEPTED.value, server_default=CardStatus.ACCEPTED.value
    )
    decline_reason: Mapped[str] = mapped_column(Text, default="", server_default="")
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    atelier: Mapped[Atelier] = relationship()
    author: Mapped[Participant | None] = relationship()

    @hybrid_property
    def visible(self) -> bool:
        """Shown on phones and projectors (in a query: the same test, in SQL)."""
        return (
            not self.hidden
            and self.merged_into_id is None
            and self.withdrawn_at is None
            and self.status == CardStatus.ACCEPTED
        )

    @visible.inplace.expression
    @classmethod
    def _visible_expression(cls) -> ColumnElement[bool]:
        return and_(
            cls.hidden.is_(False),
            cls.merged_into_id.is_(None),
            cls.withdrawn_at.is_(None),
            cls.status == CardStatus.ACCEPTED.value,
        )
