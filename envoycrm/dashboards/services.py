"""The dashboard figures, aggregated in SQL (GROUP BY), a fixed number of queries.

Student figures follow the pipeline filter. Envoy figures follow the parts
of it that describe envoys (country, university, the envoy).
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta

from sqlalchemy import Date, Integer, cast, func, literal, select, union_all
from sqlalchemy.orm import joinedload, load_only

from envoycrm.extensions import db
from envoycrm.models import (
    OPEN_STAGES,
    Employer,
    EnvoyProfile,
    EnvoyStatus,
    Interaction,
    JobInterest,
    JobOpening,
    Role,
    Stage,
    Student,
    University,
    User,
    utcnow,
)
from envoycrm.pipeline.filters import (
    PipelineFilter,
    apply_filter,
    count_by_stage,
    filtered_ids,
)
from envoycrm.rollups import queries as rollups

WEEKS = 26
TOP = 10
PIPELINE = (*OPEN_STAGES, Stage.RETURNED)


@dataclass
class FunnelStep:
    """A stage: students there now, students at it or beyond, conversion."""

    stage: Stage
    now: int
    reached: int
    conversion: float | None  # share of the previous step's reached


@dataclass
class Dashboard:
    """Everything the dashboard page shows."""

    total: int = 0
    closed: int = 0
    funnel: list[FunnelStep] = field(default_factory=list)
    countries: list[tuple[str, int, int]] = field(default_factory=list)
    universities: list[tuple[University, int, int]] = field(default_factory=list)
    weeks: list[tuple[datetime, int, int]] = field(default_factory=list)
    top_envoys: list[tuple[User, int, int]] = field(default_factory=list)
    openings: list[tuple[JobOpening, int]] = field(default_factory=list)
    envoys_total: int = 0
    envoys_returned: int = 0

    @property
    def returned_share(self) -> float | None:
        """The share of envoys who came to work in the city."""
        if not self.envoys_total:
            return None
        return self.envoys_returned / self.envoys_total


def funnel(counts: dict[Stage, int]) -> list[FunnelStep]:
    """Students who reached each stage (there now or further along).

    A closed student's furthest stage is not kept on the record, so closed
    students count in no step; they are shown apart.
    """
    steps = []
    previous: int | None = None
    for index, stage in enumerate(PIPELINE):
        reached = sum(counts.get(s, 0) for s in PIPELINE[index:])
        conversion = (reached / previous) if previous else None
        steps.append(FunnelStep(stage, counts.get(stage, 0), reached, conversion))
        previous = reached
    return steps


def _envoy_conditions(filters: PipelineFilter) -> list:
    conditions = [User.role == Role.ENVOY]
    if filters.country:
        conditions.append(University.country_code == filters.country)
    if filters.university:
        conditions.append(University.id == filters.university)
    if filters.envoy:
        conditions.append(User.id == filters.envoy)
    return conditions


def week_start(now: datetime) -> datetime:
    """Monday 00:00 UTC of the week ``now`` falls in."""
    day = now.astimezone(UTC).date()
    return datetime.combine(day - timedelta(days=day.weekday()), time(0), UTC)


def _is_day(column) -> bool:
    """True for a date-only column (a touchpoint's day), False for an instant."""
    return isinstance(column.type, Date)


def _week_index(column, start: datetime):
    """Whole weeks between ``start`` and ``column``, computed in SQL.

    A date-only column counts from the UTC Monday ``start`` as a day.
    """
    if db.engine.dialect.name == "sqlite":
        start_text = start.strftime("%Y-%m-%d %H:%M:%S")
        return cast(
            (func.julianday(column) - func.julianday(literal(start_text))) / 7,
            Integer,
        )
    if _is_day(column):
        return cast(func.floor((column - literal(start.date())) / 7.0), Integer)
    return cast(
        func.floor(func.extract("epoch", column - literal(start)) / (7 * 86400)),
        Integer,
    )


def _range(column, start: datetime, now: datetime) -> tuple:
    """Bounds from ``start`` to ``now`` included, as days for a date-only column."""
    if _is_day(column):
        return start.date(), now.date() + timedelta(days=1)
    return start, now + timedelta(microseconds=1)


def _running_week_counts(columns: tuple, first: datetime, now: datetime) -> list[int]:
    """Rows of each column's table in the week running at ``now`` (the last
    of the ``WEEKS`` from ``first``), up to ``now``: a row dated later this
    week does not count yet. One index range count each, in one UNION ALL.

    The finished weeks come from the kept counts.
    """
    parts = []
    for index, column in enumerate(columns):
        start, stop = _range(column, first + timedelta(weeks=WEEKS - 1), now)
        end = min(start + timedelta(weeks=1), stop)
        parts.append(
            select(literal(index).label("part"), func.count().label("n"))
            .select_from(column.table)
            .where(column >= start, column < end)
        )
    counts = dict(db.session.execute(union_all(*parts)).all())
    return [counts.get(index, 0) for index in range(len(columns))]


def build(filters: PipelineFilter, now: datetime | None = None) -> Dashboard:
    """Compute every figure of the dashboard for ``filters``."""
    now = now or utcnow()
    result = Dashboard()
    student_ids = filtered_ids(filters)

    counts = {stage: n for stage, n in count_by_stage(filters).items() if n}
    result.total = sum(counts.values())
    result.closed = counts.get(Stage.CLOSED, 0)
    result.funnel = funnel(counts)

    # Coverage: students per country and university, envoys beside them.
    kept = rollups.covers(filters)
    if kept:
        students_by_country = rollups.students_by_country(filters)
    else:
        students_by_country = dict(
            db.session.execute(
                apply_filter(
                    select(University.country_code, func.count(Student.id)).join(
                        University, University.id == Student.university_id
                    ),
                    filters,
                ).group_by(University.country_code)
            ).all()
        )
    envoy_base = (
        select(User.id)
        .join(EnvoyProfile, EnvoyProfile.user_id == User.id)
        .join(University, University.id == EnvoyProfile.university_id)
        .where(*_envoy_conditions(filters))
    )
    # The envoys in one statement: per university, with its country and how
    # many came back; the countries, the top universities and the headline
    # are added up from it.
    envoys_by_university: dict[int, int] = {}
    envoys_by_country: dict[str, int] = {}
    for university_id, country, n, came_back in db.session.execute(
        envoy_base.with_only_columns(
            EnvoyProfile.university_id,
            University.country_code,
            func.count(User.id),
            func.sum((EnvoyProfile.status == EnvoyStatus.RETURNED).cast(Integer)),
        ).group_by(EnvoyProfile.university_id, University.country_code)
    ):
        envoys_by_university[university_id] = n
        envoys_by_country[country] = envoys_by_country.get(country, 0) + n
        result.envoys_total += n
        result.envoys_returned += int(came_back or 0)
    result.countries = sorted(
        (
            (code, students_by_country.get(code, 0), envoys_by_country.get(code, 0))
            for code in set(students_by_country) | set(envoys_by_country)
        ),
        key=lambda row: (-row[1], -row[2], row[0]),
    )
    if kept:
        top_universities = rollups.top_universities(filters, TOP)
    else:
        top_universities = [
            (uid, n)
            for uid, n in db.session.execute(
                apply_filter(
                    select(Student.university_id, func.count(Student.id)), filters
                )
                .where(Student.university_id.is_not(None))  # typed, not mapped yet
                .group_by(Student.university_id)
                .order_by(func.count(Student.id).desc(), Student.university_id)
                .limit(TOP)
            )
        ]
    university_ids = [uid for uid, _n in top_universities]
    universities = {
        u.id: u
        for u in db.session.scalars(
            select(University).where(University.id.in_(university_ids or [-1]))
        )
    }
    result.universities = [
        (universities[uid], n, envoys_by_university.get(uid, 0))
        for uid, n in top_universities
    ]

    # Weekly activity over the last 26 weeks (this week included).
    first = week_start(now) - timedelta(weeks=WEEKS - 1)
    if filters.is_empty:
        # The whole network: the kept weekly counts.
        interactions = rollups.interactions_by_week(first.date(), WEEKS - 1)
        created = rollups.students_created_by_week(first.date(), WEEKS - 1)
        interactions[WEEKS - 1], created[WEEKS - 1] = _running_week_counts(
            (Interaction.occurred_on, Student.created_at), first, now
        )
    else:
        interactions_week = _week_index(Interaction.occurred_on, first)
        since, until = _range(Interaction.occurred_on, first, now)
        interactions = dict(
            db.session.execute(
                select(interactions_week, func.count(Interaction.id))
                .where(
                    Interaction.occurred_on >= since,
                    Interaction.occurred_on < until,
                    Interaction.student_id.in_(student_ids),
                )
                .group_by(interactions_week)
            ).all()
        )
        created_week = _week_index(Student.created_at, first)
        created = dict(
            db.session.execute(
                apply_filter(
                    select(created_week, func.count(Student.id)).where(
                        Student.created_at >= first, Student.created_at <= now
                    ),
                    filters,
                ).group_by(created_week)
            ).all()
        )
    result.weeks = [
        (first + timedelta(weeks=i), interactions.get(i, 0), created.get(i, 0))
        for i in range(WEEKS)
    ]

    # Top envoys: most students in the filter, and how many are advanced.
    if kept:
        top = rollups.top_owners(filters, TOP)
    else:
        advanced = func.sum(Student.stage.in_(rollups.ADVANCED).cast(Integer))
        top = [
            (owner, n, int(a or 0))
            for owner, n, a in db.session.execute(
                apply_filter(
                    select(Student.owner_id, func.count(Student.id), advanced),
                    filters,
                )
                .group_by(Student.owner_id)
                .order_by(func.count(Student.id).desc(), Student.owner_id)
                .limit(TOP)
            )
        ]
    owners = {
        u.id: u
        for u in db.session.scalars(
            select(User).where(User.id.in_([row[0] for row in top] or [-1]))
        )
    }
    result.top_envoys = [(owners[o], n, a) for o, n, a in top]

    # Openings with the most replies from students in the filter.
    if filters.is_empty:
        replies = rollups.top_openings_by_replies(TOP)
    else:
        replies = [
            (opening, n)
            for opening, n in db.session.execute(
                select(JobInterest.opening_id, func.count(JobInterest.id))
                .where(JobInterest.student_id.in_(student_ids))
                .group_by(JobInterest.opening_id)
                .order_by(func.count(JobInterest.id).desc(), JobInterest.opening_id)
                .limit(TOP)
            )
        ]
    # Only the titles and the employers' names are shown: the descriptions
    # are left unread.
    openings = {
        o.id: o
        for o in db.session.scalars(
            select(JobOpening)
            .options(
                load_only(JobOpening.title_en, JobOpening.title_zh),
                joinedload(JobOpening.employer, innerjoin=True).load_only(
                    Employer.name_en, Employer.name_zh
                ),
            )
            .where(JobOpening.id.in_([row[0] for row in replies] or [-1]))
        )
    }
    result.openings = [(openings[o], n) for o, n in replies if o in openings]
    return result
