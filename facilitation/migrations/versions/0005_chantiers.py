"""chantiers: structured fields, pratique links, additions, comments, engagements

A one-to-one ``chantier_detail`` table beside ``contribution`` (see models/chantier.py for why).

Revision ID: 0005
Revises: 0001
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0001"
branch_labels = None
depends_on = None

_DETAIL_FK = "chantier_detail.contribution_id"


def upgrade():
    op.create_table(
        "chantier_detail",
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("constat", sa.Text(), nullable=False),
        sa.Column("objectif", sa.Text(), nullable=False),
        sa.Column("publics", sa.String(length=300), nullable=False),
        sa.Column("communes", sa.JSON(), nullable=False),
        sa.Column("partenaires", sa.Text(), nullable=False),
        sa.Column("etapes", sa.Text(), nullable=False),
        sa.Column("porteur", sa.String(length=200), nullable=False),
        sa.Column("consolidated", sa.JSON(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contribution.id"],
            name=op.f("fk_chantier_detail_contribution_id_contribution"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("contribution_id", name=op.f("pk_chantier_detail")),
    )
    op.create_table(
        "chantier_pratique",
        sa.Column("chantier_id", sa.Integer(), nullable=False),
        sa.Column("pratique_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["chantier_id"],
            [_DETAIL_FK],
            name=op.f("fk_chantier_pratique_chantier_id_chantier_detail"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["pratique_id"],
            ["contribution.id"],
            name=op.f("fk_chantier_pratique_pratique_id_contribution"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("chantier_id", "pratique_id", name=op.f("pk_chantier_pratique")),
    )
    for table, extra in (
        ("chantier_addition", [sa.Column("field", sa.String(length=32), nullable=False)]),
        ("chantier_comment", []),
    ):
        op.create_table(
            table,
            sa.Column("id", sa.Integer(), nullable=False),
            sa.Column("chantier_id", sa.Integer(), nullable=False),
            *extra,
            sa.Column("text", sa.Text(), nullable=False),
            sa.Column("participant_id", sa.Integer(), nullable=True),
            sa.Column("client_id", sa.String(length=64), nullable=False),
            sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
            sa.ForeignKeyConstraint(
                ["chantier_id"],
                [_DETAIL_FK],
                name=op.f(f"fk_{table}_chantier_id_chantier_detail"),
                ondelete="CASCADE",
            ),
            sa.ForeignKeyConstraint(
                ["participant_id"],
                ["participant.id"],
                name=op.f(f"fk_{table}_participant_id_participant"),
                ondelete="SET NULL",
            ),
            sa.PrimaryKeyConstraint("id", name=op.f(f"pk_{table}")),
            sa.UniqueConstraint(
                "participant_id", "client_id", name=op.f(f"uq_{table}_participant_id_client_id")
            ),
        )
        op.create_index(op.f(f"ix_{table}_chantier_id"), table, ["chantier_id"])
    op.create_table(
        "engagement",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("chantier_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("contact", sa.String(length=200), nullable=False),
        sa.Column("consent", sa.Boolean(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["chantier_id"],
            [_DETAIL_FK],
            name=op.f("fk_engagement_chantier_id_chantier_detail"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_engagement_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_engagement")),
        sa.UniqueConstraint(
            "chantier_id", "participant_id", name=op.f("uq_engagement_chantier_id_participant_id")
        ),
    )
    op.create_index(op.f("ix_engagement_chantier_id"), "engagement", ["chantier_id"])
    op.create_index(op.f("ix_engagement_participant_id"), "engagement", ["participant_id"])


def downgrade():
    op.drop_index(op.f("ix_engagement_participant_id"), table_name="engagement")
    op.drop_index(op.f("ix_engagement_chantier_id"), table_name="engagement")
    op.drop_table("engagement")
    for table in ("chantier_comment", "chantier_addition"):
        op.drop_index(op.f(f"ix_{table}_chantier_id"), table_name=table)
        op.drop_table(table)
    op.drop_table("chantier_pratique")
    op.drop_table("chantier_detail")
