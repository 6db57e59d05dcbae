"""merge the timer-at-zero choice (0015) and the dot:set repeats (0016)

Built in parallel from 0014 on different tables; this revision joins them so ``flask db
upgrade`` has a single head again.

Revision ID: 0017
Revises: 0015, 0016
"""

revision = "0017"
down_revision = ("0015", "0016")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
