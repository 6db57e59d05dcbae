"""Dot-voting: a ballot per vote in an atelier, each voter's budget, and the dots.

How the budget is guaranteed (the one thing that must never be wrong):

* ``VoterBudget`` is one row per (ballot, participant) holding ``budget`` (copied from the
  ballot's ``dots_per_participant`` when the row is made, so a late joiner gets a full budget)
  and ``used``, the sum of that participant's dots in the ballot. ``CHECK (0 <= used <= budget)``
  makes the database refuse any transaction that would overspend, whatever the code does.
* Every change of a participant's dots, in ``domain.voting``, first *locks* that row
  (``SELECT … FOR UPDATE`` on PostgreSQL; on SQLite the ``INSERT … ON CONFLICT DO NOTHING``
  that ensures the row exists is the transaction's first write, which takes SQLite's single
  writer lock before anything is read), then reads the current dot count, then moves ``used``
  by the difference and writes the ``Dot`` row, all in one transaction. Two requests of the
  same participant (double tap, two tabs, a retry) are therefore serialised on that row, each
  computes its difference from the other's committed result, and ``used`` stays equal to the
  sum of the dots. Different participants never wait for each other on PostgreSQL.

We chose the counter row over ``SELECT … FOR UPDATE`` on the dots alone because the CHECK is a
declarative guarantee on both databases (no trigger, no dialect-specific lock needed for the
invariant itself), and because locking a row that may not exist yet (the first dot) is not
possible: the budget row gives every participant one lockable row from their first tap.

Scribe dots (entered by the facilitator for people without a phone: paper ballot, show of
hands) have no participant and no budget row: they are keyed by a label and bounded by
``MAX_SCRIBE_COUNT`` only, since a label may stand for a whole show of hands.
"""

from __future__ import annotations

import enum
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitation.extensions import db
from facilitation.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from facilitation.models.atelier import Atelier

#: Bounds of the settings a facilitator may choose.
MAX_DOTS_PER_PARTICIPANT = 20
#: A scribe line may stand for a show of hands in a large room.
MAX_SCRIBE_COUNT = 500
#: How many of a voter's last applied ``dot:set`` client ids are remembered per ballot. A
#: repeat comes from a phone whose ack was lost (resent after 8 s or on reconnection); its
#: tab sends one write at a time, so only the voter's other tabs can apply writes meanwhile.
APPLIED_CLIENT_IDS = 64


class BallotStatus(enum.StrEnum):
    OPEN = "ouvert"
    CLOSED = "clos"
    REVEALED = "révélé"


class Ballot(db.Model):
    """One dot-vote on an atelier's cards. At most one is open per atelier at a time."""

    __tablename__ = "ballot"
    __table_args__ = (
        CheckConstraint("status in ('ouvert', 'clos', 'révélé')", name="status"),
        CheckConstraint(
            f"dots_per_participant >= 1 AND dots_per_participant <= {MAX_DOTS_PER_PARTICIPANT}",
            name="dots_per_participant",
        ),
        CheckConstraint(
            "max_per_card >= 1 AND max_per_card <= dots_per_participant", name="max_per_card"
        ),
        # The database, not the code, makes "one open ballot per atelier" true under races.
        Index(
            "uq_ballot_open_per_atelier",
            "atelier_id",
            unique=True,
            sqlite_where=text("status = 'ouvert'"),
            postgresql_where=text("status = 'ouvert'"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    atelier_id: Mapped[int] = mapped_column(
        ForeignKey("atelier.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(12), default=BallotStatus.OPEN.value)
    dots_per_participant: Mapped[int] = mapped_column(default=3)
    #: Defaults to ``dots_per_participant`` (no limit beyond the budget).
    max_per_card: Mapped[int] = mapped_column(default=3)
    #: Whether everyone sees the tallies while voting, or only when the results are revealed.
    tallies_visible_live: Mapped[bool] = mapped_column(Boolean, default=False)
    allow_own_card: Mapped[bool] = mapped_column(Boolean, default=True)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    revealed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    atelier: Mapped[Atelier] = relationship()

    @property
    def is_open(self) -> bool:
        return self.status == BallotStatus.OPEN.value

    @property
    def tallies_public(self) -> bool:
        """Everyone may see the tallies: revealed, or visible live by the facilitator's choice."""
        return self.status == BallotStatus.REVEALED.value or self.tallies_visible_live


class VoterBudget(db.Model):
    """A participant's budget in one ballot; the row every change of their dots locks."""

    __tablename__ = "voter_budget"
    __table_args__ = (CheckConstraint("used >= 0 AND used <= budget", name="used_within_budget"),)

    ballot_id: Mapped[int] = mapped_column(
        ForeignKey("ballot.id", ondelete="CASCADE"), primary_key=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    budget: Mapped[int]
    #: Always the sum of this participant's ``Dot.count`` in the ballot (same transaction).
    used: Mapped[int] = mapped_column(default=0)
    #: The client ids of the voter's last applied ``dot:set`` (space-separated, oldest first,
    #: at most ``APPLIED_CLIENT_IDS``): a repeat of any of them is answered ``duplicate`` and
    #: changes nothing, so a late retry never undoes a newer write (issue 18.4). Kept here,
    #: on the row every change locks, so recognising a repeat costs no statement.
    applied_client_ids: Mapped[str] = mapped_column(Text, default="", server_default="")


class Dot(db.Model):
    """Dots on one card: a participant's (phone) or a scribe line (paper, show of hands)."""

    __tablename__ = "dot"
    __table_args__ = (
        # One row per voter and card: "my dots on card X are now N" updates it in place.
        UniqueConstraint("ballot_id", "participant_id", "contribution_id", name="uq_dot_voter"),
        Index(
            "uq_dot_scribe",
            "ballot_id",
            "contribution_id",
            "scribe_label",
            unique=True,
            sqlite_where=text("scribe"),
            postgresql_where=text("scribe"),
        ),
        CheckConstraint(f"count >= 0 AND count <= {MAX_SCRIBE_COUNT}", name="count"),
        CheckConstraint(
            "(scribe AND participant_id IS NULL AND scribe_label IS NOT NULL)"
            " OR (NOT scribe AND participant_id IS NOT NULL)",
            name="scribe_or_participant",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    ballot_id: Mapped[int] = mapped_column(ForeignKey("ballot.id", ondelete="CASCADE"), index=True)
    #: ``None`` for scribe lines. A purged participant takes their dots (and budget) away.
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), nullable=True
    )
    contribution_id: Mapped[int] = mapped_column(
        ForeignKey("contribution.id", ondelete="CASCADE"), index=True
    )
    count: Mapped[int] = mapped_column(default=0)
    #: Entered by the facilitator on behalf of people without a smartphone.
    scribe: Mapped[bool] = mapped_column(Boolean, default=False)
    #: Who or what a scribe line stands for ("Vote papier", "Main levée", a name).
    scribe_label: Mapped[str | None] = mapped_column(String(60), nullable=True)
    #: The last write's client id. Repeats are recognised on ``VoterBudget.applied_client_ids``
    #: (this row is deleted at 0 dots, and one id per card cannot tell an older write).
    client_id: Mapped[str | None] = mapped_column(String(64), nullable=True)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, onupdate=utcnow)
