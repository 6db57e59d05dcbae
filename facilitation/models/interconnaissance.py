"""Interconnaissance: a participant's optional profile, contact requests, the tour de table.

The profile is a separate one-to-one table rather than columns on ``participant``: it is
optional data with its own consent (``visible``), it can be erased as a unit without touching
the participant's contributions, and the shared ``participant`` table stays untouched by this
feature's migration (parallel branches altering one table merge badly).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    ForeignKey,
    Integer,
    String,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitation.extensions import db
from facilitation.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from facilitation.models.participant import Participant

#: Kinds of structure offered in the profile form (stable codes; labels live in the domain).
STRUCTURE_KINDS = (
    "ccas",
    "association",
    "departement",
    "etat",
    "bailleur",
    "crous",
    "croix_rouge",
    "commune",
    "autre",
)

CONTACT_STATUSES = ("pending", "accepted", "declined")


class Profile(db.Model):
    """What a participant says about themselves; shown to others only when ``visible``."""

    __tablename__ = "profile"
    __table_args__ = (
        CheckConstraint(
            "structure_kind in ('', " + ", ".join(f"'{k}'" for k in STRUCTURE_KINDS) + ")",
            name="structure_kind",
        ),
    )

    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True
    )
    #: Fonction, e.g. « travailleuse sociale ».
    role: Mapped[str] = mapped_column(String(80), default="")
    #: One of ``STRUCTURE_KINDS`` or "" when not said.
    structure_kind: Mapped[str] = mapped_column(String(20), default="")
    #: Publics the structure works with (short tags).
    publics: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: « Ce que je peux apporter » (short tags).
    offers: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: « Ce que je cherche » (short tags).
    needs: Mapped[list[str]] = mapped_column(JSON, default=list)
    #: How to reach me (e-mail, phone...); shown to someone only after mutual acceptance.
    contact: Mapped[str] = mapped_column(String(200), default="")
    #: Explicit consent to appear in the who's who, the tour de table and the matches.
    visible: Mapped[bool] = mapped_column(Boolean, default=False)
    #: When ``visible`` was last switched on (the consent's date), else None.
    visible_since: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)

    participant: Mapped[Participant] = relationship(
        backref=db.backref("profile", uselist=False, cascade="all, delete-orphan")
    )


class ContactRequest(db.Model):
    """« Demander la mise en relation »: from one participant to another of the same event.

    Asking is the sender's acceptance; the contact fields are shared both ways only once the
    recipient accepts (``status == "accepted"``).
    """

    __tablename__ = "contact_request"
    __table_args__ = (
        UniqueConstraint("from_participant_id", "to_participant_id"),
        CheckConstraint(
            "status in (" + ", ".join(f"'{s}'" for s in CONTACT_STATUSES) + ")", name="status"
        ),
        CheckConstraint("from_participant_id <> to_participant_id", name="not_self"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    from_participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    to_participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(String(500), default="")
    status: Mapped[str] = mapped_column(String(12), default="pending")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    sender: Mapped[Participant] = relationship(foreign_keys=[from_participant_id])
    recipient: Mapped[Participant] = relationship(foreign_keys=[to_participant_id])


class TourDeTable(db.Model):
    """The tour de table of one atelier, stepped through by the facilitator.

    Kept in the database (not in a worker's memory) so every worker and a restarted server
    agree; ``version`` is bumped by every change so a stale « suivant » does not skip twice.
    """

    __tablename__ = "tour_de_table"

    atelier_id: Mapped[int] = mapped_column(
        ForeignKey("atelier.id", ondelete="CASCADE"), primary_key=True
    )
    #: Participant ids in speaking order, fixed at start (newcomers are appended).
    order: Mapped[list[int]] = mapped_column(JSON, default=list)
    position: Mapped[int] = mapped_column(Integer, default=0)
    #: Seconds per person, 0 for no timer.
    timer_seconds: Mapped[int] = mapped_column(Integer, default=0)
    #: When the current person started speaking (server clock, for the timer).
    person_started_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    version: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
