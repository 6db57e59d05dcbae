"""roles: organizers, event ownership, facilitator links

Revision ID: 0002
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "organizer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("password_hash", sa.String(length=255), nullable=False),
        sa.Column("display_name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizer")),
        sa.UniqueConstraint("email", name=op.f("uq_organizer_email")),
    )
    op.create_table(
        "event_organizer",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("organizer_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_event_organizer_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organizer_id"], ["organizer.id"],
            name=op.f("fk_event_organizer_organizer_id_organizer"), ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "organizer_id", name=op.f("pk_event_organizer")),
    )
    op.create_table(
        "facilitator_link",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("atelier_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["atelier_id"], ["atelier.id"], name=op.f("fk_facilitator_link_atelier_id_atelier"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_facilitator_link_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_facilitator_link")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_facilitator_link_token_hash")),
    )
    with op.batch_alter_table("facilitator_link") as batch_op:
        batch_op.create_index(batch_op.f("ix_facilitator_link_event_id"), ["event_id"])
        batch_op.create_index(batch_op.f("ix_facilitator_link_atelier_id"), ["atelier_id"])


def downgrade():
    op.drop_table("facilitator_link")
    op.drop_table("event_organizer")
    op.drop_table("organizer")
