"""ids of people are never reused; the audit trail is append-only

A trigger refuses every UPDATE and DELETE on ``audit_events``, on SQLite and
on PostgreSQL, so the trail is append-only in the database and not only in
the code that writes it. (On PostgreSQL, TRUNCATE is a privilege of the
table's owner and fires no row trigger.)

On SQLite, ``students`` and ``users`` are rebuilt with AUTOINCREMENT, so the
id of an erased student is never given to a new one (whose export would
then list the erased person's audit events). PostgreSQL's sequences never
hand an id out twice, so nothing changes there.

The audit trail stops holding personal values that erasure could not reach:
tag values (free text) and the client addresses of anonymous visitors who
sent their own data are removed from the rows written before. That part is
not undone by the downgrade.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 14:00:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The tables that hold people, whose ids must never be handed out twice.
PEOPLE = ('students', 'users')


def _rebuild_people(autoincrement):
    if op.get_bind().dialect.name != 'sqlite':
        return
    for name in PEOPLE:
        with op.batch_alter_table(
            name,
            recreate='always',
            table_kwargs={'sqlite_autoincrement': autoincrement},
        ):
            pass


def _forget_personal_values_in_the_trail():
    bind = op.get_bind()
    tag_actions = "('student.tag_add', 'student.tag_remove')"
    if bind.dialect.name == 'sqlite':
        without_tag = "json_remove(details, '$.tag')"
    else:
        without_tag = "(details::jsonb - 'tag')::json"
    op.execute(
        f"UPDATE audit_events SET details = {without_tag} "
        f"WHERE action IN {tag_actions}"
    )
    # Sign-in attempts keep their address: it is the point of recording them.
    op.execute(
        "UPDATE audit_events SET ip = NULL "
        "WHERE actor_id IS NULL AND ip IS NOT NULL AND action NOT LIKE 'auth.%'"
    )


REFUSAL = 'audit_events is append-only'

SQLITE_TRIGGERS = {
    'audit_events_no_update': 'UPDATE',
    'audit_events_no_delete': 'DELETE',
}


def _make_append_only():
    if op.get_bind().dialect.name == 'sqlite':
        for name, event in SQLITE_TRIGGERS.items():
            op.execute(
                f"CREATE TRIGGER {name} BEFORE {event} ON audit_events "
                f"BEGIN SELECT RAISE(ABORT, '{REFUSAL}'); END"
            )
        return
    # restrict_violation is an integrity error, as SQLite's ABORT is.
    op.execute(
        "CREATE FUNCTION audit_events_append_only() RETURNS trigger "
        "LANGUAGE plpgsql AS $$ BEGIN "
        f"RAISE EXCEPTION '{REFUSAL}' USING ERRCODE = 'restrict_violation'; "
        "END $$"
    )
    op.execute(
        "CREATE TRIGGER audit_events_append_only "
        "BEFORE UPDATE OR DELETE ON audit_events "
        "FOR EACH ROW EXECUTE FUNCTION audit_events_append_only()"
    )


def _drop_append_only():
    if op.get_bind().dialect.name == 'sqlite':
        for name in SQLITE_TRIGGERS:
            op.execute(f"DROP TRIGGER {name}")
        return
    op.execute("DROP TRIGGER audit_events_append_only ON audit_events")
    op.execute("DROP FUNCTION audit_events_append_only()")


def upgrade():
    _rebuild_people(True)
    _forget_personal_values_in_the_trail()
    _make_append_only()


def downgrade():
    _drop_append_only()
    _rebuild_people(False)
