"""What waits for the bureau: the "needs you" queries of home pages and digests.

The coordinators' home page and the bureau digest say the same things
(openings to approve, replies not followed up, students stuck in a stage,
quiet envoys, failed digests, open tasks); the filtered views they link to
apply the same rules. Each rule is written once here, as a query or a count,
so the number on the page, the number in the mail and the rows behind the
link cannot drift apart. Domain code: plain values in, no request, no commit.
"""

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from sqlalchemy import Select, func, select

from envoycrm.extensions import db
from envoycrm.i18n import bureau_today
from envoycrm.models import (
    OPEN_STAGES,
    EnvoyProfile,
    EnvoyStatus,
    Interaction,
    JobOpening,
    OpeningStatus,
    OutboxMessage,
    OutboxStatus,
    Push,
    Role,
    Stage,
    Student,
    Task,
    TaskKind,
    User,
)
from envoycrm.pipeline.filters import PipelineFilter, count_by_stage

QUIET_DAYS = 30
STUCK_DAYS = 60
# Replies and interest someone must answer: a held referral reply for the
# student's envoy, an employer's "interested" for the bureau to pass on, a
# question asked through an envoy's policy link.
FOLLOW_UP_TASKS = (
    TaskKind.REFERRAL_REPLY,
    TaskKind.EMPLOYER_INTEREST,
    TaskKind.POLICY_QUESTION,
)
DATA_REQUEST_TASKS = (TaskKind.DATA_EXPORT, TaskKind.DATA_ERASURE)
# A home page names this many rows of a list and links to the rest.
SHOWN = 5


def kinds_arg(kinds: Sequence[TaskKind] = FOLLOW_UP_TASKS) -> str:
    """The task list's ``kind`` argument that shows tasks of ``kinds``."""
    return ",".join(kind.name for kind in kinds)


def count_and_first(query: Select, order: tuple, limit: int) -> tuple[int, list]:
    """How many rows ``query`` finds, and the first ``limit`` in ``order``: one
    statement (the count is a window over the whole result)."""
    rows = db.session.execute(
        query.add_columns(func.count().over()).order_by(*order).limit(limit)
    ).all()
    return (rows[0][-1] if rows else 0), [row[0] for row in rows]


def count(query: Select) -> int:
    """How many rows ``query`` returns, counted in SQL."""
    return db.session.scalar(select(func.count()).select_from(query.subquery())) or 0


def awaiting_approval() -> Select:
    """Openings waiting for the bureau's approval (an expired one waits no more)."""
    return select(JobOpening).where(
        JobOpening.status_is(OpeningStatus.PENDING, bureau_today())
    )


def open_tasks(kinds: Sequence[TaskKind] = (), base: Select | None = None) -> Select:
    """Tasks not done yet, of ``kinds`` when given (every kind otherwise)."""
    query = select(Task) if base is None else base
    query = query.where(Task.done_at.is_(None))
    if kinds:
        query = query.where(Task.kind.in_(kinds))
    return query


def stuck_by_stage(now: datetime, days: int = STUCK_DAYS) -> list[tuple[Stage, int]]:
    """Students in each open stage for at least ``days`` days, stages in order.

    The same rule as the student list's ``stage_age`` filter, so the count
    and the list behind its link agree.
    """
    counts = count_by_stage(PipelineFilter(stage_age=days), now)
    return [(stage, counts[stage]) for stage in OPEN_STAGES if counts[stage]]


def quiet_envoys(now: datetime, days: int = QUIET_DAYS) -> Select:
    """Active envoys who logged, added or pushed nothing in the last ``days`` days."""
    since = now - timedelta(days=days)
    logged = select(Interaction.id).where(
        Interaction.author_id == User.id,
        # Touchpoints carry a day, not an instant: compare whole days (UTC).
        Interaction.occurred_on >= since.astimezone(UTC).date(),
        Interaction.occurred_on <= now.astimezone(UTC).date(),
    )
    created = select(Student.id).where(
        Student.created_by_id == User.id,
        Student.created_at >= since,
        Student.created_at < now,
    )
    pushed = select(Push.id).where(
        Push.envoy_id == User.id, Push.created_at >= since, Push.created_at < now
    )
    return (
        select(User)
        .join(EnvoyProfile, EnvoyProfile.user_id == User.id)
        .where(
            User.role == Role.ENVOY,
            User.active.is_(True),
            EnvoyProfile.status == EnvoyStatus.ACTIVE,
            ~logged.exists(),
            ~created.exists(),
            ~pushed.exists(),
        )
    )


def quiet_envoy_ids(now: datetime) -> set[int]:
    """The ids of the envoys ``quiet_envoys`` finds."""
    query = quiet_envoys(now).with_only_columns(User.id)
    return set(db.session.scalars(query))


def failed_digests(period: str | None = None) -> Select:
    """Outbox rows that failed, of one digest period when given."""
    query = select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.FAILED)
    if period is not None:
        query = query.where(OutboxMessage.period == period)
    return query


# --- administrators ---------------------------------------------------------------

# The account states the users list filters by (``/admin/users?state=…``).
ACCOUNT_STATES = ("", "invited", "deactivated")


def accounts_in_state(state: str) -> Select:
    """Accounts that were invited and never set a password, or are deactivated."""
    query = select(User)
    if state == "invited":
        query = query.where(User.active.is_(True), User.password_hash.is_(None))
    elif state == "deactivated":
        query = query.where(User.active.is_(False))
    return query


@dataclass
class AdminNeeds:
    """What waits for the administrators: invitations not taken up, deactivations."""

    invited: int = 0
    invited_list: Sequence[User] = field(default_factory=list)
    deactivated: int = 0


def admin_needs(shown: int = SHOWN) -> AdminNeeds:
    """Invitations still pending (the oldest first) and deactivated accounts."""
    invited = accounts_in_state("invited")
    return AdminNeeds(
        invited=count(invited),
        invited_list=db.session.scalars(
            invited.order_by(User.created_at, User.id).limit(shown)
        ).all(),
        deactivated=count(accounts_in_state("deactivated")),
    )


# --- coordinators ----------------------------------------------------------------


@dataclass
class BureauNeeds:
    """What waits for the coordinators now, as counts and the first rows."""

    awaiting_approval: int = 0
    follow_ups: int = 0
    stuck_by_stage: list[tuple[Stage, int]] = field(default_factory=list)
    quiet_envoys: int = 0
    quiet_envoy_list: Sequence[User] = field(default_factory=list)
    data_requests: int = 0
    data_request_list: Sequence[Task] = field(default_factory=list)
    failed_digests: int = 0
    open_tasks: int = 0

    @property
    def stuck(self) -> int:
        """Students stuck in any stage."""
        return sum(n for _stage, n in self.stuck_by_stage)

    @property
    def is_empty(self) -> bool:
        """Nothing waits."""
        return not (
            self.awaiting_approval
            or self.follow_ups
            or self.stuck_by_stage
            or self.quiet_envoys
            or self.data_requests
            or self.failed_digests
            or self.open_tasks
        )


def bureau_needs(
    now: datetime, period: str | None = None, shown: int = SHOWN
) -> BureauNeeds:
    """Everything that waits for the coordinators at ``now``.

    ``period`` narrows failed digests to one digest week (the bureau digest
    reports its own week); without it every failed row counts.
    """
    quiet, quiet_list = count_and_first(
        quiet_envoys(now), (User.full_name, User.id), shown
    )
    requests, request_list = count_and_first(
        open_tasks(DATA_REQUEST_TASKS), (Task.due_on, Task.id), shown
    )
    return BureauNeeds(
        awaiting_approval=count(awaiting_approval()),
        follow_ups=count(open_tasks(FOLLOW_UP_TASKS)),
        stuck_by_stage=stuck_by_stage(now),
        quiet_envoys=quiet,
        quiet_envoy_list=quiet_list,
        data_requests=requests,
        data_request_list=request_list,
        failed_digests=count(failed_digests(period)),
        open_tasks=count(open_tasks()),
    )
