"""counts no longer kept: touchpoints per author and week

No page has read them since the per-author and per-week totals (0023), and
their trigger ran on every touchpoint written. The trigger goes, then the
table; a downgrade puts both back and fills the table from the touchpoints.

Revision ID: 0024_retire_interaction_weeks
Revises: 0023_stage_day_author_rollups
Create Date: 2026-12-06 05:00:00

"""
from alembic import op
import sqlalchemy as sa

from envoycrm.rollups import triggers


# revision identifiers, used by Alembic.
revision = '0024_retire_interaction_weeks'
down_revision = '0023_stage_day_author_rollups'
branch_labels = None
depends_on = None

RETIRED = ('interaction_weeks',)


def upgrade():
    triggers.uninstall(op.get_bind(), only=RETIRED)
    op.drop_table('interaction_weeks')


def downgrade():
    op.create_table('interaction_weeks',
    sa.Column('author_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('week', sa.Date(), nullable=False),
    sa.Column('n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('author_id', 'week', name=op.f('pk_interaction_weeks'))
    )
    triggers.rebuild(op.get_bind(), only=RETIRED)
