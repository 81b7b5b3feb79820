"""Domain functions of the jobs area: openings, their life, pushes and employers.

Nothing here knows about the request; the views parse, call and render.
The public side (referral replies) lives in ``envoycrm.jobs.referrals``.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import selectinload

from envoycrm import audit, sharing
from envoycrm.database import check_version, rows_changed
from envoycrm.extensions import db
from envoycrm.models import (
    DegreeLevel,
    Employer,
    EmployerKind,
    FieldOfStudy,
    Interaction,
    InteractionKind,
    JobInterest,
    JobOpening,
    OpeningStatus,
    Push,
    Sector,
    Stage,
    Student,
    User,
    utcnow,
)
from envoycrm.models.base import local_date
from envoycrm.students.services import add_interaction

# What the bureau considers a plausible yearly salary, CNY.
SALARY_FLOOR, SALARY_CEILING = 30_000, 3_000_000
HEADCOUNT_MAX = 1000
OPENING_FIELDS = (
    "title_en",
    "title_zh",
    "description_en",
    "description_zh",
    "sector",
    "field",
    "min_degree",
    "salary_min",
    "salary_max",
    "headcount",
    "location",
    "location_zh",
    "deadline",
)
EMPLOYER_FIELDS = (
    "name_en",
    "name_zh",
    "kind",
    "industry",
    "contact_name",
    "contact_email",
    "contact_phone",
    "digest_subscribed",
    "locale",
)


class WrongStatus(Exception):
    """The opening is not in a status that allows this step."""


# --- the life of an opening --------------------------------------------------------


def close_expired_openings(today: date) -> int:
    """Close every OPEN or PENDING opening whose deadline is before ``today``.

    Returns how many were closed; each gets ``closed_at`` and an audit entry.
    Safe to run twice: closed openings are not touched again. The caller
    commits.
    """
    ids = list(
        db.session.scalars(
            select(JobOpening.id).where(
                JobOpening.status.in_([OpeningStatus.OPEN, OpeningStatus.PENDING]),
                JobOpening.deadline < today,
            )
        )
    )
    if not ids:
        return 0
    now = utcnow()
    # One UPDATE; the status condition again so a concurrent run closes each
    # opening once. The version column moves so open edit forms see the change.
    result = db.session.execute(
        update(JobOpening)
        .where(
            JobOpening.id.in_(ids),
            JobOpening.status.in_([OpeningStatus.OPEN, OpeningStatus.PENDING]),
        )
        .values(
            status=OpeningStatus.CLOSED,
            closed_at=now,
            updated_at=now,
            version=JobOpening.version + 1,
        )
        .execution_options(synchronize_session=False)
    )
    for opening_id in ids:
        audit.record(
            "opening.close_expired", "job_opening", opening_id, today=str(today)
        )
    db.session.expire_all()
    return rows_changed(result)


def create_opening(author: User, data: dict, employer_id: int) -> JobOpening:
    """A new opening. Employer staff submit it for approval; staff open it at once."""
    opening = JobOpening(employer_id=employer_id, created_by_id=author.id)
    for name in OPENING_FIELDS:
        setattr(opening, name, data[name] if data[name] is not None else "")
    if author.is_staff:
        opening.status = OpeningStatus.OPEN
        opening.approved_by_id = author.id
        opening.approved_at = utcnow()
    else:
        opening.status = OpeningStatus.PENDING
    db.session.add(opening)
    db.session.flush()
    audit.record(
        "opening.create", "job_opening", opening.id, status=opening.status.value
    )
    return opening


def update_opening(
    opening: JobOpening, data: dict, expected_version: int | None, author: User
) -> list[str]:
    """Edit an opening; an employer's edit sends an open one back for approval."""
    check_version(opening, expected_version)
    if opening.status is OpeningStatus.CLOSED:
        raise WrongStatus
    changed = []
    for name in OPENING_FIELDS:
        value = data[name] if data[name] is not None else ""
        if getattr(opening, name) != value:
            setattr(opening, name, value)
            changed.append(name)
    if changed and not author.is_staff and opening.status is OpeningStatus.OPEN:
        opening.status = OpeningStatus.PENDING
        opening.approved_by_id = None
        opening.approved_at = None
    audit.record("opening.update", "job_opening", opening.id, fields=changed)
    return changed


def approve_opening(opening: JobOpening, coordinator: User, today: date) -> None:
    """A coordinator approves a pending (or draft) opening: it is open.

    One whose deadline has passed cannot be opened: it would be closed at once.
    """
    if (
        opening.status not in (OpeningStatus.PENDING, OpeningStatus.DRAFT)
        or opening.deadline < today
    ):
        raise WrongStatus
    opening.status = OpeningStatus.OPEN
    opening.approved_by_id = coordinator.id
    opening.approved_at = utcnow()
    audit.record("opening.approve", "job_opening", opening.id)


def reject_opening(opening: JobOpening, coordinator: User, reason: str) -> None:
    """Send a pending opening back to its employer as a draft, with a reason."""
    if opening.status is not OpeningStatus.PENDING:
        raise WrongStatus
    opening.status = OpeningStatus.DRAFT
    audit.record("opening.reject", "job_opening", opening.id, reason=reason)


def close_opening(opening: JobOpening, actor: User) -> None:
    """Close an opening by hand."""
    if opening.status is OpeningStatus.CLOSED:
        raise WrongStatus
    opening.status = OpeningStatus.CLOSED
    opening.closed_at = utcnow()
    audit.record("opening.close", "job_opening", opening.id)


def is_accepting(opening: JobOpening, today: date) -> bool:
    """True while students may still reply: open and the deadline not passed."""
    return opening.status_on(today) is OpeningStatus.OPEN


# --- browsing -------------------------------------------------------------------


@dataclass
class OpeningFilter:
    """What the openings list is narrowed to."""

    q: str = ""
    sector: Sector | None = None
    field: FieldOfStudy | None = None
    degree: DegreeLevel | None = None
    kind: EmployerKind | None = None
    status: OpeningStatus | None = None
    salary: int | None = None  # at least this much at the top of the range

    def as_args(self) -> dict:
        """The filter as query-string arguments."""
        values = {
            "q": self.q,
            "sector": self.sector.name if self.sector else "",
            "field": self.field.name if self.field else "",
            "degree": self.degree.name if self.degree else "",
            "kind": self.kind.name if self.kind else "",
            "status": self.status.name if self.status else "",
            "salary": self.salary or "",
        }
        return {key: value for key, value in values.items() if value}


def opening_query(base: Select, filters: OpeningFilter, today: date) -> Select:
    """Apply ``filters`` to a scoped ``select(JobOpening)``, newest deadline last.

    The status filter is the status shown on ``today`` (see ``status_on``).
    """
    query = base.join(Employer, Employer.id == JobOpening.employer_id)
    if filters.q:
        like = f"%{filters.q.lower()}%"
        query = query.where(
            or_(
                func.lower(JobOpening.title_en).like(like),
                JobOpening.title_zh.like(f"%{filters.q}%"),
                func.lower(Employer.name_en).like(like),
                Employer.name_zh.like(f"%{filters.q}%"),
            )
        )
    for column, value in (
        (JobOpening.sector, filters.sector),
        (JobOpening.field, filters.field),
        (Employer.kind, filters.kind),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.status is not None:
        query = query.where(JobOpening.status_is(filters.status, today))
    if filters.degree is not None:
        # "I hold this degree": openings whose minimum it meets.
        allowed = [d for d in DegreeLevel if d.rank <= filters.degree.rank]
        query = query.where(JobOpening.min_degree.in_(allowed))
    if filters.salary:
        query = query.where(JobOpening.salary_max >= filters.salary)
    return query.options(selectinload(JobOpening.employer)).order_by(
        JobOpening.deadline, JobOpening.id
    )


# --- pushes -------------------------------------------------------------------------


def push_opening(envoy: User, opening: JobOpening) -> Push:
    """The envoy's push of ``opening``: found if it exists, else created."""
    push, made = sharing.personal_link(Push, envoy.id, opening_id=opening.id)
    if made:
        audit.record("push.create", "push", push.id, actor_id=envoy.id)
    return push


@dataclass
class PushRow:
    """A push with its counts, for the envoy's pushes page."""

    push: Push
    replies: int


def pushes_of(envoy: User) -> list[PushRow]:
    """The envoy's pushes, newest first, with their reply counts (two queries)."""
    pushes = db.session.scalars(
        select(Push)
        .where(Push.envoy_id == envoy.id)
        .options(selectinload(Push.opening).selectinload(JobOpening.employer))
        .order_by(Push.created_at.desc(), Push.id.desc())
        .limit(500)
    ).all()
    counts = dict(
        db.session.execute(
            select(JobInterest.push_id, func.count(JobInterest.id))
            .where(JobInterest.push_id.in_([p.id for p in pushes]))
            .group_by(JobInterest.push_id)
        ).all()
    )
    return [PushRow(push, counts.get(push.id, 0)) for push in pushes]


def replies_of(push: Push, limit: int = 100) -> list[JobInterest]:
    """The interests that came through ``push``, newest first."""
    return list(
        db.session.scalars(
            select(JobInterest)
            .where(JobInterest.push_id == push.id)
            .options(selectinload(JobInterest.student))
            .order_by(JobInterest.created_at.desc())
            .limit(limit)
        )
    )


# --- sending a push to one student -------------------------------------------------

PUSH_CHOICES_MAX = 1000


def students_to_push_to(envoy: User) -> list[Student]:
    """The envoy's own students not closed, by name: whom a push may go to."""
    return list(
        db.session.scalars(
            select(Student)
            .where(Student.owner_id == envoy.id, Student.stage != Stage.CLOSED)
            .order_by(func.coalesce(Student.name_latin, Student.name_hanzi), Student.id)
            .limit(PUSH_CHOICES_MAX)
        )
    )


def push_to_student(
    push: Push, student: Student, envoy: User, note: str, locale: str
) -> Interaction:
    """Record on ``student``'s timeline that ``envoy`` sent them the opening.

    The entry names the opening and its employer in ``locale`` (the envoy's
    language), then the envoy's note. The caller commits.
    """
    opening = push.opening
    sent = f"{opening.title_for(locale)} — {opening.employer.name_for(locale)}"
    interaction = add_interaction(
        student,
        envoy,
        InteractionKind.PUSH,
        local_date(utcnow(), envoy.timezone),  # today, where the envoy is
        f"{sent}\n{note}" if note else sent,
    )
    audit.record(
        "push.to_student", "push", push.id, student_id=student.id, actor_id=envoy.id
    )
    return interaction


# --- employers ----------------------------------------------------------------------


class NameTaken(ValueError):
    """Another employer already has this name; ``field`` says which one."""

    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


def _check_names(data: dict, exclude_id: int | None) -> None:
    for name in ("name_en", "name_zh"):
        column = getattr(Employer, name)
        query = select(Employer.id).where(column == data[name])
        if exclude_id is not None:
            query = query.where(Employer.id != exclude_id)
        if db.session.scalar(query) is not None:
            raise NameTaken(name)


def save_employer(
    employer: Employer | None, data: dict, expected_version: int | None = None
) -> Employer:
    """Create (``employer`` None) or update an employer organisation.

    An update is refused with ``StaleEdit`` unless ``expected_version`` is the
    organisation's current version.
    """
    if employer is not None:
        check_version(employer, expected_version)
    _check_names(data, employer.id if employer else None)
    creating = employer is None
    if employer is None:
        employer = Employer()
        db.session.add(employer)
    for name in EMPLOYER_FIELDS:
        setattr(employer, name, data[name])
    db.session.flush()
    audit.record(
        "employer.create" if creating else "employer.update", "employer", employer.id
    )
    return employer


def employer_choices(locale: str) -> list:
    """Every employer as a form choice, by name in ``locale``."""
    from wtforms import SelectChoice

    column = Employer.name_zh if str(locale).startswith("zh") else Employer.name_en
    rows = db.session.execute(select(Employer.id, column).order_by(column)).all()
    return [SelectChoice(row[0], row[1]) for row in rows]
