"""A student's rights over their data: a complete export and an erasure that
leaves no trace.

Exporting and erasing walk the schema (every table with a foreign key to
``students``) rather than a list kept by hand, so a table added later is
exported and erased too. Nothing here knows about Flask's request.
"""

import base64
import enum
import json
import re
from collections.abc import Sequence
from datetime import date, datetime
from itertools import chain
from typing import Any
from urllib.parse import quote, quote_plus

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
    DataRequest,
    DigestMention,
    IdempotencyKey,
    ImportJob,
    OutboxMessage,
    Student,
    StudentTag,
    Task,
    User,
)
from envoycrm.models.base import table_of
from envoycrm.pipeline import imports

# What replaces a personal value found outside the student's own rows.
ERASED = "[erased]"
# Tables that are never written by erasure: the audit trail is append-only
# and carries no personal values by design.
APPEND_ONLY = {"audit_events"}


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


def _needles(identifiers: list[str]) -> list[str]:
    """The identifiers as they may be written anywhere, lower-cased.

    An email or WeChat ID is the same whatever its case ("Li.Na@Example.org"
    in a note is Li Na's address), and a saved board filter holds them
    URL-encoded ("li.na%40example.org"), so both forms are searched for.
    Longest first, so a longer form is replaced whole before a part of it.
    """
    forms = set()
    for identifier in identifiers:
        for form in (identifier, quote(identifier, safe=""), quote_plus(identifier)):
            if form.strip():
                forms.add(form.lower())
    return sorted(forms, key=len, reverse=True)


def _pattern(needles: list[str]) -> re.Pattern[str]:
    """A case-insensitive pattern matching any of ``needles``."""
    return re.compile("|".join(re.escape(n) for n in needles), re.IGNORECASE)


def _any_contains(column, needles: list[str]):
    """SQL: the column holds one of ``needles``, whatever the (ASCII) case."""
    return or_(*(func.lower(column).contains(n, autoescape=True) for n in needles))


def _scrub_rows(
    table: Table, condition, identifiers: list[str], search_all: bool = False
) -> None:
    """Replace ``identifiers`` in every text column of the matching rows.

    With ``search_all`` the whole table is searched, so the database narrows
    the rows first by a case-insensitive match (``lower`` folds ASCII on
    SQLite, which emails and WeChat IDs are); the replacement itself is made
    here, so it folds case the same way on every database and never writes a
    value longer than its column.
    """
    needles = _needles(identifiers)
    if not needles:
        return
    pattern = _pattern(needles)
    keys = list(table.primary_key.columns)
    for column in _text_columns(table):
        query = select(*keys, column).where(condition).where(column.is_not(None))
        if search_all:
            query = query.where(_any_contains(column, needles))
        for *key, value in db.session.execute(query).all():
            scrubbed = pattern.sub(ERASED, value)
            if scrubbed == value:
                continue
            if column.type.length:
                scrubbed = scrubbed[: column.type.length]
            db.session.execute(
                update(table)
                .where(*(k == v for k, v in zip(keys, key, strict=True)))
                .values({column.name: scrubbed})
            )


def _scrub_distinctive_everywhere(identifiers: list[str]) -> None:
    """Email and WeChat ID are distinctive: remove them from every text column.

    Names are not (two students may be called 王伟), so they are only removed
    from rows that belong to the erased student (see ``erase_student``). A tag
    that names the person is removed, not rewritten: "[erased]" is no tag.
    """
    needles = _needles(identifiers)
    if not needles:
        return
    tags = table_of(StudentTag)
    db.session.execute(delete(tags).where(_any_contains(tags.c.tag, needles)))
    for table in db.metadata.sorted_tables:
        if table.name in APPEND_ONLY or table.name in ("users", tags.name):
            continue
        _scrub_rows(table, true(), identifiers, search_all=True)


def _import_mentions(job: ImportJob, pattern: re.Pattern[str]) -> bool:
    """True when the job's file or preview holds one of the identifiers.

    The file is read the way the import reads it (XLSX cells, CSV decoded
    from UTF-8, GB18030 ...), since its raw bytes may hide the text.
    """
    if pattern.search(json.dumps(job.preview or {}, ensure_ascii=False)):
        return True
    if not job.content:
        return False
    if pattern.search(job.filename):
        return True
    try:
        table = imports.load_table(job)
    except imports.ImportFileError:
        return True  # unreadable, so it cannot be shown not to hold them
    cells = chain(table.headers, chain.from_iterable(table.rows))
    return any(pattern.search(cell) for cell in cells if cell)


def _scrub_imports(identifiers: list[str]) -> None:
    """Drop the kept file and preview of any import that carried the person."""
    needles = _needles(identifiers)
    if not needles:
        return
    pattern = _pattern(needles)
    for job_id in db.session.scalars(select(ImportJob.id)).all():
        job = db.session.get(ImportJob, job_id)
        if job is None:
            continue
        if _import_mentions(job, pattern):
            job.content = None
            job.preview = {}
            db.session.flush()
        db.session.expunge(job)  # files are large: keep one in memory at a time


def erase_student(
    student: Student, actor: User | None, reason: str = "request"
) -> None:
    """Remove a student's personal data from every table; keep anonymous counts.

    Rows that belong to the student (interactions, intentions, consents, stage
    moves, tags, interests, digest mentions...) are deleted with the student;
    tasks and data requests about them stay as a record of work done, with
    the personal values removed; digests that named them lose those values;
    their email and WeChat ID are removed from any text that names them, in
    any case; a kept import file that holds them is dropped. An audit entry
    ``student.erased`` records the erasure with counts only. The caller
    commits.
    """
    erase_students([student], actor, reason)


def erase_students(
    students: Sequence[Student], actor: User | None, reason: str
) -> None:
    """``erase_student`` for each of ``students``; each kept import file is
    read once for all of them. The caller commits."""
    identifiers: list[str] = []
    for student in students:
        identifiers += _erase_rows(student, actor, reason)
    _scrub_imports(identifiers)


def _erase_rows(student: Student, actor: User | None, reason: str) -> list[str]:
    """Everything of ``erase_student`` but the import files; returns the
    identifiers those must be searched for."""
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
    audit.record(
        "student.erased",
        "student",
        student_id,
        actor_id=actor.id if actor else None,
        counts={k: v for k, v in counts.items() if v},
        **stats,
    )
    return identifiers
