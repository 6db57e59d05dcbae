"""Rounds of an atelier: phases with a timer, their audited transitions, and card categories."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint, event, false, insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Mapped, Mapper, mapped_column, relationship

from facilitation.extensions import db
from facilitation.models.atelier import Atelier
from facilitation.models.base import UTCDateTime, utcnow


class Phase(enum.StrEnum):
    """The phases of a round, in their forward order."""

    PREPARATION = "preparation"
    CONTRIBUTIONS = "contributions"
    VOTE = "vote"
    RESULTATS = "resultats"
    CLOS = "clos"

    @property
    def label(self) -> str:
        return PHASE_LABELS[self]

    @property
    def rank(self) -> int:
        return list(Phase).index(self)


PHASE_LABELS = {
    Phase.PREPARATION: "préparation",
    Phase.CONTRIBUTIONS: "contributions ouvertes",
    Phase.VOTE: "vote",
    Phase.RESULTATS: "résultats",
    Phase.CLOS: "clos",
}

_PHASE_CHECK = "phase in ('preparation', 'contributions', 'vote', 'resultats', 'clos')"

#: What a round's timer does at zero: « alerte seulement » (a signal on every screen, the
#: phase stays) or « passer à la phase suivante ». The facilitator's choice, per round.
AT_ZERO_ALERT = "alert"
AT_ZERO_ADVANCE = "advance"
AT_ZERO_CHOICES = (AT_ZERO_ALERT, AT_ZERO_ADVANCE)


class Round(db.Model):
    """One round of an atelier. The atelier's current round is its highest ``number``.

    Timer: ``ends_at`` is set while the countdown runs (server time, UTC); ``remaining`` holds
    the seconds left while it is paused or not yet started; both ``None``: no timer.
    """

    __tablename__ = "round"
    __table_args__ = (
        # Two facilitators creating a round at once: the second insert fails cleanly.
        UniqueConstraint("atelier_id", "number", name="uq_round_atelier_number"),
        CheckConstraint(_PHASE_CHECK, name="phase"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    atelier_id: Mapped[int] = mapped_column(
        ForeignKey("atelier.id", ondelete="CASCADE"), index=True
    )
    #: 1, 2, 3 … within the atelier.
    number: Mapped[int]
    phase: Mapped[str] = mapped_column(String(16), default=Phase.PREPARATION.value)
    #: Seconds the timer was last set to (for a progress bar); ``None``: no timer.
    timer_duration: Mapped[int | None] = mapped_column(nullable=True)
    timer_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)
    timer_remaining: Mapped[int | None] = mapped_column(nullable=True)
    #: ``alert`` (default: signal, keep the phase) or ``advance`` (next phase) at zero.
    timer_at_zero: Mapped[str] = mapped_column(
        String(8), default=AT_ZERO_ALERT, server_default=AT_ZERO_ALERT
    )
    #: « Tour anonyme » (migration 0021): cards posted in this round show neither name nor
    #: structure nor commune anywhere; each card keeps the promise made when it was posted
    #: (``Contribution.anonymous``), whatever this becomes later.
    anonymous: Mapped[bool] = mapped_column(default=False, server_default=false())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    phase_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    atelier: Mapped[Atelier] = relationship()

    @property
    def phase_enum(self) -> Phase:
        return Phase(self.phase)


class RoundTransition(db.Model):
    """Audit of every phase change: who, from, to, when, and why (manual, reopen, timer).

    The actor ids are plain integers, not foreign keys, so the history survives a revoked
    link or a deleted account; ``actor_label`` keeps a readable name alongside.
    """

    __tablename__ = "round_transition"

    id: Mapped[int] = mapped_column(primary_key=True)
    round_id: Mapped[int] = mapped_column(ForeignKey("round.id", ondelete="CASCADE"), index=True)
    from_phase: Mapped[str] = mapped_column(String(16))
    to_phase: Mapped[str] = mapped_column(String(16))
    #: "manual" (forward), "reopen" (backwards) or "timer" (closed at zero by the server).
    reason: Mapped[str] = mapped_column(String(16), default="manual")
    organizer_id: Mapped[int | None] = mapped_column(nullable=True)
    facilitator_link_id: Mapped[int | None] = mapped_column(nullable=True)
    actor_label: Mapped[str] = mapped_column(String(254), default="")
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    round: Mapped[Round] = relationship()


class Category(db.Model):
    """A heading the facilitator creates on the fly to sort an atelier's cards."""

    __tablename__ = "category"
    __table_args__ = (UniqueConstraint("atelier_id", "name", name="uq_category_atelier_name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    atelier_id: Mapped[int] = mapped_column(
        ForeignKey("atelier.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(80))
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


@event.listens_for(Atelier, "after_insert")
def _open_first_round(_mapper: Mapper[Atelier], connection: Connection, target: Atelier) -> None:
    """Every atelier starts with round 1 open for contributions, whoever creates it (demo day,
    import, tests): a wall is usable as soon as it exists; the facilitator moves it on."""
    now = utcnow()
    connection.execute(
        insert(Round.__table__).values(
            atelier_id=target.id,
            number=1,
            phase=Phase.CONTRIBUTIONS.value,
            created_at=now,
            phase_changed_at=now,
        )
    )
