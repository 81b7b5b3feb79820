"""Opening personnel files and moving them through their steps.

Domain functions: they add and flush, never commit (the view or command
that calls them does). Each step change writes a ``FileStepEvent`` and the
notice that mails the student about it (``notices.py``).
"""

from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import select

from envoycrm import audit
from envoycrm.extensions import db
from envoycrm.models import (
    ConsentMethod,
    ConsentScope,
    FileDocument,
    FileStep,
    FileStepEvent,
    PersonnelFile,
    Student,
    User,
    utcnow,
)
from envoycrm.students.services import (
    _clean_profile,
    create_student,
    flag_possible_duplicate,
)

from . import notices

# The tag a student gets who came to the bureau only for their file.
SERVICE_TAG = "file-service"


class StepRefused(ValueError):
    """The step cannot follow the file's current one."""


class FileExists(ValueError):
    """The student already has a file."""


def checklist(received: Iterable[FileDocument], missing: Iterable[FileDocument]):
    """The stored checklist: document name -> received."""
    documents = {doc.name: False for doc in missing}
    documents.update({doc.name: True for doc in received})
    return documents


def service_student(actor: User, data: dict, locale: str) -> Student:
    """A student who exists only for the file service.

    Every student has an owner; nobody met this one in the network, so the
    coordinator who opens the file owns the record (no envoy sees it), with
    consent for the bureau only, given on the application form.
    """
    student = create_student(
        owner_id=actor.id,
        actor_id=actor.id,
        profile=_clean_profile(data),
        consent_scope=ConsentScope.BUREAU,
        consent_method=ConsentMethod.FORM,
        notice_language=locale,
        now=utcnow(),
        tags=[SERVICE_TAG],
    )
    db.session.flush()
    flag_possible_duplicate(student)
    return student


def open_file(
    student: Student,
    actor: User,
    *,
    on: date,
    locale: str,
    documents: dict[str, bool] | None = None,
    storage_ref: str | None = None,
    notes: str = "",
    step: FileStep = FileStep.APPLICATION_RECEIVED,
) -> PersonnelFile:
    """Open ``student``'s file at ``step`` and mail them their status link."""
    if file_of(student.id) is not None:
        raise FileExists(student.id)
    file = PersonnelFile(
        student_id=student.id,
        step=step,
        step_on=on,
        handler_id=actor.id,
        opened_by_id=actor.id,
        storage_ref=storage_ref or None,
        documents=documents if documents is not None else {},
        locale=locale,
    )
    file.events.append(
        FileStepEvent(
            student_id=student.id,
            step=step,
            step_on=on,
            handler_id=actor.id,
            notes=notes,
        )
    )
    db.session.add(file)
    db.session.flush()
    notices.queue_link(file, student)
    audit.record("file.opened", "student", student.id, file_id=file.id)
    return file


def file_of(student_id: int) -> PersonnelFile | None:
    """The student's file, if they have one."""
    return db.session.scalar(
        select(PersonnelFile).where(PersonnelFile.student_id == student_id)
    )


def change_step(
    file: PersonnelFile,
    step: FileStep,
    actor: User,
    *,
    on: date,
    notes: str = "",
    transfer_to: str | None = None,
) -> FileStepEvent:
    """Move ``file`` to ``step`` on day ``on``; the student is mailed once.

    Refused (``StepRefused``) unless ``step`` may follow the current one; a
    transfer out names where the file went.
    """
    if step not in file.step.next_steps():
        raise StepRefused(step)
    if step is FileStep.TRANSFERRED_OUT:
        if not transfer_to:
            raise StepRefused(step)
        file.transfer_to = transfer_to
    event = FileStepEvent(
        student_id=file.student_id,
        step=step,
        step_on=on,
        handler_id=actor.id,
        notes=notes,
    )
    file.events.append(event)
    file.step = step
    file.step_on = on
    file.handler_id = actor.id
    db.session.flush()
    notices.queue_step(file, event)
    audit.record(
        "file.step", "student", file.student_id, file_id=file.id, step=step.name
    )
    return event


def bulk_change_step(
    files: Sequence[PersonnelFile],
    step: FileStep,
    actor: User,
    *,
    on: date,
    notes: str = "",
) -> int:
    """Move every file that may take ``step`` to it; returns how many moved.

    Files already past it, or at a step it cannot follow, are left as they
    are (a bulk action sent twice changes nothing the second time).
    """
    moved = 0
    for file in files:
        if step in file.step.next_steps() and step is not FileStep.TRANSFERRED_OUT:
            change_step(file, step, actor, on=on, notes=notes)
            moved += 1
    return moved


def update_details(
    file: PersonnelFile,
    *,
    storage_ref: str | None,
    documents: dict[str, bool],
    locale: str,
) -> None:
    """Change the storage reference, the checklist and the mail language."""
    file.storage_ref = storage_ref or None
    file.documents = documents
    file.locale = locale
    db.session.flush()
    audit.record(
        "file.edit",
        "student",
        file.student_id,
        file_id=file.id,
        fields=["storage_ref", "documents", "locale"],
    )
