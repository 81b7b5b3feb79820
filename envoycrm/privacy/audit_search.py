"""Searching the audit trail by actor, action, record and date range."""

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, or_, select

from envoycrm.models import AuditEvent, User
from envoycrm.params import parse_id


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
