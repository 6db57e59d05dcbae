"""word cloud « en un mot »: clouds of an atelier, the words phones send, hidden words

Revision ID: 0018
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0018"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "word_cloud",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("atelier_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.String(length=200), nullable=False),
        sa.Column("max_words", sa.Integer(), nullable=False),
        sa.Column("opened_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.CheckConstraint(
            "max_words >= 1 AND max_words <= 10", name=op.f("ck_word_cloud_max_words")
        ),
        sa.ForeignKeyConstraint(
            ["atelier_id"],
            ["atelier.id"],
            name=op.f("fk_word_cloud_atelier_id_atelier"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_word_cloud")),
    )
    op.create_index(op.f("ix_word_cloud_atelier_id"), "word_cloud", ["atelier_id"], unique=False)
    op.create_index(
        "uq_word_cloud_open_per_atelier",
        "word_cloud",
        ["atelier_id"],
        unique=True,
        sqlite_where=sa.text("closed_at IS NULL"),
        postgresql_where=sa.text("closed_at IS NULL"),
    )
    op.create_table(
        "cloud_word",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("cloud_id", sa.Integer(), nullable=False),
        sa.Column("participant_id", sa.Integer(), nullable=False),
        sa.Column("client_id", sa.String(length=64), nullable=False),
        sa.Column("slot", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=40), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint("slot >= 1 AND slot <= 10", name=op.f("ck_cloud_word_slot")),
        sa.ForeignKeyConstraint(
            ["cloud_id"],
            ["word_cloud.id"],
            name=op.f("fk_cloud_word_cloud_id_word_cloud"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["participant_id"],
            ["participant.id"],
            name=op.f("fk_cloud_word_participant_id_participant"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_cloud_word")),
        sa.UniqueConstraint(
            "cloud_id", "participant_id", "client_id", name="uq_cloud_word_client"
        ),
        sa.UniqueConstraint("cloud_id", "participant_id", "slot", name="uq_cloud_word_slot"),
    )
    op.create_index(op.f("ix_cloud_word_cloud_id"), "cloud_word", ["cloud_id"], unique=False)
    op.create_index(
        op.f("ix_cloud_word_participant_id"), "cloud_word", ["participant_id"], unique=False
    )
    op.create_table(
        "cloud_hidden_key",
        sa.Column("cloud_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("hidden_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["cloud_id"],
            ["word_cloud.id"],
            name=op.f("fk_cloud_hidden_key_cloud_id_word_cloud"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("cloud_id", "key", name=op.f("pk_cloud_hidden_key")),
    )


def downgrade():
    op.drop_table("cloud_hidden_key")
    op.drop_index(op.f("ix_cloud_word_participant_id"), table_name="cloud_word")
    op.drop_index(op.f("ix_cloud_word_cloud_id"), table_name="cloud_word")
    op.drop_table("cloud_word")
    op.drop_index("uq_word_cloud_open_per_atelier", table_name="word_cloud")
    op.drop_index(op.f("ix_word_cloud_atelier_id"), table_name="word_cloud")
    op.drop_table("word_cloud")
