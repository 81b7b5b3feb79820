"""policies, their versions, pushes and questions

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 18:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('policies',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum('HOUSING', 'RESEARCH_FUNDING', 'START_UP', 'TALENT_APARTMENT', 'SETTLEMENT', 'FAMILY_SCHOOLING', 'OTHER', name='policycategory', native_enum=False, length=30), nullable=False),
    sa.Column('status', sa.Enum('DRAFT', 'PUBLISHED', 'EXPIRED', name='policystatus', native_enum=False, length=30), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('expired_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('changed_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_policies_created_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policies'))
    )
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policies_category'), ['category'], unique=False)
        batch_op.create_index(batch_op.f('ix_policies_changed_at'), ['changed_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_policies_status'), ['status'], unique=False)

    op.create_table('policy_pushes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('envoy_id', sa.Integer(), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('views', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['envoy_id'], ['users.id'], name=op.f('fk_policy_pushes_envoy_id_users')),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_policy_pushes_policy_id_policies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_pushes')),
    sa.UniqueConstraint('policy_id', 'envoy_id', name=op.f('uq_policy_pushes_policy_id')),
    sa.UniqueConstraint('token', name=op.f('uq_policy_pushes_token'))
    )
    with op.batch_alter_table('policy_pushes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_pushes_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_policy_pushes_envoy_id'), ['envoy_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_policy_pushes_policy_id'), ['policy_id'], unique=False)

    op.create_table('policy_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('policy_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('title_en', sa.String(length=200), nullable=False),
    sa.Column('title_zh', sa.String(length=200), nullable=False),
    sa.Column('summary_en', sa.String(length=500), nullable=False),
    sa.Column('summary_zh', sa.String(length=500), nullable=False),
    sa.Column('body_en', sa.Text(), nullable=False),
    sa.Column('body_zh', sa.Text(), nullable=False),
    sa.Column('issuing_body_en', sa.String(length=200), nullable=False),
    sa.Column('issuing_body_zh', sa.String(length=200), nullable=False),
    sa.Column('source_url', sa.String(length=500), nullable=False),
    sa.Column('amount_kind', sa.Enum('ONE_OFF', 'MONTHLY', 'RANGE', 'NONE', name='amountkind', native_enum=False, length=30), nullable=False),
    sa.Column('amount', sa.Integer(), nullable=True),
    sa.Column('months', sa.Integer(), nullable=True),
    sa.Column('amount_min', sa.Integer(), nullable=True),
    sa.Column('amount_max', sa.Integer(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('min_degree', sa.Enum('BACHELOR', 'MASTER', 'PHD', 'POSTDOC', name='degreelevel', native_enum=False, length=30), nullable=True),
    sa.Column('fields', sa.JSON(), nullable=False),
    sa.Column('max_age', sa.Integer(), nullable=True),
    sa.Column('max_years_since_graduation', sa.Integer(), nullable=True),
    sa.Column('returned_within_years', sa.Integer(), nullable=True),
    sa.Column('city_tie', sa.Enum('NONE', 'WORK', 'FOUND', 'WORK_OR_FOUND', name='citytie', native_enum=False, length=30), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('amount_min IS NULL OR amount_max IS NULL OR amount_min <= amount_max', name=op.f('ck_policy_versions_amount_range')),
    sa.CheckConstraint('valid_to IS NULL OR valid_from <= valid_to', name=op.f('ck_policy_versions_validity_order')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_policy_versions_created_by_id_users')),
    sa.ForeignKeyConstraint(['policy_id'], ['policies.id'], name=op.f('fk_policy_versions_policy_id_policies'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_versions')),
    sa.UniqueConstraint('policy_id', 'number', name=op.f('uq_policy_versions_policy_id'))
    )
    with op.batch_alter_table('policy_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_versions_policy_id'), ['policy_id'], unique=False)
        batch_op.create_index('ix_policy_versions_validity', ['valid_from', 'valid_to'], unique=False)

    op.create_table('policy_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('push_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('held', sa.Boolean(), nullable=False),
    sa.Column('task_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['push_id'], ['policy_pushes.id'], name=op.f('fk_policy_questions_push_id_policy_pushes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['students.id'], name=op.f('fk_policy_questions_student_id_students'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['task_id'], ['tasks.id'], name=op.f('fk_policy_questions_task_id_tasks'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_policy_questions'))
    )
    with op.batch_alter_table('policy_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_policy_questions_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_policy_questions_push_id'), ['push_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_policy_questions_student_id'), ['student_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_policy_questions_task_id'), ['task_id'], unique=False)



def downgrade():
    with op.batch_alter_table('policy_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_questions_task_id'))
        batch_op.drop_index(batch_op.f('ix_policy_questions_student_id'))
        batch_op.drop_index(batch_op.f('ix_policy_questions_push_id'))
        batch_op.drop_index(batch_op.f('ix_policy_questions_created_at'))

    op.drop_table('policy_questions')
    with op.batch_alter_table('policy_versions', schema=None) as batch_op:
        batch_op.drop_index('ix_policy_versions_validity')
        batch_op.drop_index(batch_op.f('ix_policy_versions_policy_id'))

    op.drop_table('policy_versions')
    with op.batch_alter_table('policy_pushes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policy_pushes_policy_id'))
        batch_op.drop_index(batch_op.f('ix_policy_pushes_envoy_id'))
        batch_op.drop_index(batch_op.f('ix_policy_pushes_created_at'))

    op.drop_table('policy_pushes')
    with op.batch_alter_table('policies', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_policies_status'))
        batch_op.drop_index(batch_op.f('ix_policies_changed_at'))
        batch_op.drop_index(batch_op.f('ix_policies_category'))

    op.drop_table('policies')
