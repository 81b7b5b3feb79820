"""Reading the envoy workspace: student lists, numbers, follow-ups, timelines.

Queries only; writes live in ``services.py``. ``SORTS`` is the one table of
the orders a student list offers, with the label each is shown under; the
workspace list and the pipeline each offer a subset of it.
"""

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, case, func, or_, select
from sqlalchemy.orm import selectinload

from envoycrm.extensions import db
from envoycrm.models import (
    OPEN_STAGES,
    FieldOfStudy,
    Intention,
    IntentionLevel,
    Interaction,
    Stage,
    StageChange,
    Student,
    StudentTag,
    User,
    local_date,
    utcnow,
)
from envoycrm.models.users import DegreeLevel
from envoycrm.params import enum_arg, flag_arg, int_arg, sort_arg, text_arg
from envoycrm.rollups import queries as rollups
from envoycrm.students.search import search_condition

# No contact for this long puts an open student on the follow-up list.
FOLLOW_UP_AFTER = timedelta(days=30)


@dataclass(frozen=True)
class Sort:
    """One order of a student list: its label and its ORDER BY (id breaks ties)."""

    label: Any
    order: tuple[Any, ...]


SORTS: dict[str, Sort] = {
    "stage_age": Sort(_l("Longest in stage"), (Student.stage_changed_at, Student.id)),
    "activity": Sort(
        _l("Latest activity"),
        (
            Student.last_activity_on.desc(),
            Student.last_activity_at.desc(),
            Student.id.desc(),
        ),
    ),
    "name": Sort(_l("Name"), (Student.name_key, Student.id)),
    "created": Sort(_l("Newest"), (Student.created_at.desc(), Student.id.desc())),
    "graduation": Sort(_l("Graduation"), (Student.expected_graduation, Student.id)),
}


def sort_choices(offered: tuple[str, ...]) -> list[tuple[str, Any]]:
    """``(key, label)`` of the sorts a list offers, for its "Sort by" menu."""
    return [(key, SORTS[key].label) for key in offered]


def order_by_sort(query: Select, sort: str) -> Select:
    """Order a student query by one of ``SORTS``."""
    return query.order_by(*SORTS[sort].order)


@dataclass
class StudentFilter:
    """What a student list is narrowed to and how it is sorted."""

    q: str = ""
    stage: Stage | None = None
    intention: IntentionLevel | None = None
    field: FieldOfStudy | None = None
    degree: DegreeLevel | None = None
    graduation_year: int | None = None
    tag: str | None = None
    flagged: bool = False
    sort: str = "activity"

    SORTS = ("activity", "name", "created", "graduation")

    @classmethod
    def from_args(cls, args: Mapping[str, str]) -> "StudentFilter":
        """Parse query-string arguments; anything malformed is not applied."""
        return cls(
            q=text_arg("q", args=args),
            stage=enum_arg(Stage, "stage", args=args),
            intention=enum_arg(IntentionLevel, "intention", args=args),
            field=enum_arg(FieldOfStudy, "field", args=args),
            degree=enum_arg(DegreeLevel, "degree", args=args),
            graduation_year=int_arg("graduation_year", 1991, 2099, args=args),
            tag=text_arg("tag", 40, args=args) or None,
            flagged=flag_arg("flagged", args=args),
            sort=sort_arg(cls.SORTS, args=args),
        )

    def as_args(self) -> dict:
        """The filter as query-string arguments (for links and pagination)."""
        values = {
            "q": self.q,
            "stage": self.stage.name if self.stage else "",
            "intention": self.intention.name if self.intention else "",
            "field": self.field.name if self.field else "",
            "degree": self.degree.name if self.degree else "",
            "graduation_year": self.graduation_year or "",
            "tag": self.tag or "",
            "flagged": "1" if self.flagged else "",
            "sort": self.sort if self.sort != "activity" else "",
        }
        return {key: value for key, value in values.items() if value}


def graduating_in(year: int):
    """Students expected to graduate in ``year`` (a range the index answers)."""
    return Student.expected_graduation.between(date(year, 1, 1), date(year, 12, 31))


def tagged(tag: str):
    """Students carrying ``tag``."""
    return Student.id.in_(select(StudentTag.student_id).where(StudentTag.tag == tag))


def student_query(base: Select, filters: StudentFilter) -> Select:
    """Apply ``filters`` and the sort to a scoped ``select(Student)``."""
    query = base
    matches = search_condition(filters.q) if filters.q else None
    if matches is not None:
        query = query.where(matches)
    for column, value in (
        (Student.stage, filters.stage),
        (Student.intention_level, filters.intention),
        (Student.field, filters.field),
        (Student.degree, filters.degree),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.graduation_year:
        query = query.where(graduating_in(filters.graduation_year))
    if filters.tag:
        query = query.where(tagged(filters.tag))
    if filters.flagged:
        query = query.where(Student.possible_duplicate_of_id.is_not(None))
    query = query.options(selectinload(Student.university), selectinload(Student.owner))
    return order_by_sort(query, filters.sort)


def week_and_month_start(now: datetime, timezone: str) -> tuple[datetime, datetime]:
    """Monday 00:00 and the 1st 00:00 of the current week/month in ``timezone``."""
    local = now.astimezone(ZoneInfo(timezone))
    midnight = local.replace(hour=0, minute=0, second=0, microsecond=0)
    week = midnight - timedelta(days=midnight.weekday())
    month = midnight.replace(day=1)
    return week.astimezone(UTC), month.astimezone(UTC)


@dataclass
class EnvoyNumbers:
    """An envoy's own figures for this week and this month."""

    students_week: int = 0
    students_month: int = 0
    interactions_week: int = 0
    interactions_month: int = 0
    owned: int = 0
    waiting: int = 0
    extra: dict = field(default_factory=dict)


def envoy_numbers(envoy: User, now: datetime | None = None) -> EnvoyNumbers:
    """Students logged and touchpoints this week and month, in the envoy's zone."""
    now = now or utcnow()
    week, month = week_and_month_start(now, envoy.timezone)

    def since_week_and_month(column, week, month, *where) -> tuple[int, int]:
        in_week = func.count(case((column >= week, 1)))
        in_month = func.count(case((column >= month, 1)))
        row = db.session.execute(
            select(in_week, in_month).where(column >= min(week, month), *where)
        ).one()
        return row[0], row[1]

    numbers = EnvoyNumbers()
    numbers.students_week, numbers.students_month = since_week_and_month(
        Student.created_at, week, month, Student.created_by_id == envoy.id
    )
    # Touchpoints carry their own day: count them by the envoy's calendar.
    zone = ZoneInfo(envoy.timezone)
    numbers.interactions_week, numbers.interactions_month = since_week_and_month(
        Interaction.occurred_on,
        week.astimezone(zone).date(),
        month.astimezone(zone).date(),
        Interaction.author_id == envoy.id,
        Interaction.occurred_on <= now.astimezone(zone).date(),
    )
    # The kept counts: a few dozen rows, not every student of the envoy.
    owned = rollups.students_per_owner(select(User.id).where(User.id == envoy.id))
    numbers.owned = owned.get(envoy.id, 0)
    return numbers


def waiting_for_follow_up(envoy: User, today: date, limit: int = 10) -> Select:
    """Open students due a follow-up: a date reached, or no contact in 30 days."""
    # The day of the last contact counts, not when it was written down.
    stale = today - FOLLOW_UP_AFTER
    return (
        select(Student)
        .where(
            Student.owner_id == envoy.id,
            Student.stage.in_(OPEN_STAGES),
            or_(
                Student.follow_up_on <= today,
                (Student.follow_up_on.is_(None)) & (Student.last_activity_on < stale),
            ),
        )
        .options(selectinload(Student.university))
        .order_by(
            Student.follow_up_on.is_(None),
            Student.follow_up_on,
            Student.last_activity_on,
            Student.last_activity_at,
        )
        .limit(limit)
    )


@dataclass
class TimelineEntry:
    """One line of a student's history.

    ``day`` is the calendar day the entry belongs to. ``at`` is its instant,
    or None for a date-only entry (a meeting "on 3 Dec" has no time of day and
    shows none). ``recorded`` is when it was written down, which orders the
    entries of one day.
    """

    day: date
    at: datetime | None
    recorded: datetime
    kind: str  # interaction | intention | stage | consent | consent_withdrawn
    item: object


def timeline(student: Student, zone: str, limit: int = 200) -> list[TimelineEntry]:
    """Interactions, intentions, stage moves and consent events, newest first.

    Instants are placed on the day they fell on in ``zone`` (the reader's), so
    they sit beside date-only interactions: newest day first, then newest
    recorded first. Four bounded queries, whatever the length of the history.
    """
    entries = [
        TimelineEntry(row.occurred_on, None, row.created_at, "interaction", row)
        for row in db.session.scalars(
            select(Interaction)
            .where(Interaction.student_id == student.id)
            .options(selectinload(Interaction.author))
            .order_by(Interaction.occurred_on.desc(), Interaction.created_at.desc())
            .limit(limit)
        )
    ]

    def instant(at: datetime, kind: str, item: object) -> TimelineEntry:
        return TimelineEntry(local_date(at, zone), at, at, kind, item)

    for model, when, who, kind in (
        (Intention, Intention.recorded_at, Intention.recorded_by, "intention"),
        (StageChange, StageChange.changed_at, StageChange.changed_by, "stage"),
    ):
        rows = db.session.scalars(
            select(model)
            .where(model.student_id == student.id)
            .options(selectinload(who))
            .order_by(when.desc())
            .limit(limit)
        )
        entries += [instant(getattr(row, when.key), kind, row) for row in rows]
    for consent in student.consents:
        entries.append(instant(consent.recorded_at, "consent", consent))
        if consent.withdrawn_at:
            entries.append(instant(consent.withdrawn_at, "consent_withdrawn", consent))
    entries.sort(key=lambda e: (e.day, e.recorded), reverse=True)
    return entries[:limit]


def current_intention(student: Student) -> Intention | None:
    """The latest intention record."""
    return db.session.scalar(
        select(Intention)
        .where(Intention.student_id == student.id)
        .order_by(Intention.recorded_at.desc(), Intention.id.desc())
        .limit(1)
    )
