"""Exactly-once sending for every outbox: the digests', the events', the files'.

An outbox is a table whose rows carry the sending columns (``Deliverable``;
``models.OutboxDelivery`` declares them for the digests and the events), one
row per mail that must go out once. The guarantees are the same for all:

* **Insert if absent.** Rows are inserted with ``ON CONFLICT DO NOTHING``
  against the table's own unique constraint (recipient, kind, period ...),
  so any number of runs, in any number of processes, leave one row.
* **Claim with expiry.** A sender takes rows with one conditional UPDATE
  (status still PENDING and due, or SENDING whose claim has lapsed), so two
  processes never send the same row; a process that dies mid-send leaves a
  claim that lapses and the row is taken again. A sending pass claims a
  batch at a time (``claimed_rows``) and sends a row only while its claim
  holds with room to spare; the rest of a batch is handed back unsent.
* **Commit after each mail.** A row is marked SENT in its own transaction
  the moment the SMTP server accepts it, so a run interrupted half way
  resends nothing already sent. (Only a crash in the instant between the
  server's "250" and that commit could repeat a mail; it carries the same
  Message-ID, so mail clients show it once.)
* **Retry with backoff.** Temporary failures come back after growing delays
  that add up to 48 hours; only then is the row FAILED. Permanent ones
  (5xx) fail at once.

What each outbox puts in its mail is its own business (``digests/outbox.py``,
``events/mails.py``); the functions here only claim, send and record.
"""

import os
import socket
import time
from collections.abc import Callable, Generator, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from email.message import Message
from typing import Any, Protocol, TypeVar

from sqlalchemy import ColumnElement, and_, insert, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import IntegrityError, SQLAlchemyError
from sqlalchemy.orm.interfaces import ORMOption

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
# Rows a sending pass claims at once. Even if every one of them waited out
# the SMTP timeout, the batch would be done well inside its lease;
# ``claimed_rows`` hands back what is left when half the lease has gone.
CLAIM_BATCH = 50


class Deliverable(Protocol):
    """What the sending rules read and write on any outbox row."""

    id: int
    status: OutboxStatus
    attempts: int
    last_error: str | None
    next_attempt_at: datetime
    claimed_by: str | None
    claimed_until: datetime | None
    sent_at: datetime | None


Row = TypeVar("Row", bound=Deliverable)


def worker_name() -> str:
    """Who holds a claim: host and process, for the outbox page."""
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def insert_if_absent(model: type[Any], rows: list[dict]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING into ``model``'s table."""
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


def claimable(model: type[Any], now: datetime) -> ColumnElement[bool]:
    """SQL: the row is due and nobody holds it (or their claim lapsed)."""
    return or_(
        and_(
            model.status == OutboxStatus.PENDING,
            model.next_attempt_at <= now,
            or_(model.claimed_until.is_(None), model.claimed_until < now),
        ),
        and_(model.status == OutboxStatus.SENDING, model.claimed_until < now),
    )


def claim(model: type[Row], row_id: int, worker: str, now: datetime) -> Row | None:
    """Take row ``row_id`` for sending if nobody holds it; None if taken or done.

    Commits the claim before any mail is sent, so no other sender takes it.
    """
    table: Any = model
    result = db.session.execute(
        update(table)
        .where(table.id == row_id, claimable(table, now))
        .values(
            status=OutboxStatus.SENDING,
            claimed_by=worker,
            claimed_until=now + CLAIM_LEASE,
            attempts=table.attempts + 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    if rows_changed(result) != 1:
        return None
    row = db.session.get(model, row_id)
    db.session.refresh(row)
    return row


def claim_next(model: type[Row], worker: str, now: datetime) -> Row | None:
    """Claim the next row that is due and free, or None when there is none.

    Commits each claim (``claim``).
    """
    table: Any = model
    while True:
        ids = db.session.scalars(
            select(table.id)
            .where(claimable(table, now))
            .order_by(table.next_attempt_at, table.id)
            .limit(20)
        ).all()
        if not ids:
            return None
        for row_id in ids:
            row = claim(model, row_id, worker, now)
            if row is not None:
                return row
        # Another sender took all of these between our read and our update.


def claim_batch(
    model: type[Row],
    worker: str,
    now: datetime,
    size: int = CLAIM_BATCH,
    options: Sequence[ORMOption] = (),
) -> list[Row]:
    """Claim up to ``size`` rows that are due and free, oldest first; commits.

    One UPDATE ... RETURNING takes them, with the same condition and the same
    claim as ``claim``: a row another sender took between our read and our
    update is left out, so no row is ever held by two. ``options`` load
    what sending a row reads (its registration, its event) with the rows.
    """
    table: Any = model
    if not db.session.get_bind().dialect.update_returning:
        row = claim_next(model, worker, now)
        return [] if row is None else [row]
    while True:
        ids = db.session.scalars(
            select(table.id)
            .where(claimable(table, now))
            .order_by(table.next_attempt_at, table.id)
            .limit(size)
        ).all()
        if not ids:
            return []
        taken = db.session.scalars(
            update(table)
            .where(table.id.in_(ids), claimable(table, now))
            .values(
                status=OutboxStatus.SENDING,
                claimed_by=worker,
                claimed_until=now + CLAIM_LEASE,
                attempts=table.attempts + 1,
            )
            .returning(table.id)
            .execution_options(synchronize_session=False)
        ).all()
        db.session.commit()
        if taken:
            return list(
                db.session.scalars(
                    select(model)
                    .where(table.id.in_(taken))
                    .order_by(table.next_attempt_at, table.id)
                    .options(*options)
                    .execution_options(populate_existing=True)
                )
            )
        # Another sender took all of these between our read and our update.


def release(model: type[Any], ids: Sequence[int], worker: str) -> None:
    """Hand back rows claimed by ``worker`` and not sent, as if never claimed.

    Commits, so another sender may take them at once.
    """
    if not ids:
        return
    db.session.execute(
        update(model)
        .where(
            model.id.in_(ids),
            model.status == OutboxStatus.SENDING,
            model.claimed_by == worker,
        )
        .values(
            status=OutboxStatus.PENDING,
            claimed_by=None,
            claimed_until=None,
            attempts=model.attempts - 1,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def claimed_rows(
    model: type[Row],
    worker: str,
    now: datetime,
    limit: int | None = None,
    options: Sequence[ORMOption] = (),
) -> Generator[Row, None, None]:
    """Every row due and free (up to ``limit``), claimed a batch at a time.

    The caller sends (and commits) each row before asking for the next. A
    row is handed out only while its batch's claim has half its lease left,
    by the clock of this process; the rest of the batch is then handed back
    and claimed anew, with a fresh lease. Leaving early hands back the rest.
    Commits each claim and each hand-back (rolls back a failed hand-back).
    Each batch's claim is timed from ``now`` plus the time the pass has run,
    so a long pass's later claims last as long as its first.
    """
    started = time.monotonic()
    handed = 0
    while limit is None or handed < limit:
        claimed_at = time.monotonic()
        elapsed = timedelta(seconds=claimed_at - started)
        size = CLAIM_BATCH if limit is None else min(CLAIM_BATCH, limit - handed)
        batch = claim_batch(model, worker, now + elapsed, size, options)
        if not batch:
            return
        ids = [row.id for row in batch]
        done = 0
        try:
            for row in batch:
                if time.monotonic() - claimed_at > CLAIM_LEASE.total_seconds() / 2:
                    break
                done += 1
                handed += 1
                yield row
        finally:
            try:
                release(model, ids[done:], worker)
            except SQLAlchemyError:
                # Leaving on a database error: the claims lapse by themselves.
                db.session.rollback()


def finish(row: Deliverable, status: OutboxStatus, **values: Any) -> None:
    """Record a row's outcome and release its claim; commits at once."""
    row.status = status
    row.claimed_by = None
    row.claimed_until = None
    for key, value in values.items():
        setattr(row, key, value)
    db.session.commit()


def send_claimed(
    row: Deliverable,
    message: Message,
    now: datetime,
    on_sent: Callable[[], None] | None = None,
    mailer: mail.Mailer | None = None,
) -> OutboxStatus:
    """Hand ``message`` (the claimed ``row``'s mail) to the server; record it.

    A temporary failure puts the row back with the next delay, a permanent
    one (or the last try) fails it. ``on_sent`` writes what goes with a
    sent mail (an audit entry), in the transaction that marks it SENT.
    Returns the row's new status. Commits the outcome (``finish``) without
    raising for mail errors. ``mailer`` is the pass's connection, if it has one.
    """
    try:
        if mailer is None:
            mail.send_message(message)
        else:
            mailer.send(message)
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
    if on_sent is not None:
        on_sent()
    finish(row, OutboxStatus.SENT, sent_at=now, last_error=None)
    return OutboxStatus.SENT


@dataclass
class SendReport:
    """What one sending pass did."""

    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    ids: list[int] = field(default_factory=list)

    def count(self, status: OutboxStatus) -> None:
        """Add one outcome."""
        name = {
            OutboxStatus.SENT: "sent",
            OutboxStatus.PENDING: "retrying",
            OutboxStatus.FAILED: "failed",
            OutboxStatus.SKIPPED: "skipped",
        }[status]
        setattr(self, name, getattr(self, name) + 1)

    def summary(self) -> str:
        """One line for the scheduler's health view."""
        return (
            f"sent {self.sent}, retrying {self.retrying}, "
            f"failed {self.failed}, skipped {self.skipped}"
        )
