"""merge the feature branches (roles, rounds, votes, chantiers, interconnaissance, restitution)

They were built in parallel, each from 0001, touching different tables; this revision joins
them so ``flask db upgrade`` (single head) works again and later migrations have one parent.

Revision ID: 0009
Revises: 0002, 0003, 0004, 0005, 0006, 0008
"""

revision = "0009"
down_revision = ("0002", "0003", "0004", "0005", "0006", "0008")
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
