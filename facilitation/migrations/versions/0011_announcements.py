"""announcements: the organizers' messages to every screen, stored for phones that were away

Revision ID: 0011
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0011"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "announcement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("text", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("organizer_id", sa.Integer(), nullable=True),
        sa.Column("sent_by", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_announcement_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_announcement")),
        sa.UniqueConstraint("event_id", "client_id", name="uq_announcement_event_client"),
    )
    op.create_index(
        "ix_announcement_event_created", "announcement", ["event_id", "created_at"], unique=False
    )


def downgrade():
    op.drop_index("ix_announcement_event_created", table_name="announcement")
    op.drop_table("announcement")
