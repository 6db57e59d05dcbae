"""Photos: one per card (taken with the participant's phone), several paperboards per atelier
(taken by the facilitator). Stored in the database, not on disk, so that every worker of a
PostgreSQL deployment serves them and a backup holds them.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, LargeBinary, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from facilitation.extensions import db
from facilitation.models.base import UTCDateTime, utcnow


class Photo(db.Model):
    """A re-encoded photo: metadata stripped, orientation applied, two JPEG sizes.

    ``small`` and ``large`` are deferred: lists of photos (snapshots, exports' headings) never
    pull the bytes; only the image route and the exports that embed them load them.
    """

    __tablename__ = "photo"
    __table_args__ = (
        # A phone retrying an upload sends the same client id: the database keeps one photo.
        UniqueConstraint("atelier_id", "client_id", name="uq_photo_atelier_client"),
        # One photo per card (a new one replaces it).
        UniqueConstraint("contribution_id", name="uq_photo_contribution"),
        CheckConstraint("kind in ('card', 'paperboard')", name="photo_kind"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    atelier_id: Mapped[int] = mapped_column(
        ForeignKey("atelier.id", ondelete="CASCADE"), index=True
    )
    #: ``card`` (attached to ``contribution_id``) or ``paperboard`` (the atelier's sheets).
    kind: Mapped[str] = mapped_column(String(16))
    contribution_id: Mapped[int | None] = mapped_column(
        ForeignKey("contribution.id", ondelete="CASCADE"), nullable=True
    )
    #: The participant who sent it (``None`` for a facilitator's paperboard): « Mes données ».
    participant_id: Mapped[int | None] = mapped_column(
        ForeignKey("participant.id", ondelete="CASCADE"), nullable=True, index=True
    )
    #: Made by the uploading page, so that a retried upload is stored once.
    client_id: Mapped[str] = mapped_column(String(64))
    #: The first 32 hex digits of the large JPEG's SHA-256: in the URL, so it never changes.
    digest: Mapped[str] = mapped_column(String(32))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    small_width: Mapped[int] = mapped_column()
    small_height: Mapped[int] = mapped_column()
    #: Bytes of the large JPEG (shown in the JSON export, no need to load it).
    size_bytes: Mapped[int] = mapped_column()
    small: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    large: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)
    #: Hidden by the facilitator: kept, shown on the console only (no screen, no export).
    hidden: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
