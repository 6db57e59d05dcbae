"""dot:set repeats: the voter's last applied client ids on their budget row (issue 18.4)

A late retry of an old ``dot:set`` used to be applied again and undo a newer write; the ids
of the last applied writes, on the row every change of the voter's dots locks, let the
server answer such a repeat ``duplicate`` without an extra statement.

Revision ID: 0016
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0016"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("voter_budget") as batch:
        batch.add_column(
            sa.Column("applied_client_ids", sa.Text(), nullable=False, server_default="")
        )


def downgrade():
    with op.batch_alter_table("voter_budget") as batch:
        batch.drop_column("applied_client_ids")
