"""Queries behind the coordinators' digest pages."""

from datetime import date

from sqlalchemy import Select, select

from envoycrm.models import DigestKind, OutboxMessage, OutboxStatus

from .periods import period_of


def this_week(today: date | None = None) -> str:
    """The current ISO week, the preview's default."""
    return period_of(today or date.today())


def outbox_query(
    status: OutboxStatus | None = None,
    kind: DigestKind | None = None,
    period: str | None = None,
) -> Select:
    """Outbox rows, newest period first, optionally one status, kind or period."""
    query = select(OutboxMessage)
    if status is not None:
        query = query.where(OutboxMessage.status == status)
    if period is not None:
        query = query.where(OutboxMessage.period == period)
    if kind is not None:
        query = query.where(OutboxMessage.kind == kind)
    return query.order_by(
        OutboxMessage.period.desc(),
        OutboxMessage.created_at.desc(),
        OutboxMessage.id.desc(),
    )
