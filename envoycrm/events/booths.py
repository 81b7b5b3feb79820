"""The talent fair: employers' registrations, the fair page, booth meetings.

An employer asks to take part, naming the openings it brings and its booth
staff; the bureau approves or rejects each request once. On the day, booth
staff record the students they met with an interest level. A student who
agreed to be shared with employers becomes a candidate of the opening talked
about (``candidates.express_interest``: the employer's interest, with the
bureau's task); for one who did not, the student's envoy is given a task to
ask them, and the employer learns nothing more about them.
"""

import hmac
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from sqlalchemy import ColumnElement, func, select, update
from sqlalchemy.orm import selectinload

from envoycrm import audit
from envoycrm.database import rows_changed
from envoycrm.events import tokens
from envoycrm.events.attendance import consented_to_employers, shared_with_employers
from envoycrm.extensions import db
from envoycrm.jobs import candidates
from envoycrm.models import (
    BoothMeeting,
    BoothStaff,
    Employer,
    EmployerKind,
    Event,
    EventKind,
    EventRegistration,
    EventStatus,
    FairEmployerRegistration,
    FairRegistrationStatus,
    InterestLevel,
    JobOpening,
    OpeningStatus,
    RegistrationStatus,
    Role,
    Task,
    TaskKind,
    User,
    utcnow,
)
from envoycrm.models.events import fair_openings

# Booth staff named on one registration at most.
MAX_STAFF = 20


def is_fair(event: Event) -> bool:
    """Whether ``event`` is a talent fair employers may see and join."""
    return event.kind is EventKind.TALENT_FAIR and event.status is not (
        EventStatus.DRAFT
    )


def fair_for_employer(event_id: int) -> Event | None:
    """A published (or past) fair, the only events an employer may open."""
    event = db.session.get(Event, event_id)
    return event if event is not None and is_fair(event) else None


def latest_fair_id() -> int | None:
    """The most recent talent fair open to employers (published or past)."""
    return db.session.scalar(
        select(Event.id)
        .where(
            Event.kind == EventKind.TALENT_FAIR,
            Event.status.not_in((EventStatus.DRAFT, EventStatus.CANCELLED)),
        )
        .order_by(Event.starts_at.desc(), Event.id.desc())
        .limit(1)
    )


def own_registration(event: Event, employer_id: int) -> FairEmployerRegistration | None:
    """The employer's registration for the fair, if it made one."""
    return db.session.scalar(
        select(FairEmployerRegistration)
        .where(
            FairEmployerRegistration.event_id == event.id,
            FairEmployerRegistration.employer_id == employer_id,
        )
        .options(
            selectinload(FairEmployerRegistration.openings),
            selectinload(FairEmployerRegistration.staff),
        )
    )


def openings_to_bring(employer_id: int) -> list[JobOpening]:
    """The employer's openings it may bring: open or waiting for approval."""
    return list(
        db.session.scalars(
            select(JobOpening)
            .where(
                JobOpening.employer_id == employer_id,
                JobOpening.status.in_((OpeningStatus.OPEN, OpeningStatus.PENDING)),
            )
            .order_by(JobOpening.title_en, JobOpening.id)
        )
    )


def register_employer(
    event: Event,
    employer_user: User,
    opening_ids: Sequence[int],
    staff_names: Sequence[str],
    note: str,
) -> tuple[FairEmployerRegistration, bool]:
    """The employer's request to take part, pending the bureau's decision.

    A second request finds the first (the second value is False). Only the
    employer's own openings are taken, whatever ids are sent. The signed-in
    user is booth staff, so they can record meetings on the day.
    """
    employer_id = employer_user.employer_id
    if employer_id is None:
        raise ValueError("only an employer's staff register it for the fair")
    existing = own_registration(event, employer_id)
    if existing is not None:
        return existing, False
    openings = [o for o in openings_to_bring(employer_id) if o.id in set(opening_ids)]
    names = [n for n in dict.fromkeys(n.strip() for n in staff_names) if n]
    me = employer_user.display_name[:120]
    staff = [BoothStaff(name=me, user_id=employer_user.id)]
    staff += [BoothStaff(name=name[:120]) for name in names[:MAX_STAFF] if name != me]
    registration = FairEmployerRegistration(
        event_id=event.id,
        employer_id=employer_id,
        requested_by_id=employer_user.id,
        note=note,
        openings=openings,
        staff=staff,
    )
    db.session.add(registration)
    db.session.flush()
    audit.record(
        "fair.register", "event", event.id, fair_registration_id=registration.id
    )
    return registration, True


def decide(registration: FairEmployerRegistration, actor: User, approve: bool) -> bool:
    """Approve or reject a pending request; only the first decision counts."""
    decided = db.session.execute(
        update(FairEmployerRegistration)
        .where(
            FairEmployerRegistration.id == registration.id,
            FairEmployerRegistration.status == FairRegistrationStatus.PENDING,
        )
        .values(
            status=FairRegistrationStatus.APPROVED
            if approve
            else FairRegistrationStatus.REJECTED,
            decided_by_id=actor.id,
            decided_at=utcnow(),
            version=FairEmployerRegistration.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    if rows_changed(decided) != 1:
        return False
    db.session.refresh(registration)
    audit.record(
        "fair.approve" if approve else "fair.reject",
        "event",
        registration.event_id,
        fair_registration_id=registration.id,
    )
    return True


def pending(event: Event) -> list[FairEmployerRegistration]:
    """Requests waiting for the bureau, oldest first."""
    return list(
        db.session.scalars(
            select(FairEmployerRegistration)
            .where(
                FairEmployerRegistration.event_id == event.id,
                FairEmployerRegistration.status == FairRegistrationStatus.PENDING,
            )
            .order_by(FairEmployerRegistration.created_at, FairEmployerRegistration.id)
            .options(
                selectinload(FairEmployerRegistration.employer),
                selectinload(FairEmployerRegistration.openings),
                selectinload(FairEmployerRegistration.staff),
            )
        )
    )


@dataclass
class Participant:
    """One approved employer as the fair page shows it, in the reader's language."""

    id: int
    name: str
    kind: EmployerKind
    booth: str
    openings: list[str] = field(default_factory=list)


@dataclass
class KindGroup:
    """The approved employers of one kind, with their openings."""

    kind: EmployerKind
    rows: list[Participant] = field(default_factory=list)


def _in(locale: str, english: str, chinese: str) -> str:
    if locale.startswith("zh"):
        return chinese or english
    return english or chinese


def participants(event: Event, locale: str) -> list[KindGroup]:
    """The approved employers by kind (private, institutes, SOEs, others).

    Two queries of plain columns whatever the number of employers (the
    fair has some two hundred, each with its openings): building ORM
    objects for them would cost more than the queries.
    """
    approved = (
        FairEmployerRegistration.event_id == event.id,
        FairEmployerRegistration.status == FairRegistrationStatus.APPROVED,
    )
    rows = db.session.execute(
        select(
            FairEmployerRegistration.id,
            FairEmployerRegistration.booth,
            Employer.name_en,
            Employer.name_zh,
            Employer.kind,
        )
        .join(Employer, Employer.id == FairEmployerRegistration.employer_id)
        .where(*approved)
    ).all()
    found = {
        row.id: Participant(
            row.id, _in(locale, row.name_en, row.name_zh), row.kind, row.booth
        )
        for row in rows
    }
    for fair_registration_id, title_en, title_zh in db.session.execute(
        select(
            fair_openings.c.fair_registration_id,
            JobOpening.title_en,
            JobOpening.title_zh,
        )
        .join(JobOpening, JobOpening.id == fair_openings.c.opening_id)
        .join(
            FairEmployerRegistration,
            FairEmployerRegistration.id == fair_openings.c.fair_registration_id,
        )
        .where(*approved)
        .order_by(JobOpening.title_en, JobOpening.id)
    ):
        found[fair_registration_id].openings.append(_in(locale, title_en, title_zh))
    groups = {kind: KindGroup(kind) for kind in EmployerKind}
    for participant in sorted(found.values(), key=lambda p: (p.name.casefold(), p.id)):
        groups[participant.kind].rows.append(participant)
    return list(groups.values())


def kind_counts(event: Event) -> dict[EmployerKind, int]:
    """How many approved employers of each kind (one query)."""
    found = dict.fromkeys(EmployerKind, 0)
    for kind, number in db.session.execute(
        select(Employer.kind, func.count(FairEmployerRegistration.id))
        .join(Employer, Employer.id == FairEmployerRegistration.employer_id)
        .where(
            FairEmployerRegistration.event_id == event.id,
            FairEmployerRegistration.status == FairRegistrationStatus.APPROVED,
        )
        .group_by(Employer.kind)
    ):
        found[kind] = number
    return found


# --- at the booth --------------------------------------------------------------


def may_work_booth(user: User, registration: FairEmployerRegistration) -> bool:
    """Coordinators, and the employer's own staff once the bureau approved."""
    if user.is_staff:
        return True
    return (
        user.role is Role.EMPLOYER
        and user.employer_id == registration.employer_id
        and registration.status is FairRegistrationStatus.APPROVED
    )


def visible_at_booth(user: User) -> list[ColumnElement[bool]]:
    """SQL: the registrants ``user`` may find at a booth by name.

    Checked in, and for booth staff only those who agreed to be shared with
    employers; anyone else is recorded by their booth code, and the search
    never shows their name. Coordinators find everyone who came.
    """
    condition: list[ColumnElement[bool]] = [EventRegistration.attended_at.is_not(None)]
    if not user.is_staff:
        condition.append(shared_with_employers())
    return condition


def registrant_at_booth(
    booth: FairEmployerRegistration, user: User, registration_id: int
) -> EventRegistration | None:
    """A registrant of the booth's fair that ``user`` may record by name."""
    return db.session.scalar(
        select(EventRegistration).where(
            EventRegistration.id == registration_id,
            EventRegistration.event_id == booth.event_id,
            *visible_at_booth(user),
        )
    )


def registrant_by_booth_code(
    booth: FairEmployerRegistration, typed: str
) -> EventRegistration | None:
    """The checked-in registrant of the booth's fair whose booth code is ``typed``.

    The code is made from the registration's token, so each checked-in
    registrant's is worked out here (a few milliseconds for a fair's 2,000).
    """
    code = tokens.normalise_booth_code(typed)
    if not code:
        return None
    found = db.session.execute(
        select(EventRegistration.id, EventRegistration.token).where(
            EventRegistration.event_id == booth.event_id,
            EventRegistration.status != RegistrationStatus.CANCELLED,
            EventRegistration.attended_at.is_not(None),
        )
    ).all()
    for registration_id, token in found:
        if hmac.compare_digest(tokens.booth_code_of_token(token), code):
            return db.session.get(EventRegistration, registration_id)
    return None


def record_meeting(
    booth: FairEmployerRegistration,
    registrant: EventRegistration,
    interest: InterestLevel,
    opening: JobOpening | None,
    actor: User,
    today: date,
) -> BoothMeeting:
    """Booth staff met ``registrant``: recorded once, the latest level kept.

    With employer-sharing consent and an opening, the student becomes a
    candidate of it (the employer's interest, as from the candidate list).
    Without consent, the student's envoy gets one task to ask for it.
    """
    meeting = db.session.scalar(
        select(BoothMeeting).where(
            BoothMeeting.fair_registration_id == booth.id,
            BoothMeeting.registration_id == registrant.id,
        )
    )
    if meeting is None:
        meeting = BoothMeeting(
            fair_registration_id=booth.id,
            registration_id=registrant.id,
            student_id=registrant.student_id,
            interest=interest,
            recorded_by_id=actor.id,
            met_at=utcnow(),
        )
        db.session.add(meeting)
    meeting.interest = interest
    if opening is not None:
        meeting.opening_id = opening.id
    db.session.flush()
    student = registrant.student
    if student is not None and consented_to_employers(registrant):
        if opening is not None:
            try:
                candidates.express_interest(actor, opening, student, today)
            except candidates.CandidatesHidden:
                pass  # a closed or unapproved opening takes no candidate
    elif student is not None and meeting.task_id is None:
        task = Task(
            kind=TaskKind.FAIR_CONSENT,
            # English on the task; the task list shows it translated.
            title=(
                f"Ask for consent to share with employers: met at "
                f"{booth.employer.name_en}'s booth"
            )[:300],
            details=booth.employer.name_zh,
            student_id=student.id,
            employer_id=booth.employer_id,
            assignee_id=student.owner_id,
        )
        db.session.add(task)
        db.session.flush()
        meeting.task_id = task.id
    audit.record(
        "fair.booth_meeting",
        "event",
        booth.event_id,
        fair_registration_id=booth.id,
        registration_id=registrant.id,
    )
    return meeting


def booth_meetings(booth: FairEmployerRegistration, user: User) -> list[BoothMeeting]:
    """The students the booth met, newest first.

    Employers see only those who agreed to be shared with employers;
    coordinators see everyone.
    """
    rows = db.session.scalars(
        select(BoothMeeting)
        .where(BoothMeeting.fair_registration_id == booth.id)
        .order_by(BoothMeeting.met_at.desc(), BoothMeeting.id.desc())
        .options(
            selectinload(BoothMeeting.registration).selectinload(
                EventRegistration.student
            ),
            selectinload(BoothMeeting.opening),
        )
    ).all()
    if user.is_staff:
        return list(rows)
    return [m for m in rows if consented_to_employers(m.registration)]
