"""An envoy's own figures, counted in the database in the envoy's week and month."""

from datetime import UTC, date, datetime

from sqlalchemy import update

from envoycrm.extensions import db
from envoycrm.models import Student
from envoycrm.students.queries import envoy_numbers

# Wednesday 25 November 2026, 20:00 in Shanghai: the week began on Monday the
# 23rd and the month on the 1st, both at midnight Shanghai time.
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


def _logged(factory, envoy, created_at: datetime, met_on: date) -> Student:
    student = factory.student(envoy, met_on=met_on)
    db.session.execute(
        update(Student).where(Student.id == student.id).values(created_at=created_at)
    )
    db.session.commit()
    return student


def test_students_and_touchpoints_are_counted_in_the_envoys_week_and_month(
    factory, people
):
    envoy = people["envoy"]
    envoy.timezone = "Asia/Shanghai"
    # Monday 00:30 in Shanghai is still Sunday in UTC: this week.
    _logged(
        factory, envoy, datetime(2026, 11, 22, 16, 30, tzinfo=UTC), date(2026, 11, 24)
    )
    # Sunday 23:30 in Shanghai: last week, this month.
    _logged(
        factory, envoy, datetime(2026, 11, 22, 15, 30, tzinfo=UTC), date(2026, 11, 5)
    )
    # October: neither.
    _logged(
        factory, envoy, datetime(2026, 10, 20, 9, 0, tzinfo=UTC), date(2026, 10, 20)
    )
    # Another envoy's work never counts.
    _logged(
        factory,
        people["envoy2"],
        datetime(2026, 11, 24, 9, 0, tzinfo=UTC),
        date(2026, 11, 24),
    )

    numbers = envoy_numbers(envoy, now=NOW)

    assert (numbers.students_week, numbers.students_month) == (1, 2)
    assert (numbers.interactions_week, numbers.interactions_month) == (1, 2)
    assert numbers.owned == 3


def test_touchpoints_after_now_are_not_counted(factory, people):
    envoy = people["envoy"]
    _logged(
        factory, envoy, datetime(2026, 11, 24, 9, 0, tzinfo=UTC), date(2026, 11, 27)
    )
    numbers = envoy_numbers(envoy, now=NOW)
    assert numbers.students_week == 1
    assert numbers.interactions_week == 0
