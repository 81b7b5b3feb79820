"""Exactly-once mail, for any outbox table: claims, retries, outcomes.

An outbox table (the weekly digests' ``outbox_messages``, the personnel
files' ``file_notices`` ...) holds one row per mail that must go out once,
made insert-if-absent against a unique key, and these columns: ``status``,
``attempts``, ``next_attempt_at``, ``claimed_by``, ``claimed_until``,
``last_error``, ``sent_at``. The rules, the same for every table:

* **Claim with expiry.** A sender takes a row with one conditional UPDATE
  (status still PENDING and not held, or SENDING whose claim has lapsed), so
  two processes never send the same row; a process that dies mid-send leaves
  a claim that lapses and the row is taken again.
* **Commit after each mail.** A row is marked SENT in its own transaction the
  moment the SMTP server accepts it, so a run interrupted half way resends
  nothing already sent. (Only a crash in the instant between the server's
  "250" and that commit could repeat a mail; it carries the row's own
  Message-ID, so mail clients show it once.)
* **Retry with backoff.** Temporary failures come back after growing delays
  that add up to 48 hours; only then is the row FAILED. Permanent ones (5xx)
  fail at once.

Functions here commit: a claim must be visible to every other sender before
any mail is sent, and an outcome the moment it is known.
"""

import os
import socket
from collections.abc import Callable
from datetime import datetime, timedelta
from email.message import EmailMessage
from typing import Any

from sqlalchemy import and_, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError

from envoycrm import mail
from envoycrm.database import rows_changed
from envoycrm.extensions import db
from envoycrm.models import OutboxStatus

RETRY_DELAYS = (
    timedelta(minutes=1),
    timedelta(minutes=4),
    timedelta(minutes=10),
    timedelta(minutes=15),
    timedelta(minutes=30),
    timedelta(hours=1),
    timedelta(hours=2),
    timedelta(hours=4),
    timedelta(hours=8),
    timedelta(hours=12),
    timedelta(hours=12),
    timedelta(hours=8),
)
# The last try is made this long after the first one.
RETRY_SPAN = sum(RETRY_DELAYS, timedelta())
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# Long enough for one SMTP hand-over with its timeout, short enough that a
# crashed sender's rows go out again within the quarter hour.
CLAIM_LEASE = timedelta(minutes=10)


def worker_name() -> str:
    """Who holds a claim: host and process, for the outbox pages."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def insert_if_absent(model: type[Any], rows: list[dict]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on PostgreSQL and SQLite."""
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    if dialect == "postgresql":
        db.session.execute(
            postgresql.insert(model).values(rows).on_conflict_do_nothing()
        )
    elif dialect == "sqlite":
        db.session.execute(sqlite.insert(model).values(rows).on_conflict_do_nothing())
    else:  # any other database: one row at a time, a duplicate is not an error
        for row in rows:
            try:
                with db.session.begin_nested():
                    db.session.execute(insert(model).values(row))
            except IntegrityError:
                pass


def claimable(model: type[Any], now: datetime):
    """SQL: the rows of ``model`` a sender may take now."""
    return or_(
        and_(
            model.status == OutboxStatus.PENDING,
            model.next_attempt_at <= now,
            or_(model.claimed_until.is_(None), model.claimed_until < now),
        ),
        and_(model.status == OutboxStatus.SENDING, model.claimed_until < now),
    )


def claim(model: type[Any], row_id: int, worker: str, now: datetime) -> Any | None:
    """Take row ``row_id`` for sending if nobody holds it; None if taken or done.

    Commits the claim before any mail is sent, so no other sender takes it.
    """
    result = db.session.execute(
        update(model)
        .where(model.id == row_id, claimable(model, now))
        .values(
            status=OutboxStatus.SENDING,
            claimed_by=worker,
            claimed_until=now + CLAIM_LEASE,
            attempts=model.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if rows_changed(result) != 1:
        return None
    row = db.session.get(model, row_id)
    db.session.refresh(row)
    return row


def claim_next(model: type[Any], worker: str, now: datetime) -> Any | None:
    """Claim the next row of ``model`` that is due and free, or None."""
    while True:
        ids = db.session.scalars(
            select(model.id)
            .where(claimable(model, now))
            .order_by(model.next_attempt_at, model.id)
            .limit(20)
        ).all()
        if not ids:
            return None
        for row_id in ids:
            row = claim(model, row_id, worker, now)
            if row is not None:
                return row
        # Another sender took all of these between our read and our update.


def finish(row: Any, status: OutboxStatus, **values) -> None:
    """Record a row's outcome and release its claim; commits at once."""
    row.status = status
    row.claimed_by = None
    row.claimed_until = None
    for key, value in values.items():
        setattr(row, key, value)
    db.session.commit()


def hand_over(
    row: Any,
    message: EmailMessage,
    now: datetime,
    when_sent: Callable[[], None] | None = None,
) -> OutboxStatus:
    """Send a claimed row's ``message`` and record the outcome; never raises
    for mail. ``when_sent`` adds what must commit with the SENT mark (an
    audit entry). Commits the outcome."""
    try:
        mail.send_message(message)
    except mail.MailError as exc:
        error = str(exc)[:2000]
        if exc.temporary and row.attempts < MAX_ATTEMPTS:
            delay = RETRY_DELAYS[row.attempts - 1]
            finish(
                row, OutboxStatus.PENDING, last_error=error, next_attempt_at=now + delay
            )
            return OutboxStatus.PENDING
        finish(row, OutboxStatus.FAILED, last_error=error)
        return OutboxStatus.FAILED
    if when_sent is not None:
        when_sent()
    finish(row, OutboxStatus.SENT, sent_at=now, last_error=None)
    return OutboxStatus.SENT
