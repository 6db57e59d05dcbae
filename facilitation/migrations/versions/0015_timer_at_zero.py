"""round timer at zero: the facilitator's choice per round, « alert » (default) or « advance »

Until now a timer at zero closed the round, skipping the vote. Existing rounds get « alert »:
at zero every screen shows a signal and the phase stays.

Revision ID: 0015
Revises: 0014
"""

import sqlalchemy as sa
from alembic import op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("round") as batch:
        batch.add_column(
            sa.Column("timer_at_zero", sa.String(length=8), nullable=False, server_default="alert")
        )


def downgrade():
    with op.batch_alter_table("round") as batch:
        batch.drop_column("timer_at_zero")
