"""A *chantier*'s structured fields, its co-building history and the « Je m'engage ».

A chantier is a ``Contribution`` of kind ``chantier`` (same wall, same moderation and voting
as a morning pratique). Its extra fields live in a one-to-one ``ChantierDetail`` table rather
than in new columns on ``contribution``: pratiques carry none of them, the contribution table is
shared with the voting and moderation work (parallel migrations on one table are the ones that
collide), and a chantier's own ``version`` and consolidation marks belong next to its fields.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitation.extensions import db
from facilitation.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from facilitation.models.contribution import Contribution
    from facilitation.models.participant import Participant

#: The morning pratiques a chantier builds on (any atelier of the same event).
chantier_pratique = Table(
    "chantier_pratique",
    db.metadata,
    Column(
        "chantier_id",
        ForeignKey("chantier_detail.contribution_id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column("pratique_id", ForeignKey("contribution.id", ondelete="CASCADE"), primary_key=True),
)


class ChantierDetail(db.Model):
    """The structured fields of one chantier card; each text is the *consolidated* text.

    Participants' additions are kept beside it (``ChantierAddition``); when the facilitator
    consolidates a field, its text is replaced and ``consolidated`` records when and by whom.
    """

    __tablename__ = "chantier_detail"

    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contribution.id", ondelete="CASCADE"), primary_key=True
    )
    constat: Mapped[str] = mapped_column(Text, default="")
    objectif: Mapped[str] = mapped_column(Text, default="")
    publics: Mapped[str] = mapped_column(String(300), default="")
    #: Chosen from ``Event.communes`` (validated by the domain), in the event's order.
    communes: Mapped[list[str]] = mapped_column(JSON, default=list)
    partenaires: Mapped[str] = mapped_column(Text, default="")
    etapes: Mapped[str] = mapped_column(Text, default="")
    porteur: Mapped[str] = mapped_column(String(200), default="")
    #: ``{field: {"at": ISO 8601, "by": display name}}`` of the last consolidation per field.
    consolidated: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    #: Bumped with every change to this chantier, so a client can drop a stale update.
    version: Mapped[int] = mapped_column(default=0)

    contribution: Mapped[Contribution] = relationship()
    pratiques: Mapped[list[Contribution]] = relationship(
        secondary=chantier_pratique, order_by="Contribution.id"
    )


class ChantierAddition(db.Model):
    """Text a participant added to one field of a chantier; keeps its author."""

    __tablename__ = "chantier_addition"
    __table_args__ = (
        # A phone retrying the same addition sends the same client id: stored once.
        UniqueConstraint("participant_id", "client_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    chantier_id: Mapped[int] = mapped_column(
        ForeignKey("chantier_detail.contribution_id", ondelete="CASCADE"), index=True
    )
    field: Mapped[str] = mapped_column(String(32))
    text: Mapped[str] = mapped_column(Text)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), nullable=True
    )
    client_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[Participant | None] = relationship()


class ChantierComment(db.Model):
    """A comment on a chantier as a whole."""

    __tablename__ = "chantier_comment"
    __table_args__ = (UniqueConstraint("participant_id", "client_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chantier_id: Mapped[int] = mapped_column(
        ForeignKey("chantier_detail.contribution_id", ondelete="CASCADE"), index=True
    )
    text: Mapped[str] = mapped_column(Text)
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="SET NULL"), nullable=True
    )
    client_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[Participant | None] = relationship()


class Engagement(db.Model):
    """« Je m'engage »: one participant commits to take part in one chantier.

    ``contact`` is only stored with ``consent`` (to share it with the chantier's porteur and
    the organizer); withdrawing deletes the row, contact included.
    """

    __tablename__ = "engagement"
    __table_args__ = (UniqueConstraint("chantier_id", "participant_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    chantier_id: Mapped[int] = mapped_column(
        ForeignKey("chantier_detail.contribution_id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    contact: Mapped[str] = mapped_column(String(200), default="")
    consent: Mapped[bool] = mapped_column(default=False)
    #: The client id of the last write, echoed to a retry.
    client_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    participant: Mapped[Participant] = relationship()
