"""index the lists' default order (latest activity first) whole, and the
search words by student, so a search walked in that order stops early

Replaces the single-column index on the day of the latest activity (the new
one starts with it) and the index of search words by student (the new one
holds the word too, so asking a student's words needs no table read). On
SQLite both tables are analysed again, so the planner knows the new indexes.

Revision ID: 0021_activity_order_index
Revises: 0020_created_by_index
Create Date: 2026-12-05 13:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0021_activity_order_index'
down_revision = '0020_created_by_index'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_students_activity_order',
        'students',
        ['last_activity_on', 'last_activity_at', 'id'],
        unique=False,
    )
    op.drop_index('ix_students_last_activity_on', table_name='students')
    op.create_index(
        'ix_student_search_tokens_student_token',
        'student_search_tokens',
        ['student_id', 'token'],
        unique=False,
    )
    op.drop_index(
        'ix_student_search_tokens_student_id', table_name='student_search_tokens'
    )
    if op.get_bind().dialect.name == 'sqlite':
        op.execute('ANALYZE students')
        op.execute('ANALYZE student_search_tokens')


def downgrade():
    op.create_index(
        'ix_student_search_tokens_student_id',
        'student_search_tokens',
        ['student_id'],
        unique=False,
    )
    op.drop_index(
        'ix_student_search_tokens_student_token', table_name='student_search_tokens'
    )
    op.create_index(
        'ix_students_last_activity_on', 'students', ['last_activity_on'], unique=False
    )
    op.drop_index('ix_students_activity_order', table_name='students')
