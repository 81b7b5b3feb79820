"""Rate limits that hold across worker processes, counted in the database.

Each event is a row keyed by what it counts (``account:<email>``,
``ip:<address>``, ``reply-ip:<address>`` ...); a limit is a number of rows in a
time window. Every gunicorn worker sees the same table, so the limit holds
however many processes serve the site.
"""

from datetime import timedelta

from sqlalchemy import delete, func, select

from envoycrm.database import rows_changed
from envoycrm.extensions import db
from envoycrm.models import RateEvent, utcnow


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


def exceeded(key: str, limit: int, window_seconds: int) -> bool:
    """True when ``key`` reached ``limit`` events in the window."""
    return recent(key, window_seconds) >= limit


def hit(key: str) -> None:
    """Count one event for ``key`` (committed with the caller's transaction)."""
    db.session.add(RateEvent(key=key))


def clear(key: str) -> None:
    """Forget every event of ``key``."""
    db.session.execute(delete(RateEvent).where(RateEvent.key == key))


def purge_older_than(window_seconds: int) -> int:
    """Drop events older than the window; returns how many were removed."""
    since = utcnow() - timedelta(seconds=window_seconds)
    result = db.session.execute(delete(RateEvent).where(RateEvent.created_at < since))
    return rows_changed(result)
