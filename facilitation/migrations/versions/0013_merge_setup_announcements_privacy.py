"""merge event setup (0010), stored announcements (0011) and privacy (0012)

Built in parallel from 0009 on different tables and columns; this revision joins them so
``flask db upgrade`` has a single head again and later migrations have one parent.

Revision ID: 0013
Revises: 0010, 0011, 0012
"""

revision = "0013"
down_revision = ("0010", "0011", "0012")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
