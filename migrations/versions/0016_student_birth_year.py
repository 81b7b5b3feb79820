"""students: the year of birth, for the policies' age limits

Revision ID: 0016_student_birth_year
Revises: 0015
Create Date: 2026-12-05 07:45:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_student_birth_year'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade():
    # A plain ADD COLUMN, not a batch rebuild: rebuilding ``students`` on
    # SQLite would drop the triggers other migrations put on it.
    op.add_column('students', sa.Column('birth_year', sa.SmallInteger(), nullable=True))


def downgrade():
    # SQLite (3.35+) drops an unindexed column in place, keeping the triggers.
    op.drop_column('students', 'birth_year')
