"""What the events pages show: lists, one event's figures and registrants."""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from envoycrm.access import scope_condition
from envoycrm.extensions import db
from envoycrm.models import (
    Event,
    EventKind,
    EventLink,
    EventRegistration,
    RegistrationStatus,
    ReplyStatus,
    Role,
    Student,
    User,
)

PAGE_SIZE = 50
# Registrants listed on the event page at most; the rest are counted.
REGISTRANTS_SHOWN = 200


@dataclass
class EventFilter:
    """The list's filters: upcoming or past, and a kind."""

    when: str = "upcoming"  # or "past"
    kind: EventKind | None = None


def events_for(user: User, filters: EventFilter, now: datetime, page: int = 1):
    """The events ``user`` may see, upcoming soonest first or past latest first."""
    query = select(Event).where(scope_condition(Event, user))
    if filters.kind is not None:
        query = query.where(Event.kind == filters.kind)
    if filters.when == "past":
        query = query.where(Event.ends_at < now).order_by(
            Event.starts_at.desc(), Event.id.desc()
        )
    else:
        query = query.where(Event.ends_at >= now).order_by(Event.starts_at, Event.id)
    query = query.options(selectinload(Event.university), selectinload(Event.host))
    offset = (page - 1) * PAGE_SIZE
    rows = db.session.scalars(query.limit(PAGE_SIZE + 1).offset(offset)).all()
    return rows[:PAGE_SIZE], len(rows) > PAGE_SIZE


@dataclass
class Counts:
    """An event's registrations by status."""

    registered: int = 0
    waitlisted: int = 0
    attended: int = 0
    cancelled: int = 0

    @property
    def seats(self) -> int:
        """Seats taken: registered or attended."""
        return self.registered + self.attended


def counts(event: Event) -> Counts:
    """How many registrations the event has in each status (one query)."""
    rows = db.session.execute(
        select(EventRegistration.status, func.count(EventRegistration.id))
        .where(EventRegistration.event_id == event.id)
        .group_by(EventRegistration.status)
    ).all()
    found = Counts()
    for status, number in rows:
        setattr(found, status.value, number)
    return found


def visible_registrants(
    event: Event, user: User, counted: Counts, limit: int = REGISTRANTS_SHOWN
) -> tuple[list[EventRegistration], int]:
    """The registrants ``user`` may see (in queue order), and how many there are.

    Hosts and coordinators see everyone (``counted`` already says how many);
    another envoy only their own students and those their link brought, the
    rule of ``scopes.event_registrations`` without its hosts' branch.
    """
    conditions = [
        EventRegistration.event_id == event.id,
        EventRegistration.status != RegistrationStatus.CANCELLED,
    ]
    if sees_everyone(event, user):
        total = counted.registered + counted.waitlisted + counted.attended
    else:
        own = select(Student.id).where(Student.owner_id == user.id)
        conditions.append(
            or_(
                EventRegistration.credited_envoy_id == user.id,
                EventRegistration.student_id.in_(own),
                EventRegistration.matched_student_id.in_(own),
            )
        )
        total = (
            db.session.scalar(
                select(func.count(EventRegistration.id)).where(*conditions)
            )
            or 0
        )
    if total == 0:
        return [], 0
    rows = db.session.scalars(
        select(EventRegistration)
        .where(*conditions)
        .order_by(EventRegistration.queued_at, EventRegistration.id)
        .limit(limit)
        .options(
            selectinload(EventRegistration.student),
            selectinload(EventRegistration.credited_envoy),
        )
    ).all()
    return list(rows), total


def sees_everyone(event: Event, user: User) -> bool:
    """Hosts and coordinators see every registrant of the event."""
    return user.is_staff or event.host_id == user.id


def own_link(event: Event, user: User) -> EventLink | None:
    """The envoy's registration link for ``event``, if they made one."""
    if user.role is not Role.ENVOY:
        return None
    return db.session.scalar(
        select(EventLink).where(
            EventLink.event_id == event.id, EventLink.envoy_id == user.id
        )
    )


def students_to_invite(envoy: User) -> list[Student]:
    """The envoy's students, by name (inviting one twice records nothing)."""
    return list(
        db.session.scalars(
            select(Student)
            .where(Student.owner_id == envoy.id)
            .order_by(Student.name_latin, Student.id)
            .limit(1000)
        )
    )


def invited_count(event: Event, envoy: User | None = None) -> int:
    """How many students were invited (by ``envoy``, when given)."""
    from envoycrm.models import EventInvitation

    query = select(func.count(EventInvitation.id)).where(
        EventInvitation.event_id == event.id
    )
    if envoy is not None:
        query = query.where(EventInvitation.envoy_id == envoy.id)
    return db.session.scalar(query) or 0


def held_for(user: User, event: Event) -> list[EventRegistration]:
    """Registrations of ``event`` held for ``user`` to confirm (their students)."""
    query = select(EventRegistration).where(
        EventRegistration.event_id == event.id,
        EventRegistration.match_status == ReplyStatus.HELD,
    )
    if not user.is_staff:
        own = select(Student.id).where(Student.owner_id == user.id)
        query = query.where(EventRegistration.matched_student_id.in_(own))
    return list(db.session.scalars(query.limit(100)))


def who_it_is_for(event: Event, locale: str) -> list[tuple[str, str]]:
    """The event's audience as (heading, list) pairs in ``locale``'s words."""
    from flask_babel import gettext as _

    from envoycrm.i18n import country_name, format_list_of
    from envoycrm.labels import label
    from envoycrm.models import DegreeLevel, FieldOfStudy

    lines = []
    if event.audience_degrees:
        names = [label(DegreeLevel[n]) for n in event.audience_degrees]
        lines.append((_("Degrees"), format_list_of(names)))
    if event.audience_fields:
        names = [label(FieldOfStudy[n]) for n in event.audience_fields]
        lines.append((_("Fields of study"), format_list_of(names)))
    if event.audience_countries:
        names = [country_name(code) for code in event.audience_countries]
        lines.append((_("Countries"), format_list_of(names)))
    if event.audience_universities:
        names = [u.name_for(locale) for u in event.audience_universities]
        lines.append((_("Universities"), format_list_of(names)))
    return lines or [(_("Who it is for"), _("Every student"))]
