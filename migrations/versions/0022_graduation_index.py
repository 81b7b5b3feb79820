"""index a graduation year's students by id, so a search narrowed by the
year counts its matches from the index alone

Replaces the single-column index on the expected graduation (the new one
starts with it). On SQLite the table is analysed again, so the planner knows
the new index.

Revision ID: 0022_graduation_index
Revises: 0021_activity_order_index
Create Date: 2026-12-06 00:10:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0022_graduation_index'
down_revision = '0021_activity_order_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_students_graduation_id',
        'students',
        ['expected_graduation', 'id'],
        unique=False,
    )
    op.drop_index('ix_students_expected_graduation', table_name='students')
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ANALYZE students')


def downgrade():
    op.create_index(
        'ix_students_expected_graduation',
        'students',
        ['expected_graduation'],
        unique=False,
    )
    op.drop_index('ix_students_graduation_id', table_name='students')
