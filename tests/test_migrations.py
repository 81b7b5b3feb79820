"""The Alembic migrations build the schema from empty and match the models."""

import pytest
import sqlalchemy as sa
from flask_migrate import check, downgrade, upgrade

from envoycrm import create_app
from envoycrm.config import TestConfig
from envoycrm.extensions import db
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
