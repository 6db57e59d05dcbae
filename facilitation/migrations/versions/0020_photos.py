"""Photos: one per card from the participant's phone, paperboards from the facilitator
(issue 19.3), stored in the database so every worker serves them.

Revision ID: 0020
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0020"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("atelier_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=True),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("digest", sa.String(length=32), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("small_width", sa.Integer(), nullable=False),
        sa.Column("small_height", sa.Integer(), nullable=False),
        sa.Column("size_bytes", sa.Integer(), nullable=False),
        sa.Column("small", sa.LargeBinary(), nullable=False),
        sa.Column("large", sa.LargeBinary(), nullable=False),
        sa.Column("hidden", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("kind in ('card', 'paperboard')", name=op.f("ck_photo_photo_kind")),
        sa.ForeignKeyConstraint(
            ["atelier_id"], ["atelier.id"], name=op.f("fk_photo_atelier_id_atelier"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contribution.id"],
            name=op.f("fk_photo_contribution_id_contribution"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_photo_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_photo")),
        sa.UniqueConstraint("atelier_id", "client_id", name="uq_photo_atelier_client"),
        sa.UniqueConstraint("contribution_id", name="uq_photo_contribution"),
    )
    op.create_index(op.f("ix_photo_atelier_id"), "photo", ["atelier_id"])
    op.create_index(op.f("ix_photo_participant_id"), "photo", ["participant_id"])


def downgrade():
    op.drop_index(op.f("ix_photo_participant_id"), table_name="photo")
    op.drop_index(op.f("ix_photo_atelier_id"), table_name="photo")
    op.drop_table("photo")
