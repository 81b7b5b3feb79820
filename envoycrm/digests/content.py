"""What each digest says: queries for the bureau, employer and envoy digests.

Each ``build_*`` function takes the recipient and a ``Window`` and returns a
plain dataclass the templates render. They run inside the recipient's forced
locale (see ``render.compose``) because match reasons format CNY amounts
when they are made. Lists are bounded; counts come from SQL aggregates.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import and_, case, func, select
from sqlalchemy.orm import selectinload

from envoycrm.events.upcoming import Upcoming, upcoming_events
from envoycrm.extensions import db
from envoycrm.jobs.new_candidates import (
    Candidate,
    CandidatePool,
    employer_news,
)
from envoycrm.main.needs import bureau_needs
from envoycrm.models import (
    OPEN_STAGES,
    Intention,
    IntentionLevel,
    JobInterest,
    JobOpening,
    PolicyVersion,
    Push,
    Stage,
    StageChange,
    Student,
    User,
)
from envoycrm.policies import services as policy_services
from envoycrm.students.queries import (
    EnvoyNumbers,
    envoy_numbers,
    waiting_for_follow_up,
)

from .periods import Window
from .trends import EnvoyTrends, Trends, envoy_trends, headline_trends

# Each list shows at most this many rows and links to the rest in EnvoyCRM:
# it keeps the largest digest far below Gmail's 102 KB clipping point.
LIST_LIMIT = 10
# A policy ending within this many days is flagged in the bureau digest.
POLICY_WARNING_DAYS = 30
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
    # Current versions of published policies whose validity ends soon.
    expiring_policies: list[PolicyVersion] = field(default_factory=list)
    upcoming: Upcoming = field(default_factory=Upcoming)

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
            or self.expiring_policies
            or self.upcoming.total
        )

    def mentioned_students(self) -> list[int]:
        """Every student named in the digest."""
        ids = [s.id for s in self.new_student_list]
        ids += [s.id for s, _ in self.intention_list]
        ids += [s.id for s, _ in self.returned]
        return ids


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
    trends: EnvoyTrends | None = None
    # Policies offered now that were published or given a new version.
    policies: list = field(default_factory=list)  # (policy, current version)

    upcoming: Upcoming = field(default_factory=Upcoming)

    @property
    def is_empty(self) -> bool:
        """No opening or policy to push, no one waiting, no event coming up."""
        return not (
            self.openings or self.followups or self.policies or self.upcoming.total
        )

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
    needs = bureau_needs(window.end, period=window.period, shown=LIST_LIMIT)
    digest.quiet_envoy_count = needs.quiet_envoys
    digest.quiet_envoys = needs.quiet_envoy_list
    digest.stuck_by_stage = needs.stuck_by_stage
    digest.awaiting_approval = needs.awaiting_approval
    digest.open_follow_ups = needs.follow_ups
    digest.failed_digests = needs.failed_digests
    digest.trends = headline_trends(window)
    digest.expiring_policies = policy_services.expiring(
        window.today, POLICY_WARNING_DAYS
    )[:LIST_LIMIT]
    digest.upcoming = upcoming_events(user, window.end, LIST_LIMIT)
    return digest


# --- employer ------------------------------------------------------------------


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
    news = employer_news(user.employer_id, window, pool, replies_shown=LIST_LIMIT)
    digest.openings = news.openings
    digest.candidate_total = len(news.candidates)
    digest.openings_with_candidates = len(
        {opening.id for c in news.candidates for opening, _ in c.matches}
    )
    digest.candidates = news.candidates[:LIST_LIMIT]
    digest.reply_total = news.reply_total
    digest.replies = news.replies
    digest.expiring = news.expiring
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
    digest.trends = envoy_trends(user, window)
    digest.policies = [
        (policy, policy.current_on(window.today))
        for policy in policy_services.changed_between(
            window.start, window.end, window.today
        )[:LIST_LIMIT]
    ]
    digest.upcoming = upcoming_events(user, window.end, LIST_LIMIT)
    return digest
