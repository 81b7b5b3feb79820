"""Counts kept by the database itself, so busy pages read a few rows, not 200,000.

Triggers on ``students``, ``interactions`` and ``job_interests`` keep these
tables right on every insert, update and delete, on SQLite and PostgreSQL
alike (``envoycrm/rollups/triggers.py``); the application never writes them.
They have no foreign keys: a count outlives nothing it counts, and a row
whose count fell to zero is harmless. "None" (a student from a university
not on the list, an entry without an author) is kept as 0, since a primary
key cannot hold NULL.
"""

from datetime import date

from sqlalchemy.orm import Mapped, mapped_column

from envoycrm.extensions import Model
from envoycrm.models.base import enum_column
from envoycrm.models.students import Stage


class StudentCount(Model):
    """Students per envoy, university and stage (board, dashboards, activity)."""

    __tablename__ = "student_counts"

    owner_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    university_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    stage: Mapped[Stage] = mapped_column(enum_column(Stage), primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


class StudentWeek(Model):
    """Students created per week (Monday, UTC): the dashboard's weekly chart."""

    __tablename__ = "student_weeks"

    week: Mapped[date] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


class OpeningReplyCount(Model):
    """Students' replies (job interests) per opening."""

    __tablename__ = "opening_reply_counts"

    opening_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(default=0)


class StudentStageDay(Model):
    """Students per stage and the day (UTC) they entered it: who is stuck."""

    __tablename__ = "student_stage_days"

    stage: Mapped[Stage] = mapped_column(enum_column(Stage), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(default=0)


class InteractionAuthor(Model):
    """Touchpoints per author, every week together (the envoys' activity)."""

    __tablename__ = "interaction_authors"

    author_id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    n: Mapped[int] = mapped_column(default=0)


class InteractionWeekTotal(Model):
    """Touchpoints per week, every author together (the dashboard's chart)."""

    __tablename__ = "interaction_week_totals"

    week: Mapped[date] = mapped_column(primary_key=True)
    n: Mapped[int] = mapped_column(default=0)
