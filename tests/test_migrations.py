"""The Alembic migrations build the schema from empty and match the models."""

import pytest
import sqlalchemy as sa
from flask_migrate import check, downgrade, upgrade

from envoycrm import create_app
from envoycrm.config import TestConfig
from envoycrm.extensions import db
from envoycrm.models import Role, Student
from tests.conftest import fresh_database


@pytest.fixture
def empty_database(tmp_path):
    """A database nobody has touched: a new SQLite file or PostgreSQL schema."""
    with fresh_database(tmp_path, prefix="mig") as url:
        yield url


def test_migrations_apply_from_empty_and_match_the_models(empty_database):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade()
        tables = set(sa.inspect(db.engine).get_table_names())
        assert set(db.metadata.tables) <= tables
        # ``flask db check``: exits non-zero when models and migrations differ.
        check()
        db.engine.dispose()
    result = app.test_cli_runner().invoke(args=["db", "check"])
    assert result.exit_code == 0, result.output


def test_migrations_downgrade_to_empty_and_up_again(empty_database):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade()
        downgrade(revision="base")
        leftover = set(sa.inspect(db.engine).get_table_names()) - {"alembic_version"}
        assert leftover == set()
        upgrade()
        assert "users" in sa.inspect(db.engine).get_table_names()
        db.engine.dispose()


def _rows(table: str) -> int:
    query = sa.select(sa.func.count()).select_from(sa.table(table))
    return db.session.execute(query).scalar_one()


def test_rebuilding_the_people_tables_keeps_every_row_that_refers_to_them(
    empty_database,
):
    """0008 rebuilds ``students`` and ``users`` on SQLite; dropping the old
    table must not cascade to the rows that point at it, either way."""
    from tests.conftest import Factory

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade()
        factory = Factory()
        envoy = factory.user(Role.ENVOY)
        for _ in range(3):
            factory.student(envoy)
        before = {t: _rows(t) for t in ("users", "students", "interactions")}
        db.session.remove()

        downgrade(revision="0008-1")
        assert {t: _rows(t) for t in before} == before
        db.session.remove()
        upgrade()
        assert {t: _rows(t) for t in before} == before
        db.session.remove()
        db.engine.dispose()


def test_an_erased_students_id_is_never_reused_after_migrating(empty_database):
    from tests.conftest import Factory

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade()
        factory = Factory()
        envoy = factory.user(Role.ENVOY)
        last = factory.student(envoy)
        last_id = last.id
        db.session.execute(sa.delete(Student).where(Student.id == last_id))
        db.session.commit()
        assert factory.student(envoy).id > last_id
        db.session.remove()
        db.engine.dispose()


def test_migrating_removes_tag_values_and_visitors_addresses_from_the_trail(
    empty_database,
):
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade(revision="0008-1")
        insert = sa.text(
            "INSERT INTO audit_events (created_at, action, record_type, record_id,"
            " ip, details) VALUES (:at, :action, 'student', 1, :ip, :details)"
        )
        rows = [
            ("student.tag_add", None, '{"tag": "zxy_materials_88"}'),
            ("referral.reply", "203.0.113.9", '{"student_id": 1}'),
            ("auth.login_failed", "198.51.100.1", "{}"),
        ]
        for action, ip, details in rows:
            db.session.execute(
                insert,
                {
                    "at": "2026-11-01 10:00:00+00:00",
                    "action": action,
                    "ip": ip,
                    "details": details,
                },
            )
        db.session.commit()
        db.session.remove()
        upgrade()
        stored = db.session.execute(
            sa.text("SELECT action, ip, details FROM audit_events ORDER BY id")
        ).all()
        assert [(a, ip) for a, ip, _ in stored] == [
            ("student.tag_add", None),
            ("referral.reply", None),
            ("auth.login_failed", "198.51.100.1"),
        ]
        assert "zxy" not in str(stored[0][2])
        assert "student_id" in str(stored[1][2])
        db.session.remove()
        db.engine.dispose()


def test_a_touchpoint_written_the_old_way_keeps_its_calendar_date_both_ways(
    empty_database,
):
    """Before 0011 a "met on 3 Dec" was stored as noon of that day in the
    author's zone. Converted in that zone it stays 3 Dec, even for an author
    whose noon falls on 2 Dec in UTC (Auckland); the downgrade gives the noon
    back."""
    from datetime import UTC, date, datetime, time
    from zoneinfo import ZoneInfo

    from envoycrm.models.base import UTCDateTime
    from tests.conftest import Factory

    zones = ("America/New_York", "Asia/Shanghai", "Pacific/Auckland")
    met_on = date(2026, 12, 3)
    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=empty_database)
    with app.app_context():
        upgrade()
        factory = Factory()
        authors = {}
        for zone in zones:
            envoy = factory.user(Role.ENVOY, timezone=zone)
            authors[factory.student(envoy, met_on=met_on).id] = zone
        db.session.remove()

        downgrade(revision="0010")
        interactions = sa.table(
            "interactions",
            sa.column("student_id", sa.Integer),
            sa.column("occurred_at", UTCDateTime),
        )
        stored = dict(
            db.session.execute(
                sa.select(interactions.c.student_id, interactions.c.occurred_at)
            ).all()
        )
        noon = {
            student_id: datetime.combine(met_on, time(12), ZoneInfo(zone))
            for student_id, zone in authors.items()
        }
        # The downgrade restores noon of the day in the author's zone.
        assert stored == {sid: at.astimezone(UTC) for sid, at in noon.items()}
        assert stored[_key(authors, "Pacific/Auckland")].date() == date(2026, 12, 2)
        db.session.remove()

        upgrade()
        days = db.session.execute(
            sa.text("SELECT student_id, occurred_on FROM interactions")
        ).all()
        assert {sid: _as_date(day) for sid, day in days} == dict.fromkeys(
            authors, met_on
        )
        # A student's last activity gets the day it was in their envoy's zone.
        for student in db.session.scalars(sa.select(Student)):
            zone = ZoneInfo(authors[student.id])
            assert student.last_activity_on == (
                student.last_activity_at.astimezone(zone).date()
            )
        db.session.remove()
        db.engine.dispose()


def _key(mapping: dict, value):
    return next(k for k, v in mapping.items() if v == value)


def _as_date(value):
    from datetime import date

    return date.fromisoformat(value) if isinstance(value, str) else value
