"""the facilitator's assistant: accepted and dismissed proposals (issue 20, part 3)

A dismissed duplicate or theme must not come back: one row per atelier and proposal key.

Revision ID: 0022
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0022"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "assistant_decision",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("atelier_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("decision", sa.String(length=16), nullable=False),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["atelier_id"],
            ["atelier.id"],
            name=op.f("fk_assistant_decision_atelier_id_atelier"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assistant_decision")),
        sa.UniqueConstraint("atelier_id", "key", name="uq_assistant_decision_atelier_key"),
    )


def downgrade():
    op.drop_table("assistant_decision")
