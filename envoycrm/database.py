"""Database connection settings that SQLAlchemy does not set by itself."""

import sqlite3
from typing import Any, cast

from sqlalchemy import event
from sqlalchemy.engine import Connection, CursorResult, Engine, Result


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
