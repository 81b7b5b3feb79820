"""Events: info sessions, online briefings, the talent fair and study tours.

An event is an instant range with its own IANA zone (a Manchester session is
at 18:00 London time for everyone). People register through a public page
(credited to the envoy whose link they followed); a registration that matches
a known student is held until the student's envoy confirms it, like a
referral reply. Mail about a registration goes through ``EventMail``, an
outbox with the digests' delivery columns and guarantees.

The fair adds employers (``FairEmployerRegistration``, with booth staff and
the openings they bring), students' wishes to meet them (``FairWish``) and
what booth staff record on the day (``BoothMeeting``).
"""

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    Column,
    ForeignKey,
    Index,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from envoycrm.extensions import Model
from envoycrm.models.base import UTCDateTime, enum_column, in_language, utcnow
from envoycrm.models.digests import OutboxDelivery
from envoycrm.models.geo import University
from envoycrm.models.jobs import JobOpening, ReplyStatus
from envoycrm.models.organisations import Employer
from envoycrm.models.students import ConsentScope, Student
from envoycrm.models.users import User


class EventKind(enum.Enum):
    """The kinds of event the programme runs."""

    INFO_SESSION = "info_session"  # on campus, held by an envoy
    ONLINE_BRIEFING = "online_briefing"
    TALENT_FAIR = "talent_fair"  # the bureau's annual fair
    STUDY_TOUR = "study_tour"  # for returnee founders; applied, then selected


# The kinds an envoy may create, for their own university.
ENVOY_KINDS = (EventKind.INFO_SESSION, EventKind.ONLINE_BRIEFING)


class EventStatus(enum.Enum):
    """An event's life: draft → published → closed → held, or cancelled."""

    DRAFT = "draft"
    PUBLISHED = "published"  # open for registration
    CLOSED = "closed"  # registration closed
    HELD = "held"  # it took place
    CANCELLED = "cancelled"


class RegistrationStatus(enum.Enum):
    """Where one registration stands."""

    REGISTERED = "registered"
    WAITLISTED = "waitlisted"
    CANCELLED = "cancelled"
    ATTENDED = "attended"


# Registrations that take a seat.
SEATED_STATUSES = (RegistrationStatus.REGISTERED, RegistrationStatus.ATTENDED)


class TourStatus(enum.Enum):
    """A study-tour application: applied → selected → attended (or not selected)."""

    APPLIED = "applied"
    SELECTED = "selected"
    NOT_SELECTED = "not_selected"
    ATTENDED = "attended"


class FairRegistrationStatus(enum.Enum):
    """An employer's request to take part in the fair, decided by the bureau."""

    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"


class InterestLevel(enum.Enum):
    """How interested booth staff found a student, ascending."""

    LOW = "low"
    MEDIUM = "medium"
    HIGH = "high"


class EventMailKind(enum.Enum):
    """The mails a registration may receive."""

    CONFIRMATION = "confirmation"  # a seat, with the .ics and the check-in code
    WAITLISTED = "waitlisted"
    PROMOTED = "promoted"  # off the wait list: a seat, like a confirmation
    REMINDER = "reminder"  # 24 hours before
    EVENT_CANCELLED = "event_cancelled"  # with the .ics's METHOD:CANCEL
    EVENT_CHANGED = "event_changed"  # new time or place, with an updated .ics
    CANCELLED_BY_HOST = "cancelled_by_host"  # the host took the registration off


# Who an event is for: universities by id (the other audience lists are
# enum names or country codes, kept on the event as JSON lists).
event_audience_universities = Table(
    "event_audience_universities",
    Model.metadata,
    Column(
        "event_id",
        ForeignKey("events.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "university_id",
        ForeignKey("universities.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class Event(Model):
    """An info session, briefing, fair or study tour, in two languages."""

    __tablename__ = "events"
    __table_args__ = (
        # The list pages: upcoming or past, by kind, by host, by university.
        Index("ix_events_status_starts", "status", "starts_at"),
        Index("ix_events_kind_starts", "kind", "starts_at"),
        Index("ix_events_host_starts", "host_id", "starts_at"),
        Index("ix_events_university_starts", "university_id", "starts_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[EventKind] = mapped_column(enum_column(EventKind))
    title_en: Mapped[str] = mapped_column(String(200))
    title_zh: Mapped[str] = mapped_column(String(200))
    description_en: Mapped[str] = mapped_column(Text, default="")
    description_zh: Mapped[str] = mapped_column(Text, default="")
    # Instants; ``time_zone`` (IANA) is the event's own, shown beside the
    # reader's when they differ, and the zone of its .ics.
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime)
    time_zone: Mapped[str] = mapped_column(String(64))
    # A place for a campus event, an online link for a briefing (or both).
    place: Mapped[str] = mapped_column(String(300), default="")
    online_url: Mapped[str] = mapped_column(String(500), default="")
    # None: no limit. Beyond it, registrations join the wait list.
    capacity: Mapped[int | None]
    # The last day registration is open, in the event's zone.
    registration_deadline: Mapped[date | None]
    # Who it is for; an empty list means anyone.
    audience_degrees: Mapped[list[str]] = mapped_column(JSON, default=list)
    audience_fields: Mapped[list[str]] = mapped_column(JSON, default=list)
    audience_countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    status: Mapped[EventStatus] = mapped_column(
        enum_column(EventStatus), default=EventStatus.DRAFT
    )
    # The envoy or coordinator responsible on the day (check-in, registrants).
    host_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    # An envoy's event belongs to their university; None for bureau events.
    university_id: Mapped[int | None] = mapped_column(ForeignKey("universities.id"))
    # Random, unguessable: the event's own public registration link (no envoy).
    public_token: Mapped[str] = mapped_column(String(32), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    version: Mapped[int] = mapped_column(default=1)

    host: Mapped[User] = relationship(foreign_keys=[host_id])
    university: Mapped[University | None] = relationship()
    audience_universities: Mapped[list[University]] = relationship(
        secondary=event_audience_universities, order_by=University.name_en
    )

    __mapper_args__ = {"version_id_col": version}

    def title_for(self, locale: str) -> str:
        """The title in ``locale``, falling back to the other language."""
        return in_language(locale, self.title_en, self.title_zh)

    def description_for(self, locale: str) -> str:
        """The description in ``locale``, falling back to the other language."""
        return in_language(locale, self.description_en, self.description_zh)

    @property
    def is_bureau_event(self) -> bool:
        """The bureau's own (fair, study tour, or not tied to a university)."""
        return self.university_id is None


class EventLink(Model):
    """An envoy's personal registration link for an event, like a push."""

    __tablename__ = "event_links"
    __table_args__ = (UniqueConstraint("event_id", "envoy_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    envoy_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # Random, unguessable; the link carries it (signed on top).
    token: Mapped[str] = mapped_column(String(32), unique=True)
    views: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    envoy: Mapped[User] = relationship()


class EventRegistration(Model):
    """One person registered for an event: a seat, a wait-list place, or attended.

    ``student_id`` is set when the person is known for sure (invited by
    their envoy, confirmed by them, or new and recorded for the crediting
    envoy). A public registration whose email matches a known student keeps
    ``student_id`` empty and names the match in ``matched_student_id`` with
    ``match_status`` HELD, until that student's envoy confirms it.
    """

    __tablename__ = "event_registrations"
    __table_args__ = (
        # One registration per email and event: registering again finds it.
        UniqueConstraint("event_id", "email"),
        # Seats and the wait list in order; counts per status.
        Index("ix_event_registrations_event_status", "event_id", "status", "queued_at"),
        # Check-in search: Latin name, Hanzi or email, within one event.
        Index("ix_event_registrations_event_search", "event_id", "search_text"),
        Index("ix_event_registrations_envoy_event", "credited_envoy_id", "event_id"),
        Index("ix_event_registrations_student_event", "student_id", "event_id"),
        Index(
            "ix_event_registrations_match",
            "matched_student_id",
            "match_status",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey("students.id", ondelete="SET NULL")
    )
    name_latin: Mapped[str | None] = mapped_column(String(120))
    name_hanzi: Mapped[str | None] = mapped_column(String(60))
    # Lower-cased; None for a walk-in who gave none.
    email: Mapped[str | None] = mapped_column(String(254))
    wechat_id: Mapped[str | None] = mapped_column(String(60))
    university_id: Mapped[int | None] = mapped_column(ForeignKey("universities.id"))
    university_name_typed: Mapped[str | None] = mapped_column(String(200))
    # Lower-cased "latin hanzi email", searched with LIKE at the door.
    search_text: Mapped[str] = mapped_column(String(500), default="")
    # The language mail goes out in ("en", "zh_Hans", "zh_Hant").
    language: Mapped[str] = mapped_column(String(10))
    # When and under which notice the registrant consented; the scope says
    # whether employers may see them (the fair's booth flow needs it).
    consent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    consent_notice_version: Mapped[str | None] = mapped_column(String(20))
    consent_scope: Mapped[ConsentScope | None] = mapped_column(
        enum_column(ConsentScope)
    )
    credited_envoy_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    link_id: Mapped[int | None] = mapped_column(
        ForeignKey("event_links.id", ondelete="SET NULL"), index=True
    )
    status: Mapped[RegistrationStatus] = mapped_column(
        enum_column(RegistrationStatus), default=RegistrationStatus.REGISTERED
    )
    # When the registration took (or joined the wait list for) its place:
    # the wait list is promoted in this order, then by id.
    queued_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # Random, unguessable: the signed cancel and check-in links carry it.
    token: Mapped[str] = mapped_column(String(32), unique=True)
    # A known student matched by email: held until their envoy decides.
    matched_student_id: Mapped[int | None] = mapped_column(
        ForeignKey("students.id", ondelete="SET NULL")
    )
    match_status: Mapped[ReplyStatus | None] = mapped_column(enum_column(ReplyStatus))
    match_task_id: Mapped[int | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="SET NULL")
    )
    match_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    match_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # At the door: when, by whom; walk-ins are added there and then.
    attended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    checked_in_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    walk_in: Mapped[bool] = mapped_column(default=False)
    # Study tours only: the application's own life beside the registration's.
    tour_status: Mapped[TourStatus | None] = mapped_column(enum_column(TourStatus))
    tour_decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    tour_decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    cancelled_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow
    )
    version: Mapped[int] = mapped_column(default=1)

    event: Mapped[Event] = relationship()
    student: Mapped[Student | None] = relationship(foreign_keys=[student_id])
    matched_student: Mapped[Student | None] = relationship(
        foreign_keys=[matched_student_id]
    )
    credited_envoy: Mapped[User | None] = relationship(foreign_keys=[credited_envoy_id])
    university: Mapped[University | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def display_name(self) -> str:
        """Both forms of the name when known: "Wang Wei 王伟"."""
        parts = [p for p in (self.name_latin, self.name_hanzi) if p]
        return " ".join(parts) or (self.email or "")


def registration_search_text(
    name_latin: str | None, name_hanzi: str | None, email: str | None
) -> str:
    """What the check-in search matches: the names and email, lower-cased."""
    parts = [p.strip() for p in (name_latin, name_hanzi, email) if p and p.strip()]
    return " ".join(parts).lower()[:500]


class EventInvitation(Model):
    """An envoy inviting one of their students; also an entry on the timeline."""

    __tablename__ = "event_invitations"
    __table_args__ = (
        UniqueConstraint("event_id", "student_id"),
        Index("ix_event_invitations_envoy_event", "envoy_id", "event_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    student_id: Mapped[int] = mapped_column(
        ForeignKey("students.id", ondelete="CASCADE"), index=True
    )
    envoy_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The timeline entry it made.
    interaction_id: Mapped[int | None] = mapped_column(
        ForeignKey("interactions.id", ondelete="SET NULL")
    )
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    event: Mapped[Event] = relationship()
    student: Mapped[Student] = relationship()
    envoy: Mapped[User | None] = relationship()


class EventMail(OutboxDelivery, Model):
    """One mail to one registrant: the outbox of events.

    Unique per registration, kind and ``period`` (the reminder's is the
    event's start, so moving the event earns a new reminder; the others use
    a fixed value), so the scheduler may build rows any number of times.
    """

    __tablename__ = "event_mails"
    __table_args__ = (
        UniqueConstraint("registration_id", "kind", "period"),
        Index("ix_event_mails_status_next", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("event_registrations.id", ondelete="CASCADE")
    )
    kind: Mapped[EventMailKind] = mapped_column(enum_column(EventMailKind))
    period: Mapped[str] = mapped_column(String(40), default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[EventRegistration] = relationship()


# The openings an employer brings to the fair.
fair_openings = Table(
    "fair_openings",
    Model.metadata,
    Column(
        "fair_registration_id",
        ForeignKey("fair_employer_registrations.id", ondelete="CASCADE"),
        primary_key=True,
    ),
    Column(
        "opening_id",
        ForeignKey("job_openings.id", ondelete="CASCADE"),
        primary_key=True,
        index=True,
    ),
)


class FairEmployerRegistration(Model):
    """An employer taking part in a fair, once the bureau approves."""

    __tablename__ = "fair_employer_registrations"
    __table_args__ = (
        UniqueConstraint("event_id", "employer_id"),
        Index("ix_fair_employer_registrations_event_status", "event_id", "status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"))
    employer_id: Mapped[int] = mapped_column(ForeignKey("employers.id"), index=True)
    status: Mapped[FairRegistrationStatus] = mapped_column(
        enum_column(FairRegistrationStatus), default=FairRegistrationStatus.PENDING
    )
    booth: Mapped[str] = mapped_column(String(20), default="")  # "A12"
    note: Mapped[str] = mapped_column(Text, default="")
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    version: Mapped[int] = mapped_column(default=1)

    event: Mapped[Event] = relationship()
    employer: Mapped[Employer] = relationship()
    openings: Mapped[list[JobOpening]] = relationship(secondary=fair_openings)
    staff: Mapped[list["BoothStaff"]] = relationship(
        back_populates="fair_registration",
        cascade="all, delete-orphan",
        order_by="BoothStaff.id",
    )

    __mapper_args__ = {"version_id_col": version}


class BoothStaff(Model):
    """Someone at an employer's booth: a named person, with an account or not."""

    __tablename__ = "booth_staff"

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_registration_id: Mapped[int] = mapped_column(
        ForeignKey("fair_employer_registrations.id", ondelete="CASCADE"), index=True
    )
    # The employer user who records meetings on the day, when they have one.
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("users.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(120))

    fair_registration: Mapped[FairEmployerRegistration] = relationship(
        back_populates="staff"
    )
    user: Mapped[User | None] = relationship()


class FairWish(Model):
    """A registered student's wish to meet an employer at the fair."""

    __tablename__ = "fair_wishes"
    __table_args__ = (UniqueConstraint("registration_id", "fair_registration_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("event_registrations.id", ondelete="CASCADE")
    )
    fair_registration_id: Mapped[int] = mapped_column(
        ForeignKey("fair_employer_registrations.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    registration: Mapped[EventRegistration] = relationship()
    fair_registration: Mapped[FairEmployerRegistration] = relationship()


class BoothMeeting(Model):
    """A student met at an employer's booth, recorded by its staff."""

    __tablename__ = "booth_meetings"
    __table_args__ = (
        UniqueConstraint("fair_registration_id", "registration_id"),
        Index("ix_booth_meetings_student", "student_id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    fair_registration_id: Mapped[int] = mapped_column(
        ForeignKey("fair_employer_registrations.id", ondelete="CASCADE")
    )
    registration_id: Mapped[int] = mapped_column(
        ForeignKey("event_registrations.id", ondelete="CASCADE"), index=True
    )
    # The student, when the registration is tied to one.
    student_id: Mapped[int | None] = mapped_column(
        ForeignKey("students.id", ondelete="SET NULL")
    )
    # The opening talked about, if one: the student may become its candidate.
    opening_id: Mapped[int | None] = mapped_column(
        ForeignKey("job_openings.id", ondelete="SET NULL")
    )
    interest: Mapped[InterestLevel] = mapped_column(enum_column(InterestLevel))
    notes: Mapped[str] = mapped_column(Text, default="")
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The envoy's task to ask for employer-sharing consent, when it was missing.
    task_id: Mapped[int | None] = mapped_column(
        ForeignKey("tasks.id", ondelete="SET NULL")
    )
    met_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    fair_registration: Mapped[FairEmployerRegistration] = relationship()
    registration: Mapped[EventRegistration] = relationship()
    student: Mapped[Student | None] = relationship()
    opening: Mapped[JobOpening | None] = relationship()
