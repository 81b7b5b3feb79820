"""Follow-up tasks, saved views, imports, rate limits and data-subject requests."""

import enum
from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, ForeignKey, Index, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from envoycrm.extensions import Model
from envoycrm.models.base import UTCDateTime, enum_column, utcnow


class TaskKind(enum.Enum):
    """Why a follow-up task exists."""

    EMPLOYER_INTEREST = "employer_interest"
    DATA_EXPORT = "data_export"
    DATA_ERASURE = "data_erasure"
    RETENTION_REVIEW = "retention_review"
    REFERRAL_REPLY = "referral_reply"  # a held reply for the student's envoy
    POLICY_QUESTION = "policy_question"  # asked through an envoy's policy link
    # A public event registration matching a known student, held for their envoy.
    EVENT_REGISTRATION = "event_registration"
    # A student met at a fair booth without employer-sharing consent: ask them.
    FAIR_CONSENT = "fair_consent"
    OTHER = "other"


class Task(Model):
    """Something a coordinator (and possibly an envoy) must follow up."""

    __tablename__ = "tasks"
    __table_args__ = (Index("ix_tasks_open_due", "done_at", "due_on"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[TaskKind] = mapped_column(enum_column(TaskKind), index=True)
    title: Mapped[str] = mapped_column(String(300))
    details: Mapped[str] = mapped_column(Text, default="")
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey("students.id", ondelete="SET NULL"), index=True
    )
    opening_id: Mapped[int | None] = mapped_column(
        ForeignKey("job_openings.id", ondelete="SET NULL")
    )
    employer_id: Mapped[int | None] = mapped_column(ForeignKey("employers.id"))
    # The envoy who should act too (coordinators always see every task).
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    data_request_id: Mapped[int | None] = mapped_column(
        ForeignKey("data_requests.id", ondelete="SET NULL")
    )
    due_on: Mapped[date | None]
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class DataRequestKind(enum.Enum):
    """What a student asked for about their personal data."""

    EXPORT = "export"
    ERASURE = "erasure"


class DataRequest(Model):
    """A student's request for a copy or erasure of their data (one month to answer)."""

    __tablename__ = "data_requests"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[DataRequestKind] = mapped_column(enum_column(DataRequestKind))
    email: Mapped[str | None] = mapped_column(String(254))
    message: Mapped[str] = mapped_column(Text, default="")
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey("students.id", ondelete="SET NULL")
    )
    verified_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_on: Mapped[date]
    completed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SavedView(Model):
    """A coordinator's named pipeline filter (the query string of the board)."""

    __tablename__ = "saved_views"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(100))
    query: Mapped[str] = mapped_column(String(2000))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ImportStatus(enum.Enum):
    """Where an import stands; nothing is written before CONFIRMED."""

    UPLOADED = "uploaded"
    PREVIEWED = "previewed"
    CONFIRMED = "confirmed"
    FAILED = "failed"


class ImportJob(Model):
    """A spreadsheet of students being imported: file, mapping, preview, result."""

    __tablename__ = "import_jobs"

    id: Mapped[int] = mapped_column(primary_key=True)
    created_by_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[ImportStatus] = mapped_column(
        enum_column(ImportStatus), default=ImportStatus.UPLOADED
    )
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    options: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    # Validated rows and per-row errors, kept until confirmation.
    preview: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    rows_total: Mapped[int] = mapped_column(default=0)
    rows_done: Mapped[int] = mapped_column(default=0)
    rows_written: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    confirmed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ImportMapping(Model):
    """A remembered column mapping, per coordinator and header layout."""

    __tablename__ = "import_mappings"

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    header_signature: Mapped[str] = mapped_column(String(64), index=True)
    mapping: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )
