"""Digest headline numbers against last week and the 4 weeks before.

A number alone ("41 new students") says little; against last week and the
average of the four weeks before it says whether the network is speeding up.
Each figure is counted for five consecutive digest windows in one SQL
statement (a CASE per window): four queries for the bureau digest, three for
an envoy's.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import and_, case, func, select

from envoycrm.extensions import db
from envoycrm.models import (
    Interaction,
    JobInterest,
    Push,
    Stage,
    StageChange,
    Student,
    User,
)

from .periods import Window, previous_period

WEEKS_BEFORE = 4


@dataclass(frozen=True)
class Trend:
    """One headline number this week, last week and on average over 4 weeks."""

    value: int
    last_week: int
    average: float  # of the 4 weeks before this one

    @property
    def change(self) -> int:
        """This week minus last week."""
        return self.value - self.last_week

    @staticmethod
    def mark(difference: float) -> str:
        """▲ up, ▼ down, = unchanged; words go beside it, never the mark alone."""
        if difference > 0:
            return "▲"
        if difference < 0:
            return "▼"
        return "="


@dataclass(frozen=True)
class Trends:
    """The four headline numbers of the bureau digest."""

    new_students: Trend
    moves: Trend
    replies: Trend
    returned: Trend


@dataclass(frozen=True)
class EnvoyTrends:
    """An envoy's own headline numbers of the envoy digest."""

    students: Trend
    touchpoints: Trend
    replies: Trend


def _windows(window: Window) -> list[Window]:
    """This window and the ``WEEKS_BEFORE`` before it, newest first."""
    windows = [window]
    for _ in range(WEEKS_BEFORE):
        windows.append(
            Window.for_period(previous_period(windows[-1].period), window.zone)
        )
    return windows


def _weekly(column, windows: list[Window], *where) -> Trend:
    """Count rows per window with one statement; the newest window first."""
    buckets = [
        func.count(case((and_(column >= w.start, column < w.end), 1))) for w in windows
    ]
    earliest: datetime = windows[-1].start
    row = db.session.execute(
        select(*buckets).where(column >= earliest, column < windows[0].end, *where)
    ).one()
    counts = [int(value or 0) for value in row]
    before = counts[1:]
    return Trend(
        value=counts[0], last_week=counts[1], average=sum(before) / len(before)
    )


def headline_trends(window: Window) -> Trends:
    """New students, stage moves, replies and returns, with their trend."""
    windows = _windows(window)
    return Trends(
        new_students=_weekly(Student.created_at, windows),
        moves=_weekly(StageChange.changed_at, windows),
        replies=_weekly(
            JobInterest.created_at, windows, JobInterest.push_id.is_not(None)
        ),
        returned=_weekly(
            StageChange.changed_at, windows, StageChange.to_stage == Stage.RETURNED
        ),
    )


def envoy_trends(envoy: User, window: Window) -> EnvoyTrends:
    """Students the envoy logged, their touchpoints and the replies through their
    links, in the digest's week, against last week and the 4 weeks before."""
    windows = _windows(window)
    own_pushes = select(Push.id).where(Push.envoy_id == envoy.id)
    return EnvoyTrends(
        students=_weekly(
            Student.created_at, windows, Student.created_by_id == envoy.id
        ),
        touchpoints=_weekly(
            Interaction.created_at, windows, Interaction.author_id == envoy.id
        ),
        replies=_weekly(
            JobInterest.created_at, windows, JobInterest.push_id.in_(own_pushes)
        ),
    )
