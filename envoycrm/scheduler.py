"""The scheduler process: ``flask scheduler run``.

APScheduler 3's ``BlockingScheduler`` runs in its own process beside the web
workers; the app factory never starts one (a scheduler per gunicorn worker
would fire every job several times). Jobs are defined here, in code, with
fixed ids and the default in-memory job store: nothing needs to survive a
restart, because what matters is idempotent — the digest outbox makes a
rerun send nothing twice, closing expired openings and flagging students
touch only rows not yet handled. ``coalesce`` folds runs missed while the
machine was down into one, and a generous ``misfire_grace_time`` still runs
it late rather than not at all.

The digest job polls every quarter of an hour rather than firing once at
08:00: each recipient's digest is due at Monday 08:00 in *their* zone (any
offset, including :30 and :45 ones), and the outbox decides who is due.
"""

import logging
import socket
import traceback
from collections.abc import Callable
from datetime import datetime

import click
from apscheduler.events import EVENT_JOB_ERROR, EVENT_JOB_EXECUTED
from apscheduler.schedulers.blocking import BlockingScheduler
from apscheduler.triggers.cron import CronTrigger
from flask import Flask, current_app
from flask.cli import AppGroup, with_appcontext

from envoycrm.extensions import db
from envoycrm.models import SchedulerRun, utcnow

log = logging.getLogger(__name__)

MISFIRE_GRACE_SECONDS = 6 * 60 * 60
JOB_DEFAULTS = {
    "coalesce": True,
    "misfire_grace_time": MISFIRE_GRACE_SECONDS,
    "max_instances": 1,
}

scheduler_cli = AppGroup("scheduler", help="The scheduler process.")


def send_digests(now: datetime) -> str:
    """Make the outbox rows that are due and send what is due."""
    from envoycrm.digests import outbox

    report = outbox.run(now)
    return (
        f"sent {report.sent}, retrying {report.retrying}, "
        f"failed {report.failed}, skipped {report.skipped}"
    )


def send_file_notices(now: datetime) -> str:
    """Mail students about their personnel files (status links, new steps)."""
    from envoycrm.personnel_files import notices

    return f"sent {notices.send_due(now)}"


def send_event_mails(now: datetime) -> str:
    """Queue the reminders due (24 hours before) and send the events' mail."""
    from envoycrm.events import mails

    return mails.run(now).summary()


def close_expired_openings(now: datetime) -> str:
    """Close openings whose deadline has passed (in the bureau's zone)."""
    from envoycrm.i18n import bureau_today
    from envoycrm.jobs.services import close_expired_openings as close

    closed = close(bureau_today(now))
    db.session.commit()
    return f"closed {closed}"


def flag_retention(now: datetime) -> str:
    """Flag students past the retention period."""
    from envoycrm.privacy.retention import flag_retention as flag

    flagged = flag(now)
    db.session.commit()
    return f"flagged {flagged}"


def forget_import_files(now: datetime) -> str:
    """Drop uploaded import files past their keeping time."""
    from envoycrm.privacy.retention import forget_import_files as forget

    forgotten = forget(now)
    db.session.commit()
    return f"forgot {forgotten}"


def refresh_statistics(now: datetime) -> str:
    """Keep the database's query-planner statistics current."""
    from envoycrm.database import refresh_statistics as refresh

    return refresh(db.session.connection())


def purge_rate_events(now: datetime) -> str:
    """Forget the rate limits' events once every window has passed: each
    names an address or an email, and an old one counts toward nothing."""
    from envoycrm import ratelimit

    window = ratelimit.longest_window(current_app.config)
    purged = ratelimit.purge_older_than(window, now)
    db.session.commit()
    return f"purged {purged}"


# id -> (function, trigger arguments); ids are fixed so a restart replaces jobs.
JOBS: dict[str, tuple[Callable[[datetime], str], dict]] = {
    "digests": (send_digests, {"minute": "*/15"}),
    "file-notices": (send_file_notices, {"minute": "*"}),
    # Every minute: a confirmation or a change is mailed while it is news.
    "event-mails": (send_event_mails, {"minute": "*"}),
    "close-expired-openings": (close_expired_openings, {"hour": 0, "minute": 5}),
    "flag-retention": (flag_retention, {"hour": 2, "minute": 30}),
    "forget-import-files": (forget_import_files, {"minute": 40}),
    "refresh-statistics": (refresh_statistics, {"hour": 3, "minute": 15}),
    "purge-rate-events": (purge_rate_events, {"minute": 50}),
}

# Jobs run once when the scheduler starts, before their first timed run.
CATCH_UP_AT_START = ("close-expired-openings",)


def run_job(app: Flask, job_id: str, now: datetime | None = None) -> SchedulerRun:
    """Run one job inside an app context and record the run in ``SchedulerRun``."""
    function, _trigger = JOBS[job_id]
    with app.app_context():
        record = SchedulerRun(
            job_id=job_id, host=socket.gethostname()[:100], started_at=utcnow()
        )
        db.session.add(record)
        db.session.commit()
        try:
            detail = function(now or utcnow())
        except Exception:  # recorded for the admin, then the scheduler carries on
            db.session.rollback()
            record.ok = False
            record.detail = traceback.format_exc()[-4000:]
            log.exception("scheduled job %s failed", job_id)
        else:
            record.ok = True
            record.detail = detail
        record.finished_at = utcnow()
        db.session.commit()
        db.session.refresh(record)
        db.session.remove()
        return record


def catch_up(app: Flask) -> list[SchedulerRun]:
    """Run the ``CATCH_UP_AT_START`` jobs now, as the scheduler starts.

    A night missed while the scheduler was down (or a database just loaded)
    leaves expired openings stored as open. Readers already derive the
    status from the deadline; this brings the stored one in line at once.
    """
    return [run_job(app, job_id) for job_id in CATCH_UP_AT_START]


def make_scheduler(app: Flask) -> BlockingScheduler:
    """A blocking scheduler with every job added (not started)."""
    scheduler = BlockingScheduler(job_defaults=JOB_DEFAULTS, timezone="UTC")
    for job_id, (_function, trigger) in JOBS.items():
        scheduler.add_job(
            run_job,
            CronTrigger(timezone="UTC", **trigger),
            args=[app, job_id],
            id=job_id,
            name=job_id,
            replace_existing=True,
        )

    def report(event) -> None:
        if event.exception:
            log.error("job %s raised %s", event.job_id, event.exception)

    scheduler.add_listener(report, EVENT_JOB_ERROR | EVENT_JOB_EXECUTED)
    return scheduler


@scheduler_cli.command("run")
@click.option("--once", is_flag=True, help="Run every job once now and exit.")
@with_appcontext
def scheduler_run(once: bool) -> None:
    """Run the scheduler in the foreground until stopped (Ctrl-C or SIGTERM)."""
    # The real app, not the proxy: jobs run it in their own contexts.
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    if once:
        for job_id in JOBS:
            record = run_job(app, job_id)
            click.echo(f"{job_id}: {'ok' if record.ok else 'FAILED'} {record.detail}")
        return
    scheduler = make_scheduler(app)
    logging.basicConfig(level=logging.INFO)
    for record in catch_up(app):
        outcome = "ok" if record.ok else "FAILED"
        click.echo(f"{record.job_id}: {outcome} {record.detail}")
    for job in scheduler.get_jobs():
        click.echo(f"job {job.id}: {job.trigger}")
    click.echo("Scheduler running; Ctrl-C stops it.")
    try:
        scheduler.start()
    except (KeyboardInterrupt, SystemExit):
        click.echo("Scheduler stopped.")


def init_app(app: Flask) -> None:
    """Register ``flask scheduler``; nothing is started here."""
    app.cli.add_command(scheduler_cli)
