"""The digest outbox: one row per recipient and period, the truth of what was sent."""

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from envoycrm.extensions import Model
from envoycrm.models.base import UTCDateTime, enum_column, utcnow


class DigestKind(enum.Enum):
    """Who a digest is for."""

    BUREAU = "bureau"
    EMPLOYER = "employer"
    ENVOY = "envoy"


class OutboxStatus(enum.Enum):
    """Delivery state of one digest."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    SKIPPED = "skipped"


class OutboxDelivery:
    """The columns of an outbox row that ``envoycrm.outbox`` sends exactly once.

    Every outbox (the digests', the events') carries them; the claim, send
    and retry logic reads and writes only these.
    """

    recipient_email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(10))
    timezone: Mapped[str] = mapped_column(String(64))
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus), default=OutboxStatus.PENDING, index=True
    )
    # Stable across retries, so a resend is recognisably the same message.
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    subject: Mapped[str] = mapped_column(String(300), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class OutboxMessage(OutboxDelivery, Model):
    """One digest for one recipient and one period (ISO week, e.g. 2026-W48)."""

    __tablename__ = "outbox_messages"
    __table_args__ = (
        UniqueConstraint("kind", "recipient_id", "period"),
        Index("ix_outbox_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DigestKind] = mapped_column(enum_column(DigestKind))
    recipient_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    period: Mapped[str] = mapped_column(String(10), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DigestMention(Model):
    """A student named in a digest (for data-subject exports and erasure)."""

    __tablename__ = "digest_mentions"
    __table_args__ = (UniqueConstraint("outbox_id", "student_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    outbox_id: Mapped[int] = mapped_column(
        ForeignKey("outbox_messages.id", ondelete="CASCADE")
    )
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )


class SchedulerRun(Model):
    """One run of a scheduled job, for the admin's scheduler-health view."""

    __tablename__ = "scheduler_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(String(60), index=True)
    host: Mapped[str] = mapped_column(String(100), default="")
    started_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True
    )
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    ok: Mapped[bool | None]
    detail: Mapped[str] = mapped_column(Text, default="")
