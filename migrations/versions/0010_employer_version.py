"""employer organisations carry a version, so a concurrent edit is refused;
a form submission remembers where its answer led, so a repeat leads there too

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 14:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('employers', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('version', sa.Integer(), nullable=False, server_default='1')
        )
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('location', sa.String(length=500), nullable=True))


def downgrade():
    with op.batch_alter_table('idempotency_keys', schema=None) as batch_op:
        batch_op.drop_column('location')
    with op.batch_alter_table('employers', schema=None) as batch_op:
        batch_op.drop_column('version')
