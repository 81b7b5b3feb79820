"""Mails to a student about their file, and the signed status link in them.

The link carries the file's id and its link generation, signed with the
app's secret (itsdangerous): a forged or altered link is refused before the
database is asked, and a link of an older generation (one replaced by a new
link the student asked for) finds no file. Both answer 404.

Every mail is a ``FileNotice`` row made insert-if-absent against a unique
key (a step event, or a link generation), then sent by the one outbox
machinery (``envoycrm/outbox.py``), so it goes out exactly once however
often it is asked for or however many senders run.
"""

import secrets
from datetime import datetime
from email.message import EmailMessage
from urllib.parse import urlsplit

from flask import current_app
from flask_babel import force_locale, gettext
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import func, select, update

from envoycrm import mail
from envoycrm import outbox as core
from envoycrm.extensions import db
from envoycrm.labels import label
from envoycrm.models import (
    FileNotice,
    FileNoticeKind,
    FileStepEvent,
    OutboxStatus,
    PersonnelFile,
    Student,
    utcnow,
)
from envoycrm.urls import absolute_url

SALT = "envoycrm.file-status"


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=SALT)


def sign(file: PersonnelFile) -> str:
    """The signed token of ``file``'s current status link."""
    return _serializer().dumps([file.id, file.link_generation])


def file_for(token: str) -> PersonnelFile | None:
    """The file behind a signed token; None when forged, altered or replaced."""
    if not token or len(token) > 200:
        return None
    try:
        value = _serializer().loads(token)
    except BadSignature:
        return None
    if (
        not isinstance(value, list)
        or len(value) != 2
        or not all(isinstance(v, int) and not isinstance(v, bool) for v in value)
        or not 0 < value[0] < 2**31
    ):
        return None
    file = db.session.get(PersonnelFile, value[0])
    if file is None or file.link_generation != value[1]:
        return None
    return file


def status_url(file: PersonnelFile) -> str:
    """The absolute status link of ``file``, in its student's language."""
    return absolute_url("file_status.show", token=sign(file), lang=file.locale)


def _message_id(dedupe: str) -> str:
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "envoycrm.local"
    return f"<file.{dedupe.replace(':', '.')}.{secrets.token_hex(6)}@{host}>"


def _queue(
    file: PersonnelFile,
    student: Student,
    kind: FileNoticeKind,
    dedupe: str,
    event: FileStepEvent | None = None,
) -> None:
    """Add the notice row unless it exists; nothing when there is no email."""
    if not student.email:
        return
    now = utcnow()
    core.insert_if_absent(
        FileNotice,
        [
            {
                "file_id": file.id,
                "student_id": student.id,
                "kind": kind,
                "event_id": event.id if event else None,
                "dedupe": dedupe,
                "recipient_email": student.email,
                "locale": file.locale,
                "status": OutboxStatus.PENDING,
                "message_id": _message_id(dedupe),
                "subject": "",
                "attempts": 0,
                "next_attempt_at": now,
                "created_at": now,
            }
        ],
    )


def queue_link(file: PersonnelFile, student: Student) -> None:
    """Mail the student the file's current status link (once per generation)."""
    _queue(
        file,
        student,
        FileNoticeKind.LINK,
        f"link:{file.id}:{file.link_generation}",
    )


def queue_step(file: PersonnelFile, event: FileStepEvent) -> None:
    """Mail the student that their file reached ``event``'s step (once)."""
    _queue(file, file.student, FileNoticeKind.STEP, f"step:{event.id}", event)


def request_new_link(email: str) -> bool:
    """A new status link for the file of the student with ``email``.

    Every older link stops working; the new one is mailed to the student's
    own address, never to anyone else. Returns whether a file was found (for
    tests and logs only: the page answers the same either way).
    """
    student = db.session.scalar(
        select(Student)
        .join(PersonnelFile, PersonnelFile.student_id == Student.id)
        .where(func.lower(Student.email) == email.strip().lower())
        .order_by(Student.id)
        .limit(1)
    )
    if student is None:
        return False
    file = db.session.scalars(
        select(PersonnelFile).where(PersonnelFile.student_id == student.id)
    ).one()
    db.session.execute(
        update(PersonnelFile)
        .where(PersonnelFile.id == file.id)
        .values(link_generation=PersonnelFile.link_generation + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(file)
    queue_link(file, student)
    return True


def compose(row: FileNotice) -> tuple[str, EmailMessage] | None:
    """(subject, message) of a claimed notice, or None when it is moot."""
    file = db.session.get(PersonnelFile, row.file_id)
    student = db.session.get(Student, row.student_id)
    if file is None or student is None or not student.email:
        return None
    event = db.session.get(FileStepEvent, row.event_id) if row.event_id else None
    template = "file_step" if row.kind is FileNoticeKind.STEP else "file_link"
    with force_locale(row.locale):
        step = label(event.step if event else file.step)
        if row.kind is FileNoticeKind.STEP:
            subject = gettext("Your personnel file: %(step)s", step=step)
        else:
            subject = gettext("Follow your personnel file online")
    message = mail.render_message(
        student.email,
        template,
        row.locale,
        subject,
        student=student,
        file=file,
        event=event,
        step=step,
        link=status_url(file),
    )
    message.replace_header("Message-ID", row.message_id)
    message["Auto-Submitted"] = "auto-generated"
    return subject, message


def deliver(row: FileNotice, now: datetime) -> OutboxStatus:
    """Render and send one claimed notice; commits its outcome."""
    composed = compose(row)
    if composed is None:
        core.finish(row, OutboxStatus.SKIPPED, last_error="no file or address")
        return OutboxStatus.SKIPPED
    subject, message = composed
    row.subject = subject[:300]
    return core.send_claimed(row, message, now)


def send_due(now: datetime | None = None, worker: str | None = None) -> int:
    """Send every notice that is due and free; returns how many went out.

    Commits after each mail (``envoycrm/outbox.py``).
    """
    now = now or utcnow()
    worker = worker or core.worker_name()
    sent = 0
    while (row := core.claim_next(FileNotice, worker, now)) is not None:
        if deliver(row, now) is OutboxStatus.SENT:
            sent += 1
    return sent
