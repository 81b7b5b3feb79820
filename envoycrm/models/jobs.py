"""Job openings, envoys' pushes of them, and students' interest."""

import enum
from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    ColumnElement,
    ForeignKey,
    Index,
    String,
    Text,
    UniqueConstraint,
    and_,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from envoycrm.extensions import Model
from envoycrm.models.base import (
    SharedLink,
    UTCDateTime,
    enum_column,
    in_language,
    utcnow,
)
from envoycrm.models.organisations import Employer
from envoycrm.models.students import FieldOfStudy, Sector, Student
from envoycrm.models.users import DegreeLevel


class OpeningStatus(enum.Enum):
    """An opening's life: drafted, approved by the bureau, open, closed."""

    DRAFT = "draft"
    PENDING = "pending"
    OPEN = "open"
    CLOSED = "closed"


# Statuses the deadline ends: past it, an open or pending opening is closed.
LIVE_STATUSES = (OpeningStatus.OPEN, OpeningStatus.PENDING)


class InterestSource(enum.Enum):
    """How a student's interest in an opening reached us."""

    REFERRAL = "referral"  # the public form behind an envoy's link
    ENVOY = "envoy"  # recorded by the envoy
    COORDINATOR = "coordinator"


class ReplyStatus(enum.Enum):
    """A held referral reply: waiting for the student's envoy, or decided."""

    HELD = "held"
    CONFIRMED = "confirmed"
    DISMISSED = "dismissed"


class JobOpening(Model):
    """A job an employer in the city offers, in Chinese and English."""

    __tablename__ = "job_openings"
    __table_args__ = (
        CheckConstraint("salary_min <= salary_max", name="salary_range"),
        CheckConstraint("headcount >= 1", name="headcount_positive"),
        Index("ix_job_openings_status_deadline", "status", "deadline"),
        Index("ix_job_openings_employer_status", "employer_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"))
    title_en: Mapped[str] = mapped_column(String(200))
    title_zh: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_zh: Mapped[str] = mapped_column(Text, default="")
    sector: Mapped[Sector] = mapped_column(enum_column(Sector), index=True)
    field: Mapped[FieldOfStudy] = mapped_column(enum_column(FieldOfStudy), index=True)
    min_degree: Mapped[DegreeLevel] = mapped_column(
        enum_column(DegreeLevel), index=True
    )
    salary_min: Mapped[int]  # CNY per year
    salary_max: Mapped[int] = mapped_column(index=True)
    headcount: Mapped[int] = mapped_column(default=1)
    location: Mapped[str] = mapped_column(String(120), default="")  # in English
    location_zh: Mapped[str] = mapped_column(String(120), default="")
    deadline: Mapped[date] = mapped_column(index=True)
    status: Mapped[OpeningStatus] = mapped_column(
        enum_column(OpeningStatus), default=OpeningStatus.DRAFT, index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    approved_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )
    version: Mapped[int] = mapped_column(default=1)

    employer: Mapped[Employer] = relationship()

    __mapper_args__ = {"version_id_col": version}

    # The stored status changes only when someone (or the nightly job) closes
    # the opening, so every reader derives the status it shows and filters on
    # from the deadline, through these three: no list, match, digest or push
    # shows an expired opening as open in the hours before the job runs.

    def status_on(self, today: date) -> OpeningStatus:
        """The status readers see on ``today``: closed once the deadline passed."""
        if self.status in LIVE_STATUSES and self.deadline < today:
            return OpeningStatus.CLOSED
        return self.status

    @classmethod
    def open_on(cls, today: date) -> ColumnElement[bool]:
        """SQL: the opening is open on ``today`` (approved, deadline not passed)."""
        return cls.status_is(OpeningStatus.OPEN, today)

    @classmethod
    def status_is(cls, status: OpeningStatus, today: date) -> ColumnElement[bool]:
        """SQL: ``status_on(today)`` is ``status``, in a form the indexes serve."""
        if status in LIVE_STATUSES:
            return and_(cls.status == status, cls.deadline >= today)
        if status is OpeningStatus.CLOSED:
            return or_(
                cls.status == status,
                and_(cls.status.in_(LIVE_STATUSES), cls.deadline < today),
            )
        return cls.status == status

    def title_for(self, locale: str) -> str:
        """The title in ``locale``, falling back to the other language."""
        return in_language(locale, self.title_en, self.title_zh)

    def description_for(self, locale: str) -> str:
        """The description in ``locale``, falling back to the other language."""
        return in_language(locale, self.description_en, self.description_zh)

    def location_for(self, locale: str) -> str:
        """The location in ``locale``, falling back to the other language."""
        return in_language(locale, self.location, self.location_zh)


class Push(SharedLink, Model):
    """An envoy sharing an opening: one personal referral link per envoy and opening."""

    __tablename__ = "pushes"
    __table_args__ = (UniqueConstraint("opening_id", "envoy_id"),)

    opening_id: Mapped[int] = mapped_column(
        ForeignKey("job_openings.id", ondelete="CASCADE"), index=True
    )

    opening: Mapped[JobOpening] = relationship()


class JobInterest(Model):
    """A student's interest in an opening, credited to a push when there is one."""

    __tablename__ = "job_interests"
    __table_args__ = (UniqueConstraint("student_id", "opening_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    opening_id: Mapped[int] = mapped_column(
        ForeignKey("job_openings.id", ondelete="CASCADE"), index=True
    )
    push_id: Mapped[int | None] = mapped_column(
        ForeignKey("pushes.id", ondelete="SET NULL"), index=True
    )
    source: Mapped[InterestSource] = mapped_column(enum_column(InterestSource))
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True
    )

    student: Mapped[Student] = relationship()
    opening: Mapped[JobOpening] = relationship()
    push: Mapped[Push | None] = relationship()


class EmployerInterest(Model):
    """An employer saying "interested in this candidate" for one of its openings."""

    __tablename__ = "employer_interests"
    __table_args__ = (UniqueConstraint("employer_id", "student_id", "opening_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    opening_id: Mapped[int] = mapped_column(
        ForeignKey("job_openings.id", ondelete="CASCADE")
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class ReferralReply(Model):
    """A public reply that matched a known student, held until their envoy decides.

    Whoever typed a known email or WeChat ID need not be that student, so
    such a reply changes nothing about the student and credits no one until
    the student's envoy (or a coordinator) confirms it.
    """

    __tablename__ = "referral_replies"
    __table_args__ = (
        Index("ix_referral_replies_student_status", "student_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    push_id: Mapped[int] = mapped_column(
        ForeignKey("pushes.id", ondelete="CASCADE"), index=True
    )
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE")
    )
    # What the replier typed, for the envoy to judge; never shown to anyone else.
    name: Mapped[str] = mapped_column(String(120))
    email: Mapped[str | None] = mapped_column(String(254))
    wechat_id: Mapped[str | None] = mapped_column(String(60))
    status: Mapped[ReplyStatus] = mapped_column(
        enum_column(ReplyStatus), default=ReplyStatus.HELD
    )
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    push: Mapped[Push] = relationship()
    student: Mapped[Student] = relationship()
