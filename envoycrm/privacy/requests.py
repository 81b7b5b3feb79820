"""Data requests: a student asks, by email, for a copy of their data or its
erasure; a coordinator gets a task due within the month the law allows."""

from datetime import date, timedelta

from sqlalchemy import func, select

from envoycrm import audit
from envoycrm.extensions import db
from envoycrm.models import DataRequest, DataRequestKind, Student, Task, TaskKind

# A data request must be answered within one month (GDPR art. 12(3), PIPL).
ANSWER_WITHIN = timedelta(days=30)


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
