"""Personnel files (档案) the bureau keeps for students while they study abroad.

A file moves through fixed steps; each move is a dated ``FileStepEvent`` with
its handler and notes for staff only. Every mail to the student (the status
link, a step change) is a ``FileNotice``: an outbox row made once per link
generation or step event, sent exactly once (``envoycrm/outbox.py``).
"""

import enum
from datetime import date, datetime

from sqlalchemy import JSON, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from envoycrm.extensions import Model
from envoycrm.models.base import UTCDateTime, enum_column, utcnow
from envoycrm.models.digests import OutboxStatus
from envoycrm.models.students import Student
from envoycrm.models.users import User


class FileStep(enum.Enum):
    """Where a file stands, in order; the last two end its keeping."""

    APPLICATION_RECEIVED = "application_received"
    FILE_RECEIVED = "file_received"
    CHECKED = "checked"
    STORED = "stored"
    TRANSFER_REQUESTED = "transfer_requested"
    TRANSFERRED_OUT = "transferred_out"
    RETURNED = "returned"

    @property
    def rank(self) -> int:
        """Position in the order of steps."""
        return list(FileStep).index(self)

    @property
    def final(self) -> bool:
        """True when the bureau no longer keeps the file."""
        return self in FINAL_STEPS

    def next_steps(self) -> tuple["FileStep", ...]:
        """The steps a file may move to from here: the next one, or back to
        the student at any time before it has left."""
        if self.final:
            return ()
        following = list(FileStep)[self.rank + 1]
        if following is FileStep.RETURNED:
            return (FileStep.RETURNED,)
        return (following, FileStep.RETURNED)


FINAL_STEPS = (FileStep.TRANSFERRED_OUT, FileStep.RETURNED)
WAITING_STEPS = tuple(step for step in FileStep if step not in FINAL_STEPS)


class FileDocument(enum.Enum):
    """The documents a personnel file is checked for."""

    APPLICATION_FORM = "application_form"
    IDENTITY_CARD = "identity_card"
    PASSPORT = "passport"
    DEGREE_CERTIFICATES = "degree_certificates"
    TRANSCRIPTS = "transcripts"
    ENROLMENT_PROOF = "enrolment_proof"
    HOUSEHOLD_REGISTER = "household_register"
    PARTY_RECORDS = "party_records"


class FileNoticeKind(enum.Enum):
    """Why the student is mailed."""

    LINK = "link"
    STEP = "step"


class PersonnelFile(Model):
    """One student's personnel file kept by the bureau."""

    __tablename__ = "personnel_files"
    __table_args__ = (
        # The coordinators' queue: files at a step, oldest first.
        Index("ix_personnel_files_step_on", "step", "step_on"),
        Index("ix_personnel_files_handler_step", "handler_id", "step"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), unique=True
    )
    step: Mapped[FileStep] = mapped_column(enum_column(FileStep))
    # The day the current step was reached: a date, the same in every zone.
    step_on: Mapped[date]
    handler_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    storage_ref: Mapped[str | None] = mapped_column(String(60), index=True)
    # The employer or unit a transferred file went to, by name.
    transfer_to: Mapped[str | None] = mapped_column(String(200))
    # Document name -> received (True) or missing (False).
    documents: Mapped[dict[str, bool]] = mapped_column(JSON, default=dict)
    # The language the student is written to.
    locale: Mapped[str] = mapped_column(String(10), default="zh_Hans")
    # Bumped when a new status link is sent: every older link stops working.
    link_generation: Mapped[int] = mapped_column(default=1)
    opened_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )
    version: Mapped[int] = mapped_column(default=1)

    student: Mapped[Student] = relationship()
    handler: Mapped[User | None] = relationship(foreign_keys=[handler_id])
    events: Mapped[list["FileStepEvent"]] = relationship(
        back_populates="file",
        cascade="all, delete-orphan",
        order_by="FileStepEvent.id",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def missing_documents(self) -> list[FileDocument]:
        """The checklist's documents not yet received, in checklist order."""
        return [doc for doc in FileDocument if self.documents.get(doc.name) is False]

    @property
    def received_documents(self) -> list[FileDocument]:
        """The checklist's documents received, in checklist order."""
        return [doc for doc in FileDocument if self.documents.get(doc.name) is True]


class FileStepEvent(Model):
    """One step of a file: the day, who handled it, notes for staff only."""

    __tablename__ = "file_step_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(
        ForeignKey("personnel_files.id", ondelete="CASCADE"), index=True
    )
    # Kept beside the file so a student's export and erasure find every step.
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    step: Mapped[FileStep] = mapped_column(enum_column(FileStep))
    step_on: Mapped[date]
    handler_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL")
    )
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    file: Mapped[PersonnelFile] = relationship(back_populates="events")
    handler: Mapped[User | None] = relationship()


class FileNotice(Model):
    """One mail to a student about their file, sent exactly once.

    ``dedupe`` is unique ("link:<file>:<generation>", "step:<event>"), so
    however often a notice is asked for, one row and one mail result.
    """

    __tablename__ = "file_notices"
    __table_args__ = (
        Index("ix_file_notices_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    file_id: Mapped[int] = mapped_column(
        ForeignKey("personnel_files.id", ondelete="CASCADE"), index=True
    )
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[FileNoticeKind] = mapped_column(enum_column(FileNoticeKind))
    event_id: Mapped[int | None] = mapped_column(
        ForeignKey("file_step_events.id", ondelete="CASCADE")
    )
    dedupe: Mapped[str] = mapped_column(String(60), unique=True)
    recipient_email: Mapped[str] = mapped_column(String(254))
    locale: Mapped[str] = mapped_column(String(10))
    status: Mapped[OutboxStatus] = mapped_column(
        enum_column(OutboxStatus), default=OutboxStatus.PENDING
    )
    message_id: Mapped[str] = mapped_column(String(200), unique=True)
    subject: Mapped[str] = mapped_column(String(300), default="")
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
