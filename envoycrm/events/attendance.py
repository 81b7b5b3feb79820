"""Who came: checking registrants in at the door, and walk-ins.

Only the event's host and coordinators check people in (``may_check_in``);
for anyone else the event's registrants do not exist. Checking in is one
conditional UPDATE, so a second scan of the same QR code, or two hosts
tapping the same name at once, marks the registrant once and tells the
later one when it happened.

Attendance becomes an entry on the student's timeline, for a registration
tied to a student. A registration held for the matched student's envoy
(``match_status`` HELD) changes nothing about that student: its entry is
written when the envoy confirms the match (``attendance_on_timeline``).
"""

import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import ColumnElement, and_, or_, select, update
from sqlalchemy.orm import selectinload

from envoycrm import audit
from envoycrm.database import rows_changed
from envoycrm.extensions import db
from envoycrm.models import (
    ConsentScope,
    Event,
    EventKind,
    EventRegistration,
    InteractionKind,
    RegistrationStatus,
    Role,
    Student,
    User,
    local_date,
    registration_search_text,
    utcnow,
)
from envoycrm.students import services as students

# Names listed for one search at the door; a longer query narrows them.
SEARCH_LIMIT = 20
# The longest query searched (a name or an email).
MAX_QUERY = 100


def may_check_in(user: User, event: Event) -> bool:
    """The event's host and coordinators check registrants in; no one else."""
    return user.is_staff or event.host_id == user.id


@dataclass
class CheckIn:
    """What a check-in did: marked the registrant now, or found them marked."""

    registration: EventRegistration
    marked: bool

    @property
    def at(self) -> datetime | None:
        """When the registrant was checked in (now, or at the earlier scan)."""
        return self.registration.attended_at


def check_in(registration: EventRegistration, actor: User) -> CheckIn:
    """Mark ``registration`` attended once; a repeat reports the first time.

    The caller has made sure ``actor`` may check in (``may_check_in``).
    """
    now = utcnow()
    marked = db.session.execute(
        update(EventRegistration)
        .where(
            EventRegistration.id == registration.id,
            EventRegistration.attended_at.is_(None),
        )
        .values(
            status=RegistrationStatus.ATTENDED,
            attended_at=now,
            checked_in_by_id=actor.id,
            version=EventRegistration.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(registration)
    if rows_changed(marked) != 1:
        return CheckIn(registration, marked=False)
    attendance_on_timeline(registration, actor)
    audit.record(
        "event.check_in",
        "event",
        registration.event_id,
        registration_id=registration.id,
    )
    return CheckIn(registration, marked=True)


def _timeline_kind(event: Event) -> InteractionKind:
    if event.kind is EventKind.INFO_SESSION:
        return InteractionKind.INFO_SESSION
    return InteractionKind.EVENT


def attendance_on_timeline(registration: EventRegistration, actor: User) -> None:
    """Put the attendance on the student's timeline, if it is tied to one.

    A held match has no ``student_id`` yet, so it writes nothing; the
    envoy's confirmation calls this again once the tie is made.
    """
    if registration.student_id is None or registration.attended_at is None:
        return
    student = db.session.get(Student, registration.student_id)
    if student is None:
        return
    event = registration.event
    students.add_interaction(
        student,
        actor,
        _timeline_kind(event),
        local_date(registration.attended_at, event.time_zone),
        # The event's titles, in both languages, as the timeline's note.
        " · ".join(t for t in (event.title_en, event.title_zh) if t)[:4000],
    )


def _words(query: str) -> list[str]:
    return [w for w in query.strip().lower()[:MAX_QUERY].split() if w][:5]


def _like(word: str) -> str:
    escaped = word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def search_registrants(
    event: Event,
    query: str,
    limit: int = SEARCH_LIMIT,
    only: Sequence[ColumnElement[bool]] = (),
) -> list[EventRegistration]:
    """Registrants whose Latin name, Hanzi or email contains every word typed.

    Not-yet-attended first, then by name; cancelled registrations are left
    out (someone who cancelled and came anyway is added as a walk-in). An
    empty query lists the first registrants. ``only`` narrows them further
    (the booth: checked in, and shared with employers).
    """
    condition = [
        EventRegistration.event_id == event.id,
        EventRegistration.status != RegistrationStatus.CANCELLED,
        *only,
    ]
    condition += [
        EventRegistration.search_text.like(_like(w), escape="\\") for w in _words(query)
    ]
    return list(
        db.session.scalars(
            select(EventRegistration)
            .where(*condition)
            .order_by(
                EventRegistration.attended_at.is_not(None),
                EventRegistration.search_text,
                EventRegistration.id,
            )
            .limit(limit)
            .options(selectinload(EventRegistration.student))
        )
    )


def registrant_of(event: Event, registration_id: int) -> EventRegistration | None:
    """One registration of ``event`` by id (None when it belongs elsewhere)."""
    return db.session.scalar(
        select(EventRegistration).where(
            EventRegistration.id == registration_id,
            EventRegistration.event_id == event.id,
        )
    )


def _known_registration(event: Event, email: str | None) -> EventRegistration | None:
    if not email:
        return None
    return db.session.scalar(
        select(EventRegistration).where(
            EventRegistration.event_id == event.id,
            EventRegistration.email == email,
        )
    )


def add_walk_in(
    event: Event, host: User, data: dict, notice_language: str
) -> tuple[EventRegistration, bool]:
    """Someone at the door who did not register: recorded and checked in.

    ``data`` is the walk-in form's (the quick log's student fields and
    consent). An envoy hosting their own event gains the walk-in as their
    student, as with a quick log, and the attendance is its first meeting;
    at a coordinator's event the walk-in is a registrant only, so no envoy
    is handed a student they never met. A walk-in whose email already
    registered is that registration, checked in (the second value is False).
    """
    profile = students._clean_profile(data)
    known = _known_registration(event, profile["email"])
    if known is not None:
        return check_in(known, host).registration, False
    now = utcnow()
    student_id = None
    if host.role is Role.ENVOY:
        student = students.create_student(
            owner_id=host.id,
            actor_id=host.id,
            profile={**profile, "how_met": profile["how_met"] or event.title_en[:500]},
            consent_scope=data["consent_scope"],
            consent_method=data["consent_method"],
            notice_language=notice_language,
            now=now,
            first_contact_on=local_date(now, event.time_zone),
        )
        db.session.flush()
        students.flag_possible_duplicate(student)
        audit.record("student.create", "student", student.id, actor_id=host.id)
        student_id = student.id
    registration = EventRegistration(
        event_id=event.id,
        student_id=student_id,
        name_latin=profile["name_latin"],
        name_hanzi=profile["name_hanzi"],
        email=profile["email"],
        wechat_id=profile["wechat_id"],
        university_id=profile["university_id"],
        search_text=registration_search_text(
            profile["name_latin"], profile["name_hanzi"], profile["email"]
        ),
        language=notice_language,
        consent_at=now,
        consent_notice_version=students.NOTICE_VERSION,
        consent_scope=data["consent_scope"],
        credited_envoy_id=host.id if host.role is Role.ENVOY else None,
        status=RegistrationStatus.REGISTERED,
        queued_at=now,
        token=secrets.token_hex(16),
        walk_in=True,
    )
    db.session.add(registration)
    db.session.flush()
    audit.record("event.walk_in", "event", event.id, registration_id=registration.id)
    return check_in(registration, host).registration, True


def shared_with_employers() -> ColumnElement[bool]:
    """SQL: the registrant agreed to be shared with employers.

    The same rule as ``consented_to_employers``: the student's consent when
    the registration is theirs, else the one given on the form.
    """
    student_scope = (
        select(Student.consent_scope)
        .where(Student.id == EventRegistration.student_id)
        .scalar_subquery()
    )
    return or_(
        and_(
            EventRegistration.student_id.is_not(None),
            student_scope == ConsentScope.EMPLOYERS,
        ),
        and_(
            EventRegistration.student_id.is_(None),
            EventRegistration.consent_scope == ConsentScope.EMPLOYERS,
        ),
    )


def consented_to_employers(registration: EventRegistration) -> bool:
    """Whether employers may see this registrant (the fair's booth flow)."""
    student = registration.student
    if student is not None:
        return student.consent_scope is ConsentScope.EMPLOYERS
    return registration.consent_scope is ConsentScope.EMPLOYERS
