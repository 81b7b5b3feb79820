"""Registering for an event, the wait list, and cancelling.

A registration through an envoy's link is credited to that envoy. A new
person becomes the envoy's student, by their own consent, like a referral
reply. A registration whose email matches a known student is taken (the
seat is theirs) but tied to no student: whoever typed the email need not be
that student, so it is held for the student's envoy to confirm, as referral
replies are (``jobs/referrals.py``). Nothing here commits.
"""

import secrets
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select, update
from sqlalchemy.orm import selectinload

from envoycrm import audit
from envoycrm.auth.services import normalise_email
from envoycrm.database import rows_changed
from envoycrm.events.attendance import attendance_on_timeline
from envoycrm.events.services import OPEN_FOR_REGISTRATION
from envoycrm.extensions import db
from envoycrm.jobs.referrals import split_name
from envoycrm.models import (
    SEATED_STATUSES,
    ConsentMethod,
    Event,
    EventKind,
    EventLink,
    EventMailKind,
    EventRegistration,
    EventStatus,
    RegistrationStatus,
    ReplyStatus,
    Student,
    Task,
    TaskKind,
    TourStatus,
    User,
    registration_search_text,
    utcnow,
)
from envoycrm.students.duplicates import normalise_wechat
from envoycrm.students.services import create_student, flag_possible_duplicate


def registration_open(event: Event, now: datetime) -> bool:
    """True while the event takes registrations: published, deadline not past."""
    if event.status not in OPEN_FOR_REGISTRATION or event.starts_at <= now:
        return False
    if event.registration_deadline is None:
        return True
    today_there = now.astimezone(ZoneInfo(event.time_zone)).date()
    return today_there <= event.registration_deadline


def seats_taken(event_id: int) -> int:
    """Registrations holding a seat (registered or attended)."""
    return (
        db.session.scalar(
            select(func.count(EventRegistration.id)).where(
                EventRegistration.event_id == event_id,
                EventRegistration.status.in_(SEATED_STATUSES),
            )
        )
        or 0
    )


def _lock(event: Event) -> None:
    """Take the event's row lock (PostgreSQL), so seats are counted one at a time.

    SQLite has one writer at a time already.
    """
    db.session.execute(select(Event.id).where(Event.id == event.id).with_for_update())


def _has_seat_for_one_more(event: Event) -> bool:
    return event.capacity is None or seats_taken(event.id) < event.capacity


def register(
    event: Event,
    data: dict,
    link: EventLink | None,
    language: str,
    now: datetime | None = None,
) -> EventRegistration:
    """Register the person in ``data`` for ``event`` (a seat or the wait list).

    ``data`` holds what the public form took: ``name``, ``email``,
    ``wechat_id``, ``university_id`` / ``university_typed``, ``field``,
    ``degree``, ``consent_scope``, ``notice_version``. Registering again
    with the same email finds the registration already there (a cancelled
    one is taken up again, at the end of the queue). Mail is queued.
    """
    from envoycrm.events.mails import queue_mail

    now = now or utcnow()
    _lock(event)
    email = normalise_email(data["email"]) or None
    existing = db.session.scalar(
        select(EventRegistration).where(
            EventRegistration.event_id == event.id, EventRegistration.email == email
        )
    )
    if existing is not None and existing.status is not RegistrationStatus.CANCELLED:
        return existing
    name_latin, name_hanzi = split_name(data["name"])
    registration = existing or EventRegistration(
        event_id=event.id, token=secrets.token_hex(16), created_at=now
    )
    registration.name_latin = name_latin
    registration.name_hanzi = name_hanzi
    registration.email = email
    registration.wechat_id = normalise_wechat(data.get("wechat_id"))
    registration.university_id = data.get("university_id") or None
    registration.university_name_typed = (
        None if data.get("university_id") else data.get("university_typed")
    )
    registration.search_text = registration_search_text(name_latin, name_hanzi, email)
    registration.language = language
    registration.consent_at = now
    registration.consent_notice_version = data.get("notice_version")
    registration.consent_scope = data["consent_scope"]
    registration.credited_envoy_id = link.envoy_id if link else None
    registration.link_id = link.id if link else None
    registration.cancelled_at = None
    registration.queued_at = now
    registration.status = (
        RegistrationStatus.REGISTERED
        if _has_seat_for_one_more(event)
        else RegistrationStatus.WAITLISTED
    )
    if event.kind is EventKind.STUDY_TOUR:
        registration.tour_status = TourStatus.APPLIED
    if existing is None:
        db.session.add(registration)
    db.session.flush()
    _tie_to_student(registration, event, link, data, email, language, now)
    kind = (
        EventMailKind.CONFIRMATION
        if registration.status is RegistrationStatus.REGISTERED
        else EventMailKind.WAITLISTED
    )
    queue_mail(registration, kind, now)
    audit.record(
        "event.register",
        "event",
        event.id,
        registration_id=registration.id,
        status=registration.status.name,
        envoy_id=registration.credited_envoy_id,
    )
    return registration


def _find_student(email: str | None, wechat_id: str | None) -> Student | None:
    conditions = []
    if email:
        conditions.append(Student.email == email)
    if wechat_id:
        conditions.append(Student.wechat_id == wechat_id)
    if not conditions:
        return None
    return db.session.scalar(
        select(Student).where(or_(*conditions)).order_by(Student.id).limit(1)
    )


def _tie_to_student(
    registration: EventRegistration,
    event: Event,
    link: EventLink | None,
    data: dict,
    email: str | None,
    language: str,
    now: datetime,
) -> None:
    """Hold a match for its envoy, or make a new student of the crediting envoy."""
    if registration.student_id is not None or registration.match_status is not None:
        return  # decided at an earlier registration
    known = _find_student(email, registration.wechat_id)
    if known is not None:
        registration.matched_student_id = known.id
        registration.match_status = ReplyStatus.HELD
        task = Task(
            kind=TaskKind.EVENT_REGISTRATION,
            # English on the task; the task list shows it translated.
            title=(f"{registration.display_name} registered for {event.title_en}")[
                :300
            ],
            student_id=known.id,
            assignee_id=known.owner_id,
            due_on=now.date() + timedelta(days=14),
        )
        db.session.add(task)
        db.session.flush()
        registration.match_task_id = task.id
        return
    if link is None:
        return  # the bureau's own link: a registrant, not (yet) a student
    student = create_student(
        owner_id=link.envoy_id,
        actor_id=None,  # the student gave their details themselves
        stage_changed_by_id=link.envoy_id,
        profile={
            "name_latin": registration.name_latin,
            "name_hanzi": registration.name_hanzi,
            "email": email,
            "wechat_id": registration.wechat_id,
            "university_id": registration.university_id,
            "university_name_typed": registration.university_name_typed,
            "programme": data.get("programme") or None,
            "field": data["field"],
            "degree": data["degree"],
            "expected_graduation": data.get("expected_graduation"),
            "how_met": "event registration",
        },
        consent_scope=data["consent_scope"],
        consent_method=ConsentMethod.FORM,
        notice_language=language,
        now=now,
    )
    db.session.flush()
    flag_possible_duplicate(student)
    registration.student_id = student.id
    audit.record("student.create_by_event", "student", student.id, event_id=event.id)


def decide_held(registration: EventRegistration, actor: User, confirm: bool) -> bool:
    """Tie a held registration to the matched student, or leave it untied.

    Only the first decision counts (False when decided already). The task
    is done either way. The caller commits.
    """
    now = utcnow()
    decided = db.session.execute(
        update(EventRegistration)
        .where(
            EventRegistration.id == registration.id,
            EventRegistration.match_status == ReplyStatus.HELD,
        )
        .values(
            match_status=ReplyStatus.CONFIRMED if confirm else ReplyStatus.DISMISSED,
            match_decided_at=now,
            match_decided_by_id=actor.id,
            student_id=EventRegistration.matched_student_id if confirm else None,
            version=EventRegistration.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if rows_changed(decided) != 1:
        return False
    db.session.refresh(registration)
    if confirm:
        # Attended before the match was confirmed: the student's timeline
        # gains the attendance now.
        attendance_on_timeline(registration, actor)
    db.session.execute(
        update(Task)
        .where(Task.id == registration.match_task_id, Task.done_at.is_(None))
        .values(done_at=now, done_by_id=actor.id)
    )
    audit.record(
        "event.registration_confirm" if confirm else "event.registration_dismiss",
        "event",
        registration.event_id,
        registration_id=registration.id,
    )
    return True


# --- cancelling and the wait list ------------------------------------------------


def cancel_registration(
    registration: EventRegistration, now: datetime | None = None
) -> EventRegistration | None:
    """The registrant cancels; the first on the wait list takes the seat.

    Returns the promoted registration, if one was. Cancelling twice, or
    after attending, changes nothing.
    """
    now = now or utcnow()
    if not _take_off(registration, now, "event.registration_cancel"):
        return None
    promoted = promote_waitlist(registration.event, now)
    return promoted[0] if promoted else None


# Events whose host may still take a registration off (not held or cancelled).
TAKES_CANCELLATIONS = (EventStatus.DRAFT, EventStatus.PUBLISHED, EventStatus.CLOSED)


def cancel_by_host(
    registration: EventRegistration, actor: User, now: datetime | None = None
) -> bool:
    """The host or a coordinator takes a registration off the event.

    As when the registrant cancels, the wait list moves up; the registrant
    is told by mail (with a calendar file that removes the entry). False
    when it was already cancelled or attended.
    """
    from envoycrm.events.mails import queue_mail

    now = now or utcnow()
    if registration.event.status not in TAKES_CANCELLATIONS:
        return False
    if not _take_off(
        registration, now, "event.registration_cancel_by_host", actor_id=actor.id
    ):
        return False
    queue_mail(registration, EventMailKind.CANCELLED_BY_HOST, now)
    promote_waitlist(registration.event, now)
    return True


def _take_off(
    registration: EventRegistration, now: datetime, action: str, **audited: int
) -> bool:
    """Cancel a registration still registered or waiting, under the event's
    lock; whether it was."""
    event = registration.event
    _lock(event)
    cancelled = db.session.execute(
        update(EventRegistration)
        .where(
            EventRegistration.id == registration.id,
            EventRegistration.status.in_(
                (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)
            ),
        )
        .values(
            status=RegistrationStatus.CANCELLED,
            cancelled_at=now,
            version=EventRegistration.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if rows_changed(cancelled) != 1:
        return False
    db.session.refresh(registration)
    audit.record(action, "event", event.id, registration_id=registration.id, **audited)
    return True


def promote_waitlist(
    event: Event, now: datetime | None = None
) -> list[EventRegistration]:
    """Give free seats to the wait list in order (queued first, then by id)."""
    from envoycrm.events.mails import queue_mail

    now = now or utcnow()
    free = None if event.capacity is None else event.capacity - seats_taken(event.id)
    if free is not None and free <= 0:
        return []
    query = (
        select(EventRegistration)
        .where(
            EventRegistration.event_id == event.id,
            EventRegistration.status == RegistrationStatus.WAITLISTED,
        )
        .order_by(EventRegistration.queued_at, EventRegistration.id)
    )
    if free is not None:
        query = query.limit(free)
    promoted = list(db.session.scalars(query))
    for registration in promoted:
        registration.status = RegistrationStatus.REGISTERED
        queue_mail(registration, EventMailKind.PROMOTED, now)
    db.session.flush()
    return promoted


def waitlist_position(registration: EventRegistration) -> int | None:
    """1 for the first on the wait list; None when not waiting."""
    if registration.status is not RegistrationStatus.WAITLISTED:
        return None
    ahead = db.session.scalar(
        select(func.count(EventRegistration.id)).where(
            EventRegistration.event_id == registration.event_id,
            EventRegistration.status == RegistrationStatus.WAITLISTED,
            or_(
                EventRegistration.queued_at < registration.queued_at,
                (EventRegistration.queued_at == registration.queued_at)
                & (EventRegistration.id < registration.id),
            ),
        )
    )
    return (ahead or 0) + 1


def held_registrations_of_tasks(tasks) -> dict[int, EventRegistration]:
    """The held registration behind each event-registration task, by task id."""
    ids = [t.id for t in tasks if t.kind is TaskKind.EVENT_REGISTRATION]
    if not ids:
        return {}
    rows = db.session.scalars(
        select(EventRegistration)
        .where(EventRegistration.match_task_id.in_(ids))
        .options(selectinload(EventRegistration.event))
    )
    return {r.match_task_id: r for r in rows if r.match_task_id is not None}
