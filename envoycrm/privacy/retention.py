"""Retention: students with no activity for a configurable period are flagged
for review, then kept or purged (erased) by a coordinator; uploaded import
files are kept only while their import is being done."""

from datetime import UTC, datetime, timedelta

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.orm import defer

from envoycrm import audit
from envoycrm.database import rows_changed
from envoycrm.extensions import db
from envoycrm.models import ImportJob, Student, User, local_date, utcnow
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
    # Whole days: the last activity is a calendar day (UTC decides the edge).
    cutoff = (now - retention_period()).astimezone(UTC).date()
    result = db.session.execute(
        update(Student)
        .where(Student.last_activity_on < cutoff)
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
        .order_by(Student.last_activity_on, Student.last_activity_at, Student.id)
    )


def keep_student(student: Student) -> None:
    """A coordinator decided to keep a flagged student: clear the flag.

    Keeping counts as activity today (in UTC: no one's zone owns the decision).
    """
    now = utcnow()
    db.session.execute(
        update(Student)
        .where(Student.id == student.id)
        .values(
            retention_flagged_at=None,
            last_activity_on=local_date(now, "UTC"),
            last_activity_at=now,
        )
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


def forget_import_files(now: datetime) -> int:
    """Drop the file and row-by-row preview of imports uploaded more than
    ``IMPORT_FILE_KEEP_HOURS`` ago; return how many.

    By then an import is done or abandoned; the copies of people's data it
    holds are not kept beside the students themselves. Its counts stay. The
    caller commits.
    """
    cutoff = now - timedelta(hours=current_app.config["IMPORT_FILE_KEEP_HOURS"])
    jobs = db.session.scalars(
        select(ImportJob)
        .where(ImportJob.created_at < cutoff, ImportJob.content.is_not(None))
        .options(defer(ImportJob.content))
    ).all()
    for job in jobs:
        job.content = None
        job.preview = {"counts": (job.preview or {}).get("counts", {})}
    if jobs:
        audit.record("import.files_forgotten", "import_job", None, count=len(jobs))
    return len(jobs)
