"""rounds with timers and their audit, card moderation, the event's current sequence

Revision ID: 0003
Revises: 0001

Every existing atelier gets round 1 open for contributions, as new ateliers do (see
``facilitation.models.round``), so walls that worked before keep working.

New columns are added with plain ``ADD COLUMN`` (foreign keys inline), never with a batch
table rebuild: rebuilding ``contribution`` or ``event`` on SQLite with foreign keys on would
cascade the drop onto rows of other branches' tables (votes, profiles …).
"""

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0001"
branch_labels = None
depends_on = None


def _add_fk_column(table: str, column: str, target: str, name: str) -> None:
    """An integer column referencing ``target(id)`` ON DELETE SET NULL, nullable."""
    if op.get_bind().dialect.name == "sqlite":
        # SQLite accepts REFERENCES in ADD COLUMN when the default is NULL.
        op.execute(
            f'ALTER TABLE "{table}" ADD COLUMN {column} INTEGER '
            f'CONSTRAINT {name} REFERENCES "{target}" (id) ON DELETE SET NULL'
        )
    else:
        op.add_column(table, sa.Column(column, sa.Integer(), nullable=True))
        op.create_foreign_key(name, table, target, [column], ["id"], ondelete="SET NULL")


def upgrade():
    op.create_table(
        "round",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("atelier_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("phase", sa.String(length=16), nullable=False),
        sa.Column("timer_duration", sa.Integer(), nullable=True),
        sa.Column("timer_ends_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("timer_remaining", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("phase_changed_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "phase in ('preparation', 'contributions', 'vote', 'resultats', 'clos')",
            name=op.f("ck_round_phase"),
        ),
        sa.ForeignKeyConstraint(
            ["atelier_id"],
            ["atelier.id"],
            name=op.f("fk_round_atelier_id_atelier"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round")),
        sa.UniqueConstraint("atelier_id", "number", name="uq_round_atelier_number"),
    )
    op.create_index(op.f("ix_round_atelier_id"), "round", ["atelier_id"])
    op.create_table(
        "round_transition",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("round_id", sa.Integer(), nullable=False),
        sa.Column("from_phase", sa.String(length=16), nullable=False),
        sa.Column("to_phase", sa.String(length=16), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("organizer_id", sa.Integer(), nullable=True),
        sa.Column("facilitator_link_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=254), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["round_id"],
            ["round.id"],
            name=op.f("fk_round_transition_round_id_round"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_round_transition")),
    )
    op.create_index(op.f("ix_round_transition_round_id"), "round_transition", ["round_id"])
    op.create_table(
        "category",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("atelier_id", sa.Integer(), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["atelier_id"],
            ["atelier.id"],
            name=op.f("fk_category_atelier_id_atelier"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_category")),
        sa.UniqueConstraint("atelier_id", "name", name="uq_category_atelier_name"),
    )
    op.create_index(op.f("ix_category_atelier_id"), "category", ["atelier_id"])

    false = sa.false()
    op.add_column(
        "contribution", sa.Column("hidden", sa.Boolean(), nullable=False, server_default=false)
    )
    op.add_column(
        "contribution", sa.Column("pinned", sa.Boolean(), nullable=False, server_default=false)
    )
    op.add_column("contribution", sa.Column("edited_at", sa.DateTime(timezone=True), nullable=True))
    op.add_column(
        "contribution", sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True)
    )
    _add_fk_column("contribution", "round_id", "round", "fk_contribution_round_id_round")
    _add_fk_column(
        "contribution", "category_id", "category", "fk_contribution_category_id_category"
    )
    _add_fk_column(
        "contribution",
        "merged_into_id",
        "contribution",
        "fk_contribution_merged_into_id_contribution",
    )
    op.create_index(op.f("ix_contribution_round_id"), "contribution", ["round_id"])
    op.create_index(op.f("ix_contribution_merged_into_id"), "contribution", ["merged_into_id"])
    _add_fk_column(
        "event", "current_sequence_id", "sequence", "fk_event_current_sequence_id_sequence"
    )

    op.add_column(
        "atelier",
        sa.Column("projector_mode", sa.String(length=16), nullable=False, server_default="all"),
    )
    op.add_column("atelier", sa.Column("projector_focus_id", sa.Integer(), nullable=True))

    # Round 1, open for contributions, for every atelier that exists already; its cards
    # belong to it.
    op.execute(
        "INSERT INTO round (atelier_id, number, phase, created_at, phase_changed_at) "
        "SELECT id, 1, 'contributions', CURRENT_TIMESTAMP, CURRENT_TIMESTAMP FROM atelier"
    )
    op.execute(
        "UPDATE contribution SET round_id = "
        "(SELECT round.id FROM round WHERE round.atelier_id = contribution.atelier_id)"
    )


def downgrade():
    with op.batch_alter_table("atelier") as batch_op:
        batch_op.drop_column("projector_focus_id")
        batch_op.drop_column("projector_mode")
    with op.batch_alter_table("event") as batch_op:
        batch_op.drop_column("current_sequence_id")
    op.drop_index(op.f("ix_contribution_merged_into_id"), table_name="contribution")
    op.drop_index(op.f("ix_contribution_round_id"), table_name="contribution")
    with op.batch_alter_table("contribution") as batch_op:
        for column in (
            "merged_into_id", "category_id", "round_id", "withdrawn_at", "edited_at",
            "pinned", "hidden",
        ):  # fmt: skip
            batch_op.drop_column(column)
    op.drop_table("category")
    op.drop_table("round_transition")
    op.drop_table("round")
