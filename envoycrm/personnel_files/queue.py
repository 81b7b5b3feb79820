"""The coordinators' queue: files waiting for their next step.

A file waits from the day its current step was reached; it is overdue once
it has waited longer than the service time configured for that step
(``FILE_SERVICE_DAYS``). Both are computed in SQL from ``step_on``, so the
queue filters and counts with the (step, step_on) index at any scale.
"""

from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import ColumnElement, Select, and_, false, or_, select
from sqlalchemy.orm import selectinload

from envoycrm.models import WAITING_STEPS, FileStep, PersonnelFile, Student


def service_days(config_days: dict[str, int], step: FileStep) -> int | None:
    """The days promised for ``step``, or None when it has no service time."""
    return config_days.get(step.name)


def overdue_condition(config_days: dict[str, int], today: date) -> ColumnElement:
    """SQL: the file has waited at its step past the step's service time."""
    parts = [
        and_(
            PersonnelFile.step == step,
            PersonnelFile.step_on < today - timedelta(days=days),
        )
        for step in WAITING_STEPS
        if (days := service_days(config_days, step)) is not None
    ]
    return or_(*parts) if parts else false()


@dataclass
class QueueFilter:
    """What the queue shows: a step (or every waiting one), overdue only,
    one handler, and a storage reference prefix."""

    step: FileStep | None = None
    overdue: bool = False
    handler_id: int | None = None
    storage: str = ""

    def as_args(self) -> dict[str, str]:
        """The filter as query-string arguments (empty ones left out)."""
        args = {
            "step": self.step.name if self.step else "",
            "overdue": "1" if self.overdue else "",
            "handler": str(self.handler_id) if self.handler_id else "",
            "storage": self.storage,
        }
        return {key: value for key, value in args.items() if value}


def queue_query(
    filters: QueueFilter, config_days: dict[str, int], today: date
) -> Select:
    """The waiting files matching ``filters``, the longest waiting first."""
    query = select(PersonnelFile)
    if filters.step is not None:
        query = query.where(PersonnelFile.step == filters.step)
    else:
        query = query.where(PersonnelFile.step.in_(WAITING_STEPS))
    if filters.overdue:
        query = query.where(overdue_condition(config_days, today))
    if filters.handler_id:
        query = query.where(PersonnelFile.handler_id == filters.handler_id)
    if filters.storage:
        query = query.where(PersonnelFile.storage_ref.startswith(filters.storage))
    return query.order_by(PersonnelFile.step_on, PersonnelFile.id).options(
        selectinload(PersonnelFile.student).selectinload(Student.university),
        selectinload(PersonnelFile.handler),
    )


def days_waited(file: PersonnelFile, today: date) -> int:
    """Whole days since the file reached its current step."""
    return max(0, (today - file.step_on).days)


def is_overdue(file: PersonnelFile, config_days: dict[str, int], today: date) -> bool:
    """True when the file has waited past its step's service time."""
    if file.step.final:
        return False
    days = service_days(config_days, file.step)
    return days is not None and days_waited(file, today) > days
