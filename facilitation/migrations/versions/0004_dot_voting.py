"""dot-voting: ballots, voter budgets, dots

Revision ID: 0004
Revises: 0001

The budget guarantee lives in ``ck_voter_budget_used_within_budget``: see
facilitation/models/vote.py.
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "ballot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("atelier_id", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("dots_per_participant", sa.Integer(), nullable=False),
        sa.Column("max_per_card", sa.Integer(), nullable=False),
        sa.Column("tallies_visible_live", sa.Boolean(), nullable=False),
        sa.Column("allow_own_card", sa.Boolean(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revealed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint("status in ('ouvert', 'clos', 'révélé')", name=op.f("ck_ballot_status")),
        sa.CheckConstraint(
            "dots_per_participant >= 1 AND dots_per_participant <= 20",
            name=op.f("ck_ballot_dots_per_participant"),
        ),
        sa.CheckConstraint(
            "max_per_card >= 1 AND max_per_card <= dots_per_participant",
            name=op.f("ck_ballot_max_per_card"),
        ),
        sa.ForeignKeyConstraint(
            ["atelier_id"], ["atelier.id"], name=op.f("fk_ballot_atelier_id_atelier"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ballot")),
    )
    op.create_index(op.f("ix_ballot_atelier_id"), "ballot", ["atelier_id"], unique=False)
    op.create_index(
        "uq_ballot_open_per_atelier",
        "ballot",
        ["atelier_id"],
        unique=True,
        sqlite_where=sa.text("status = 'ouvert'"),
        postgresql_where=sa.text("status = 'ouvert'"),
    )

    op.create_table(
        "voter_budget",
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("budget", sa.Integer(), nullable=False),
        sa.Column("used", sa.Integer(), nullable=False),
        sa.CheckConstraint(
            "used >= 0 AND used <= budget", name=op.f("ck_voter_budget_used_within_budget")
        ),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballot.id"], name=op.f("fk_voter_budget_ballot_id_ballot"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_voter_budget_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("ballot_id", "participant_id", name=op.f("pk_voter_budget")),
    )
    op.create_index(
        op.f("ix_voter_budget_participant_id"), "voter_budget", ["participant_id"], unique=False
    )

    op.create_table(
        "dot",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("ballot_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=True),
        sa.Column("contribution_id", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.Column("scribe", sa.Boolean(), nullable=False),
        sa.Column("scribe_label", sa.String(length=60), nullable=True),
        sa.Column("client_id", sa.String(length=64), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("count >= 0 AND count <= 500", name=op.f("ck_dot_count")),
        sa.CheckConstraint(
            "(scribe AND participant_id IS NULL AND scribe_label IS NOT NULL)"
            " OR (NOT scribe AND participant_id IS NOT NULL)",
            name=op.f("ck_dot_scribe_or_participant"),
        ),
        sa.ForeignKeyConstraint(
            ["ballot_id"], ["ballot.id"], name=op.f("fk_dot_ballot_id_ballot"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["contribution_id"],
            ["contribution.id"],
            name=op.f("fk_dot_contribution_id_contribution"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_dot_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_dot")),
        sa.UniqueConstraint(
            "ballot_id", "participant_id", "contribution_id", name="uq_dot_voter"
        ),
    )
    op.create_index(op.f("ix_dot_ballot_id"), "dot", ["ballot_id"], unique=False)
    op.create_index(op.f("ix_dot_contribution_id"), "dot", ["contribution_id"], unique=False)
    op.create_index(
        "uq_dot_scribe",
        "dot",
        ["ballot_id", "contribution_id", "scribe_label"],
        unique=True,
        sqlite_where=sa.text("scribe"),
        postgresql_where=sa.text("scribe"),
    )


def downgrade():
    op.drop_index("uq_dot_scribe", table_name="dot")
    op.drop_index(op.f("ix_dot_contribution_id"), table_name="dot")
    op.drop_index(op.f("ix_dot_ballot_id"), table_name="dot")
    op.drop_table("dot")
    op.drop_index(op.f("ix_voter_budget_participant_id"), table_name="voter_budget")
    op.drop_table("voter_budget")
    op.drop_index("uq_ballot_open_per_atelier", table_name="ballot")
    op.drop_index(op.f("ix_ballot_atelier_id"), table_name="ballot")
    op.drop_table("ballot")
