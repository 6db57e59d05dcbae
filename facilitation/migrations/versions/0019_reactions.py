"""« Moi aussi »: reactions « Nous aussi » / « Ça m'intéresse » on the pratiques (issue 19.2)

A new table only: the shared ``contribution`` and ``participant`` tables are untouched.

Revision ID: 0019
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0019"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "reaction",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "kind in ('nous_aussi', 'interesse')", name=op.f("ck_reaction_kind")
        ),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contribution.id"],
            name=op.f("fk_reaction_contribution_id_contribution"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_reaction_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_reaction")),
        sa.UniqueConstraint(
            "contribution_id", "participant_id", "kind", name=op.f("uq_reaction")
        ),
    )
    op.create_index(
        op.f("ix_reaction_contribution_id"), "reaction", ["contribution_id"], unique=False
    )
    op.create_index(
        op.f("ix_reaction_participant_id"), "reaction", ["participant_id"], unique=False
    )


def downgrade():
    op.drop_index(op.f("ix_reaction_participant_id"), table_name="reaction")
    op.drop_index(op.f("ix_reaction_contribution_id"), table_name="reaction")
    op.drop_table("reaction")
