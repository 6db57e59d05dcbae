"""« En un mot »: word clouds of an atelier, the words phones send, the words hidden.

A facilitator opens a cloud (a question, at most ``max_words`` words per phone); phones send
short words or phrases; the projector draws them grouped by their French stems
(``domain.french``). Several clouds may follow each other in an atelier over the day; at most
one is open at a time (a partial unique index, like ``Ballot``), closed ones stay for the
restitution.

How « at most N words per phone » holds under races: each word takes a numbered ``slot``
(1..N) of its phone in its cloud, ``UNIQUE (cloud_id, participant_id, slot)``. Two sends of
the same phone racing each other compute the same next slot; the database keeps one and the
other is refused (the phone's outbox sends it again and gets the next slot, or the limit).
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from facilitation.extensions import db
from facilitation.models.base import UTCDateTime, utcnow

if TYPE_CHECKING:
    from facilitation.models.atelier import Atelier

#: Bounds of « N words per phone » a facilitator may choose.
MAX_WORDS_LIMIT = 10
#: A word or a short phrase, as typed.
MAX_WORD_LENGTH = 40
#: The question, as the facilitator may edit it.
MAX_QUESTION_LENGTH = 200


class WordCloud(db.Model):
    """One « en un mot » question in an atelier and its answers."""

    __tablename__ = "word_cloud"
    __table_args__ = (
        CheckConstraint(f"max_words >= 1 AND max_words <= {MAX_WORDS_LIMIT}", name="max_words"),
        # The database, not the code, makes « one open cloud per atelier » true under races.
        Index(
            "uq_word_cloud_open_per_atelier",
            "atelier_id",
            unique=True,
            sqlite_where=text("closed_at IS NULL"),
            postgresql_where=text("closed_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    atelier_id: Mapped[int] = mapped_column(
        ForeignKey("atelier.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(String(MAX_QUESTION_LENGTH))
    #: At most this many words or phrases per phone.
    max_words: Mapped[int] = mapped_column(default=3)
    opened_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    #: ``None`` while phones may answer.
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)

    atelier: Mapped[Atelier] = relationship()

    @property
    def is_open(self) -> bool:
        return self.closed_at is None


class CloudWord(db.Model):
    """One word or short phrase a phone sent to a cloud."""

    __tablename__ = "cloud_word"
    __table_args__ = (
        # A resend of the same word (lost ack, outbox retry) finds the stored row.
        UniqueConstraint("cloud_id", "participant_id", "client_id", name="uq_cloud_word_client"),
        # At most ``max_words`` per phone, held by the database (see the module's docstring).
        UniqueConstraint("cloud_id", "participant_id", "slot", name="uq_cloud_word_slot"),
        CheckConstraint(f"slot >= 1 AND slot <= {MAX_WORDS_LIMIT}", name="slot"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cloud_id: Mapped[int] = mapped_column(
        ForeignKey("word_cloud.id", ondelete="CASCADE"), index=True
    )
    #: A participant who deletes their data takes their words with them.
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), index=True
    )
    client_id: Mapped[str] = mapped_column(String(64))
    slot: Mapped[int]
    #: As typed (trimmed, spaces collapsed): the display label is the commonest spelling.
    text: Mapped[str] = mapped_column(String(MAX_WORD_LENGTH))
    #: The grouping key: the phrase's content stems joined by a space (``domain.french``).
    key: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class CloudHiddenKey(db.Model):
    """A word (a grouping key) the facilitator took off the cloud: projector, phones, exports."""

    __tablename__ = "cloud_hidden_key"

    cloud_id: Mapped[int] = mapped_column(
        ForeignKey("word_cloud.id", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    hidden_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
