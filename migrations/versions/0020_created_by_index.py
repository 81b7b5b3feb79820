"""index the students each user added, by when: finding the envoys quiet for
30 days asks, for each envoy, whether they added anyone lately

Without it PostgreSQL reads every student added in the last 30 days to
answer for 150 envoys. On SQLite the students are analysed again, so the
planner knows the new index.

Revision ID: 0020_created_by_index
Revises: 0019_matching_index
Create Date: 2026-12-05 13:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0020_created_by_index'
down_revision = '0019_matching_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_students_created_by_at',
        'students',
        ['created_by_id', 'created_at'],
        unique=False,
    )
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ANALYZE students')


def downgrade():
    op.drop_index('ix_students_created_by_at', table_name='students')
