"""The digests' outbox: one row per digest, recipient and period.

Rows are made for every subscribed recipient whose digest is due, and sent
with the guarantees every outbox shares (``envoycrm/outbox.py``): inserted
if absent, claimed with expiry, committed after each mail, retried with
backoff for 48 hours.
"""

import logging
import secrets
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import func, insert, select, update
from sqlalchemy.dialects import postgresql, sqlite

from envoycrm import audit
from envoycrm import outbox as delivery
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

from . import content, render, subscriptions
from .periods import latest_due_period

log = logging.getLogger(__name__)

# The shared sending machinery, under the names this module always had.
RETRY_DELAYS = delivery.RETRY_DELAYS
RETRY_SPAN = delivery.RETRY_SPAN
MAX_ATTEMPTS = delivery.MAX_ATTEMPTS
CLAIM_LEASE = delivery.CLAIM_LEASE
SendReport = delivery.SendReport
worker_name = delivery.worker_name

# Why a row was skipped; stored in English, translated on the outbox page.
SKIPPED_UNSUBSCRIBED = N_("unsubscribed or inactive")
SKIPPED_EMPTY = N_("nothing new")


def new_message_id(kind: DigestKind, recipient_id: int, period: str) -> str:
    """A Message-ID made once per row and kept across every retry."""
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "envoycrm.local"
    token = secrets.token_hex(6)
    return f"<digest.{period}.{kind.value}.{recipient_id}.{token}@{host}>"


def _insert_if_absent(rows: list[dict]) -> None:
    """INSERT ... ON CONFLICT DO NOTHING on PostgreSQL and SQLite."""
    delivery.insert_if_absent(OutboxMessage, rows)


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


def _claimable(now: datetime):
    return delivery.claimable(OutboxMessage, now)


def claim(row_id: int, worker: str, now: datetime) -> OutboxMessage | None:
    """Take row ``row_id`` for sending if nobody holds it; None if taken or done.

    Commits the claim before any mail is sent, so no other sender takes it.
    """
    return delivery.claim(OutboxMessage, row_id, worker, now)


def claim_next(worker: str, now: datetime) -> OutboxMessage | None:
    """Claim the next row that is due and free, or None when there is none.

    Commits each claim.
    """
    return delivery.claim_next(OutboxMessage, worker, now)


_finish = delivery.finish


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

    def audited() -> None:
        # Committed with the SENT mark: a digest names students to its reader.
        audit.record(
            "digest.sent",
            "outbox",
            row.id,
            kind=row.kind.name,
            recipient_id=user.id,
            students=len(set(composed.mentions)),
        )

    status = delivery.send_claimed(row, message, now, on_sent=audited)
    if status is OutboxStatus.SENT:
        _record_mentions(row.id, composed.mentions)
    return status


def _record_mentions(outbox_id: int, student_ids: list[int]) -> None:
    """Remember which students the sent digest named; commits with the send."""
    rows = [{"outbox_id": outbox_id, "student_id": sid} for sid in student_ids]
    if not rows:
        return
    dialect = db.session.get_bind().dialect.name
    module = postgresql if dialect == "postgresql" else sqlite
    if dialect in ("postgresql", "sqlite"):
        db.session.execute(
            module.insert(DigestMention).values(rows).on_conflict_do_nothing()
        )
    else:
        db.session.execute(insert(DigestMention), rows)
    db.session.commit()


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
