"""How well a student fits an opening, with the reasons in words.

The score adds up what the bureau looks at, in this order of weight:

* field of study equals the opening's field (30)
* one of the student's target sectors is the opening's sector (25)
* degree at or above the opening's minimum (20; below it the student does
  not match at all)
* available before the deadline: earliest start, else expected graduation,
  no later than the deadline (15)
* salary expectation within the range, or below it (10)

Lists of candidates are narrowed in SQL first (degree, field or sector,
consent, open stage) so that only a bounded page is scored in Python.
"""

from bisect import bisect_right
from collections.abc import Set
from dataclasses import dataclass, field
from datetime import date
from itertools import groupby
from operator import itemgetter

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, Select, and_, func, or_, select

from envoycrm.extensions import db
from envoycrm.i18n import format_cny, format_list_of
from envoycrm.models import (
    OPEN_STAGES,
    ConsentScope,
    DegreeLevel,
    Intention,
    JobOpening,
    Sector,
    Stage,
    Student,
)

WEIGHTS = {"field": 30, "sector": 25, "degree": 20, "available": 15, "salary": 10}


@dataclass
class MatchResult:
    """A score out of 100 and the reasons, as translatable sentences."""

    score: int
    qualifies: bool
    reasons: list = field(default_factory=list)

    def explanation(self) -> str:
        """The reasons joined into one sentence fragment, as the locale lists."""
        return format_list_of(self.reasons)


def _thousands(amount: int) -> str:
    """¥180k-style shorthand through Babel's currency formatting."""
    return format_cny(amount)


def score(
    student: Student, intention: Intention | None, opening: JobOpening
) -> MatchResult:
    """Score ``student`` (with their current ``intention``) against ``opening``."""
    result = MatchResult(score=0, qualifies=True)
    if student.degree.rank >= opening.min_degree.rank:
        result.score += WEIGHTS["degree"]
        result.reasons.append(_l("degree meets the minimum"))
    else:
        result.qualifies = False
        result.reasons.append(_l("degree below the minimum"))
    if student.field is opening.field:
        result.score += WEIGHTS["field"]
        result.reasons.insert(0, _l("field matches"))
    sectors = set(intention.target_sectors or []) if intention else set()
    if opening.sector.name in sectors:
        result.score += WEIGHTS["sector"]
        result.reasons.append(_l("aims for this sector"))
    start = (intention.earliest_start if intention else None) or (
        student.expected_graduation
    )
    if start is not None and start <= opening.deadline:
        result.score += WEIGHTS["available"]
        result.reasons.append(_l("available before the deadline"))
    expected = intention.salary_expectation if intention else None
    if expected is not None:
        if expected <= opening.salary_max:
            result.score += WEIGHTS["salary"]
            if expected >= opening.salary_min:
                result.reasons.append(
                    _l(
                        "expects %(expected)s within %(low)s–%(high)s",
                        expected=_thousands(expected),
                        low=_thousands(opening.salary_min),
                        high=_thousands(opening.salary_max),
                    )
                )
            else:
                result.reasons.append(
                    _l(
                        "expects %(expected)s, below %(low)s–%(high)s",
                        expected=_thousands(expected),
                        low=_thousands(opening.salary_min),
                        high=_thousands(opening.salary_max),
                    )
                )
        else:
            result.reasons.append(
                _l(
                    "expects %(expected)s, above %(high)s",
                    expected=_thousands(expected),
                    high=_thousands(opening.salary_max),
                )
            )
    if not result.qualifies:
        result.score = 0
    return result


def eligible_degrees(minimum: DegreeLevel) -> list[DegreeLevel]:
    """Degrees at or above ``minimum``."""
    return [level for level in DegreeLevel if level.rank >= minimum.rank]


def candidate_query(
    opening: JobOpening,
    *,
    employer_view: bool = False,
    created_since: date | None = None,
) -> Select:
    """Students worth scoring for ``opening``, narrowed in SQL.

    Degree at or above the minimum, an open stage (or returned), and the
    same field. ``employer_view`` keeps only students whose consent in force
    allows sharing with employers.
    """
    return candidates_of_any(
        [opening], employer_view=employer_view, created_since=created_since
    )


def fits_opening(opening: JobOpening) -> ColumnElement[bool]:
    """A student's degree and field suit ``opening`` (its SQL narrowing)."""
    return and_(
        Student.degree.in_(eligible_degrees(opening.min_degree)),
        Student.field == opening.field,
    )


def candidates_of_any(
    openings: list[JobOpening],
    *,
    employer_view: bool = False,
    created_since: date | None = None,
) -> Select:
    """Students worth scoring for any of ``openings`` (see ``candidate_query``)."""
    query = select(Student).where(
        or_(*(fits_opening(opening) for opening in openings)),
        Student.stage.in_([*OPEN_STAGES, Stage.RETURNED]),
    )
    if employer_view:
        query = query.where(Student.consent_scope == ConsentScope.EMPLOYERS)
    else:
        query = query.where(Student.consent_scope.is_not(None))
    if created_since is not None:
        query = query.where(Student.created_at >= created_since)
    return query


def latest_intentions(student_ids: list[int]) -> dict[int, Intention]:
    """The current (latest) intention of each student, in one query."""
    if not student_ids:
        return {}
    rows = db.session.scalars(
        select(Intention)
        .where(Intention.student_id.in_(student_ids))
        .order_by(Intention.student_id, Intention.recorded_at, Intention.id)
    )
    latest: dict[int, Intention] = {}
    for intention in rows:
        latest[intention.student_id] = intention  # later rows overwrite
    return latest


def openings_query_for_student(
    student: Student, intention: Intention | None, today: date
) -> Select:
    """Open openings worth pushing to a student, narrowed in SQL.

    The degree must fit and the deadline lie ahead; the field must match or
    the sector be one the student aims for. Score the page with ``score``.
    """
    allowed = [level for level in DegreeLevel if level.rank <= student.degree.rank]
    sectors = [
        Sector[name]
        for name in (intention.target_sectors if intention else []) or []
        if name in Sector.__members__
    ]
    relevant = JobOpening.field == student.field
    if sectors:
        relevant = or_(relevant, JobOpening.sector.in_(sectors))
    return select(JobOpening).where(
        JobOpening.open_on(today),
        JobOpening.min_degree.in_(allowed),
        relevant,
    )


# --- every open opening against every student, in bounded memory -------------------


def points(
    student_degree: DegreeLevel,
    student_field,
    sectors: Set[str],
    start: date | None,
    expected: int | None,
    opening: JobOpening,
) -> int:
    """``score`` without the words: the same points, for bulk runs."""
    if student_degree.rank < opening.min_degree.rank:
        return 0
    total = WEIGHTS["degree"]
    if student_field is opening.field:
        total += WEIGHTS["field"]
    if opening.sector.name in sectors:
        total += WEIGHTS["sector"]
    if start is not None and start <= opening.deadline:
        total += WEIGHTS["available"]
    if expected is not None and expected <= opening.salary_max:
        total += WEIGHTS["salary"]
    return total


def all_matches(today: date, top: int = 50, chunk: int = 2_000) -> dict[int, list]:
    """The ``top`` best candidates of every open opening, as (score, student id).

    Students come in one streamed query, field by field, each with its latest
    intention joined in SQL, so memory is bounded by the largest field, not by
    the whole table. Within a field the score can take only eight values
    (sector, availability and salary each fit or not), so each opening walks
    those classes from the best down over students bucketed by degree and
    sector and sorted by availability, and stops once it has ``top``: a few
    hundred steps per opening instead of a pass over every student.
    """
    openings = db.session.scalars(
        select(JobOpening).where(JobOpening.open_on(today))
    ).all()
    by_field: dict = {}
    for opening in openings:
        by_field.setdefault(opening.field, []).append(opening)
    best: dict[int, list] = {}
    for field_of_study, students in groupby(
        _students_by_field(set(by_field), chunk), key=itemgetter(0)
    ):
        buckets = _Buckets(row[1:] for row in students)
        for opening in by_field[field_of_study]:
            best[opening.id] = buckets.top(opening, top)
    for field_openings in by_field.values():
        for opening in field_openings:
            best.setdefault(opening.id, [])
    return best


_NEVER = date.max


class _Buckets:
    """One field's students by degree (and by target sector), sorted by start."""

    def __init__(self, students):
        self.all: dict[int, list] = {}
        self.sector: dict[tuple[int, str], list] = {}
        for student in students:
            self.all.setdefault(student[1], []).append(student)
            for name in student[2]:
                self.sector.setdefault((student[1], name), []).append(student)
        self.starts = {}
        for lists in (self.all, self.sector):
            for rows in lists.values():
                rows.sort(key=lambda row: (row[3] or _NEVER, row[0]))
                self.starts[id(rows)] = [row[3] or _NEVER for row in rows]

    def top(self, opening: JobOpening, top: int) -> list:
        """The best ``top`` (score, student id) pairs for ``opening``."""
        ranks = [r for r in self.all if r >= opening.min_degree.rank]
        sector, deadline, ceiling = (
            opening.sector.name,
            opening.deadline,
            (opening.salary_max),
        )
        found: list = []
        base = WEIGHTS["field"] + WEIGHTS["degree"]
        # Partitions (aims, in time) in this order yield the eight classes in
        # score order when each splits into "salary fits" before "does not".
        for aims, in_time in (
            (True, True),
            (True, False),
            (False, True),
            (False, False),
        ):
            value = base + WEIGHTS["sector"] * aims + WEIGHTS["available"] * in_time
            wanted = top - len(found)
            fits: list = []
            rest: list = []
            for rank in ranks:
                rows = self.sector.get((rank, sector), []) if aims else self.all[rank]
                cut = bisect_right(self.starts[id(rows)], deadline) if rows else 0
                for index in range(0, cut) if in_time else range(cut, len(rows)):
                    row = rows[index]
                    if not aims and sector in row[2]:
                        continue
                    if row[4] is not None and row[4] <= ceiling:
                        fits.append((value + WEIGHTS["salary"], row[0]))
                        if len(fits) >= wanted:
                            break
                    elif len(rest) < wanted:
                        rest.append((value, row[0]))
                if len(fits) >= wanted:
                    break
            found += (fits + rest)[:wanted]
            if len(found) >= top:
                return found
        return found


def _students_by_field(fields: Set, chunk: int):
    """(field, id, degree rank, sectors, start, salary) of every student who
    may be matched, in ``fields``, ordered by field: one streamed query with
    each student's latest intention (by time recorded, then id) joined."""
    if not fields:
        return
    latest = (
        select(
            Intention.student_id,
            Intention.target_sectors,
            Intention.earliest_start,
            Intention.salary_expectation,
            func.row_number()
            .over(
                partition_by=Intention.student_id,
                order_by=(Intention.recorded_at.desc(), Intention.id.desc()),
            )
            .label("newest"),
        )
    ).subquery()
    rows = db.session.execute(
        select(
            Student.field,
            Student.id,
            Student.degree,
            Student.expected_graduation,
            latest.c.target_sectors,
            latest.c.earliest_start,
            latest.c.salary_expectation,
        )
        .outerjoin(
            latest, and_(latest.c.student_id == Student.id, latest.c.newest == 1)
        )
        .where(
            Student.field.in_(fields),
            Student.stage.in_([*OPEN_STAGES, Stage.RETURNED]),
            Student.consent_scope.is_not(None),
        )
        .order_by(Student.field, Student.id)
        .execution_options(yield_per=chunk)
    )
    ranks = {degree: degree.rank for degree in DegreeLevel}
    for row in rows:
        yield (
            row.field,
            row.id,
            ranks[row.degree],
            frozenset(row.target_sectors or ()),
            row.earliest_start or row.expected_graduation,
            row.salary_expectation,
        )
