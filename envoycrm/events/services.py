"""Events: creating, editing, moving through their statuses, cancelling,
envoys' links and invitations. Nothing here commits; the views do.

Who may do what is decided here too, as plain predicates the views and
templates share (``may_edit``), so a button is shown exactly when its
route would accept the click.
"""

import secrets
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from envoycrm import audit
from envoycrm.database import check_version
from envoycrm.extensions import db
from envoycrm.models import (
    ENVOY_KINDS,
    Event,
    EventInvitation,
    EventKind,
    EventLink,
    EventStatus,
    InteractionKind,
    Role,
    Student,
    University,
    User,
    local_date,
    utcnow,
)
from envoycrm.students.services import add_interaction

# The steps of an event's life; cancelling is its own action (``cancel_event``).
STEPS: dict[EventStatus, tuple[EventStatus, ...]] = {
    EventStatus.DRAFT: (EventStatus.PUBLISHED,),
    EventStatus.PUBLISHED: (EventStatus.CLOSED, EventStatus.HELD),
    EventStatus.CLOSED: (EventStatus.PUBLISHED, EventStatus.HELD),
    EventStatus.HELD: (),
    EventStatus.CANCELLED: (),
}
# Statuses in which an event takes registrations.
OPEN_FOR_REGISTRATION = (EventStatus.PUBLISHED,)
# Statuses in which an event is still to come for its registrants.
ACTIVE = (EventStatus.PUBLISHED, EventStatus.CLOSED)

EDITABLE_FIELDS = (
    "title_en",
    "title_zh",
    "description_en",
    "description_zh",
    "starts_at",
    "ends_at",
    "time_zone",
    "place",
    "online_url",
    "capacity",
    "registration_deadline",
    "audience_degrees",
    "audience_fields",
    "audience_countries",
)


class WrongStatus(ValueError):
    """The event is not in a status that allows this step."""


def kinds_for(user: User) -> tuple[EventKind, ...]:
    """The kinds of event ``user`` may create."""
    if user.is_staff:
        return tuple(EventKind)
    if user.role is Role.ENVOY:
        return ENVOY_KINDS
    return ()


def may_edit(user: User, event: Event) -> bool:
    """Coordinators edit any event; an envoy the ones they host, of their kinds."""
    if user.is_staff:
        return True
    return (
        user.role is Role.ENVOY
        and event.host_id == user.id
        and event.kind in ENVOY_KINDS
    )


def _apply(event: Event, data: dict, universities: list[University]) -> None:
    for name in EDITABLE_FIELDS:
        setattr(event, name, data[name])
    event.audience_universities = universities


def create_event(
    author: User, data: dict, universities: list[University], now: datetime
) -> Event:
    """A new draft event. An envoy's is theirs to host, at their university.

    ``data`` holds the form's values with ``kind`` among ``kinds_for(author)``
    (the form offers no other). Coordinators host their own events unless
    ``data["host_id"]`` names someone else.
    """
    kind = data["kind"]
    if kind not in kinds_for(author):
        raise WrongStatus(kind)
    event = Event(
        kind=kind,
        status=EventStatus.DRAFT,
        host_id=data.get("host_id") or author.id,
        university_id=_university_of(author),
        public_token=secrets.token_hex(16),
        created_by_id=author.id,
        created_at=now,
    )
    _apply(event, data, universities)
    db.session.add(event)
    db.session.flush()
    audit.record("event.create", "event", event.id, kind=kind.name)
    return event


def _university_of(author: User) -> int | None:
    """An envoy's events belong to their university; the bureau's to none."""
    if author.role is Role.ENVOY and author.envoy_profile is not None:
        return author.envoy_profile.university_id
    return None


def update_event(
    event: Event,
    data: dict,
    universities: list[University],
    expected_version: int | None,
    actor: User,
) -> None:
    """Save an edit made on ``expected_version``; ``StaleEdit`` if it lost.

    A larger capacity gives seats to the wait list at once. A published
    event's new time or place is mailed to its registrants.
    """
    check_version(event, expected_version)
    before = _time_and_place(event)
    _apply(event, data, universities)
    db.session.flush()
    from envoycrm.events.mails import queue_event_changed
    from envoycrm.events.registration import promote_waitlist

    promote_waitlist(event)
    told = 0
    if event.status in TOLD_OF_CHANGES and _time_and_place(event) != before:
        told = queue_event_changed(event, utcnow())
    audit.record("event.update", "event", event.id, actor_id=actor.id, told=told)


# Events whose registrants hear of a new time or place (a draft has none yet).
TOLD_OF_CHANGES = (EventStatus.PUBLISHED, EventStatus.CLOSED)


def _time_and_place(event: Event) -> tuple:
    """What a registrant must hear about when it changes."""
    return (
        event.starts_at,
        event.ends_at,
        event.time_zone,
        event.place,
        event.online_url,
    )


def move_to(event: Event, status: EventStatus, actor: User, now: datetime) -> None:
    """Take ``event`` one step on (``STEPS``); ``WrongStatus`` otherwise."""
    if status not in STEPS[event.status]:
        raise WrongStatus(status)
    event.status = status
    if status is EventStatus.PUBLISHED and event.published_at is None:
        event.published_at = now
    audit.record("event.status", "event", event.id, status=status.name)


def cancel_event(event: Event, actor: User, now: datetime) -> int:
    """Cancel ``event``; everyone registered or waiting is told by mail.

    Returns how many registrants are told. ``WrongStatus`` for an event
    already held or cancelled.
    """
    if event.status in (EventStatus.HELD, EventStatus.CANCELLED):
        raise WrongStatus(event.status)
    event.status = EventStatus.CANCELLED
    event.cancelled_at = now
    from envoycrm.events.mails import queue_event_cancelled

    told = queue_event_cancelled(event, now)
    audit.record("event.cancel", "event", event.id, told=told)
    return told


# --- envoys' links and invitations ------------------------------------------------


def link_for(envoy: User, event: Event) -> EventLink:
    """The envoy's personal registration link for ``event``, made once.

    A concurrent first click meets the unique (event, envoy) constraint;
    the view answers it with the link the other request made.
    """
    link = db.session.scalar(
        select(EventLink).where(
            EventLink.event_id == event.id, EventLink.envoy_id == envoy.id
        )
    )
    if link is not None:
        return link
    link = EventLink(event_id=event.id, envoy_id=envoy.id, token=secrets.token_hex(16))
    db.session.add(link)
    try:
        with db.session.begin_nested():
            db.session.flush()
    except IntegrityError:
        return db.session.scalars(
            select(EventLink).where(
                EventLink.event_id == event.id, EventLink.envoy_id == envoy.id
            )
        ).one()
    audit.record("event.link", "event", event.id, envoy_id=envoy.id)
    return link


def invite(
    event: Event, student: Student, envoy: User, note: str, locale: str
) -> EventInvitation | None:
    """Record that ``envoy`` invited their ``student``, on the student's timeline.

    None when the student was invited to this event before (nothing is
    recorded twice). The timeline entry names the event in ``locale``.
    """
    already = db.session.scalar(
        select(EventInvitation.id).where(
            EventInvitation.event_id == event.id,
            EventInvitation.student_id == student.id,
        )
    )
    if already is not None:
        return None
    now = utcnow()
    title = event.title_for(locale)
    interaction = add_interaction(
        student,
        envoy,
        InteractionKind.EVENT_INVITATION,
        local_date(now, envoy.timezone),
        f"{title}\n{note}" if note else title,
    )
    db.session.flush()
    invitation = EventInvitation(
        event_id=event.id,
        student_id=student.id,
        envoy_id=envoy.id,
        interaction_id=interaction.id,
        invited_at=now,
    )
    db.session.add(invitation)
    db.session.flush()
    audit.record("event.invite", "event", event.id, student_id=student.id)
    return invitation


def count_view(link: EventLink) -> None:
    """Add one view of an envoy's link with an atomic UPDATE."""
    db.session.execute(
        update(EventLink)
        .where(EventLink.id == link.id)
        .values(views=EventLink.views + 1)
        .execution_options(synchronize_session=False)
    )
