"""Rate limits that hold across worker processes, counted in the database.

Each event is a row keyed by what it counts (``account:<email>``,
``ip:<address>``, ``reply-ip:<address>`` ...); a limit is a number of rows in a
time window. Every gunicorn worker sees the same table, so the limit holds
however many processes serve the site.

``take`` tests the limits and counts the event in one step, serialised per
key in the database (an advisory lock on PostgreSQL, the write lock on
SQLite): a burst of concurrent requests cannot all read "4 of 5" before any
of them writes. That is why it is the only way to count an event.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, delete, func, insert, select, text

from envoycrm.database import rows_changed
from envoycrm.extensions import db
from envoycrm.models import RateEvent, utcnow


@dataclass(frozen=True)
class Limit:
    """At most ``limit`` events of ``key`` in the last ``window_seconds``."""

    key: str
    limit: int
    window_seconds: int


# The ids of the events ``take`` counted, for ``release``.
Taken = tuple[int, ...]


def take(*limits: Limit) -> Taken | None:
    """Count one event against every limit, or against none if any is full.

    Returns the counted events (for ``release``), or None when a limit was
    already reached. Runs in its own short transaction on its own connection
    and commits it at once, whatever the caller's session does: the event
    counts for every other worker before the caller does the expensive or
    risky work the limit protects, and the caller's transaction is neither
    committed nor rolled back here.
    """
    now = utcnow()
    with db.engine.connect() as connection:
        _lock(connection, {limit.key for limit in limits})
        for limit in limits:
            since = now - timedelta(seconds=limit.window_seconds)
            count = connection.scalar(
                select(func.count(RateEvent.id)).where(
                    RateEvent.key == limit.key, RateEvent.created_at >= since
                )
            )
            if (count or 0) >= limit.limit:
                connection.rollback()
                return None
        taken = tuple(
            connection.execute(
                insert(RateEvent)
                .values(key=limit.key, created_at=now)
                .returning(RateEvent.id)
            ).scalar_one()
            for limit in limits
        )
        connection.commit()
    return taken


def _lock(connection: Connection, keys: Iterable[str]) -> None:
    """Hold every ``take`` of these keys back until this transaction ends."""
    if connection.dialect.name == "postgresql":
        # Sorted, so two takes of the same keys never wait for each other.
        for key in sorted(keys):
            connection.execute(
                text("SELECT pg_advisory_xact_lock(hashtextextended(:key, 0))"),
                {"key": key},
            )
    else:
        # SQLite has one writer at a time; take the write lock before
        # reading, so the count cannot change between the read and the write.
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def release(taken: Taken) -> None:
    """Uncount events ``take`` counted (an attempt that turned out fine).

    Part of the caller's transaction.
    """
    db.session.execute(delete(RateEvent).where(RateEvent.id.in_(taken)))


def recent(key: str, window_seconds: int) -> int:
    """How many events ``key`` had in the last ``window_seconds``."""
    since = utcnow() - timedelta(seconds=window_seconds)
    return (
        db.session.scalar(
            select(func.count(RateEvent.id)).where(
                RateEvent.key == key, RateEvent.created_at >= since
            )
        )
        or 0
    )


def clear(key: str) -> None:
    """Forget every event of ``key`` (part of the caller's transaction)."""
    db.session.execute(delete(RateEvent).where(RateEvent.key == key))


# The settings that give a limit's window; the other limits count an ``HOUR``.
WINDOW_SETTINGS = (
    "LOGIN_WINDOW_SECONDS",
    "RESET_REQUEST_WINDOW_SECONDS",
    "REFERRAL_REPLY_WINDOW",
    "DUPLICATE_CHECK_WINDOW",
)
HOUR = 3600


def longest_window(config: Mapping[str, object]) -> int:
    """The longest window any limit counts over: an older event counts for
    nothing and only keeps an address or an email (``purge_older_than``)."""
    return max(HOUR, *(int(str(config[name])) for name in WINDOW_SETTINGS))


def purge_older_than(window_seconds: int, now: datetime | None = None) -> int:
    """Drop events older than the window; returns how many were removed."""
    since = (now or utcnow()) - timedelta(seconds=window_seconds)
    result = db.session.execute(delete(RateEvent).where(RateEvent.created_at < since))
    return rows_changed(result)
