"""Personal-data rights, retention and the audit search: domain functions.

Nothing here knows about Flask's request. Exporting and erasing walk the
schema (every table with a foreign key to ``students``) rather than a list
kept by hand, so a table added later is exported and erased too.
"""

import base64
import enum
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from flask import current_app
from sqlalchemy import (
    Column,
    Enum,
    String,
    Table,
    Text,
    delete,
    func,
    or_,
    select,
    true,
    update,
)

from envoycrm import audit
from envoycrm.database import rows_changed
from envoycrm.extensions import db
from envoycrm.models import (
    AuditEvent,
    DataRequest,
    DataRequestKind,
    DigestMention,
    IdempotencyKey,
    ImportJob,
    OutboxMessage,
    Student,
    Task,
    TaskKind,
    User,
    utcnow,
)
from envoycrm.models.base import table_of
from envoycrm.params import parse_id

# What replaces a personal value found outside the student's own rows.
ERASED = "[erased]"
# A data request must be answered within one month (GDPR art. 12(3), PIPL).
ANSWER_WITHIN = timedelta(days=30)
# Tables that are never written by erasure: the audit trail is append-only
# and carries no personal values by design.
APPEND_ONLY = {"audit_events"}


# --- retention ---------------------------------------------------------------


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
    for student in students:
        erase_student(student, actor, reason="retention")
    return len(students)


# --- export ------------------------------------------------------------------


def _student_tables() -> list[tuple[Table, Column[Any]]]:
    """(table, column) for every foreign key that points at ``students.id``.

    A student's own rows are found through these; the self-reference of a
    possible duplicate is another student's row and is left out.
    """
    found = []
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            for fk in column.foreign_keys:
                if fk.column.table.name == "students" and table.name != "students":
                    found.append((table, column))
    return found


def _plain(value):
    """A JSON-ready form of a column value."""
    if isinstance(value, enum.Enum):
        return value.name
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    return value


def _rows(table: Table, condition) -> list[dict]:
    rows = db.session.execute(select(table).where(condition)).mappings().all()
    return [{key: _plain(value) for key, value in row.items()} for row in rows]


def export_student(student: Student) -> dict:
    """Everything held about ``student``: one list of rows per table.

    Keys are table names; every table with rows about the student appears,
    including the audit trail about them and the digests that named them.
    """
    students = db.metadata.tables["students"]
    data = {"students": _rows(students, students.c.id == student.id)}
    for table, column in _student_tables():
        rows = _rows(table, column == student.id)
        if rows:
            data.setdefault(table.name, []).extend(rows)
    mention_ids = select(DigestMention.outbox_id).where(
        DigestMention.student_id == student.id
    )
    outbox = db.metadata.tables["outbox_messages"]
    digests = _rows(outbox, outbox.c.id.in_(mention_ids))
    if digests:
        # The digest's recipient is bureau or employer staff, not the subject.
        data["outbox_messages"] = [
            {k: v for k, v in row.items() if k != "recipient_email"} for row in digests
        ]
    idempotency = db.metadata.tables["idempotency_keys"]
    keys = _rows(
        idempotency,
        (idempotency.c.record_type == "student")
        & (idempotency.c.record_id == student.id),
    )
    if keys:
        data["idempotency_keys"] = keys
    if student.email:
        requests = db.metadata.tables["data_requests"]
        by_email = _rows(
            requests, func.lower(requests.c.email) == student.email.lower()
        )
        known = {row["id"] for row in data.get("data_requests", [])}
        extra = [row for row in by_email if row["id"] not in known]
        if extra:
            data.setdefault("data_requests", []).extend(extra)
    events = db.metadata.tables["audit_events"]
    data["audit_events"] = _rows(
        events, (events.c.record_type == "student") & (events.c.record_id == student.id)
    )
    return {key: value for key, value in data.items() if value}


def record_export(student: Student, fmt: str) -> None:
    """Audit that a copy of the student's data was made (no values)."""
    audit.record("student.export", "student", student.id, format=fmt)


# --- erasure -----------------------------------------------------------------


def _identifiers(student: Student) -> list[str]:
    """The personal values that must not survive anywhere after erasure."""
    values = [
        student.email,
        student.wechat_id,
        student.phone,
        student.name_latin,
        student.name_hanzi,
    ]
    return [v for v in values if v]


def _text_columns(table: Table) -> list:
    return [
        c
        for c in table.columns
        if isinstance(c.type, String | Text)
        and not isinstance(c.type, Enum)  # enums hold names, never personal data
        and not c.primary_key
    ]


def _scrub_rows(table: Table, condition, identifiers: list[str]) -> None:
    """Replace ``identifiers`` in every text column of the matching rows."""
    for column in _text_columns(table):
        value = column
        for identifier in identifiers:
            value = func.replace(value, identifier, ERASED)
        hits = or_(*(column.contains(i, autoescape=True) for i in identifiers))
        db.session.execute(
            update(table).where(condition).where(hits).values({column.name: value})
        )


def _scrub_distinctive_everywhere(identifiers: list[str]) -> None:
    """Email and WeChat ID are distinctive: remove them from every text column.

    Names are not (two students may be called 王伟), so they are only removed
    from rows that belong to the erased student (see ``erase_student``).
    """
    if not identifiers:
        return
    for table in db.metadata.sorted_tables:
        if table.name in APPEND_ONLY or table.name == "users":
            continue
        _scrub_rows(table, true(), identifiers)


def _scrub_imports(identifiers: list[str]) -> None:
    """Drop the kept file and preview of any import that carried the student."""
    for job in db.session.scalars(select(ImportJob)).yield_per(50):
        blob = job.content or b""
        preview = str(job.preview or "")
        if any(i.encode() in blob or i in preview for i in identifiers):
            job.content = None
            job.preview = {}


def erase_student(
    student: Student, actor: User | None, reason: str = "request"
) -> None:
    """Remove a student's personal data from every table; keep anonymous counts.

    Rows that belong to the student (interactions, intentions, consents, stage
    moves, tags, interests, digest mentions...) are deleted with the student;
    tasks and data requests about them stay as a record of work done, with
    the personal values removed; digests that named them lose those values.
    An audit entry ``student.erased`` records the erasure with counts only.
    The caller commits.
    """
    student_id = student.id
    identifiers = _identifiers(student)
    counts = {}
    mention_outbox = select(DigestMention.outbox_id).where(
        DigestMention.student_id == student_id
    )
    if identifiers:
        outbox = table_of(OutboxMessage)
        _scrub_rows(outbox, outbox.c.id.in_(mention_outbox), identifiers)
        tasks = table_of(Task)
        _scrub_rows(tasks, tasks.c.student_id == student_id, identifiers)
    if student.email:
        db.session.execute(
            update(DataRequest)
            .where(func.lower(DataRequest.email) == student.email.lower())
            .values(student_id=student_id)
        )
    db.session.execute(
        update(DataRequest)
        .where(DataRequest.student_id == student_id)
        .values(email=None, message="")
    )
    for table, column in _student_tables():
        if column.nullable:
            db.session.execute(
                update(table).where(column == student_id).values({column.name: None})
            )
        else:
            result = db.session.execute(delete(table).where(column == student_id))
            counts[table.name] = rows_changed(result)
    db.session.execute(
        delete(IdempotencyKey).where(
            IdempotencyKey.record_type == "student",
            IdempotencyKey.record_id == student_id,
        )
    )
    db.session.execute(
        update(Student)
        .where(Student.possible_duplicate_of_id == student_id)
        .values(possible_duplicate_of_id=None)
    )
    stats = {
        "stage": student.stage.name,
        "field": student.field.name,
        "degree": student.degree.name,
        "owner_id": student.owner_id,
        "reason": reason,
    }
    db.session.expunge(student)
    db.session.execute(delete(Student).where(Student.id == student_id))
    _scrub_distinctive_everywhere(
        [i for i in (student.email, student.wechat_id, student.phone) if i]
    )
    _scrub_imports(identifiers)
    audit.record(
        "student.erased",
        "student",
        student_id,
        actor_id=actor.id if actor else None,
        counts={k: v for k, v in counts.items() if v},
        **stats,
    )


# --- data requests and tasks ---------------------------------------------------


def request_due_on(today: date) -> date:
    """The deadline of a request made ``today``: one month later."""
    return today + ANSWER_WITHIN


def create_data_request(
    kind: DataRequestKind, email: str, message: str, today: date
) -> DataRequest:
    """Record a student's request and open a task for coordinators.

    The student is linked when the email matches exactly one record; either
    way a coordinator verifies the requester before acting.
    """
    from envoycrm.auth.services import normalise_email

    email = normalise_email(email)
    matches = db.session.scalars(
        select(Student.id).where(func.lower(Student.email) == email).limit(2)
    ).all()
    student_id = matches[0] if len(matches) == 1 else None
    due = request_due_on(today)
    request = DataRequest(
        kind=kind, email=email, message=message, student_id=student_id, due_on=due
    )
    db.session.add(request)
    db.session.flush()
    task_kind = (
        TaskKind.DATA_EXPORT
        if kind is DataRequestKind.EXPORT
        else TaskKind.DATA_ERASURE
    )
    # The title is a fixed English key; the tasks page shows the translated kind.
    task = Task(
        kind=task_kind,
        title=f"Data request #{request.id}",
        student_id=student_id,
        data_request_id=request.id,
        due_on=due,
    )
    db.session.add(task)
    db.session.flush()
    audit.record(
        "data_request.create", "data_request", request.id, kind=kind.name, task=task.id
    )
    return request


def task_query(base, show_done: bool = False):
    """Tasks, open first by due date (no date last), optionally done ones too."""
    query = base
    if not show_done:
        query = query.where(Task.done_at.is_(None))
    return query.order_by(
        Task.done_at.is_not(None),
        Task.due_on.is_(None),
        Task.due_on,
        Task.id,
    )


def mark_done(task: Task, actor: User) -> bool:
    """Mark a task done; False when it already was."""
    if task.done_at is not None:
        return False
    task.done_at = utcnow()
    task.done_by_id = actor.id
    if task.data_request_id:
        db.session.execute(
            update(DataRequest)
            .where(DataRequest.id == task.data_request_id)
            .where(DataRequest.completed_at.is_(None))
            .values(completed_at=task.done_at)
        )
    audit.record("task.done", "task", task.id, kind=task.kind.name)
    return True


# --- audit search --------------------------------------------------------------


@dataclass
class AuditFilter:
    """What the audit log is narrowed to."""

    actor: str = ""
    action: str = ""
    record_type: str = ""
    record_id: int | None = None
    since: date | None = None
    until: date | None = None

    def as_args(self) -> dict:
        """The filter as query-string arguments (for pagination links)."""
        values = {
            "actor": self.actor,
            "action": self.action,
            "record_type": self.record_type,
            "record_id": self.record_id or "",
            "since": self.since.isoformat() if self.since else "",
            "until": self.until.isoformat() if self.until else "",
        }
        return {key: value for key, value in values.items() if value}


def audit_query(filters: AuditFilter):
    """The audit log, newest first, narrowed by ``filters`` (indexed columns)."""
    query = select(AuditEvent)
    if filters.actor:
        actor_id = parse_id(filters.actor)
        if actor_id is not None:
            query = query.where(AuditEvent.actor_id == actor_id)
        else:
            needle = filters.actor.lower()
            actors = select(User.id).where(
                or_(
                    func.lower(User.email).startswith(needle, autoescape=True),
                    func.lower(User.full_name).contains(needle, autoescape=True),
                )
            )
            query = query.where(AuditEvent.actor_id.in_(actors))
    if filters.action:
        query = query.where(
            AuditEvent.action.startswith(filters.action, autoescape=True)
        )
    if filters.record_type:
        query = query.where(AuditEvent.record_type == filters.record_type)
    if filters.record_id is not None:
        query = query.where(AuditEvent.record_id == filters.record_id)
    if filters.since:
        start = datetime.combine(filters.since, time(0), UTC)
        query = query.where(AuditEvent.created_at >= start)
    if filters.until:
        end = datetime.combine(filters.until + timedelta(days=1), time(0), UTC)
        query = query.where(AuditEvent.created_at < end)
    return query.order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())


def actors_of(events) -> dict[int, User]:
    """The users behind a page of audit events, in one query."""
    ids = {e.actor_id for e in events if e.actor_id}
    if not ids:
        return {}
    return {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(ids)))}


def openings_of_tasks(tasks) -> dict:
    """The openings (with their employers) that tasks refer to, in one query."""
    from sqlalchemy.orm import selectinload

    from envoycrm.models import JobOpening

    ids = {task.opening_id for task in tasks if task.opening_id}
    if not ids:
        return {}
    rows = db.session.scalars(
        select(JobOpening)
        .where(JobOpening.id.in_(ids))
        .options(selectinload(JobOpening.employer))
    )
    return {opening.id: opening for opening in rows}
