"""anonymous rounds and card approval: « tour anonyme » per round (kept per card), « validation
des cartes » per atelier (a card's status and the reason it was declined)

Plain ``add_column`` (no batch): these tables are referenced by others, and a batch rebuild on
SQLite would cascade deletes. Existing cards are accepted and signed, as they were shown.

Revision ID: 0021
Revises: 0017
"""

import sqlalchemy as sa
from alembic import op

revision = "0021"
down_revision = "0017"
branch_labels = None
depends_on = None


def upgrade():
    op.add_column(
        "round", sa.Column("anonymous", sa.Boolean(), nullable=False, server_default=sa.false())
    )
    op.add_column(
        "atelier",
        sa.Column("card_approval", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "contribution",
        sa.Column("anonymous", sa.Boolean(), nullable=False, server_default=sa.false()),
    )
    op.add_column(
        "contribution",
        sa.Column("status", sa.String(length=16), nullable=False, server_default="accepted"),
    )
    op.add_column(
        "contribution",
        sa.Column("decline_reason", sa.Text(), nullable=False, server_default=""),
    )
    op.add_column(
        "contribution", sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True)
    )


def downgrade():
    for column in ("decided_at", "decline_reason", "status", "anonymous"):
        op.drop_column("contribution", column)
    op.drop_column("atelier", "card_approval")
    op.drop_column("round", "anonymous")
