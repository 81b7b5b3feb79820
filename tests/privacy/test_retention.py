"""Retention: inactive students are flagged, reviewed and purged on confirmation."""

from datetime import timedelta

import sqlalchemy as sa

from envoycrm.extensions import db
from envoycrm.models import AuditEvent, Student, utcnow
from envoycrm.privacy.retention import flag_retention
from tests.conftest import post


def _age(student, days):
    db.session.execute(
        sa.update(Student)
        .where(Student.id == student.id)
        .values(
            last_activity_on=(utcnow() - timedelta(days=days)).date(),
            last_activity_at=utcnow() - timedelta(days=days),
        )
    )
    db.session.commit()


def test_students_inactive_past_the_period_are_flagged_once(app, factory, people):
    old = factory.student(people["envoy"])
    recent = factory.student(people["envoy"])
    _age(old, 3 * 365 + 1)
    _age(recent, 3 * 365 - 1)
    now = utcnow()
    assert flag_retention(now) == 1
    assert flag_retention(now + timedelta(hours=1)) == 0  # already flagged
    db.session.expire_all()
    assert old.retention_flagged_at == now
    assert recent.retention_flagged_at is None


def test_the_period_is_configurable(app, factory, people):
    student = factory.student(people["envoy"])
    _age(student, 40)
    app.config["RETENTION_DAYS"] = 30
    assert flag_retention(utcnow()) == 1


def test_cli_flags_students(runner, factory, people):
    _age(factory.student(people["envoy"]), 2000)
    result = runner.invoke(args=["privacy", "flag-retention"])
    assert result.exit_code == 0
    assert "1 students flagged" in result.output


def test_review_list_keep_and_purge(client, login_as, factory, people):
    keep = factory.student(people["envoy"], name_latin="Keep Me")
    purge = factory.student(people["envoy"], name_latin="Purge Me")
    _age(keep, 2000)
    _age(purge, 2000)
    flag_retention(utcnow())
    login_as("coordinator")
    page = client.get("/privacy-admin/retention").get_data(as_text=True)
    assert "Keep Me" in page and "Purge Me" in page

    unconfirmed = post(
        client, "/privacy-admin/retention/purge", {"student_id": str(purge.id)}
    )
    assert unconfirmed.status_code == 422
    assert "Tick the box to confirm." in unconfirmed.get_data(as_text=True)

    assert post(client, f"/privacy-admin/retention/{keep.id}/keep").status_code == 302
    response = post(
        client,
        "/privacy-admin/retention/purge",
        {"student_id": [str(purge.id), str(keep.id)], "confirm": "y"},
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Student, purge.id) is None
    # A student kept after review is no longer flagged, so it is not purged.
    assert db.session.get(Student, keep.id).retention_flagged_at is None
    erased = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "student.erased")
    )
    assert erased.record_id == purge.id and erased.details["reason"] == "retention"
