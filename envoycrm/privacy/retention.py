"""Retention: students with no activity for a configurable period are flagged
for review, then kept or purged (erased) by a coordinator."""

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select, update

from envoycrm import audit
from envoycrm.database import rows_changed
from envoycrm.extensions import db
from envoycrm.models import Student, User, utcnow
from envoycrm.privacy import rights


def retention_period() -> timedelta:
    """How long a student may go without activity before being flagged."""
    return timedelta(days=current_app.config["RETENTION_DAYS"])


def flag_retention(now: datetime) -> int:
    """Flag students with no activity for the retention period; return how many.

    Called by the scheduler and by ``flask privacy flag-retention``. Students
    already flagged keep their first flag date, so running twice is harmless.
    Commits.
    """
    cutoff = now - retention_period()
    result = db.session.execute(
        update(Student)
        .where(Student.last_activity_at < cutoff)
        .where(Student.retention_flagged_at.is_(None))
        .values(retention_flagged_at=now)
        .execution_options(synchronize_session=False)
    )
    flagged = rows_changed(result)
    if flagged:
        audit.record("retention.flagged", "student", None, count=flagged)
    db.session.commit()
    return flagged


def flagged_students():
    """The query of students waiting for a retention review, oldest activity first."""
    return (
        select(Student)
        .where(Student.retention_flagged_at.is_not(None))
        .order_by(Student.last_activity_at, Student.id)
    )


def keep_student(student: Student) -> None:
    """A coordinator decided to keep a flagged student: clear the flag."""
    db.session.execute(
        update(Student)
        .where(Student.id == student.id)
        .values(retention_flagged_at=None, last_activity_at=utcnow())
    )
    audit.record("retention.kept", "student", student.id)


def purge_flagged(ids: list[int], actor: User) -> int:
    """Erase the flagged students among ``ids``; return how many were erased."""
    students = db.session.scalars(
        select(Student).where(
            Student.id.in_(ids), Student.retention_flagged_at.is_not(None)
        )
    ).all()
    rights.erase_students(students, actor, reason="retention")
    return len(students)
