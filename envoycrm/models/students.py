"""Students met by envoys: the record, its consent, its history."""

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    ForeignKey,
    Index,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from envoycrm.extensions import Model
from envoycrm.models.base import UTCDateTime, enum_column, utcnow
from envoycrm.models.geo import University
from envoycrm.models.users import DegreeLevel, User


class FieldOfStudy(enum.Enum):
    """The fixed taxonomy of fields of study."""

    MATERIALS = "materials"
    MARINE = "marine"
    COMPUTING = "computing"
    ELECTRONICS = "electronics"
    MECHANICAL = "mechanical"
    CIVIL = "civil"
    CHEMISTRY = "chemistry"
    BIOLOGY = "biology"
    MEDICINE = "medicine"
    MATHEMATICS = "mathematics"
    PHYSICS = "physics"
    ENVIRONMENT = "environment"
    ENERGY = "energy"
    ECONOMICS = "economics"
    MANAGEMENT = "management"
    LAW = "law"
    EDUCATION = "education"
    ARTS = "arts"
    HUMANITIES = "humanities"
    SOCIAL = "social"
    AGRICULTURE = "agriculture"
    OTHER = "other"


class Sector(enum.Enum):
    """Sectors of the city's economy that students may aim for."""

    MARINE_ECONOMY = "marine_economy"
    NEW_MATERIALS = "new_materials"
    ADVANCED_MANUFACTURING = "advanced_manufacturing"
    INFORMATION_TECHNOLOGY = "information_technology"
    INTEGRATED_CIRCUITS = "integrated_circuits"
    BIOMEDICINE = "biomedicine"
    NEW_ENERGY = "new_energy"
    FINANCE = "finance"
    EDUCATION_RESEARCH = "education_research"
    HEALTHCARE = "healthcare"
    MODERN_SERVICES = "modern_services"
    CULTURE_TOURISM = "culture_tourism"
    AGRICULTURE_FOOD = "agriculture_food"
    PUBLIC_SECTOR = "public_sector"


class Stage(enum.Enum):
    """Pipeline stages, in order; CLOSED stands aside with a reason."""

    CONTACTED = "contacted"
    INTERESTED = "interested"
    MATCHED = "matched"
    IN_PROCESS = "in_process"
    OFFER = "offer"
    RETURNED = "returned"
    CLOSED = "closed"

    @property
    def rank(self) -> int:
        """Position in the pipeline (CLOSED last)."""
        return list(Stage).index(self)


OPEN_STAGES = (
    Stage.CONTACTED,
    Stage.INTERESTED,
    Stage.MATCHED,
    Stage.IN_PROCESS,
    Stage.OFFER,
)


class IntentionLevel(enum.Enum):
    """How likely a student is to come and work in the city, ascending."""

    NOT_RETURNING = "not_returning"
    UNDECIDED = "undecided"
    CONSIDERING = "considering"
    LIKELY = "likely"
    COMMITTED = "committed"


class InteractionKind(enum.Enum):
    """Kinds of touchpoint an envoy records."""

    MEETING = "meeting"
    EVENT = "event"
    INFO_SESSION = "info_session"
    CHAT = "chat"
    CALL = "call"
    EMAIL = "email"
    # An opening the envoy sent the student; recorded from the push page,
    # never chosen in the note form.
    PUSH = "push"
    # An event the envoy invited the student to; recorded from the event page.
    EVENT_INVITATION = "event_invitation"


class ConsentScope(enum.Enum):
    """What the student agreed to."""

    BUREAU = "bureau"
    EMPLOYERS = "employers"


class ConsentMethod(enum.Enum):
    """How consent was given."""

    IN_PERSON = "in_person"
    FORM = "form"


class Student(Model):
    """A student met by an envoy: the contact record of the CRM."""

    __tablename__ = "students"
    __table_args__ = (
        Index(
            "ix_students_owner_activity",
            "owner_id",
            "last_activity_on",
            "last_activity_at",
        ),
        Index("ix_students_owner_stage", "owner_id", "stage"),
        Index("ix_students_stage_changed", "stage", "stage_changed_at"),
        # The pipeline list's default order, read a page at a time.
        Index("ix_students_stage_age_order", "stage_changed_at", "id"),
        # Covering indexes for the pipeline board's counts per stage under
        # its most used filters, so they are counted from the index alone.
        Index("ix_students_university_stage", "university_id", "stage"),
        Index(
            "ix_students_intention_stage",
            "intention_level",
            "stage",
            "stage_changed_at",
        ),
        Index("ix_students_field_stage", "field", "stage"),
        # The lists' default order, latest activity first, read backwards a
        # page at a time; its first column answers "active since" too.
        Index(
            "ix_students_activity_order", "last_activity_on", "last_activity_at", "id"
        ),
        # Who added students lately: an envoy is quiet without any.
        Index("ix_students_created_by_at", "created_by_id", "created_at"),
        # An opening's candidates, newest first: one field, one consent, read
        # backwards by id from the index alone on PostgreSQL.
        Index(
            "ix_students_matching",
            "field",
            "consent_scope",
            "id",
            postgresql_include=["degree", "stage", "expected_graduation"],
        ),
        Index(
            "ix_students_degree_graduation", "degree", "expected_graduation", "stage"
        ),
        # A graduation year's students from the index alone, so a search
        # narrowed by the year counts its matches without reading the table.
        Index("ix_students_graduation_id", "expected_graduation", "id"),
        # An erased student's id is never given to a new one (PostgreSQL's
        # sequences never reuse ids anyway).
        {"sqlite_autoincrement": True},
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    owner_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    name_latin: Mapped[str | None] = mapped_column(String(120))
    name_hanzi: Mapped[str | None] = mapped_column(String(60))
    # Sorted romanised name tokens ("wang wei"), compared for duplicates.
    name_key: Mapped[str] = mapped_column(String(200), index=True, default="")
    email: Mapped[str | None] = mapped_column(String(254), index=True)
    wechat_id: Mapped[str | None] = mapped_column(String(60), index=True)
    phone: Mapped[str | None] = mapped_column(String(40))
    # None for a student from a university not on the list (a public reply):
    # ``university_name_typed`` then holds what they typed, until a
    # coordinator maps it to a known university.
    university_id: Mapped[int | None] = mapped_column(
        ForeignKey("universities.id"), index=True
    )
    university_name_typed: Mapped[str | None] = mapped_column(String(200))
    programme: Mapped[str | None] = mapped_column(String(200))
    field: Mapped[FieldOfStudy] = mapped_column(enum_column(FieldOfStudy), index=True)
    degree: Mapped[DegreeLevel] = mapped_column(enum_column(DegreeLevel), index=True)
    expected_graduation: Mapped[date | None] = mapped_column()
    # The year alone: enough for a policy's age limit, and less to hold.
    birth_year: Mapped[int | None] = mapped_column(SmallInteger)
    how_met: Mapped[str | None] = mapped_column(String(500))
    stage: Mapped[Stage] = mapped_column(
        enum_column(Stage), default=Stage.CONTACTED, index=True
    )
    stage_changed_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    closed_reason: Mapped[str | None] = mapped_column(String(300))
    # The latest intention's level, kept here so lists filter and sort on it.
    intention_level: Mapped[IntentionLevel | None] = mapped_column(
        enum_column(IntentionLevel), index=True
    )
    # The active consent's scope; None once consent is withdrawn.
    consent_scope: Mapped[ConsentScope | None] = mapped_column(
        enum_column(ConsentScope)
    )
    follow_up_on: Mapped[date | None] = mapped_column(index=True)
    # The latest touchpoint: its calendar day (a meeting's own date, or the
    # day an instant fell on in its author's zone) and, to order entries of
    # the same day, the instant it was recorded.
    last_activity_on: Mapped[date] = mapped_column()  # ix_students_activity_order
    last_activity_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True
    )
    # Set by the scheduler when the student passed the retention period.
    retention_flagged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    possible_duplicate_of_id: Mapped[int | None] = mapped_column(
        ForeignKey("students.id", ondelete="SET NULL"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True
    )
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )
    version: Mapped[int] = mapped_column(default=1)

    owner: Mapped[User] = relationship(foreign_keys=[owner_id])
    university: Mapped[University | None] = relationship()
    tags: Mapped[list["StudentTag"]] = relationship(
        back_populates="student",
        cascade="all, delete-orphan",
        order_by="StudentTag.tag",
    )
    consents: Mapped[list["Consent"]] = relationship(
        back_populates="student",
        cascade="all, delete-orphan",
        order_by="Consent.recorded_at",
    )
    # Written with the student when it is created; the database deletes them.
    stage_changes: Mapped[list["StageChange"]] = relationship(
        cascade="save-update, merge",
        passive_deletes=True,
        order_by="StageChange.changed_at",
    )

    __mapper_args__ = {"version_id_col": version}

    @property
    def display_name(self) -> str:
        """Both forms of the name when known: "Wang Wei 王伟"."""
        parts = [p for p in (self.name_latin, self.name_hanzi) if p]
        return " ".join(parts)

    def university_name(self, locale: str) -> str:
        """The university in ``locale``, else the name the student typed."""
        if self.university is not None:
            return self.university.name_for(locale)
        return self.university_name_typed or ""

    @property
    def active_consent(self) -> "Consent | None":
        """The consent in force, if any."""
        for consent in reversed(self.consents):
            if consent.withdrawn_at is None:
                return consent
        return None


class StudentTag(Model):
    """A free label on a student ("fair-2026", "phd-track")."""

    __tablename__ = "student_tags"
    __table_args__ = (UniqueConstraint("student_id", "tag"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    tag: Mapped[str] = mapped_column(String(40), index=True)

    student: Mapped[Student] = relationship(back_populates="tags")


class StudentSearchToken(Model):
    """One searchable word of a student: a name part, the Hanzi name, an email,
    a WeChat ID or phone digits. Lists search by token prefix, which an index
    answers at any scale (a substring scan of 200,000 names does not)."""

    __tablename__ = "student_search_tokens"

    # Byte-wise collation on PostgreSQL, so prefix ranges use the index and
    # compare the same way as SQLite.
    token: Mapped[str] = mapped_column(
        String(120).with_variant(String(120, collation="C"), "postgresql"),
        primary_key=True,
    )
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), primary_key=True
    )

    __table_args__ = (
        # A list walked in its own order asks of each student whether one of
        # their words starts with the search: answered from this index alone.
        Index("ix_student_search_tokens_student_token", "student_id", "token"),
    )


class Consent(Model):
    """A student's consent: scope, method, notice shown, who recorded it, when."""

    __tablename__ = "consents"

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    scope: Mapped[ConsentScope] = mapped_column(enum_column(ConsentScope))
    method: Mapped[ConsentMethod] = mapped_column(enum_column(ConsentMethod))
    notice_version: Mapped[str] = mapped_column(String(20))
    notice_language: Mapped[str] = mapped_column(String(10))
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    student: Mapped[Student] = relationship(back_populates="consents")
    recorded_by: Mapped[User | None] = relationship(foreign_keys=[recorded_by_id])


class Interaction(Model):
    """A dated touchpoint with a student."""

    __tablename__ = "interactions"
    __table_args__ = (
        Index("ix_interactions_student_when", "student_id", "occurred_on"),
        Index("ix_interactions_author_when", "author_id", "occurred_on"),
        # Weekly activity across the whole network (dashboards, digests).
        Index("ix_interactions_occurred_on", "occurred_on"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE")
    )
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[InteractionKind] = mapped_column(enum_column(InteractionKind))
    # The day it happened, as its author gave it: a date with no time of
    # day, so it reads the same in every zone.
    occurred_on: Mapped[date]
    notes: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    author: Mapped[User | None] = relationship()


class Intention(Model):
    """A dated, structured statement of a student's intention; the latest counts."""

    __tablename__ = "intentions"
    __table_args__ = (Index("ix_intentions_student_when", "student_id", "recorded_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE")
    )
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    level: Mapped[IntentionLevel] = mapped_column(enum_column(IntentionLevel))
    target_sectors: Mapped[list[str]] = mapped_column(JSON, default=list)
    preferred_roles: Mapped[str | None] = mapped_column(String(300))
    earliest_start: Mapped[date | None]
    salary_expectation: Mapped[int | None]  # CNY per year
    startup_interest: Mapped[bool] = mapped_column(default=False)
    notes: Mapped[str | None] = mapped_column(Text)

    recorded_by: Mapped[User | None] = relationship()


class StageChange(Model):
    """One move of a student through the pipeline: who, when, from, to."""

    __tablename__ = "stage_changes"
    __table_args__ = (
        Index("ix_stage_changes_student_when", "student_id", "changed_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE")
    )
    from_stage: Mapped[Stage | None] = mapped_column(enum_column(Stage))
    to_stage: Mapped[Stage] = mapped_column(enum_column(Stage))
    reason: Mapped[str | None] = mapped_column(String(300))
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, index=True
    )

    changed_by: Mapped[User | None] = relationship()


class IdempotencyKey(Model):
    """A form submission already carried out: a second submit finds it here.

    ``record_type``/``record_id`` name the row it belongs to (erasing or
    merging a student takes its keys along); ``location`` is where the first
    answer led, so a repeat leads there too (``envoycrm/idempotency.py``).
    """

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    record_type: Mapped[str] = mapped_column(String(40))
    record_id: Mapped[int]
    location: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
