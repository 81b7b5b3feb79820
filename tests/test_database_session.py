"""What every database connection is opened with, whatever the request."""

import pytest
import sqlalchemy as sa

from envoycrm.extensions import db


def test_a_postgres_connection_runs_alone_and_keeps_the_addresss_options(app):
    """No JIT compilation and no parallel workers for a page's few milliseconds,
    and every statement planned for its own values."""
    if db.engine.dialect.name != "postgresql":
        pytest.skip("JIT and parallel workers are PostgreSQL's")
    assert db.session.execute(sa.text("SHOW jit")).scalar() == "off"
    workers = sa.text("SHOW max_parallel_workers_per_gather")
    assert db.session.execute(workers).scalar() == "0"
    plans = sa.text("SHOW plan_cache_mode")
    assert db.session.execute(plans).scalar() == "force_custom_plan"
    # The suite's address names its own schema in ``options``: still in force.
    search_path = db.session.execute(sa.text("SHOW search_path")).scalar()
    assert search_path is not None and search_path.startswith("test_")


def test_an_sqlite_connection_enforces_foreign_keys(app):
    if db.engine.dialect.name != "sqlite":
        pytest.skip("PRAGMAs are SQLite's")
    assert db.session.execute(sa.text("PRAGMA foreign_keys")).scalar() == 1
