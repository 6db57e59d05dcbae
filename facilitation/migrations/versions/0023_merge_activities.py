"""merge the activities and the facilitator's tools built side by side from 0017

« En un mot » (0018), « Moi aussi » (0019), photos (0020), anonymous rounds and card approval
(0021), the assistant's decisions (0022): each on its own tables or columns; this revision
joins them so ``flask db upgrade`` has a single head again.

Revision ID: 0023
Revises: 0018, 0019, 0020, 0021, 0022
"""

revision = "0023"
down_revision = ("0018", "0019", "0020", "0021", "0022")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
