"""Writing the audit trail. There is deliberately no update or delete here."""

from flask import has_request_context, request
from flask_login import current_user

from envoycrm.extensions import db
from envoycrm.models import AuditEvent


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
    if actor_id is None and has_request_context() and current_user.is_authenticated:
        actor_id = current_user.id
    event = AuditEvent(
        action=action,
        record_type=record_type,
        record_id=record_id,
        actor_id=actor_id,
        ip=request.remote_addr if has_request_context() else None,
        details=details,
    )
    db.session.add(event)
    return event
