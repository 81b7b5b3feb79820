"""Study tours: students apply, coordinators select, the selected go.

A public registration for a study tour is an application (``tour_status``
APPLIED, set where registrations are made). Coordinators move applications
on, one at a time or many at once: applied → selected or not selected,
selected → attended. Each move checks the version the coordinator saw, so
two coordinators deciding the same list cannot overwrite each other.

Selecting a known student records a new intention with start-up interest,
carrying the rest of their current intention over, so the tour shows in the
intention history their envoy reads.
"""

from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from envoycrm.database import check_version
from envoycrm.extensions import db
from envoycrm.models import (
    Event,
    EventKind,
    EventRegistration,
    Intention,
    IntentionLevel,
    RegistrationStatus,
    Student,
    TourStatus,
    User,
    utcnow,
)
from envoycrm.students.services import record_intention

# Where each application may go next.
MOVES: dict[TourStatus, tuple[TourStatus, ...]] = {
    TourStatus.APPLIED: (TourStatus.SELECTED, TourStatus.NOT_SELECTED),
    TourStatus.SELECTED: (
        TourStatus.ATTENDED,
        TourStatus.NOT_SELECTED,
        TourStatus.APPLIED,
    ),
    TourStatus.NOT_SELECTED: (TourStatus.SELECTED, TourStatus.APPLIED),
    TourStatus.ATTENDED: (),
}
PAGE_SIZE = 200


class TourMoveError(ValueError):
    """An application cannot make the move asked for; ``str`` says which."""


@dataclass
class Applications:
    """A tour's applications in one status, and the count in each."""

    rows: list[EventRegistration]
    counts: dict[TourStatus, int]


def is_tour(event: Event) -> bool:
    """True for a study tour, the only kind with applications."""
    return event.kind is EventKind.STUDY_TOUR


def applications(event: Event, status: TourStatus | None) -> Applications:
    """``event``'s live applications (in ``status`` if given), oldest first."""
    live = (
        EventRegistration.event_id == event.id,
        EventRegistration.tour_status.is_not(None),
        EventRegistration.status != RegistrationStatus.CANCELLED,
    )
    counts = dict(
        db.session.execute(
            select(EventRegistration.tour_status, func.count(EventRegistration.id))
            .where(*live)
            .group_by(EventRegistration.tour_status)
        ).all()
    )
    query = select(EventRegistration).where(*live)
    if status is not None:
        query = query.where(EventRegistration.tour_status == status)
    rows = db.session.scalars(
        query.order_by(EventRegistration.queued_at, EventRegistration.id)
        .limit(PAGE_SIZE)
        .options(
            selectinload(EventRegistration.university),
            selectinload(EventRegistration.credited_envoy),
        )
    ).all()
    return Applications(list(rows), {s: counts.get(s, 0) for s in TourStatus})


def move_applications(
    event: Event,
    versions: dict[int, int],
    to: TourStatus,
    actor: User,
) -> list[EventRegistration]:
    """Move the applications ``versions`` names (id → version seen) to ``to``.

    All or nothing: an application of another event, cancelled or gone is a
    ``TourMoveError``; one changed since it was read is ``StaleEdit``; one
    that cannot make the move is a ``TourMoveError``. Flushes, never commits.
    """
    rows = list(
        db.session.scalars(
            select(EventRegistration)
            .where(
                EventRegistration.id.in_(list(versions)),
                EventRegistration.event_id == event.id,
                EventRegistration.tour_status.is_not(None),
                EventRegistration.status != RegistrationStatus.CANCELLED,
            )
            .order_by(EventRegistration.id)
        )
    )
    if len(rows) != len(versions):
        raise TourMoveError("unknown application")
    for row in rows:
        check_version(row, versions[row.id])
        if row.tour_status is None or to not in MOVES[row.tour_status]:
            raise TourMoveError("move not allowed")
    now = utcnow()
    for row in rows:
        row.tour_status = to
        row.tour_decided_at = now
        row.tour_decided_by_id = actor.id
        if to is TourStatus.ATTENDED:
            row.status = RegistrationStatus.ATTENDED
            row.attended_at = row.attended_at or now
            row.checked_in_by_id = row.checked_in_by_id or actor.id
        elif to is TourStatus.SELECTED and row.student is not None:
            _note_startup_interest(row.student, event, actor)
    db.session.flush()
    return rows


def _note_startup_interest(student: Student, event: Event, actor: User) -> None:
    """A new intention with start-up interest, the rest as it was."""
    current = db.session.scalar(
        select(Intention)
        .where(Intention.student_id == student.id)
        .order_by(Intention.recorded_at.desc(), Intention.id.desc())
        .limit(1)
    )
    data: dict = {
        "level": student.intention_level or IntentionLevel.CONSIDERING,
        "startup_interest": True,
        "notes": f"{event.title_en} · {event.title_zh}",
    }
    if current is not None:
        data |= {
            "level": current.level,
            "target_sectors": current.target_sectors,
            "preferred_roles": current.preferred_roles,
            "earliest_start": current.earliest_start,
            "salary_expectation": current.salary_expectation,
        }
    record_intention(student, actor, data)


def parse_versions(values: list[str]) -> dict[int, int] | None:
    """``["12:3", "15:1"]`` → ``{12: 3, 15: 1}``; None if any is malformed."""
    found: dict[int, int] = {}
    for value in values:
        ident, _sep, version = value.partition(":")
        if not (ident.isdigit() and version.isdigit()):
            return None
        number = int(ident)
        if not 0 < number < 2**31 or int(version) >= 2**31:
            return None
        found[number] = int(version)
    return found
