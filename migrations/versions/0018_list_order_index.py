"""index the pipeline list's default order (longest in stage first)

Without it PostgreSQL sorts every student to show a page of 50.

Revision ID: 0018_list_order_index
Revises: 0017_rollups
Create Date: 2026-12-05 08:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0018_list_order_index'
down_revision = '0017_rollups'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('students', schema=None) as batch_op:
        batch_op.create_index('ix_students_stage_age_order', ['stage_changed_at', 'id'], unique=False)


def downgrade():
    with op.batch_alter_table('students', schema=None) as batch_op:
        batch_op.drop_index('ix_students_stage_age_order')
