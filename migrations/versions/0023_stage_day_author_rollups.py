"""counts kept by triggers: students per stage and the day they entered it;
touchpoints per author and per week

The home page's "stuck in a stage" takes from every student of a stage those
who entered it lately, summed from a few hundred kept days instead of
counting thirty thousand recent moves; the envoys' activity reads each
author's total from one row instead of summing their weeks, and the
dashboard each week's total from one row instead of summing its authors. The
tables are filled from the rows already there.

Revision ID: 0023_stage_day_author_rollups
Revises: 0022_graduation_index
Create Date: 2026-12-06 00:30:00

"""
from alembic import op
import sqlalchemy as sa

from envoycrm.rollups import triggers


# revision identifiers, used by Alembic.
revision = '0023_stage_day_author_rollups'
down_revision = '0022_graduation_index'
branch_labels = None
depends_on = None

STAGE = sa.Enum('CONTACTED', 'INTERESTED', 'MATCHED', 'IN_PROCESS', 'OFFER', 'RETURNED', 'CLOSED', name='stage', native_enum=False, length=30)
ADDED = ('student_stage_days', 'interaction_authors', 'interaction_week_totals')


def upgrade():
    op.create_table('student_stage_days',
    sa.Column('stage', STAGE, nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('stage', 'day', name=op.f('pk_student_stage_days'))
    )
    op.create_table('interaction_authors',
    sa.Column('author_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('author_id', name=op.f('pk_interaction_authors'))
    )
    op.create_table('interaction_week_totals',
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('week', name=op.f('pk_interaction_week_totals'))
    )
    triggers.rebuild(op.get_bind(), only=ADDED)


def downgrade():
    triggers.uninstall(op.get_bind(), only=ADDED)
    op.drop_table('interaction_week_totals')
    op.drop_table('interaction_authors')
    op.drop_table('student_stage_days')
