"""Writing the audit trail. There is deliberately no update or delete here.

The trail is append-only, in the database too (a trigger refuses UPDATE and
DELETE), so nothing written here can be erased with a student: it names
records and changed fields, never personal values.
"""

from collections.abc import Mapping
from datetime import timedelta

from flask import g, has_request_context, request
from flask_login import current_user
from sqlalchemy import select

from envoycrm.extensions import db
from envoycrm.models import AuditEvent, utcnow

# Filters a person types freely: a search or a tag may name someone, so the
# trail records only that one was used, never what was typed.
FREE_TEXT_FILTERS = frozenset({"q", "tag"})
# The same list seen again within this time is not recorded again: a search
# box asks once per pause in typing.
LIST_VIEW_WINDOW = timedelta(minutes=1)


def omit_client_address() -> None:
    """Record no client address for the rest of this request.

    For a request in which an anonymous person hands over their own data (a
    referral reply, a data request): their address, kept beside the record
    of it in an append-only trail, could never be erased with them.
    """
    g.audit_without_address = True


def record(
    action: str,
    record_type: str | None = None,
    record_id: int | None = None,
    actor_id: int | None = None,
    **details,
) -> AuditEvent:
    """Add an audit row to the session; the caller's commit makes it durable.

    ``details`` must name what changed, never sensitive personal values.
    """
    ip = None
    if has_request_context():
        if actor_id is None and current_user.is_authenticated:
            actor_id = current_user.id
        if not g.get("audit_without_address"):
            ip = request.remote_addr
    event = AuditEvent(
        action=action,
        record_type=record_type,
        record_id=record_id,
        actor_id=actor_id,
        ip=ip,
        details=details,
    )
    db.session.add(event)
    return event


def record_list_view(
    action: str,
    filters: Mapping[str, object],
    total: int,
    shown: int,
    record_type: str = "student",
    record_id: int | None = None,
) -> AuditEvent | None:
    """Audit that a list of people was shown: its filters and how many rows
    it counted and showed, never the rows themselves.

    Recorded once per user, list and filters a minute; free-text filters
    count as one however they change, so typing a search writes one row,
    not one per keystroke. Returns None when it was not recorded again.
    """
    described = {
        key: "*" if key in FREE_TEXT_FILTERS else str(value)
        for key, value in sorted(filters.items())
        if value not in (None, "")
    }
    actor_id = (
        current_user.id
        if has_request_context() and current_user.is_authenticated
        else None
    )
    recent = db.session.scalars(
        select(AuditEvent.details).where(
            AuditEvent.created_at >= utcnow() - LIST_VIEW_WINDOW,
            AuditEvent.action == action,
            AuditEvent.actor_id.is_(None)
            if actor_id is None
            else AuditEvent.actor_id == actor_id,
            AuditEvent.record_id.is_(None)
            if record_id is None
            else AuditEvent.record_id == record_id,
        )
    )
    if any(details.get("filters") == described for details in recent):
        return None
    return record(
        action, record_type, record_id, filters=described, count=total, shown=shown
    )
