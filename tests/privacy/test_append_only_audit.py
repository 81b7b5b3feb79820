"""The audit trail is append-only in the database itself (issue 10, item 19):
raw SQL cannot change or remove a row, on SQLite or PostgreSQL, while
erasure and retention, which only add rows, keep working."""

from datetime import timedelta

import pytest
import sqlalchemy as sa
from sqlalchemy.exc import IntegrityError

from envoycrm import audit
from envoycrm.extensions import db
from envoycrm.models import AuditEvent, Student, utcnow
from envoycrm.privacy import retention
from tests.conftest import post


@pytest.fixture
def event(people) -> AuditEvent:
    row = audit.record("student.view", "student", 1, actor_id=people["admin"].id)
    db.session.commit()
    return row


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE audit_events SET action = 'nothing.happened'",
        "UPDATE audit_events SET actor_id = NULL",
        "DELETE FROM audit_events",
        "DELETE FROM audit_events WHERE action = 'student.view'",
    ],
)
def test_raw_sql_cannot_change_or_remove_an_audit_row(event, statement):
    with pytest.raises(IntegrityError, match="append-only"):
        db.session.execute(sa.text(statement))
        db.session.flush()
    db.session.rollback()
    kept = db.session.scalars(sa.select(AuditEvent)).all()
    assert [(e.id, e.action, e.actor_id) for e in kept] == [
        (event.id, "student.view", event.actor_id)
    ]


def test_erasure_still_works_beside_the_append_only_trail(client, login_as, subject):
    login_as("coordinator")
    before = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    response = post(
        client, f"/privacy-admin/students/{subject.id}/erase", {"confirm": "y"}
    )
    assert response.status_code == 302
    assert db.session.get(Student, subject.id) is None
    after = db.session.scalar(sa.select(sa.func.count(AuditEvent.id)))
    assert after == before + 1  # the erasure itself, and nothing rewritten


def test_retention_flags_and_purges_beside_the_append_only_trail(app, people, subject):
    # Two days past the period: a last activity is a day in the envoy's zone,
    # which may already be tomorrow in UTC.
    now = utcnow() + timedelta(days=app.config["RETENTION_DAYS"] + 2)
    assert retention.flag_retention(now) == 2
    assert retention.purge_flagged([subject.id], people["coordinator"]) == 1
    db.session.commit()
    actions = db.session.scalars(sa.select(AuditEvent.action)).all()
    assert "retention.flagged" in actions and "student.erased" in actions
