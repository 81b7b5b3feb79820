"""The outbox: one row per digest, recipient and period; exactly-once sending.

* **Insert if absent.** ``build_due`` inserts a row per recipient for their
  latest due period with ``ON CONFLICT DO NOTHING`` against the unique
  (kind, recipient, period) constraint, so any number of runs, in any number
  of processes, leave one row.
* **Claim, send, retry.** Claims with expiry, a commit after each mail and
  retries with backoff are the rules of every outbox, in ``envoycrm/outbox.py``.
"""

import logging
import secrets
from dataclasses import dataclass, field
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, select, update

from envoycrm import audit
from envoycrm import outbox as core
from envoycrm.access import N_
from envoycrm.database import rows_changed
from envoycrm.extensions import db
from envoycrm.models import (
    DigestKind,
    DigestMention,
    OutboxMessage,
    OutboxStatus,
    User,
    utcnow,
)
from envoycrm.outbox import (  # noqa: F401 - the digests' names for them
    CLAIM_LEASE,
    MAX_ATTEMPTS,
    RETRY_DELAYS,
    RETRY_SPAN,
)

from . import content, render, subscriptions
from .periods import latest_due_period

log = logging.getLogger(__name__)

# Why a row was skipped; stored in English, translated on the outbox page.
SKIPPED_UNSUBSCRIBED = N_("unsubscribed or inactive")
SKIPPED_EMPTY = N_("nothing new")


worker_name = core.worker_name


def new_message_id(kind: DigestKind, recipient_id: int, period: str) -> str:
    """A Message-ID made once per row and kept across every retry."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "envoycrm.local"
    token = secrets.token_hex(6)
    return f"<digest.{period}.{kind.value}.{recipient_id}.{token}@{host}>"


def _insert_if_absent(rows: list[dict]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on PostgreSQL and SQLite."""
    core.insert_if_absent(OutboxMessage, rows)


def _row_values(kind: DigestKind, user: User, period: str, now: datetime) -> dict:
    return {
        "kind": kind,
        "recipient_id": user.id,
        "recipient_email": user.email,
        "locale": render.recipient_locale(user),
        "timezone": render.recipient_timezone(user),
        "period": period,
        "status": OutboxStatus.PENDING,
        "message_id": new_message_id(kind, user.id, period),
        "subject": "",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def ensure_row(
    kind: DigestKind, user: User, period: str, now: datetime | None = None
) -> OutboxMessage:
    """The outbox row of ``kind`` for ``user`` and ``period``, made if absent.

    Commits the insert, so a concurrent sender sees the row at once.
    """
    now = now or utcnow()
    _insert_if_absent([_row_values(kind, user, period, now)])
    db.session.commit()
    return db.session.scalars(
        select(OutboxMessage).where(
            OutboxMessage.kind == kind,
            OutboxMessage.recipient_id == user.id,
            OutboxMessage.period == period,
        )
    ).one()


def build_due(now: datetime | None = None, period: str | None = None) -> int:
    """Make the rows of every subscribed recipient whose digest is due.

    Each recipient's period is their latest Monday 08:00 in their own zone
    (or ``period`` when given). Returns how many rows are new. Commits them.
    """
    now = now or utcnow()
    before = _count_rows()
    for kind in DigestKind:
        users = db.session.scalars(
            subscriptions.recipients(kind).order_by(User.id)
        ).all()
        batch = []
        for user in users:
            due = period or latest_due_period(now, render.recipient_timezone(user))
            batch.append(_row_values(kind, user, due, now))
            if len(batch) >= 500:
                _insert_if_absent(batch)
                batch = []
        _insert_if_absent(batch)
        db.session.commit()
    return _count_rows() - before


def _count_rows() -> int:
    return db.session.scalar(select(func.count(OutboxMessage.id))) or 0


def claim(row_id: int, worker: str, now: datetime) -> OutboxMessage | None:
    """Take row ``row_id`` for sending if nobody holds it; None if taken or done.

    Commits the claim before any mail is sent, so no other sender takes it.
    """
    return core.claim(OutboxMessage, row_id, worker, now)


def claim_next(worker: str, now: datetime) -> OutboxMessage | None:
    """Claim the next row that is due and free, or None when there is none."""
    return core.claim_next(OutboxMessage, worker, now)


_finish = core.finish


def deliver(
    row: OutboxMessage, now: datetime, pool: content.CandidatePool | None = None
) -> OutboxStatus:
    """Render and send one claimed row; record the outcome; never raise for mail.

    The content is built now, not when the row was made, so consent withdrawn
    or a subscription cancelled in between is honoured. Commits the outcome
    of each mail (and rolls back a failed render) on its own.
    """
    user = db.session.get(User, row.recipient_id) if row.recipient_id else None
    if user is None or not subscriptions.is_subscribed(user, row.kind):
        _finish(row, OutboxStatus.SKIPPED, last_error=SKIPPED_UNSUBSCRIBED)
        return OutboxStatus.SKIPPED
    try:
        composed = render.compose(row.kind, user, row.period, pool)
    except Exception as exc:  # a rendering bug must not stop the other digests
        log.exception("digest %s could not be rendered", row.id)
        db.session.rollback()
        _finish(row, OutboxStatus.FAILED, last_error=f"render: {exc}"[:2000])
        return OutboxStatus.FAILED
    row.subject = composed.subject[:300]
    row.locale = composed.locale
    row.timezone = composed.timezone
    row.recipient_email = user.email
    if composed.empty:
        _finish(row, OutboxStatus.SKIPPED, last_error=SKIPPED_EMPTY)
        return OutboxStatus.SKIPPED
    message = render.build_message(composed, user, user.email, row.message_id)

    def when_sent() -> None:
        # Committed with the SENT mark: a digest names students to its reader.
        audit.record(
            "digest.sent",
            "outbox",
            row.id,
            kind=row.kind.name,
            recipient_id=user.id,
            students=len(set(composed.mentions)),
        )

    status = core.hand_over(row, message, now, when_sent)
    if status is not OutboxStatus.SENT:
        return status
    _record_mentions(row.id, composed.mentions)
    return OutboxStatus.SENT


def _record_mentions(outbox_id: int, student_ids: list[int]) -> None:
    """Remember which students the sent digest named; commits with the send."""
    rows = [{"outbox_id": outbox_id, "student_id": sid} for sid in student_ids]
    if not rows:
        return
    core.insert_if_absent(DigestMention, rows)
    db.session.commit()


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


def send_due(
    now: datetime | None = None, worker: str | None = None, limit: int | None = None
) -> SendReport:
    """Send every row that is due and free, one claim and one commit at a time."""
    now = now or utcnow()
    worker = worker or worker_name()
    report = SendReport()
    pool = content.CandidatePool()
    try:
        while limit is None or len(report.ids) < limit:
            row = claim_next(worker, now)
            if row is None:
                break
            report.ids.append(row.id)
            report.count(deliver(row, now, pool))
    finally:
        pool.close()
    return report


def send_now(row: OutboxMessage, now: datetime | None = None) -> OutboxStatus | None:
    """Send one row at once (a coordinator's "send now" or "retry").

    A FAILED row is put back to PENDING first. Returns None when the row is
    already sent, skipped, or held by another sender. Commits like ``deliver``.
    """
    now = now or utcnow()
    if row.status is OutboxStatus.FAILED:
        row.status = OutboxStatus.PENDING
        row.attempts = 0
        row.next_attempt_at = now
        db.session.commit()
    elif row.status is OutboxStatus.PENDING and row.next_attempt_at > now:
        row.next_attempt_at = now
        db.session.commit()
    claimed = claim(row.id, worker_name(), now)
    if claimed is None:
        return None
    return deliver(claimed, now)


def requeue_failed(period: str, now: datetime | None = None) -> int:
    """Put every FAILED row of ``period`` back in the queue; how many there were.

    The rows start a fresh round of retries and go out with the next sending
    pass (the scheduler's quarter-hourly run), not inside the request.
    """
    now = now or utcnow()
    result = db.session.execute(
        update(OutboxMessage)
        .where(
            OutboxMessage.period == period,
            OutboxMessage.status == OutboxStatus.FAILED,
        )
        .values(status=OutboxStatus.PENDING, attempts=0, next_attempt_at=now)
        .execution_options(synchronize_session=False)
    )
    return rows_changed(result)


def run(now: datetime | None = None, worker: str | None = None) -> SendReport:
    """The scheduler's digest job: make the due rows, then send what is due."""
    now = now or utcnow()
    build_due(now)
    return send_due(now, worker)
