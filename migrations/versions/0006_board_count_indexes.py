"""covering indexes for the pipeline board's counts

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 06:40:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_students_university_stage': ['university_id', 'stage'],
    'ix_students_intention_stage': ['intention_level', 'stage', 'stage_changed_at'],
    'ix_students_field_stage': ['field', 'stage'],
    'ix_students_degree_graduation': ['degree', 'expected_graduation', 'stage'],
}


def upgrade():
    with op.batch_alter_table('students', schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table('students', schema=None) as batch_op:
        for name in INDEXES:
            batch_op.drop_index(name)
