"""accounts and hosting: event owners, one-time organizer links, the event audit log,
sessions that end at logout, events listed on the home page only when asked

Existing organizer links become owners (nobody loses a right they had). The demo day sets
its own listing when it is loaded again.

Revision ID: 0014
Revises: 0013
"""

import sqlalchemy as sa
from alembic import op

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade():
    # Plain ADD COLUMN (not a batch "move and copy"): on SQLite a batch rebuilds the table,
    # and dropping the old ``event`` table would cascade to every atelier and sequence.
    op.add_column(
        "event_organizer",
        sa.Column("role", sa.String(length=12), nullable=False, server_default="owner"),
    )
    op.add_column(
        "organizer",
        sa.Column("session_version", sa.Integer(), nullable=False, server_default="1"),
    )
    op.add_column(
        "event",
        sa.Column("listed_on_home", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.create_table(
        "organizer_token",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=12), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=True),
        sa.Column("organizer_id", sa.Integer(), nullable=True),
        sa.Column("created_by_id", sa.Integer(), nullable=True),
        sa.Column("label", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("used_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("revoked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_organizer_token_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["organizer_id"], ["organizer.id"],
            name=op.f("fk_organizer_token_organizer_id_organizer"), ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["created_by_id"], ["organizer.id"],
            name=op.f("fk_organizer_token_created_by_id_organizer"), ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_organizer_token")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_organizer_token_token_hash")),
    )
    op.create_index(op.f("ix_organizer_token_event_id"), "organizer_token", ["event_id"])
    op.create_index(op.f("ix_organizer_token_organizer_id"), "organizer_token", ["organizer_id"])
    op.create_table(
        "event_audit",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.Integer(), nullable=True),
        sa.Column("actor_label", sa.String(length=254), nullable=False),
        sa.Column("action", sa.String(length=40), nullable=False),
        sa.Column("detail", sa.String(length=254), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_event_audit_event_id_event"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["actor_id"], ["organizer.id"], name=op.f("fk_event_audit_actor_id_organizer"),
            ondelete="SET NULL",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_event_audit")),
    )
    op.create_index(op.f("ix_event_audit_event_id"), "event_audit", ["event_id"])


def downgrade():
    op.drop_index(op.f("ix_event_audit_event_id"), table_name="event_audit")
    op.drop_table("event_audit")
    op.drop_index(op.f("ix_organizer_token_organizer_id"), table_name="organizer_token")
    op.drop_index(op.f("ix_organizer_token_event_id"), table_name="organizer_token")
    op.drop_table("organizer_token")
    with op.batch_alter_table("event") as batch:
        batch.drop_column("listed_on_home")
    with op.batch_alter_table("organizer") as batch:
        batch.drop_column("session_version")
    with op.batch_alter_table("event_organizer") as batch:
        batch.drop_column("role")
