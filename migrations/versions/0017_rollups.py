"""counts kept by triggers: students per envoy, university and stage; students
created and touchpoints per week; replies per opening

The tables are filled from the rows already there. The triggers and the
recount come from ``envoycrm.rollups.triggers`` rather than a copy here: a
later migration that rebuilds one of the counted tables on SQLite (which
drops its triggers) must put back exactly these, by calling ``install``.

Revision ID: 0017_rollups
Revises: 0016_student_birth_year
Create Date: 2026-12-05 08:00:00

"""
from alembic import op
import sqlalchemy as sa

from envoycrm.rollups import triggers


# revision identifiers, used by Alembic.
revision = '0017_rollups'
down_revision = '0016_student_birth_year'
branch_labels = None
depends_on = None

STAGE = sa.Enum('CONTACTED', 'INTERESTED', 'MATCHED', 'IN_PROCESS', 'OFFER', 'RETURNED', 'CLOSED', name='stage', native_enum=False, length=30)


def upgrade():
    op.create_table('student_counts',
    sa.Column('owner_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('university_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('stage', STAGE, nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('owner_id', 'university_id', 'stage', name=op.f('pk_student_counts'))
    )
    op.create_table('student_weeks',
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('week', name=op.f('pk_student_weeks'))
    )
    op.create_table('interaction_weeks',
    sa.Column('author_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('author_id', 'week', name=op.f('pk_interaction_weeks'))
    )
    op.create_table('opening_reply_counts',
    sa.Column('opening_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('opening_id', name=op.f('pk_opening_reply_counts'))
    )
    triggers.rebuild(op.get_bind(), only=triggers.FIRST)


def downgrade():
    triggers.uninstall(op.get_bind(), only=triggers.FIRST)
    op.drop_table('opening_reply_counts')
    op.drop_table('interaction_weeks')
    op.drop_table('student_weeks')
    op.drop_table('student_counts')
