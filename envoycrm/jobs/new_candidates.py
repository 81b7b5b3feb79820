"""New candidates and replies for an employer: what its digest and pages show.

The employer digest lists the consenting candidates who arrived in its week
and match the employer's open openings, each once with every opening they
match, and the replies through envoy links; the employer's "new for you"
page (``/jobs/candidates``) shows the same rows for the same week, all of
them. Both ask this module, so the mail's counts and the page's rows are the
same set.
"""

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session, selectinload

from envoycrm.digests.periods import Window
from envoycrm.extensions import db
from envoycrm.i18n import bureau_today
from envoycrm.jobs.candidates import employer_sees_candidates
from envoycrm.jobs.matching import (
    MatchResult,
    candidates_of_any,
    eligible_degrees,
    score,
)
from envoycrm.models import (
    ConsentScope,
    Intention,
    JobInterest,
    JobOpening,
    Push,
    Student,
)

# Scoring happens in Python, so only this many new students per opening are read.
CANDIDATE_SCAN_LIMIT = 200
EXPIRING_WITHIN = timedelta(days=14)
# The page lists at most this many replies of a week (they are few).
REPLIES_SHOWN = 200


@dataclass
class Candidate:
    """A new candidate and every opening of the employer they match, best first."""

    student: Student
    matches: list[tuple[JobOpening, MatchResult]] = field(default_factory=list)

    @property
    def best(self) -> tuple[JobOpening, MatchResult]:
        """The opening the candidate fits best, and how well."""
        return self.matches[0]


class CandidatePool:
    """New consenting candidates per (window, field, minimum degree).

    Every opening with the same field and minimum degree has the same SQL
    candidates in a week, whichever employer posted it, so one sending pass
    reads them once and shares them between digests. They are read through a
    private session that never expires them (the outbox commits after every
    mail) and never touches rows the caller holds; consent is checked again
    for the students a digest finally names (see ``build_employer_digest``).
    """

    def __init__(self):
        self._session = Session(db.engine, expire_on_commit=False)
        self._pools: dict = {}

    def candidates(self, opening: JobOpening, window: Window) -> list:
        """(student, current intention) pairs worth scoring for ``opening``.

        Commits its own read-only session after loading, to end the read
        transaction; the request's session is not touched.
        """
        key = self._key(opening, window)
        if key not in self._pools:
            self.load([opening], window)
        return self._pools[key]

    @staticmethod
    def _key(opening: JobOpening, window: Window) -> tuple:
        return (window.start, window.end, opening.field, opening.min_degree)

    def load(self, openings: list[JobOpening], window: Window) -> None:
        """Read the candidates of every opening of ``openings`` not read yet:
        one query for all of them (and one for the intentions), the newest
        ``CANDIDATE_SCAN_LIMIT`` of each field and minimum degree kept.

        Commits the pool's own read-only session, as ``candidates`` says.
        """
        wanted: dict[tuple, JobOpening] = {}
        for opening in openings:
            key = self._key(opening, window)
            if key not in self._pools:
                wanted.setdefault(key, opening)
        if not wanted:
            return
        cap = CANDIDATE_SCAN_LIMIT * len(wanted)
        students = self._session.scalars(
            candidates_of_any(
                list(wanted.values()), employer_view=True, created_since=window.start
            )
            .where(Student.created_at < window.end)
            .options(selectinload(Student.university))
            .order_by(Student.created_at.desc(), Student.id.desc())
            .limit(cap)
        ).all()
        if len(students) == cap and len(wanted) > 1:
            # A busy week: a field may have been cut short. Read each alone.
            self._session.commit()
            for opening in wanted.values():
                self.load([opening], window)
            return
        intentions: dict[int, Intention] = {}
        if students:
            rows = self._session.scalars(
                select(Intention)
                .where(Intention.student_id.in_([s.id for s in students]))
                .order_by(Intention.student_id, Intention.recorded_at, Intention.id)
            )
            for intention in rows:
                intentions[intention.student_id] = intention  # latest wins
        # End the read transaction; the loaded rows stay readable.
        self._session.commit()
        for key, opening in wanted.items():
            degrees = set(eligible_degrees(opening.min_degree))
            fitting = [
                (s, intentions.get(s.id))
                for s in students
                if s.field == opening.field and s.degree in degrees
            ]
            self._pools[key] = fitting[:CANDIDATE_SCAN_LIMIT]

    def close(self) -> None:
        """Release the private session."""
        self._session.close()
        self._pools.clear()


def _still_sharing(student_ids: set[int]) -> set[int]:
    """Those of ``student_ids`` whose consent in force allows employer sharing now."""
    if not student_ids:
        return set()
    return set(
        db.session.scalars(
            select(Student.id).where(
                Student.id.in_(student_ids),
                Student.consent_scope == ConsentScope.EMPLOYERS,
            )
        )
    )


def open_openings(employer_id: int | None) -> list[JobOpening]:
    """The employer's open openings, the soonest deadline first."""
    return list(
        db.session.scalars(
            select(JobOpening)
            .where(
                JobOpening.employer_id == employer_id,
                JobOpening.open_on(bureau_today()),
            )
            .order_by(JobOpening.deadline, JobOpening.id)
        ).all()
    )


def expiring(openings: list[JobOpening], today) -> list[JobOpening]:
    """Those of ``openings`` whose deadline falls in the next two weeks."""
    horizon = today + EXPIRING_WITHIN
    return [o for o in openings if today <= o.deadline <= horizon]


def new_candidates(
    openings: list[JobOpening], window: Window, pool: CandidatePool | None = None
) -> list[Candidate]:
    """Consenting students new in ``window`` who match ``openings``, each once.

    Best first: the highest score, then the most openings matched. Only
    students whose consent in force allows sharing with employers appear,
    checked again here (a pool may be minutes old).
    """
    own_pool = pool is None
    pool = pool or CandidatePool()
    try:
        by_student: dict[int, Candidate] = {}
        # The same rule as the employer's own pages.
        shown = [o for o in openings if employer_sees_candidates(o, window.today)]
        pool.load(shown, window)
        for opening in shown:
            for student, intention in pool.candidates(opening, window):
                result = score(student, intention, opening)
                if result.qualifies:
                    entry = by_student.setdefault(student.id, Candidate(student))
                    entry.matches.append((opening, result))
    finally:
        if own_pool:
            pool.close()
    sharing = _still_sharing(set(by_student))
    candidates = [c for sid, c in by_student.items() if sid in sharing]
    for candidate in candidates:
        candidate.matches.sort(key=lambda pair: (-pair[1].score, pair[0].id))
    candidates.sort(key=lambda c: (-c.best[1].score, -len(c.matches), c.student.id))
    return candidates


def new_replies(openings: list[JobOpening], window: Window) -> Select:
    """Replies through envoy links to ``openings`` in ``window``, newest first.

    Only from students who share with employers (consent in force).
    """
    return (
        select(JobInterest)
        .join(Student, Student.id == JobInterest.student_id)
        .where(
            JobInterest.opening_id.in_([o.id for o in openings]),
            JobInterest.push_id.is_not(None),
            JobInterest.created_at >= window.start,
            JobInterest.created_at < window.end,
            Student.consent_scope == ConsentScope.EMPLOYERS,
        )
        .options(
            selectinload(JobInterest.student).selectinload(Student.university),
            selectinload(JobInterest.opening),
            selectinload(JobInterest.push).selectinload(Push.envoy),
        )
        .order_by(JobInterest.created_at.desc(), JobInterest.id.desc())
    )


@dataclass
class EmployerNews:
    """An employer's open openings and what is new for them in a window."""

    window: Window
    openings: list[JobOpening] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    replies: list[JobInterest] = field(default_factory=list)
    reply_total: int = 0
    expiring: list[JobOpening] = field(default_factory=list)


def employer_news(
    employer_id: int | None,
    window: Window,
    pool: CandidatePool | None = None,
    replies_shown: int = REPLIES_SHOWN,
) -> EmployerNews:
    """New candidates (all), the newest replies, and openings about to expire."""
    news = EmployerNews(window=window, openings=open_openings(employer_id))
    if not news.openings:
        return news
    news.candidates = new_candidates(news.openings, window, pool)
    replies = new_replies(news.openings, window)
    news.reply_total = (
        db.session.scalar(select(func.count()).select_from(replies.subquery())) or 0
    )
    news.replies = list(db.session.scalars(replies.limit(replies_shown)).all())
    news.expiring = expiring(news.openings, window.today)
    return news
