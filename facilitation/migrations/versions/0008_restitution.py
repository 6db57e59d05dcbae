"""restitution: atelier syntheses and the plenary's settings (slide order, publication)

Revision ID: 0008
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "atelier_synthesis",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("atelier_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("updated_by", sa.String(length=120), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["atelier_id"], ["atelier.id"], name=op.f("fk_atelier_synthesis_atelier_id_atelier"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_atelier_synthesis")),
        sa.UniqueConstraint("atelier_id", name=op.f("uq_atelier_synthesis_atelier_id")),
    )
    op.create_table(
        "restitution_settings",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("slide_order", sa.JSON(), nullable=False),
        sa.Column("hidden_slides", sa.JSON(), nullable=False),
        sa.Column("public_token", sa.String(length=64), nullable=True),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_restitution_settings_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_restitution_settings")),
        sa.UniqueConstraint("event_id", name=op.f("uq_restitution_settings_event_id")),
        sa.UniqueConstraint("public_token", name=op.f("uq_restitution_settings_public_token")),
    )


def downgrade():
    op.drop_table("restitution_settings")
    op.drop_table("atelier_synthesis")
