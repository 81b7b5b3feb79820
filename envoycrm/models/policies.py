"""The city's policies ("policy express"), their versions, pushes and questions.

A policy is the lasting thing (its category and life: draft, published,
expired); what it says, pays and asks of a student lives in numbered
versions, because the city rewrites its policies every year and a past
version must stay readable with the dates it was valid. Editing a policy
adds a version; nothing is overwritten.
"""

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
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
from envoycrm.models.students import Student
from envoycrm.models.users import DegreeLevel


class PolicyCategory(enum.Enum):
    """What kind of support a policy gives."""

    HOUSING = "housing"
    RESEARCH_FUNDING = "research_funding"
    START_UP = "start_up"
    TALENT_APARTMENT = "talent_apartment"
    SETTLEMENT = "settlement"
    FAMILY_SCHOOLING = "family_schooling"
    OTHER = "other"


class PolicyStatus(enum.Enum):
    """A policy's life: drafted, published to everyone, expired."""

    DRAFT = "draft"
    PUBLISHED = "published"
    EXPIRED = "expired"


class AmountKind(enum.Enum):
    """How a policy pays: once, every month for a time, a range, or nothing."""

    ONE_OFF = "one_off"
    MONTHLY = "monthly"
    RANGE = "range"
    NONE = "none"


class CityTie(enum.Enum):
    """What a student must do in the city for a policy to apply."""

    NONE = "none"
    WORK = "work"  # work for an employer in the city
    FOUND = "found"  # found a company in the city
    WORK_OR_FOUND = "work_or_found"  # either of the two


class Policy(Model):
    """A policy of the city; its words, sums and conditions are in its versions."""

    __tablename__ = "policies"

    id: Mapped[int] = mapped_column(primary_key=True)
    category: Mapped[PolicyCategory] = mapped_column(
        enum_column(PolicyCategory), index=True
    )
    status: Mapped[PolicyStatus] = mapped_column(
        enum_column(PolicyStatus), default=PolicyStatus.DRAFT, index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    expired_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # When a version was last added or the status changed: digests list the
    # policies changed in their period by it.
    changed_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True
    )
    version: Mapped[int] = mapped_column(default=1)

    versions: Mapped[list["PolicyVersion"]] = relationship(
        back_populates="policy",
        order_by="PolicyVersion.number.desc()",
        cascade="all, delete-orphan",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def latest(self) -> "PolicyVersion":
        """The newest version, whatever its dates (what an edit starts from)."""
        return self.versions[0]

    def current_on(self, today: date) -> "PolicyVersion | None":
        """The version offered on ``today``: the newest in force, if published.

        A draft or expired policy, and a version whose dates do not include
        ``today``, is never offered as current.
        """
        if self.status is not PolicyStatus.PUBLISHED:
            return None
        for version in self.versions:
            if version.in_force_on(today):
                return version
        return None


class PolicyVersion(Model):
    """One version of a policy: texts, amounts, validity and eligibility."""

    __tablename__ = "policy_versions"
    __table_args__ = (
        UniqueConstraint("policy_id", "number"),
        CheckConstraint(
            "valid_to IS NULL OR valid_from <= valid_to", name="validity_order"
        ),
        CheckConstraint(
            "amount_min IS NULL OR amount_max IS NULL OR amount_min <= amount_max",
            name="amount_range",
        ),
        Index("ix_policy_versions_validity", "valid_from", "valid_to"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    policy_id: Mapped[int] = mapped_column(
        ForeignKey("policies.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(default=1)
    title_en: Mapped[str] = mapped_column(String(200))
    title_zh: Mapped[str] = mapped_column(String(200))
    summary_en: Mapped[str] = mapped_column(String(500), default="")
    summary_zh: Mapped[str] = mapped_column(String(500), default="")
    body_en: Mapped[str] = mapped_column(Text, default="")
    body_zh: Mapped[str] = mapped_column(Text, default="")
    issuing_body_en: Mapped[str] = mapped_column(String(200), default="")
    issuing_body_zh: Mapped[str] = mapped_column(String(200), default="")
    source_url: Mapped[str] = mapped_column(String(500), default="")
    # Amounts in CNY: ``amount`` once or per month (for ``months``), or a
    # range ``amount_min``–``amount_max``.
    amount_kind: Mapped[AmountKind] = mapped_column(enum_column(AmountKind))
    amount: Mapped[int | None]
    months: Mapped[int | None]
    amount_min: Mapped[int | None]
    amount_max: Mapped[int | None]
    valid_from: Mapped[date]
    valid_to: Mapped[date | None]
    # Eligibility; None (or an empty list) puts no condition.
    min_degree: Mapped[DegreeLevel | None] = mapped_column(enum_column(DegreeLevel))
    fields: Mapped[list[str]] = mapped_column(JSON, default=list)  # FieldOfStudy names
    max_age: Mapped[int | None]
    max_years_since_graduation: Mapped[int | None]
    returned_within_years: Mapped[int | None]
    city_tie: Mapped[CityTie] = mapped_column(
        enum_column(CityTie), default=CityTie.NONE
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    policy: Mapped[Policy] = relationship(back_populates="versions")

    def in_force_on(self, today: date) -> bool:
        """True when ``today`` lies within the version's validity."""
        return self.valid_from <= today and (
            self.valid_to is None or today <= self.valid_to
        )

    @classmethod
    def in_force(cls, today: date) -> ColumnElement[bool]:
        """SQL: ``in_force_on(today)``."""
        return and_(
            cls.valid_from <= today, or_(cls.valid_to.is_(None), cls.valid_to >= today)
        )

    def title_for(self, locale: str) -> str:
        """The title in ``locale``, falling back to the other language."""
        return in_language(locale, self.title_en, self.title_zh)

    def summary_for(self, locale: str) -> str:
        """The summary in ``locale``, falling back to the other language."""
        return in_language(locale, self.summary_en, self.summary_zh)

    def body_for(self, locale: str) -> str:
        """The full text in ``locale``, falling back to the other language."""
        return in_language(locale, self.body_en, self.body_zh)

    def issuing_body_for(self, locale: str) -> str:
        """The issuing body in ``locale``, falling back to the other language."""
        return in_language(locale, self.issuing_body_en, self.issuing_body_zh)


class PolicyPush(SharedLink, Model):
    """An envoy sharing a policy: one personal link per envoy and policy."""

    __tablename__ = "policy_pushes"
    __table_args__ = (UniqueConstraint("policy_id", "envoy_id"),)

    policy_id: Mapped[int] = mapped_column(
        ForeignKey("policies.id", ondelete="CASCADE"), index=True
    )

    policy: Mapped[Policy] = relationship()


class PolicyQuestion(Model):
    """A question asked through an envoy's policy link, credited to the push.

    ``held`` when the contact matched a known student: whoever typed it need
    not be that student, so nothing about the student changes and the
    question waits, as a task, for the student's own envoy.
    """

    __tablename__ = "policy_questions"

    id: Mapped[int] = mapped_column(primary_key=True)
    push_id: Mapped[int] = mapped_column(
        ForeignKey("policy_pushes.id", ondelete="CASCADE"), index=True
    )
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    question: Mapped[str] = mapped_column(Text, default="")
    held: Mapped[bool] = mapped_column(default=False)
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="SET NULL"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True
    )

    push: Mapped[PolicyPush] = relationship()
    student: Mapped[Student] = relationship()
