"""a student may come from a university not on the list: the name as typed,
for a coordinator to map; envoys' names in Chinese characters; openings'
location in Chinese beside the English one

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 15:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0012'
down_revision = "0011"
branch_labels = None
depends_on = None

# SQLite rebuilds the table to change a column: keep ids never reused (0009).
KEEP_IDS = {'table_kwargs': {'sqlite_autoincrement': True}}


def upgrade():
    with op.batch_alter_table('users', schema=None, **KEEP_IDS) as batch_op:
        batch_op.add_column(sa.Column('name_hanzi', sa.String(length=60), nullable=True))
    with op.batch_alter_table('job_openings', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'location_zh', sa.String(length=120), nullable=False, server_default=''
            )
        )
    with op.batch_alter_table('students', schema=None, **KEEP_IDS) as batch_op:
        batch_op.add_column(
            sa.Column('university_name_typed', sa.String(length=200), nullable=True)
        )
        batch_op.alter_column(
            'university_id', existing_type=sa.Integer(), nullable=True
        )


def downgrade():
    students = sa.table('students', sa.column('university_id', sa.Integer()))
    unmapped = op.get_bind().scalar(
        sa.select(sa.func.count()).select_from(students).where(
            students.c.university_id.is_(None)
        )
    )
    if unmapped:
        raise RuntimeError(
            f"{unmapped} student(s) have a typed university not yet mapped: "
            "map them to a known university before downgrading."
        )
    with op.batch_alter_table('students', schema=None, **KEEP_IDS) as batch_op:
        batch_op.alter_column(
            'university_id', existing_type=sa.Integer(), nullable=False
        )
        batch_op.drop_column('university_name_typed')
    with op.batch_alter_table('users', schema=None, **KEEP_IDS) as batch_op:
        batch_op.drop_column('name_hanzi')
    with op.batch_alter_table('job_openings', schema=None) as batch_op:
        batch_op.drop_column('location_zh')
