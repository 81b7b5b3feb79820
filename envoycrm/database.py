"""The database: settings SQLAlchemy does not make by itself, and two rules.

**Routes commit; domain functions never do.** A domain function (an area's
``services.py``, ``queries.py``, ``imports.py`` ...) adds, changes and flushes
(to get ids, or to meet a constraint early) and leaves the transaction open.
The view that called it decides: ``db.session.commit()`` on success, or
``db.session.rollback()`` when it answers an error itself; an error it lets
propagate is rolled back by Flask-SQLAlchemy at the end of the request. A CLI
command or a scheduler job is the view of its own work and commits the same
way. A domain function that must commit (the outbox claims a row before it
sends mail, an import or a bulk action commits chunk by chunk) says so in its
docstring; ``tests/test_transactions.py`` holds every domain module to this.

**An edit is refused when its row changed since the form was loaded.** Every
edit form carries the row's ``version``; ``check_version`` raises
``StaleEdit`` for a missing or older one, and the model's ``version_id_col``
raises ``StaleDataError`` for a save that loses a race after the check. Views
catch both (``STALE``) and answer with ``editing.refuse_stale_edit``.
"""

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, Protocol, cast

from sqlalchemy import event
from sqlalchemy.engine import Connection, CursorResult, Engine, Result
from sqlalchemy.orm.exc import StaleDataError


class StaleEdit(Exception):
    """The row changed since the form was loaded (or the form had no version)."""


# What a view catches around an edit: the check before it, the race after.
STALE = (StaleEdit, StaleDataError)


class Versioned(Protocol):
    """A row with optimistic locking (``version_id_col``)."""

    version: int


def check_version(row: Versioned, expected: int | None) -> None:
    """Refuse an edit made from another version of ``row`` than the current one.

    A missing version is refused too: a form that does not say which version
    it edits could overwrite any.
    """
    if expected is None or expected != row.version:
        raise StaleEdit


@event.listens_for(Engine, "connect")
def _configure_sqlite(dbapi_connection: Any, _record: Any) -> None:
    """Make SQLite safe for several workers: WAL, a busy timeout, foreign keys."""
    if not isinstance(dbapi_connection, sqlite3.Connection):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def refresh_statistics(connection: Connection, full: bool = False) -> str:
    """Let the query planner see how the data is spread.

    SQLite keeps no statistics by itself: without them it may walk a big
    index where a small one would do. ``PRAGMA optimize`` re-analyses what
    changed. PostgreSQL's autovacuum does this on its own in time, but not
    right after a bulk load, so ``full`` analyses everything on both.
    """
    if full:  # after a bulk load: analyse everything
        connection.exec_driver_sql("ANALYZE")
        return "statistics rebuilt"
    if connection.dialect.name != "sqlite":
        return "left to autovacuum on " + connection.dialect.name
    connection.exec_driver_sql("PRAGMA analysis_limit=1000")
    connection.exec_driver_sql("PRAGMA optimize=0x10002")
    return "statistics refreshed"


def rows_changed(result: Result[Any]) -> int:
    """How many rows an INSERT, UPDATE or DELETE touched.

    ``Session.execute`` is typed as returning a plain ``Result``; for these
    statements it is a ``CursorResult``, which holds the count.
    """
    return cast(CursorResult[Any], result).rowcount


def commit_keeping_loaded(session: Any) -> None:
    """Commit without expiring the rows already loaded.

    A list page records that it was viewed (an audit row) and commits before
    it renders; a plain commit would expire every row it read, and rendering
    would then reload each one by itself (one statement per row, and the
    eager loads lost). Only the audit row changed, so what was read is still
    what the page should show.
    """
    with keeping_loaded(session):
        session.commit()


@contextmanager
def keeping_loaded(session: Any) -> Iterator[None]:
    """Inside the block, commits leave the rows already loaded as they are.

    For work that commits often over rows it read once on purpose (a sending
    pass commits each mail's outcome), where reloading them after every
    commit would cost statements and gain nothing.
    """
    scoped = session() if callable(session) else session
    scoped.expire_on_commit = False
    try:
        yield
    finally:
        scoped.expire_on_commit = True
