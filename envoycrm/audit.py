"""Writing the audit trail. There is deliberately no update or delete here.

The trail is append-only, in the database too (a trigger refuses UPDATE and
DELETE), so nothing written here can be erased with a student: it names
records and changed fields, never personal values.
"""

from flask import g, has_request_context, request
from flask_login import current_user

from envoycrm.extensions import db
from envoycrm.models import AuditEvent


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
