"""The demo's year of info sessions: across every university, the same each load."""

from sqlalchemy import func, select

from envoycrm.demo.events import SESSIONS_PER_UNIVERSITY
from envoycrm.extensions import db
from envoycrm.models import Event, EventRegistration, EventStatus, University


def _events() -> list:
    return db.session.execute(
        select(
            Event.title_en,
            Event.starts_at,
            Event.time_zone,
            Event.university_id,
            Event.status,
            Event.public_token,
        )
        .where(Event.university_id.is_not(None))  # the fair and tours are apart
        .order_by(Event.id)
    ).all()


def test_the_demo_holds_a_year_of_sessions_at_every_university(runner):
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    events = _events()
    universities = db.session.scalar(select(func.count(University.id)))
    assert len(events) == universities * SESSIONS_PER_UNIVERSITY
    assert len({row.university_id for row in events}) == universities
    statuses = {row.status for row in events}
    assert statuses == {EventStatus.HELD, EventStatus.PUBLISHED}
    # 18:00 where the university is.
    from zoneinfo import ZoneInfo

    assert all(
        row.starts_at.astimezone(ZoneInfo(row.time_zone)).hour == 18 for row in events
    )
    registrations = db.session.scalar(select(func.count(EventRegistration.id)))
    assert registrations > len(events) * 5

    # The same again from empty: deterministic.
    first = events
    db.session.execute(EventRegistration.__table__.delete())
    db.session.execute(Event.__table__.delete())
    db.session.commit()
    assert runner.invoke(args=["demo", "load"]).exit_code == 0
    assert _events() == first
