"""Scheduler health for admins: did Monday's digests go out, without a shell?

The source is what the scheduler process already records: a ``SchedulerRun``
row per job run (the digest job runs every quarter hour, so its latest row
is the heartbeat) and the outbox. Next runs come from the jobs' own cron
triggers, so this page and ``flask scheduler run`` never disagree.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import urlsplit

from apscheduler.triggers.cron import CronTrigger
from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import func, select

from envoycrm import mail
from envoycrm.extensions import db
from envoycrm.models import OutboxMessage, OutboxStatus, SchedulerRun, User, utcnow
from envoycrm.scheduler import JOBS

from .render import recipient_locale

# The digest job runs every 15 minutes; silence for longer than this is news.
HEARTBEAT_STALE_AFTER = timedelta(minutes=20)
FAILED_SHOWN = 50


@dataclass
class JobHealth:
    """One scheduled job: its last run (if any) and its next one."""

    job_id: str
    last: SchedulerRun | None
    next_run: datetime | None


@dataclass
class SchedulerHealth:
    """Everything the scheduler-health page shows."""

    heartbeat: SchedulerRun | None
    stale: bool
    jobs: list[JobHealth]
    period: str
    counts: dict[OutboxStatus, int]
    failed: list[OutboxMessage]


def scheduler_health(period: str, now: datetime | None = None) -> SchedulerHealth:
    """The heartbeat, each job's last and next run, and ``period``'s outbox."""
    now = now or utcnow()
    jobs = []
    for job_id, (_function, trigger) in JOBS.items():
        last = db.session.scalars(
            select(SchedulerRun)
            .where(SchedulerRun.job_id == job_id)
            .order_by(SchedulerRun.started_at.desc(), SchedulerRun.id.desc())
            .limit(1)
        ).first()
        next_run = CronTrigger(timezone="UTC", **trigger).get_next_fire_time(None, now)
        jobs.append(JobHealth(job_id, last, next_run))
    runs = [job.last for job in jobs if job.last is not None]
    heartbeat = max(runs, key=lambda run: run.started_at, default=None)
    counts = dict.fromkeys(OutboxStatus, 0)
    counts.update(
        db.session.execute(
            select(OutboxMessage.status, func.count(OutboxMessage.id))
            .where(OutboxMessage.period == period)
            .group_by(OutboxMessage.status)
        ).all()
    )
    failed = db.session.scalars(
        select(OutboxMessage)
        .where(
            OutboxMessage.period == period,
            OutboxMessage.status == OutboxStatus.FAILED,
        )
        .order_by(OutboxMessage.id)
        .limit(FAILED_SHOWN)
    ).all()
    return SchedulerHealth(
        heartbeat=heartbeat,
        stale=heartbeat is None or now - heartbeat.started_at > HEARTBEAT_STALE_AFTER,
        jobs=jobs,
        period=period,
        counts=counts,
        failed=list(failed),
    )


def send_test_mail(user: User) -> str:
    """Send a short mail to ``user`` the way digests go; the server's answer.

    Raises ``mail.MailError`` (with a readable message) when it is refused.
    """
    with force_locale(recipient_locale(user)):
        subject = _("EnvoyCRM test mail")
        body = _(
            "This mail was sent from the scheduler health page to check that "
            "EnvoyCRM can send mail. Nothing else needs to be done."
        )
    host = urlsplit(current_app.config["BASE_URL"]).hostname or "envoycrm.local"
    message = EmailMessage()
    message["Subject"] = subject
    message["From"] = current_app.config["MAIL_SENDER"]
    message["To"] = user.email
    message["Date"] = mail.date_header()
    message["Message-ID"] = make_msgid(domain=host)
    message["Auto-Submitted"] = "auto-generated"
    message.set_content(body)
    return mail.send_message(message)
