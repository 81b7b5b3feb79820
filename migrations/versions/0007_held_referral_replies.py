"""referral replies that match a known student, held for their envoy

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04 04:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('referral_replies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('push_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('wechat_id', sa.String(length=60), nullable=True),
    sa.Column('status', sa.Enum('HELD', 'CONFIRMED', 'DISMISSED', name='replystatus', native_enum=False, length=30), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_referral_replies_decided_by_id_users')),
    sa.ForeignKeyConstraint(['push_id'], ['pushes.id'], name=op.f('fk_referral_replies_push_id_pushes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_referral_replies_student_id_students'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_referral_replies_task_id_tasks'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_referral_replies'))
    )
    with op.batch_alter_table('referral_replies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_referral_replies_push_id'), ['push_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_referral_replies_task_id'), ['task_id'], unique=False)
        batch_op.create_index('ix_referral_replies_student_status', ['student_id', 'status'], unique=False)


def downgrade():
    with op.batch_alter_table('referral_replies', schema=None) as batch_op:
        batch_op.drop_index('ix_referral_replies_student_status')
        batch_op.drop_index(batch_op.f('ix_referral_replies_task_id'))
        batch_op.drop_index(batch_op.f('ix_referral_replies_push_id'))

    op.drop_table('referral_replies')
