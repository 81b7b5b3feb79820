"""Figures read from the kept counts: a few hundred rows whatever the data's size.

The counts are kept by envoy, university and stage, so they answer a
pipeline filter that narrows by country, university, envoy or stage alone
(``covers``); any other filter is counted from the students themselves.
"""

from datetime import UTC, date, datetime, time, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Integer, Select, func, select

from envoycrm.extensions import db
from envoycrm.models import (
    InteractionAuthor,
    InteractionWeekTotal,
    OpeningReplyCount,
    Stage,
    Student,
    StudentCount,
    StudentStageDay,
    StudentWeek,
    University,
)

if TYPE_CHECKING:
    from envoycrm.pipeline.filters import PipelineFilter

# Students in these stages count as "advanced" among an envoy's students.
ADVANCED = (Stage.OFFER, Stage.RETURNED)


def covers(filters: "PipelineFilter") -> bool:
    """True when the kept counts answer ``filters`` exactly.

    (``filters.count_by_stage`` answers ``stage_age`` from them too, with a
    count of the recent moves.)
    """
    return not (
        filters.stage_age
        or filters.field
        or filters.degree
        or filters.graduation_year
        or filters.intention
        or filters.tag
    )


def _narrow(query: Select, filters: "PipelineFilter") -> Select:
    """Narrow a query over ``StudentCount`` as ``apply_filter`` narrows students.

    A student from a university not on the list is kept under university 0,
    which no country or university filter matches — as in ``apply_filter``.
    """
    if filters.country:
        query = query.where(
            StudentCount.university_id.in_(
                select(University.id).where(University.country_code == filters.country)
            )
        )
    for column, value in (
        (StudentCount.university_id, filters.university),
        (StudentCount.owner_id, filters.envoy),
        (StudentCount.stage, filters.stage),
    ):
        if value is not None:
            query = query.where(column == value)
    return query


def count_by_stage(filters: "PipelineFilter") -> dict[Stage, int]:
    """Students per stage for a covered filter, every stage present."""
    counts = dict.fromkeys(Stage, 0)
    query = _narrow(
        select(StudentCount.stage, func.sum(StudentCount.n)), filters
    ).group_by(StudentCount.stage)
    for stage, n in db.session.execute(query):
        counts[stage] = int(n or 0)
    return counts


def students_by_country(filters: "PipelineFilter") -> dict[str, int]:
    """Students per country of their university, for a covered filter."""
    query = _narrow(
        select(University.country_code, func.sum(StudentCount.n)).join(
            University, University.id == StudentCount.university_id
        ),
        filters,
    ).group_by(University.country_code)
    return {code: int(n) for code, n in db.session.execute(query) if n}


def top_universities(filters: "PipelineFilter", limit: int) -> list[tuple[int, int]]:
    """The universities with most students, most first (ties by id)."""
    total = func.sum(StudentCount.n)
    query = (
        _narrow(select(StudentCount.university_id, total), filters)
        .where(StudentCount.university_id != 0)
        .group_by(StudentCount.university_id)
        .having(total > 0)
        .order_by(total.desc(), StudentCount.university_id)
        .limit(limit)
    )
    return [(uid, int(n)) for uid, n in db.session.execute(query)]


def top_owners(filters: "PipelineFilter", limit: int) -> list[tuple[int, int, int]]:
    """The envoys with most students: (envoy id, students, advanced students)."""
    total = func.sum(StudentCount.n)
    advanced = func.sum(StudentCount.stage.in_(ADVANCED).cast(Integer) * StudentCount.n)
    query = (
        _narrow(select(StudentCount.owner_id, total, advanced), filters)
        .group_by(StudentCount.owner_id)
        .having(total > 0)
        .order_by(total.desc(), StudentCount.owner_id)
        .limit(limit)
    )
    return [(o, int(n), int(a or 0)) for o, n, a in db.session.execute(query)]


def students_per_owner(owner_ids: "Select[int]") -> dict[int, int]:
    """Every student of each envoy ``owner_ids`` selects."""
    query = (
        select(StudentCount.owner_id, func.sum(StudentCount.n))
        .where(StudentCount.owner_id.in_(owner_ids))
        .group_by(StudentCount.owner_id)
    )
    return {o: int(n) for o, n in db.session.execute(query) if n}


def interactions_per_author(author_ids: "Select[int]") -> dict[int, int]:
    """Every touchpoint each author ``author_ids`` selects recorded."""
    query = select(InteractionAuthor.author_id, InteractionAuthor.n).where(
        InteractionAuthor.author_id.in_(author_ids)
    )
    return {a: int(n) for a, n in db.session.execute(query) if n}


def covers_moves(filters: "PipelineFilter") -> bool:
    """True when ``moved_since`` answers ``filters``: the days are kept by
    stage alone, so no narrowing by place or envoy."""
    return not (filters.country or filters.university or filters.envoy)


def moved_since(cutoff: datetime, stage: Stage | None = None) -> dict[Stage, int]:
    """Students per stage who entered it after ``cutoff``.

    The whole days after the cutoff's (UTC) day come from the kept days; the
    rest of that day is counted from the students, an hour or so of moves.
    """
    day = cutoff.astimezone(UTC).date()
    next_midnight = datetime.combine(day + timedelta(days=1), time(), tzinfo=UTC)
    kept = select(StudentStageDay.stage, func.sum(StudentStageDay.n)).where(
        StudentStageDay.day > day
    )
    rest = select(Student.stage, func.count()).where(
        Student.stage_changed_at > cutoff, Student.stage_changed_at < next_midnight
    )
    if stage is not None:
        kept = kept.where(StudentStageDay.stage == stage)
        rest = rest.where(Student.stage == stage)
    counts = dict.fromkeys(Stage, 0)
    for query in (kept.group_by(StudentStageDay.stage), rest.group_by(Student.stage)):
        for moved_stage, n in db.session.execute(query):
            counts[moved_stage] += int(n or 0)
    return counts


def _weeks(column, counts, first: date, weeks: int) -> dict[int, int]:
    """Kept counts of whole weeks from Monday ``first``: {week index: count}."""
    last = first + timedelta(weeks=weeks)
    query = (
        select(column, func.sum(counts))
        .where(column >= first, column < last)
        .group_by(column)
    )
    return {
        (week - first).days // 7: int(n) for week, n in db.session.execute(query) if n
    }


def interactions_by_week(first: date, weeks: int) -> dict[int, int]:
    """Touchpoints per week, every author, for ``weeks`` weeks from ``first``."""
    return _weeks(InteractionWeekTotal.week, InteractionWeekTotal.n, first, weeks)


def students_created_by_week(first: date, weeks: int) -> dict[int, int]:
    """Students created per week for ``weeks`` weeks from Monday ``first``."""
    return _weeks(StudentWeek.week, StudentWeek.n, first, weeks)


def top_openings_by_replies(limit: int) -> list[tuple[int, int]]:
    """The openings with most replies: (opening id, replies), most first."""
    query = (
        select(OpeningReplyCount.opening_id, OpeningReplyCount.n)
        .where(OpeningReplyCount.n > 0)
        .order_by(OpeningReplyCount.n.desc(), OpeningReplyCount.opening_id)
        .limit(limit)
    )
    return [(o, n) for o, n in db.session.execute(query)]
