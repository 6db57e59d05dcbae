"""event setup (issue 3): branding, atelier facilitators, the logo, expected participants

Revision ID: 0010
Revises: 0009
"""

import sqlalchemy as sa
from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("event") as batch_op:
        batch_op.add_column(
            sa.Column("brand_name", sa.String(length=120), nullable=False, server_default="")
        )
        batch_op.add_column(
            sa.Column("brand_color", sa.String(length=7), nullable=False, server_default="")
        )
        batch_op.add_column(sa.Column("logo_digest", sa.String(length=16), nullable=True))
    with op.batch_alter_table("atelier") as batch_op:
        batch_op.add_column(
            sa.Column("facilitators", sa.String(length=300), nullable=False, server_default="")
        )
    op.create_table(
        "event_logo",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("content_type", sa.String(length=32), nullable=False),
        sa.Column("data", sa.LargeBinary(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_event_logo_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_event_logo")),
    )
    op.create_table(
        "expected_participant",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("structure", sa.String(length=120), nullable=False),
        sa.Column("commune", sa.String(length=80), nullable=False),
        sa.Column("email", sa.String(length=254), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_expected_participant_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_expected_participant")),
    )
    op.create_index(op.f("ix_expected_participant_event_id"), "expected_participant", ["event_id"])


def downgrade():
    op.drop_index(op.f("ix_expected_participant_event_id"), table_name="expected_participant")
    op.drop_table("expected_participant")
    op.drop_table("event_logo")
    with op.batch_alter_table("atelier") as batch_op:
        batch_op.drop_column("facilitators")
    with op.batch_alter_table("event") as batch_op:
        batch_op.drop_column("logo_digest")
        batch_op.drop_column("brand_color")
        batch_op.drop_column("brand_name")
