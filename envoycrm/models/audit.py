"""The append-only audit trail."""

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column

from envoycrm.extensions import Model
from envoycrm.models.base import UTCDateTime, utcnow


class AuditEvent(Model):
    """Who did what to which record, when and from where.

    Rows are only ever inserted (see ``envoycrm.audit.record``); a trigger
    made by migration 0008 refuses UPDATE and DELETE in the database itself.
    ``details`` names changed fields but never carries personal values.
    """

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_record", "record_type", "record_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True
    )
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(60), index=True)
    record_type: Mapped[str | None] = mapped_column(String(60))
    record_id: Mapped[int | None]
    ip: Mapped[str | None] = mapped_column(String(45))
    details: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
