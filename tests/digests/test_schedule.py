"""When digests are due, and the scheduler process that sends them."""

import threading
from datetime import UTC, datetime

import pytest
from apscheduler.triggers.cron import CronTrigger
from sqlalchemy import select

from envoycrm import scheduler
from envoycrm.digests.periods import (
    BadPeriod,
    Window,
    latest_due_period,
    monday_of,
    next_due_at,
)
from envoycrm.extensions import db
from envoycrm.models import SchedulerRun


def utc(*args) -> datetime:
    return datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("zone", "now", "expected"),
    [
        # Shanghai has no daylight saving: always 00:00 UTC on Monday.
        ("Asia/Shanghai", utc(2026, 10, 24, 12), utc(2026, 10, 26, 0)),
        ("Asia/Shanghai", utc(2026, 3, 28, 12), utc(2026, 3, 30, 0)),
        # Manchester: British Summer Time ends on Sunday 25 October 2026, so
        # the Monday before is 07:00 UTC and the Monday after is 08:00 UTC.
        ("Europe/London", utc(2026, 10, 18, 12), utc(2026, 10, 19, 7)),
        ("Europe/London", utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 8)),
        # ...and starts on Sunday 29 March 2026.
        ("Europe/London", utc(2026, 3, 28, 12), utc(2026, 3, 30, 7)),
        # Auckland: NZDT (+13) ends on Sunday 5 April 2026, starts again on
        # Sunday 27 September 2026; Monday 08:00 there is Sunday in UTC.
        ("Pacific/Auckland", utc(2026, 4, 1, 0), utc(2026, 4, 5, 20)),
        ("Pacific/Auckland", utc(2026, 9, 25, 0), utc(2026, 9, 27, 19)),
        ("Pacific/Auckland", utc(2026, 9, 20, 0), utc(2026, 9, 20, 20)),
    ],
)
def test_next_monday_morning_across_daylight_saving(zone, now, expected):
    assert next_due_at(now, zone) == expected
    # APScheduler's own cron arithmetic agrees.
    trigger = CronTrigger(day_of_week="mon", hour=8, minute=0, timezone=zone)
    assert trigger.get_next_fire_time(None, now) == expected


def test_the_due_period_turns_at_monday_eight_local():
    # Monday 26 October 2026, 07:59 and 08:00 in Manchester (GMT again).
    assert latest_due_period(utc(2026, 10, 26, 7, 59), "Europe/London") == "2026-W43"
    assert latest_due_period(utc(2026, 10, 26, 8, 0), "Europe/London") == "2026-W44"
    # Auckland is already in Monday when it is Sunday evening in UTC.
    assert latest_due_period(utc(2026, 9, 27, 19), "Pacific/Auckland") == "2026-W40"
    assert latest_due_period(utc(2026, 9, 27, 18), "Pacific/Auckland") == "2026-W39"


def test_a_window_runs_from_the_last_due_time_to_this_one_across_a_change():
    window = Window.for_period("2026-W44", "Europe/London")
    assert window.start == utc(2026, 10, 19, 7)  # Monday 08:00 BST
    assert window.end == utc(2026, 10, 26, 8)  # Monday 08:00 GMT
    assert window.today.isoformat() == "2026-10-26"


@pytest.mark.parametrize("bad", ["2026-W54", "2026-W00", "26-W01", "2026W01", ""])
def test_malformed_weeks_are_refused(bad):
    with pytest.raises(BadPeriod):
        monday_of(bad)


def test_jobs_have_fixed_ids_coalesce_and_a_generous_grace_time(app):
    sched = scheduler.make_scheduler(app)
    jobs = {job.id: job for job in sched.get_jobs()}
    assert set(jobs) == {
        "digests",
        "event-mails",
        "file-notices",
        "close-expired-openings",
        "flag-retention",
        "forget-import-files",
        "refresh-statistics",
        "purge-rate-events",
    }
    assert scheduler.JOB_DEFAULTS["coalesce"] is True
    assert scheduler.JOB_DEFAULTS["misfire_grace_time"] >= 3600
    assert sched.running is False


def test_the_app_factory_starts_no_scheduler(app):
    names = [thread.name for thread in threading.enumerate()]
    assert not any("APScheduler" in name for name in names)
    assert "scheduler" in app.cli.commands


def test_each_job_run_is_recorded(app, mailserver, people):
    now = utc(2026, 11, 23, 1)
    record = scheduler.run_job(app, "digests", now)
    assert record.ok is True and "sent 2" in record.detail
    stored = db.session.scalar(select(SchedulerRun).where(SchedulerRun.id == record.id))
    assert stored.job_id == "digests" and stored.finished_at is not None


def test_a_failing_job_is_recorded_as_failed(app, monkeypatch):
    def broken(now):
        raise RuntimeError("disk full")

    monkeypatch.setitem(scheduler.JOBS, "digests", (broken, {"minute": "*/15"}))
    record = scheduler.run_job(app, "digests")
    assert record.ok is False
    assert "disk full" in record.detail


def test_the_other_jobs_close_openings_and_flag_retention(app, people):
    for job_id in (
        "file-notices",
        "close-expired-openings",
        "flag-retention",
        "forget-import-files",
        "refresh-statistics",
        "purge-rate-events",
    ):
        record = scheduler.run_job(app, job_id)
        assert record.ok is True, record.detail


def test_rate_events_are_forgotten_once_every_window_has_passed(app):
    from datetime import timedelta

    from envoycrm.models import RateEvent
    from envoycrm.ratelimit import longest_window

    now = utc(2026, 12, 1, 12)
    window = longest_window(app.config)
    assert window >= app.config["LOGIN_WINDOW_SECONDS"]
    for age, key in ((window + 60, "ip:203.0.113.1"), (window - 60, "ip:203.0.113.2")):
        db.session.add(RateEvent(key=key, created_at=now - timedelta(seconds=age)))
    db.session.commit()

    record = scheduler.run_job(app, "purge-rate-events", now)
    assert record.ok is True and record.detail == "purged 1"
    assert db.session.scalars(select(RateEvent.key)).all() == ["ip:203.0.113.2"]
