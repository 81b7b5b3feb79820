"""index an opening's candidates: field, consent and id, with the degree,
stage and graduation the matching reads (included on PostgreSQL)

Without it the employer's candidates walk every student backwards by id
and the capped count reads thousands of rows of the table. On SQLite the
students are analysed again, so the planner knows the new index.

Revision ID: 0019_matching_index
Revises: 0018_list_order_index
Create Date: 2026-12-05 13:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0019_matching_index'
down_revision = '0018_list_order_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_students_matching',
        'students',
        ['field', 'consent_scope', 'id'],
        unique=False,
        postgresql_include=['degree', 'stage', 'expected_graduation'],
    )
    if op.get_bind().dialect.name == 'sqlite':
        # SQLite keeps statistics only when asked: without them for the new
        # index it would prefer it to the (created_at) range of a week's
        # new candidates and read every consenting student of a field.
        op.execute('ANALYZE students')


def downgrade():
    op.drop_index('ix_students_matching', table_name='students')
