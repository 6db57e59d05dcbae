"""An atelier: one room, one wall, one Socket.IO room."""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import ForeignKey, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitation.extensions import db

if TYPE_CHECKING:
    from facilitation.models.event import Event, Sequence


class Atelier(db.Model):
    __tablename__ = "atelier"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"), index=True)
    sequence_id: Mapped[int] = mapped_column(
        ForeignKey("sequence.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    title: Mapped[str] = mapped_column(String(200))
    theme: Mapped[str] = mapped_column(String(200), default="")
    #: The question the facilitator puts to the atelier, shown on the projector.
    question: Mapped[str] = mapped_column(Text, default="")
    room: Mapped[str] = mapped_column(String(120), default="")
    capacity: Mapped[int | None] = mapped_column(nullable=True)
    #: Who animates it, as the organizers typed it (names; migration 0010).
    facilitators: Mapped[str] = mapped_column(String(300), default="", server_default="")
    #: Bumped in the same transaction as every change to the wall; deltas carry it so a
    #: client can tell it missed one.
    version: Mapped[int] = mapped_column(default=0)
    #: What the room's projector shows, driven from the facilitator console (migration 0003):
    #: "all", "card" (``projector_focus_id`` is a card), "categories", "results" or
    #: "paperboards" (the atelier's paperboard photos, issue 19.3).
    projector_mode: Mapped[str] = mapped_column(String(16), default="all", server_default="all")
    projector_focus_id: Mapped[int | None] = mapped_column(nullable=True)
    #: « Validation des cartes » (migration 0021): new cards wait in the console's queue until
    #: a facilitator accepts them (``Contribution.status``).
    card_approval: Mapped[bool] = mapped_column(default=False, server_default=false())

    event: Mapped[Event] = relationship()
    sequence: Mapped[Sequence] = relationship(back_populates="ateliers")
