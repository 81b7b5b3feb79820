"""a touchpoint's day is a date; a student's last activity has a day

``interactions.occurred_at`` (an instant: noon of the day in the author's
zone, by the convention the code used) becomes ``occurred_on``, the date the
author meant, so it reads the same in every zone. Each row is converted in
its author's zone (the student's envoy's when the author is gone, UTC when
neither is known), so no date shifts.

``students.last_activity_on`` is the day of the latest touchpoint, filled from
``last_activity_at`` in the zone of the student's envoy; ``last_activity_at``
stays, the instant that orders activities of the same day.

The downgrade gives each touchpoint back the instant the old code stored:
noon of its date in the author's zone (the same fallbacks), in UTC.

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 14:40:00

"""
from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = "0010"
branch_labels = None
depends_on = None

CHUNK = 5000

users = sa.table(
    'users', sa.column('id', sa.Integer), sa.column('timezone', sa.String)
)
students = sa.table(
    'students',
    sa.column('id', sa.Integer),
    sa.column('owner_id', sa.Integer),
    sa.column('last_activity_at', sa.DateTime(timezone=True)),
    sa.column('last_activity_on', sa.Date),
)
interactions = sa.table(
    'interactions',
    sa.column('id', sa.Integer),
    sa.column('student_id', sa.Integer),
    sa.column('author_id', sa.Integer),
    sa.column('occurred_at', sa.DateTime(timezone=True)),
    sa.column('occurred_on', sa.Date),
)


def _zones(bind) -> dict[int, ZoneInfo]:
    zones = {}
    for user_id, name in bind.execute(sa.select(users.c.id, users.c.timezone)):
        try:
            zones[user_id] = ZoneInfo(name or 'UTC')
        except (KeyError, ValueError):  # an unknown zone: count it as UTC
            zones[user_id] = ZoneInfo('UTC')
    return zones


def _aware(moment: datetime) -> datetime:
    # SQLite keeps no zone: its values are UTC.
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _update_in_chunks(bind, table, column: str, values: list[dict]) -> None:
    statement = (
        table.update()
        .where(table.c.id == sa.bindparam('row_id'))
        .values({column: sa.bindparam('new_value')})
    )
    for start in range(0, len(values), CHUNK):
        bind.execute(statement, values[start:start + CHUNK])


def _touchpoints(bind, column):
    """Each interaction's ``column`` with the zone of its author (or envoy)."""
    zones = _zones(bind)
    utc = ZoneInfo('UTC')
    rows = bind.execute(
        sa.select(
            interactions.c.id,
            interactions.c.author_id,
            students.c.owner_id,
            column,
        ).join(students, students.c.id == interactions.c.student_id)
    )
    for row_id, author_id, owner_id, value in rows:
        yield row_id, zones.get(author_id) or zones.get(owner_id) or utc, value


def upgrade():
    bind = op.get_bind()
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.add_column(sa.Column('occurred_on', sa.Date(), nullable=True))
    days = [
        {'row_id': row_id, 'new_value': _aware(moment).astimezone(zone).date()}
        for row_id, zone, moment in _touchpoints(bind, interactions.c.occurred_at)
        if moment is not None
    ]
    _update_in_chunks(bind, interactions, 'occurred_on', days)
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_student_when')
        batch_op.drop_index('ix_interactions_author_when')
        batch_op.drop_index('ix_interactions_occurred_at')
        batch_op.drop_column('occurred_at')
        batch_op.alter_column('occurred_on', existing_type=sa.Date(), nullable=False)
        batch_op.create_index('ix_interactions_student_when', ['student_id', 'occurred_on'], unique=False)
        batch_op.create_index('ix_interactions_author_when', ['author_id', 'occurred_on'], unique=False)
        batch_op.create_index('ix_interactions_occurred_on', ['occurred_on'], unique=False)

    with op.batch_alter_table('students', schema=None) as batch_op:
        batch_op.add_column(sa.Column('last_activity_on', sa.Date(), nullable=True))
    zones = _zones(bind)
    utc = ZoneInfo('UTC')
    last_days = [
        {
            'row_id': row_id,
            'new_value': _aware(moment).astimezone(zones.get(owner_id) or utc).date(),
        }
        for row_id, owner_id, moment in bind.execute(
            sa.select(students.c.id, students.c.owner_id, students.c.last_activity_at)
        )
    ]
    _update_in_chunks(bind, students, 'last_activity_on', last_days)
    # On SQLite the table is rebuilt: keep AUTOINCREMENT (see 0009).
    with op.batch_alter_table(
        'students', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.alter_column(
            'last_activity_on', existing_type=sa.Date(), nullable=False
        )
        batch_op.drop_index('ix_students_owner_activity')
        batch_op.create_index('ix_students_owner_activity', ['owner_id', 'last_activity_on', 'last_activity_at'], unique=False)
        batch_op.create_index('ix_students_last_activity_on', ['last_activity_on'], unique=False)


def _noon(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(12), zone).astimezone(UTC)


def downgrade():
    bind = op.get_bind()
    with op.batch_alter_table(
        'students', schema=None, table_kwargs={'sqlite_autoincrement': True}
    ) as batch_op:
        batch_op.drop_index('ix_students_last_activity_on')
        batch_op.drop_index('ix_students_owner_activity')
        batch_op.create_index('ix_students_owner_activity', ['owner_id', 'last_activity_at'], unique=False)
        batch_op.drop_column('last_activity_on')

    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('occurred_at', sa.DateTime(timezone=True), nullable=True)
        )
    moments = [
        {'row_id': row_id, 'new_value': _noon(day, zone)}
        for row_id, zone, day in _touchpoints(bind, interactions.c.occurred_on)
    ]
    _update_in_chunks(bind, interactions, 'occurred_at', moments)
    with op.batch_alter_table('interactions', schema=None) as batch_op:
        batch_op.drop_index('ix_interactions_occurred_on')
        batch_op.drop_index('ix_interactions_author_when')
        batch_op.drop_index('ix_interactions_student_when')
        batch_op.drop_column('occurred_on')
        batch_op.alter_column(
            'occurred_at', existing_type=sa.DateTime(timezone=True), nullable=False
        )
        batch_op.create_index('ix_interactions_occurred_at', ['occurred_at'], unique=False)
        batch_op.create_index('ix_interactions_author_when', ['author_id', 'occurred_at'], unique=False)
        batch_op.create_index('ix_interactions_student_when', ['student_id', 'occurred_at'], unique=False)
