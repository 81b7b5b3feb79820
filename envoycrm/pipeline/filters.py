"""The pipeline filter: read from a query string, applied to a student query.

The filter lives in the URL so that a view can be shared, bookmarked, saved
and replayed by the back button. Parsing takes any mapping of arguments (the
request's, or a saved view's query string) and ignores whatever is malformed.
"""

from dataclasses import dataclass, fields, replace
from datetime import date, datetime, timedelta
from typing import Any
from urllib.parse import parse_qsl, urlencode

from sqlalchemy import Row, Select, func, select
from sqlalchemy.orm import InstrumentedAttribute
from werkzeug.datastructures import MultiDict

from envoycrm.extensions import db
from envoycrm.i18n import locale_tag
from envoycrm.models import (
    DegreeLevel,
    FieldOfStudy,
    IntentionLevel,
    Stage,
    Student,
    University,
    utcnow,
)
from envoycrm.network.services import university_choices, university_rows
from envoycrm.params import (
    country_arg,
    enum_arg,
    id_arg,
    int_arg,
    sort_arg,
    text_arg,
)
from envoycrm.rollups import queries as rollups
from envoycrm.students.forms import envoy_choices
from envoycrm.students.queries import graduating_in, sort_choices, tagged

# The orders the board and the list offer (the first is the default).
SORTS = ("stage_age", "name", "activity", "created", "graduation")
MAX_STAGE_AGE = 3650


@dataclass
class PipelineFilter:
    """Which students a board, list, dashboard, export or bulk action covers."""

    country: str | None = None
    university: int | None = None
    envoy: int | None = None
    field: FieldOfStudy | None = None
    degree: DegreeLevel | None = None
    graduation_year: int | None = None
    intention: IntentionLevel | None = None
    tag: str | None = None
    stage: Stage | None = None
    stage_age: int | None = None  # at least this many days in the current stage
    sort: str = "stage_age"

    @classmethod
    def from_args(cls, args) -> "PipelineFilter":
        """Parse query-string arguments; anything malformed is simply not applied."""
        if isinstance(args, str):
            args = MultiDict(parse_qsl(args.lstrip("?")[:2000]))
        return cls(
            country=country_arg(args=args),
            university=id_arg("university", args=args),
            envoy=id_arg("envoy", args=args),
            field=enum_arg(FieldOfStudy, "field", args=args),
            degree=enum_arg(DegreeLevel, "degree", args=args),
            graduation_year=int_arg("graduation_year", 1991, 2099, args=args),
            intention=enum_arg(IntentionLevel, "intention", args=args),
            tag=text_arg("tag", 40, args=args) or None,
            stage=enum_arg(Stage, "stage", args=args),
            stage_age=int_arg("stage_age", 1, MAX_STAGE_AGE, args=args),
            sort=sort_arg(SORTS, args=args),
        )

    def as_args(self, sort: bool = True) -> dict[str, Any]:
        """The filter as query-string arguments, empty ones left out."""
        values = {}
        for item in fields(self):
            value = getattr(self, item.name)
            if item.name == "sort" and (not sort or value == "stage_age"):
                continue
            if value is None or value == "":
                continue
            values[item.name] = value.name if hasattr(value, "name") else str(value)
        return values

    @property
    def query_string(self) -> str:
        """The filter as a query string (without ``?``), stable for saving."""
        return urlencode(self.as_args())

    @property
    def is_empty(self) -> bool:
        """True when nothing narrows the students."""
        return not self.as_args(sort=False)

    def without_stage(self) -> "PipelineFilter":
        """The same filter for every stage (the board shows all columns)."""
        return PipelineFilter(**{**self.__dict__, "stage": None})


def apply_filter(
    query: Select,
    filters: PipelineFilter,
    today: date | None = None,
    now: datetime | None = None,
):
    """Narrow a query over ``Student`` to the filter (no ordering); ``now``
    is when time in stage is measured to (the present by default)."""
    if filters.country:
        query = query.where(
            Student.university_id.in_(
                select(University.id).where(University.country_code == filters.country)
            )
        )
    for column, value in (
        (Student.university_id, filters.university),
        (Student.owner_id, filters.envoy),
        (Student.field, filters.field),
        (Student.degree, filters.degree),
        (Student.intention_level, filters.intention),
        (Student.stage, filters.stage),
    ):
        if value is not None:
            query = query.where(column == value)
    if filters.graduation_year:
        query = query.where(graduating_in(filters.graduation_year))
    if filters.tag:
        query = query.where(tagged(filters.tag))
    if filters.stage_age:
        query = query.where(
            Student.stage_changed_at <= stage_age_cutoff(filters.stage_age, now)
        )
    return query


def stage_age_cutoff(days: int, now: datetime | None = None) -> datetime:
    """A student in their stage since this instant or before has been there
    ``days`` days at ``now`` (the ``stage_age`` filter)."""
    return (now or utcnow()) - timedelta(days=days)


def filtered_ids(filters: PipelineFilter) -> Select:
    """``SELECT students.id`` for the filter: the exact set a bulk action covers."""
    return apply_filter(select(Student.id), filters)


def count_filtered(filters: PipelineFilter) -> Select:
    """``SELECT count(*)`` of the students the filter covers."""
    return apply_filter(select(func.count(Student.id)), filters)


def by_kept_counts(filters: PipelineFilter) -> bool:
    """True when ``count_by_stage`` reads the kept counts for ``filters``."""
    return rollups.covers(replace(filters, stage_age=None))


def count_by_stage(
    filters: PipelineFilter, now: datetime | None = None
) -> dict[Stage, int]:
    """Students per stage for the filter (time in stage measured to ``now``),
    every stage present.

    A filter by place, envoy, stage and time in stage is read from the kept
    counts: they hold every student, so those who moved within the last
    ``stage_age`` days are taken away (from the kept days of each stage
    without a place or envoy; otherwise an index range of recent moves). Any
    other filter is counted from the students in one GROUP BY; with a place
    filter the rows are grouped by university and stage too, which the
    (university, stage) index answers alone, and the sums per stage are added
    up here.
    ``count(*)``, not ``count(id)``: an index without the id then suffices.
    """
    if by_kept_counts(filters):
        counts = rollups.count_by_stage(filters)
        if filters.stage_age:
            cutoff = stage_age_cutoff(filters.stage_age, now)
            if rollups.covers_moves(filters):
                moved = rollups.moved_since(cutoff, filters.stage)
            else:
                moved = dict(
                    db.session.execute(
                        apply_filter(
                            select(Student.stage, func.count()),
                            replace(filters, stage_age=None),
                        )
                        .where(Student.stage_changed_at > cutoff)
                        .group_by(Student.stage)
                    ).all()
                )
            for stage, count in moved.items():
                counts[stage] -= count
        return counts
    group: list[InstrumentedAttribute[Any]] = [Student.stage]
    if filters.country or filters.university:
        group = [Student.university_id, Student.stage]
    query = apply_filter(
        select(Student.stage, func.count()), filters, now=now
    ).group_by(*group)
    counts = dict.fromkeys(Stage, 0)
    for stage, count in db.session.execute(query):
        counts[stage] += count
    return counts


def filter_countries(universities: list[Row] | None = None) -> list[str]:
    """The countries of the universities (``university_rows``), for a country
    filter."""
    rows = university_rows() if universities is None else universities
    return sorted({u.country_code for u in rows})


def filter_choices() -> dict:
    """What the filter form offers (a few small queries)."""
    universities = university_rows()
    return {
        "countries": filter_countries(universities),
        "universities": university_choices(locale_tag(), universities),
        "envoys": envoy_choices(),
        "fields": list(FieldOfStudy),
        "degrees": list(DegreeLevel),
        "intentions": list(IntentionLevel),
        "stages": list(Stage),
        "sorts": sort_choices(SORTS),
    }
