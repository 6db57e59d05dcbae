"""interconnaissance: participant profiles, contact requests, tour de table

Revision ID: 0006
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0001"
branch_labels = None
depends_on = None

KINDS = (
    "ccas",
    "association",
    "departement",
    "etat",
    "bailleur",
    "crous",
    "croix_rouge",
    "commune",
    "autre",
)


def upgrade():
    op.create_table(
        "profile",
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("role", sa.String(length=80), nullable=False),
        sa.Column("structure_kind", sa.String(length=20), nullable=False),
        sa.Column("publics", sa.JSON(), nullable=False),
        sa.Column("offers", sa.JSON(), nullable=False),
        sa.Column("needs", sa.JSON(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("visible", sa.Boolean(), nullable=False),
        sa.Column("visible_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "structure_kind in ('', " + ", ".join(f"'{k}'" for k in KINDS) + ")",
            name=op.f("ck_profile_structure_kind"),
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_profile_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("participant_id", name=op.f("pk_profile")),
    )
    op.create_table(
        "contact_request",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("from_participant_id", sa.Integer(), nullable=False),
        sa.Column("to_participant_id", sa.Integer(), nullable=False),
        sa.Column("message", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "status in ('pending', 'accepted', 'declined')",
            name=op.f("ck_contact_request_status"),
        ),
        sa.CheckConstraint(
            "from_participant_id <> to_participant_id",
            name=op.f("ck_contact_request_not_self"),
        ),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["event.id"],
            name=op.f("fk_contact_request_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["from_participant_id"],
            ["participant.id"],
            name=op.f("fk_contact_request_from_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["to_participant_id"],
            ["participant.id"],
            name=op.f("fk_contact_request_to_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_contact_request")),
        sa.UniqueConstraint(
            "from_participant_id",
            "to_participant_id",
            name=op.f("uq_contact_request_from_participant_id_to_participant_id"),
        ),
    )
    with op.batch_alter_table("contact_request", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_contact_request_event_id"), ["event_id"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_contact_request_from_participant_id"),
            ["from_participant_id"],
            unique=False,
        )
        batch_op.create_index(
            batch_op.f("ix_contact_request_to_participant_id"),
            ["to_participant_id"],
            unique=False,
        )
    op.create_table(
        "tour_de_table",
        sa.Column("atelier_id", sa.Integer(), nullable=False),
        sa.Column("order", sa.JSON(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("timer_seconds", sa.Integer(), nullable=False),
        sa.Column("person_started_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("active", sa.Boolean(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["atelier_id"],
            ["atelier.id"],
            name=op.f("fk_tour_de_table_atelier_id_atelier"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("atelier_id", name=op.f("pk_tour_de_table")),
    )


def downgrade():
    op.drop_table("tour_de_table")
    with op.batch_alter_table("contact_request", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_contact_request_to_participant_id"))
        batch_op.drop_index(batch_op.f("ix_contact_request_from_participant_id"))
        batch_op.drop_index(batch_op.f("ix_contact_request_event_id"))
    op.drop_table("contact_request")
    op.drop_table("profile")
