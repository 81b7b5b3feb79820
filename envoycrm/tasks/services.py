"""Reading and completing tasks. Never commits: the view does."""

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.orm import selectinload

from envoycrm import audit
from envoycrm.extensions import db
from envoycrm.main import needs
from envoycrm.models import DataRequest, JobOpening, Task, TaskKind, User, utcnow


def task_query(base, show_done: bool = False, kinds: Sequence[TaskKind] = ()):
    """Tasks, open first by due date (no date last), optionally done ones too.

    Open tasks of ``kinds`` are exactly those ``needs.open_tasks`` counts for
    the home page and the bureau digest.
    """
    if show_done:
        query = base.where(Task.kind.in_(kinds)) if kinds else base
    else:
        query = needs.open_tasks(kinds, base=base)
    return query.order_by(
        Task.done_at.is_not(None),
        Task.due_on.is_(None),
        Task.due_on,
        Task.id,
    )


def list_args(show_done: bool, kinds: Sequence[TaskKind]) -> dict[str, str]:
    """The query-string arguments that reproduce this list (for page links)."""
    args = {}
    if show_done:
        args["done"] = "1"
    if kinds:
        args["kind"] = ",".join(kind.name for kind in kinds)
    return args


def mark_done(task: Task, actor: User) -> bool:
    """Mark a task done; False when it already was.

    A task that answers a data request completes the request too.
    """
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


def openings_of_tasks(tasks) -> dict[int, JobOpening]:
    """The openings (with their employers) that tasks refer to, in one query."""
    ids = {task.opening_id for task in tasks if task.opening_id}
    if not ids:
        return {}
    rows = db.session.scalars(
        select(JobOpening)
        .where(JobOpening.id.in_(ids))
        .options(selectinload(JobOpening.employer))
    )
    return {opening.id: opening for opening in rows}
