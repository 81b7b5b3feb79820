"""The task list: follow-ups, held replies and data requests, open first."""

from sqlalchemy import select, update

from envoycrm import audit
from envoycrm.extensions import db
from envoycrm.models import DataRequest, Task, User, utcnow


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
