"""Digest periods: ISO weeks in the recipient's time zone, and when each is due.

A digest for ISO week ``2026-W48`` is due on that week's Monday at 08:00 in
the recipient's zone and covers what happened since the previous week's due
time. Local dates are combined with the wall-clock time in the zone (never
shifted by a fixed number of hours), so daylight-saving changes move the UTC
instant, not the local 08:00.
"""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

DUE_TIME = time(8, 0)
_PERIOD = re.compile(r"^(\d{4})-W(\d{2})$")


class BadPeriod(ValueError):
    """Not an ISO week of the form ``2026-W48``."""


def period_of(day: date) -> str:
    """The ISO week containing ``day``, as ``YYYY-Www``."""
    year, week, _weekday = day.isocalendar()
    return f"{year}-W{week:02d}"


def monday_of(period: str) -> date:
    """The Monday that starts ``period``; ``BadPeriod`` for anything else."""
    match = _PERIOD.match(period or "")
    if not match:
        raise BadPeriod(period)
    try:
        return date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
    except ValueError as exc:  # week 53 of a 52-week year, week 00, year 0...
        raise BadPeriod(period) from exc


def due_at(period: str, zone: str) -> datetime:
    """The UTC instant of ``period``'s Monday 08:00 in ``zone``."""
    local = datetime.combine(monday_of(period), DUE_TIME, tzinfo=ZoneInfo(zone))
    return local.astimezone(UTC)


def previous_period(period: str) -> str:
    """The ISO week before ``period``."""
    return period_of(monday_of(period) - timedelta(days=7))


def latest_due_period(now: datetime, zone: str) -> str:
    """The most recent period whose Monday 08:00 in ``zone`` is not after ``now``."""
    local = now.astimezone(ZoneInfo(zone))
    monday = local.date() - timedelta(days=local.weekday())
    period = period_of(monday)
    if now < due_at(period, zone):
        period = previous_period(period)
    return period


def next_due_at(now: datetime, zone: str) -> datetime:
    """The next Monday 08:00 in ``zone`` strictly after ``now``, in UTC."""
    local = now.astimezone(ZoneInfo(zone))
    monday = local.date() - timedelta(days=local.weekday())
    candidate = due_at(period_of(monday), zone)
    if candidate <= now:
        candidate = due_at(period_of(monday + timedelta(days=7)), zone)
    return candidate


@dataclass(frozen=True)
class Window:
    """What one digest covers: from the last due time to this one, in a zone."""

    period: str
    zone: str
    start: datetime
    end: datetime

    @classmethod
    def for_period(cls, period: str, zone: str) -> "Window":
        """The window of ``period`` for a recipient in ``zone``."""
        return cls(
            period=period,
            zone=zone,
            start=due_at(previous_period(period), zone),
            end=due_at(period, zone),
        )

    @classmethod
    def since_last_due(cls, now: datetime, zone: str) -> "Window":
        """From the last digest's due time to ``now``: what is new since that mail.

        Its ``period`` is the week whose digest will report it.
        """
        last = latest_due_period(now, zone)
        return cls(
            period=period_of(monday_of(last) + timedelta(days=7)),
            zone=zone,
            start=due_at(last, zone),
            end=now,
        )

    @property
    def today(self) -> date:
        """The recipient's local date when the digest is due (a Monday)."""
        return self.end.astimezone(ZoneInfo(self.zone)).date()

    @property
    def first_day(self) -> date:
        """The first local day covered (the previous Monday)."""
        return self.start.astimezone(ZoneInfo(self.zone)).date()
