"""Students matched to openings: for coordinators, for employers, per student.

Candidates are narrowed in SQL (``matching.candidate_query``) and only a
bounded window of the newest records is scored in Python, so a page
costs the same whatever the number of students.

Employers see candidates only under one rule, ``employer_sees_candidates``:
the candidate list, the candidate pages, "interested" and the employer
digest all ask it, so a draft, pending or closed opening exposes no one.
"""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from envoycrm import audit
from envoycrm.extensions import db
from envoycrm.jobs import matching, services
from envoycrm.models import (
    ConsentScope,
    EmployerInterest,
    Intention,
    JobOpening,
    Student,
    Task,
    TaskKind,
    User,
)
from envoycrm.pagination import CappedPage, count_capped

# How many candidates are scored for one page; the best are shown.
WINDOW = 300
# An employer's candidates per page, and how far they are counted.
PAGE_SIZE = 25
COUNT_CAP = 1000


@dataclass
class Candidate:
    """A student, their current intention and how well they fit."""

    student: Student
    intention: Intention | None
    result: matching.MatchResult


def _ranked_window(query, opening: JobOpening) -> list[int]:
    """The ids of the ``WINDOW`` newest candidates, best fit first.

    Ranking reads four columns and the intention facts of ``WINDOW``
    students; only the ones shown are loaded as objects and explained in
    words (building objects and formatting money are the costly parts).
    """
    window = (
        query.with_only_columns(
            Student.id, Student.degree, Student.field, Student.expected_graduation
        )
        # Newest records first: the primary key walks backwards and stops
        # at the window, where a sort on activity would read the whole field.
        .order_by(Student.id.desc())
        .limit(WINDOW)
        .subquery()
    )
    # One statement: the window with every intention of its students, oldest
    # first, so the latest is the last row of each student.
    students: dict[int, tuple] = {}
    for row in db.session.execute(
        select(
            window,
            Intention.id.label("intention_id"),
            Intention.target_sectors,
            Intention.earliest_start,
            Intention.salary_expectation,
        )
        .outerjoin(Intention, Intention.student_id == window.c.id)
        .order_by(window.c.id, Intention.recorded_at, Intention.id)
    ):
        facts = None
        if row.intention_id is not None:
            facts = (
                frozenset(row.target_sectors or []),
                row.earliest_start,
                row.salary_expectation,
            )
        students[row.id] = (row, facts)
    ranked = sorted(
        students.values(),
        key=lambda pair: (-_points(pair[0], pair[1], opening), pair[0].id),
    )
    return [row.id for row, _ in ranked]


def _explained(ids: list[int], opening: JobOpening, *options) -> list[Candidate]:
    """The students ``ids``, in that order, loaded and scored in words."""
    students = {
        s.id: s
        for s in db.session.scalars(
            select(Student)
            .where(Student.id.in_(ids))
            .options(selectinload(Student.university), *options)
        )
    }
    intentions = matching.latest_intentions(ids)
    candidates = []
    for student_id in ids:
        student = students[student_id]
        intention = intentions.get(student_id)
        result = matching.score(student, intention, opening)
        if result.qualifies:
            candidates.append(Candidate(student, intention, result))
    return candidates


def _scored(query, opening: JobOpening, limit: int, *options) -> list[Candidate]:
    """The ``limit`` best fits among the newest candidates."""
    return _explained(_ranked_window(query, opening)[:limit], opening, *options)


def _points(row, facts, opening) -> int:
    sectors, start, expected = facts or (frozenset(), None, None)
    return matching.points(
        row.degree,
        row.field,
        sectors,
        start or row.expected_graduation,
        expected,
        opening,
    )


def matching_students(opening: JobOpening, limit: int = 25) -> list[Candidate]:
    """The best-fitting students with consent in force (coordinators' view)."""
    query = matching.candidate_query(opening)
    return _scored(query, opening, limit, selectinload(Student.owner))


class CandidatesHidden(Exception):
    """The opening shows no candidates to its employer (see the rule below)."""


def employer_sees_candidates(opening: JobOpening, today: date) -> bool:
    """The one rule: an employer sees candidates only for approved, open openings.

    A draft, an opening waiting for approval (a new one, or an open one its
    employer edited, which goes back to pending) and a closed or expired one
    show no candidate and take no interest: until the bureau approves what
    the employer wrote, the employer must not learn who would fit it.
    """
    return services.is_accepting(opening, today)


def employer_candidates(
    opening: JobOpening, today: date, page: int = 1, per_page: int = PAGE_SIZE
) -> CappedPage:
    """A page of the students who agreed to be shared with employers and fit
    the opening, with their number (counted up to ``COUNT_CAP``).

    The ``WINDOW`` newest come first, best fit first; older ones follow,
    newest first, so every candidate is reachable page by page.
    """
    if not employer_sees_candidates(opening, today):
        return CappedPage([], 1, per_page, 0, False)
    query = matching.candidate_query(opening, employer_view=True)
    total, capped = count_capped(query, COUNT_CAP)
    ranked = _ranked_window(query, opening)
    start = (page - 1) * per_page
    ids = ranked[start : start + per_page]
    if len(ids) < per_page and len(ranked) == WINDOW:
        # Past the ranked window: the older candidates, newest first.
        older = query.where(Student.id < min(ranked)).with_only_columns(Student.id)
        ids += db.session.scalars(
            older.order_by(Student.id.desc())
            .offset(max(0, start - WINDOW))
            .limit(per_page - len(ids))
        ).all()
    return CappedPage(_explained(ids, opening), page, per_page, total, capped)


def employer_candidate(
    opening: JobOpening, student_id: int, today: date
) -> Candidate | None:
    """One candidate in the employer's view of ``opening``, or None."""
    if not employer_sees_candidates(opening, today):
        return None
    student = db.session.scalar(
        matching.candidate_query(opening, employer_view=True)
        .where(Student.id == student_id)
        .options(selectinload(Student.university))
    )
    if student is None or student.consent_scope is not ConsentScope.EMPLOYERS:
        return None
    intention = matching.latest_intentions([student.id]).get(student.id)
    result = matching.score(student, intention, opening)
    if not result.qualifies:
        return None
    return Candidate(student, intention, result)


def openings_for_student(
    student: Student, today: date, limit: int = 5
) -> list[tuple[JobOpening, matching.MatchResult]]:
    """Open openings worth pushing to ``student``, best first."""
    intention = matching.latest_intentions([student.id]).get(student.id)
    openings = db.session.scalars(
        matching.openings_query_for_student(student, intention, today)
        .options(selectinload(JobOpening.employer))
        .order_by(JobOpening.deadline, JobOpening.id)
        .limit(WINDOW)
    ).all()
    scored = [(o, matching.score(student, intention, o)) for o in openings]
    scored = [pair for pair in scored if pair[1].qualifies]
    scored.sort(key=lambda pair: (-pair[1].score, pair[0].deadline, pair[0].id))
    return scored[:limit]


def express_interest(
    employer_user: User, opening: JobOpening, student: Student, today: date
) -> tuple[EmployerInterest, bool]:
    """Record "interested in this candidate" once, with a task for the bureau.

    The task is for the coordinators and names the student's envoy as the
    assignee. A second click finds the first interest and adds nothing.
    Raises ``CandidatesHidden`` when the opening shows no candidates.
    """
    if not employer_sees_candidates(opening, today):
        raise CandidatesHidden
    existing = db.session.scalar(
        select(EmployerInterest).where(
            EmployerInterest.employer_id == opening.employer_id,
            EmployerInterest.student_id == student.id,
            EmployerInterest.opening_id == opening.id,
        )
    )
    if existing is not None:
        return existing, False
    interest = EmployerInterest(
        employer_id=opening.employer_id,
        student_id=student.id,
        opening_id=opening.id,
        created_by_id=employer_user.id,
    )
    db.session.add(interest)
    db.session.add(
        Task(
            kind=TaskKind.EMPLOYER_INTEREST,
            title=(
                f"{opening.employer.name_en} is interested in a candidate "
                f"for {opening.title_en}"
            )[:300],
            details=f"{opening.employer.name_zh} · {opening.title_zh}",
            student_id=student.id,
            opening_id=opening.id,
            employer_id=opening.employer_id,
            assignee_id=student.owner_id,
        )
    )
    db.session.flush()
    audit.record(
        "employer.interest",
        "student",
        student.id,
        opening_id=opening.id,
        employer_id=opening.employer_id,
    )
    return interest, True


def interested_student_ids(opening: JobOpening) -> set[int]:
    """Students the opening's employer already said it is interested in."""
    return set(
        db.session.scalars(
            select(EmployerInterest.student_id).where(
                EmployerInterest.opening_id == opening.id,
                EmployerInterest.employer_id == opening.employer_id,
            )
        )
    )
