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
