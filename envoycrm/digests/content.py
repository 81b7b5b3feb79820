"""What each digest says: queries for the bureau, employer and envoy digests.

Each ``build_*`` function takes the recipient and a ``Window`` and returns a
plain dataclass the templates render. They run inside the recipient's forced
locale (see ``render.compose``) because match reasons format CNY amounts
when they are made. Lists are bounded; counts come from SQL aggregates.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import Session, selectinload

from envoycrm.extensions import db
from envoycrm.jobs.candidates import employer_sees_candidates
from envoycrm.jobs.matching import MatchResult, candidate_query, score
from envoycrm.models import (
    OPEN_STAGES,
    ConsentScope,
    EnvoyProfile,
    EnvoyStatus,
    Intention,
    IntentionLevel,
    Interaction,
    JobInterest,
    JobOpening,
    OpeningStatus,
    OutboxMessage,
    OutboxStatus,
    Push,
    Role,
    Stage,
    StageChange,
    Student,
    Task,
    TaskKind,
    User,
)
from envoycrm.students.queries import (
    EnvoyNumbers,
    envoy_numbers,
    waiting_for_follow_up,
)

from .periods import Window
from .trends import Trends, headline_trends

# Each list shows at most this many rows and links to the rest in EnvoyCRM:
# it keeps the largest digest far below Gmail's 102 KB clipping point.
LIST_LIMIT = 10
# Scoring happens in Python, so only this many new students per opening are read.
CANDIDATE_SCAN_LIMIT = 200
QUIET_AFTER = timedelta(days=30)
STUCK_AFTER = timedelta(days=60)
EXPIRING_WITHIN = timedelta(days=14)
FOLLOW_UP_TASKS = (TaskKind.REFERRAL_REPLY, TaskKind.EMPLOYER_INTEREST)
# Intention levels are stored by name; this ranks them in their real order.
LEVEL_RANK = case(
    {level.name: rank for rank, level in enumerate(IntentionLevel)},
    value=Intention.level,
)


@dataclass
class BureauDigest:
    """The weekly picture of the whole network for coordinators."""

    window: Window
    new_students: int = 0
    new_student_list: Sequence[Student] = field(default_factory=list)
    intentions: int = 0
    intention_list: list[tuple[Student, Intention]] = field(default_factory=list)
    moves_by_stage: list[tuple[Stage, int]] = field(default_factory=list)
    returned: list[tuple[Student, StageChange]] = field(default_factory=list)
    pushes: int = 0
    replies: int = 0
    quiet_envoys: Sequence[User] = field(default_factory=list)
    quiet_envoy_count: int = 0
    stuck_by_stage: list = field(default_factory=list)  # (stage, count)
    awaiting_approval: int = 0
    open_follow_ups: int = 0
    failed_digests: int = 0
    trends: Trends | None = None

    @property
    def moves(self) -> int:
        """Stage moves of the week, all stages."""
        return sum(count for _stage, count in self.moves_by_stage)

    @property
    def is_empty(self) -> bool:
        """Nothing happened and nothing waits for the bureau."""
        return not (
            self.new_students
            or self.intentions
            or self.moves_by_stage
            or self.pushes
            or self.replies
            or self.quiet_envoy_count
            or self.stuck_by_stage
            or self.awaiting_approval
            or self.open_follow_ups
            or self.failed_digests
        )

    def mentioned_students(self) -> list[int]:
        """Every student named in the digest."""
        ids = [s.id for s in self.new_student_list]
        ids += [s.id for s, _ in self.intention_list]
        ids += [s.id for s, _ in self.returned]
        return ids


@dataclass
class Candidate:
    """A new candidate and every opening of the employer they match, best first."""

    student: Student
    matches: list[tuple[JobOpening, MatchResult]] = field(default_factory=list)

    @property
    def best(self) -> tuple[JobOpening, MatchResult]:
        """The opening the candidate fits best, and how well."""
        return self.matches[0]


@dataclass
class EmployerDigest:
    """An employer's new matching candidates (each once), replies, expiring openings."""

    window: Window
    employer: object
    openings: list[JobOpening] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    candidate_total: int = 0
    openings_with_candidates: int = 0
    replies: list[JobInterest] = field(default_factory=list)
    reply_total: int = 0
    expiring: list[JobOpening] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """No new candidate, no reply, no opening about to expire."""
        return not (self.candidate_total or self.reply_total or self.expiring)

    def mentioned_students(self) -> list[int]:
        """Every student named in the digest."""
        ids = [c.student.id for c in self.candidates]
        ids += [r.student_id for r in self.replies]
        return ids


@dataclass
class EnvoyDigest:
    """An envoy's week: openings worth pushing, own numbers, follow-ups."""

    window: Window
    openings: list = field(default_factory=list)  # (opening, matching students)
    opening_total: int = 0
    numbers: EnvoyNumbers = field(default_factory=EnvoyNumbers)
    followups: Sequence[Student] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        """No new opening worth pushing and no one waiting for a follow-up."""
        return not (self.openings or self.followups)

    def mentioned_students(self) -> list[int]:
        """Every student named in the digest."""
        return [s.id for s in self.followups]


def _in(column, window: Window):
    return and_(column >= window.start, column < window.end)


# --- bureau ----------------------------------------------------------------


def build_bureau_digest(user: User, window: Window) -> BureauDigest:
    """New students, intentions, stage moves, pushes and replies, quiet envoys."""
    digest = BureauDigest(window=window)
    session = db.session
    digest.new_students = (
        session.scalar(
            select(func.count(Student.id)).where(_in(Student.created_at, window))
        )
        or 0
    )
    digest.new_student_list = session.scalars(
        select(Student)
        .where(_in(Student.created_at, window))
        .options(selectinload(Student.university), selectinload(Student.owner))
        .order_by(Student.created_at.desc(), Student.id.desc())
        .limit(LIST_LIMIT)
    ).all()
    digest.intentions = (
        session.scalar(
            select(func.count(Intention.id)).where(_in(Intention.recorded_at, window))
        )
        or 0
    )
    rows = session.execute(
        select(Student, Intention)
        .join(Intention, Intention.student_id == Student.id)
        .where(_in(Intention.recorded_at, window))
        .order_by(LEVEL_RANK.desc(), Intention.recorded_at.desc(), Intention.id)
        .limit(LIST_LIMIT)
    ).all()
    digest.intention_list = [(s, i) for s, i in rows]
    moves = dict(
        session.execute(
            select(StageChange.to_stage, func.count(StageChange.id))
            .where(_in(StageChange.changed_at, window))
            .group_by(StageChange.to_stage)
        ).all()
    )
    digest.moves_by_stage = [(stage, moves[stage]) for stage in Stage if stage in moves]
    returned_rows = session.execute(
        select(Student, StageChange)
        .join(StageChange, StageChange.student_id == Student.id)
        .where(
            StageChange.to_stage == Stage.RETURNED,
            _in(StageChange.changed_at, window),
        )
        .options(selectinload(Student.university))
        .order_by(StageChange.changed_at.desc())
        .limit(LIST_LIMIT)
    ).all()
    digest.returned = [(s, c) for s, c in returned_rows]
    digest.pushes = (
        session.scalar(select(func.count(Push.id)).where(_in(Push.created_at, window)))
        or 0
    )
    digest.replies = (
        session.scalar(
            select(func.count(JobInterest.id)).where(
                JobInterest.push_id.is_not(None), _in(JobInterest.created_at, window)
            )
        )
        or 0
    )
    _quiet_envoys(digest, window.end)
    stuck = dict(
        session.execute(
            select(Student.stage, func.count(Student.id))
            .where(
                Student.stage.in_(OPEN_STAGES),
                Student.stage_changed_at < window.end - STUCK_AFTER,
            )
            .group_by(Student.stage)
        ).all()
    )
    digest.stuck_by_stage = [(s, stuck[s]) for s in OPEN_STAGES if s in stuck]
    _needs_the_bureau(digest, window)
    digest.trends = headline_trends(window)
    return digest


def _needs_the_bureau(digest: BureauDigest, window: Window) -> None:
    """Openings to approve, follow-ups still open, this week's failed digests."""
    session = db.session
    digest.awaiting_approval = (
        session.scalar(
            select(func.count(JobOpening.id)).where(
                JobOpening.status_is(OpeningStatus.PENDING, window.today)
            )
        )
        or 0
    )
    digest.open_follow_ups = (
        session.scalar(
            select(func.count(Task.id)).where(
                Task.done_at.is_(None), Task.kind.in_(FOLLOW_UP_TASKS)
            )
        )
        or 0
    )
    digest.failed_digests = (
        session.scalar(
            select(func.count(OutboxMessage.id)).where(
                OutboxMessage.period == window.period,
                OutboxMessage.status == OutboxStatus.FAILED,
            )
        )
        or 0
    )


def _quiet_envoys(digest: BureauDigest, end: datetime) -> None:
    """Active envoys who logged nothing in the last 30 days."""
    since = end - QUIET_AFTER
    logged = select(Interaction.id).where(
        Interaction.author_id == User.id,
        Interaction.occurred_at >= since,
        Interaction.occurred_at < end,
    )
    created = select(Student.id).where(
        Student.created_by_id == User.id,
        Student.created_at >= since,
        Student.created_at < end,
    )
    quiet = (
        select(User)
        .join(EnvoyProfile, EnvoyProfile.user_id == User.id)
        .where(
            User.role == Role.ENVOY,
            User.active.is_(True),
            EnvoyProfile.status == EnvoyStatus.ACTIVE,
            ~logged.exists(),
            ~created.exists(),
        )
    )
    digest.quiet_envoy_count = (
        db.session.scalar(select(func.count()).select_from(quiet.subquery())) or 0
    )
    digest.quiet_envoys = db.session.scalars(
        quiet.order_by(User.full_name).limit(LIST_LIMIT)
    ).all()


# --- employer ------------------------------------------------------------------


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
        key = (window.start, window.end, opening.field, opening.min_degree)
        if key not in self._pools:
            students = self._session.scalars(
                candidate_query(opening, employer_view=True, created_since=window.start)
                .where(Student.created_at < window.end)
                .options(selectinload(Student.university))
                .order_by(Student.created_at.desc(), Student.id.desc())
                .limit(CANDIDATE_SCAN_LIMIT)
            ).all()
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
            self._pools[key] = [(s, intentions.get(s.id)) for s in students]
        return self._pools[key]

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


def build_employer_digest(
    user: User, window: Window, pool: CandidatePool | None = None
) -> EmployerDigest:
    """For each open opening: new consenting candidates that match, and replies.

    Only students whose consent in force allows sharing with employers
    appear, checked when the digest is built: a student who withdrew since
    the last digest is left out at once.
    """
    own_pool = pool is None
    pool = pool or CandidatePool()
    try:
        return _employer_digest(user, window, pool)
    finally:
        if own_pool:
            pool.close()


def _employer_digest(user: User, window: Window, pool: CandidatePool) -> EmployerDigest:
    digest = EmployerDigest(window=window, employer=user.employer)
    openings = db.session.scalars(
        select(JobOpening)
        .where(
            JobOpening.employer_id == user.employer_id,
            JobOpening.open_on(window.today),
        )
        .order_by(JobOpening.deadline, JobOpening.id)
    ).all()
    if not openings:
        return digest
    digest.openings = list(openings)
    # One entry per student, however many openings they match.
    by_student: dict[int, Candidate] = {}
    for opening in openings:
        if not employer_sees_candidates(opening, window.today):
            continue  # the same rule as the employer's own pages
        for student, intention in pool.candidates(opening, window):
            result = score(student, intention, opening)
            if result.qualifies:
                entry = by_student.setdefault(student.id, Candidate(student))
                entry.matches.append((opening, result))
    # The pool may be minutes old: ask the database about consent once more.
    sharing = _still_sharing(set(by_student))
    candidates = [c for sid, c in by_student.items() if sid in sharing]
    for candidate in candidates:
        candidate.matches.sort(key=lambda pair: (-pair[1].score, pair[0].id))
    candidates.sort(key=lambda c: (-c.best[1].score, -len(c.matches), c.student.id))
    digest.candidate_total = len(candidates)
    digest.openings_with_candidates = len(
        {opening.id for c in candidates for opening, _ in c.matches}
    )
    digest.candidates = candidates[:LIST_LIMIT]
    replies = (
        select(JobInterest)
        .join(Student, Student.id == JobInterest.student_id)
        .where(
            JobInterest.opening_id.in_([o.id for o in openings]),
            JobInterest.push_id.is_not(None),
            _in(JobInterest.created_at, window),
            Student.consent_scope == ConsentScope.EMPLOYERS,
        )
    )
    digest.reply_total = (
        db.session.scalar(select(func.count()).select_from(replies.subquery())) or 0
    )
    digest.replies = list(
        db.session.scalars(
            replies.options(
                selectinload(JobInterest.student).selectinload(Student.university),
                selectinload(JobInterest.opening),
                selectinload(JobInterest.push).selectinload(Push.envoy),
            )
            .order_by(JobInterest.created_at.desc(), JobInterest.id.desc())
            .limit(LIST_LIMIT)
        ).all()
    )
    horizon = window.today + EXPIRING_WITHIN
    digest.expiring = [o for o in openings if window.today <= o.deadline <= horizon]
    return digest


# --- envoy ---------------------------------------------------------------------


def build_envoy_digest(user: User, window: Window) -> EnvoyDigest:
    """New openings worth pushing, the envoy's numbers and follow-ups."""
    digest = EnvoyDigest(window=window)
    published = func.coalesce(JobOpening.approved_at, JobOpening.created_at)
    already_pushed = select(Push.id).where(
        Push.opening_id == JobOpening.id, Push.envoy_id == user.id
    )
    openings = db.session.scalars(
        select(JobOpening)
        .where(
            JobOpening.open_on(window.today),
            _in(published, window),
            ~already_pushed.exists(),
        )
        .options(selectinload(JobOpening.employer))
        .order_by(JobOpening.deadline)
        .limit(200)
    ).all()
    # Worth pushing: openings in the fields of the envoy's own open students.
    by_field = dict(
        db.session.execute(
            select(Student.field, func.count(Student.id))
            .where(
                Student.owner_id == user.id,
                Student.stage.in_(OPEN_STAGES),
                Student.consent_scope.is_not(None),
            )
            .group_by(Student.field)
        ).all()
    )
    ranked = sorted(
        ((o, by_field.get(o.field, 0)) for o in openings),
        key=lambda pair: (-pair[1], pair[0].deadline, pair[0].id),
    )
    digest.opening_total = len(ranked)
    digest.openings = ranked[:LIST_LIMIT]
    digest.numbers = envoy_numbers(user, now=window.end - timedelta(seconds=1))
    digest.followups = db.session.scalars(
        waiting_for_follow_up(user, window.today, limit=LIST_LIMIT)
    ).all()
    digest.numbers.waiting = len(digest.followups)
    return digest
