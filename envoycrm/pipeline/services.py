"""Domain functions of the pipeline: the board, moves, bulk actions, saved views.

They know nothing of requests. Counts come from SQL aggregates, and every
page loads in a bounded number of queries whatever the number of students.
"""

from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import TypeVar

from sqlalchemy import func, select, union_all
from sqlalchemy.orm import joinedload, selectinload

from envoycrm import audit
from envoycrm.extensions import db
from envoycrm.models import (
    EnvoyProfile,
    Interaction,
    JobInterest,
    Push,
    Role,
    SavedView,
    Stage,
    Student,
    User,
    local_date,
    utcnow,
)
from envoycrm.pipeline.filters import (
    PipelineFilter,
    apply_filter,
    count_by_stage,
    filtered_ids,
)
from envoycrm.rollups import queries as rollups
from envoycrm.students import services as student_services

T = TypeVar("T")

# The board shows this many cards per working stage; the rest are "N more",
# a link to the list. The stages a student leaves the work in (returned home,
# closed) show their count and that link only, so that all seven columns fit
# a laptop's width and the page stays within its weight (issue #13).
CARDS_PER_COLUMN = 6
SUMMARY_STAGES = (Stage.RETURNED, Stage.CLOSED)
# The board's HTML at demo scale, uncompressed (tests and bench/pipeline.py).
BOARD_HTML_BUDGET = 40 * 1024
BULK_CHUNK = 500
INACTIVE_AFTER = timedelta(days=30)


class ReasonRequired(ValueError):
    """Closing a student needs a reason."""


class FilterChanged(Exception):
    """The filtered set no longer has the size the coordinator saw."""

    def __init__(self, expected: int, actual: int):
        super().__init__(expected, actual)
        self.expected = expected
        self.actual = actual


# --- the board -------------------------------------------------------------------


@dataclass
class Column:
    """One stage of the board: its count and the first cards."""

    stage: Stage
    count: int = 0
    cards: list[Student] = field(default_factory=list)

    @property
    def summary(self) -> bool:
        """True for a column that shows its count and a link, no cards."""
        return self.stage in SUMMARY_STAGES

    @property
    def more(self) -> int:
        """How many students of this stage the board does not show."""
        return max(0, self.count - len(self.cards))


def stage_counts(filters: PipelineFilter) -> dict[Stage, int]:
    """Students per stage for the filter, every stage shown (board columns)."""
    return count_by_stage(filters.without_stage())


def board(filters: PipelineFilter, per_column: int = CARDS_PER_COLUMN) -> list[Column]:
    """Every stage with its count and the students longest in it.

    The stages of ``SUMMARY_STAGES`` carry their count and no cards.

    One count query, one query for the ids of every column's first cards (a
    small index range per stage, joined with UNION ALL: one round trip) and
    one for the cards with their university and envoy.
    """
    counts = stage_counts(filters)
    shown = filters.without_stage()
    parts = []
    for stage in Stage:
        if (
            filters.stage not in (None, stage)
            or not counts[stage]
            or stage in SUMMARY_STAGES
        ):
            continue
        first = (
            apply_filter(select(Student.id), shown)
            .where(Student.stage == stage)
            .order_by(Student.stage_changed_at, Student.id)
            .limit(per_column)
            .subquery()
        )
        parts.append(select(first.c.id))
    cards: dict[Stage, list[Student]] = {stage: [] for stage in Stage}
    if parts:
        ids = union_all(*parts) if len(parts) > 1 else parts[0]
        for student in db.session.scalars(
            select(Student)
            .where(Student.id.in_(ids))
            .options(selectinload(Student.university), selectinload(Student.owner))
            .order_by(Student.stage_changed_at, Student.id)
        ):
            cards[student.stage].append(student)
    return [
        Column(
            stage=stage,
            count=counts[stage] if filters.stage in (None, stage) else 0,
            cards=cards[stage],
        )
        for stage in Stage
    ]


def days_in_stage(student: Student, now: datetime | None = None) -> int:
    """Whole days since the student entered the current stage."""
    return max(0, ((now or utcnow()) - student.stage_changed_at).days)


def move_student(
    student: Student, actor: User, stage: Stage, reason: str | None = None
) -> bool:
    """Move one student; closing needs a reason. False when nothing changed."""
    reason = (reason or "").strip() or None
    if stage is Stage.CLOSED and not reason:
        raise ReasonRequired
    return student_services.move_stage(student, actor, stage, reason) is not None


# --- bulk actions -------------------------------------------------------------------

BULK_ACTIONS = ("move", "assign", "add_tag", "remove_tag", "export_csv", "export_xlsx")


def target_ids(
    filters: PipelineFilter,
    selected: list[int] | None,
    expected: int | None = None,
) -> list[int]:
    """The students a bulk action covers: the selection, or the whole filter.

    The selection is intersected with the filter, so a forged id outside it is
    ignored. For the whole filter, ``expected`` is the count the coordinator
    saw; if the set changed since, ``FilterChanged`` is raised rather than
    acting on students they did not see.
    """
    query = filtered_ids(filters).order_by(Student.id)
    if selected is not None:
        if not selected:
            return []
        return list(db.session.scalars(query.where(Student.id.in_(selected))))
    ids = list(db.session.scalars(query))
    if expected is not None and expected != len(ids):
        raise FilterChanged(expected, len(ids))
    return ids


def _chunks(ids: list[int]) -> Iterator[list[Student]]:
    for start in range(0, len(ids), BULK_CHUNK):
        chunk = ids[start : start + BULK_CHUNK]
        yield list(
            db.session.scalars(
                select(Student)
                .where(Student.id.in_(chunk))
                .options(selectinload(Student.tags))
                .order_by(Student.id)
            )
        )


def _given(value: T | None) -> T:
    """The argument a bulk action needs; the form requires it for that action."""
    if value is None:
        raise ValueError("the bulk action lacks its argument")
    return value


def bulk_apply(
    ids: list[int],
    actor: User,
    action: str,
    *,
    stage: Stage | None = None,
    reason: str | None = None,
    envoy: User | None = None,
    tag: str | None = None,
) -> int:
    """Apply one action to every student in ``ids``; returns how many changed.

    Commits chunk by chunk so a large filter does not hold every row in memory.
    """
    if action == "move" and stage is Stage.CLOSED and not (reason or "").strip():
        raise ReasonRequired
    changed = 0
    for students in _chunks(ids):
        for student in students:
            if action == "move":
                changed += move_student(student, actor, _given(stage), reason)
            elif action == "assign":
                if student.owner_id != _given(envoy).id:
                    student_services.reassign(student, _given(envoy))
                    changed += 1
            elif action == "add_tag":
                changed += student_services.add_tag(student, _given(tag))
            elif action == "remove_tag":
                changed += student_services.remove_tag(student, _given(tag))
        # Committed rows are only weakly held by the session: memory stays flat.
        db.session.commit()
    audit.record("pipeline.bulk", kind=action, rows=len(ids), changed=changed)
    db.session.commit()
    return changed


# --- saved views -----------------------------------------------------------------


def saved_views(owner: User) -> list[SavedView]:
    """A coordinator's saved views, by name."""
    return list(
        db.session.scalars(
            select(SavedView)
            .where(SavedView.owner_id == owner.id)
            .order_by(SavedView.name, SavedView.id)
        )
    )


def save_view(owner: User, name: str, filters: PipelineFilter) -> SavedView:
    """Save the filter under ``name``; a view of the same name is replaced."""
    view = db.session.scalar(
        select(SavedView).where(SavedView.owner_id == owner.id, SavedView.name == name)
    )
    if view is None:
        view = SavedView(owner_id=owner.id, name=name)
        db.session.add(view)
    view.query = filters.query_string
    return view


def own_view(owner: User, view_id: int) -> SavedView | None:
    """One of the coordinator's views (another coordinator's is not found)."""
    return db.session.scalar(
        select(SavedView).where(SavedView.id == view_id, SavedView.owner_id == owner.id)
    )


# --- envoy activity -------------------------------------------------------------------


@dataclass
class EnvoyActivity:
    """What one envoy did: students, meetings, pushes, replies, last activity."""

    user: User
    students: int = 0
    meetings: int = 0
    pushes: int = 0
    replies: int = 0
    # The envoy's own calendar day: a meeting's day, or a push's in their zone.
    last_activity: date | None = None

    def inactive(self, now: datetime) -> bool:
        """No activity in the last 30 days."""
        if self.last_activity is None:
            return True
        return self.last_activity < local_date(now - INACTIVE_AFTER, self.user.timezone)


def envoy_activity(filters: PipelineFilter) -> list[EnvoyActivity]:
    """Every envoy with their figures, four small queries in all (the counts
    of students and touchpoints are the kept ones).

    The filter's country and university narrow the envoys (by their own
    university); ``envoy`` narrows to one envoy.
    """
    from envoycrm.models import University

    # The envoys as a subquery: every count below is narrowed by it in the
    # database, not by a list of a hundred and fifty bound ids.
    ids = (
        select(User.id)
        .join(EnvoyProfile, EnvoyProfile.user_id == User.id)
        .join(University, University.id == EnvoyProfile.university_id)
        .where(User.role == Role.ENVOY)
    )
    if filters.country:
        ids = ids.where(University.country_code == filters.country)
    if filters.university:
        ids = ids.where(University.id == filters.university)
    if filters.envoy:
        ids = ids.where(User.id == filters.envoy)
    users = db.session.scalars(
        select(User)
        .where(User.id.in_(ids))
        .options(
            joinedload(User.envoy_profile, innerjoin=True).joinedload(
                EnvoyProfile.university, innerjoin=True
            )
        )
        .order_by(User.full_name, User.id)
    )
    rows = {u.id: EnvoyActivity(user=u) for u in users}
    if not rows:
        return []
    for owner_id, count in rollups.students_per_owner(ids).items():
        rows[owner_id].students = count
    for author_id, count in rollups.interactions_per_author(ids).items():
        rows[author_id].meetings = count
    # Each envoy's latest touchpoint: one step down the (author, day) index
    # each, where a GROUP BY would read every touchpoint of every envoy.
    latest_day = (
        select(func.max(Interaction.occurred_on))
        .where(Interaction.author_id == User.id)
        .scalar_subquery()
    )
    for user_id, latest in db.session.execute(
        select(User.id, latest_day).where(User.id.in_(ids))
    ):
        # SQLite hands an aggregate back as text, bypassing the column type.
        rows[user_id].last_activity = (
            date.fromisoformat(latest) if isinstance(latest, str) else latest
        )
    # Pushes and the replies through them, in one pass over the envoys'
    # pushes: the replies counted per push first, so no DISTINCT (a sort) is
    # needed to count the pushes.
    replies_per_push = (
        select(JobInterest.push_id, func.count().label("n"))
        .group_by(JobInterest.push_id)
        .subquery()
    )
    pushes = db.session.execute(
        select(
            Push.envoy_id,
            func.count(),
            func.max(Push.created_at),
            func.coalesce(func.sum(replies_per_push.c.n), 0),
        )
        .outerjoin(replies_per_push, replies_per_push.c.push_id == Push.id)
        .where(Push.envoy_id.in_(ids))
        .group_by(Push.envoy_id)
    )
    for envoy_id, count, latest, replies in pushes:
        rows[envoy_id].pushes = count
        rows[envoy_id].replies = replies
        if latest is None:
            continue
        day = local_date(_aware(latest), rows[envoy_id].user.timezone)
        if (rows[envoy_id].last_activity or day) <= day:
            rows[envoy_id].last_activity = day
    return list(rows.values())


def _aware(value):
    """Aggregates bypass the column type on SQLite: restore an aware UTC value."""
    from datetime import UTC

    if value is None:
        return None
    if isinstance(value, str):
        value = datetime.fromisoformat(value)
    return value if value.tzinfo else value.replace(tzinfo=UTC)


def status_counts() -> dict:
    """Envoys per status (returned to the city is the headline)."""
    return dict(
        db.session.execute(
            select(EnvoyProfile.status, func.count(EnvoyProfile.user_id)).group_by(
                EnvoyProfile.status
            )
        ).all()
    )
