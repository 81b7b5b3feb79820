"""An event's time as its reader should see it.

Times are shown in the reader's zone; when the event's own zone differs, the
time there is shown beside it ("18:00 London time"), so a student in Leeds
and a coordinator in Qingdao both read the session right.
"""

from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from babel.dates import format_datetime, format_time

from envoycrm.i18n import locale_tag, timezone_name
from envoycrm.models import Event


@dataclass(frozen=True)
class When:
    """The event's start and end in the reader's zone, and in its own."""

    reader: str  # "Thu 10 Dec 2026, 02:00–04:00"
    reader_zone: str  # "Shanghai (UTC+08:00)"
    own: str | None  # the same in the event's zone, when that differs
    own_zone: str


def _span(starts: datetime, ends: datetime, zone: str, locale: str) -> str:
    tz = ZoneInfo(zone)
    start = format_datetime(starts, "EEE d MMM y, HH:mm", tzinfo=tz, locale=locale)
    if locale.startswith("zh"):
        start = format_datetime(starts, "y年M月d日 EEE HH:mm", tzinfo=tz, locale=locale)
    same_day = starts.astimezone(tz).date() == ends.astimezone(tz).date()
    if same_day:
        end = format_time(ends, "HH:mm", tzinfo=tz, locale=locale)
    elif locale.startswith("zh"):
        end = format_datetime(ends, "M月d日 HH:mm", tzinfo=tz, locale=locale)
    else:
        end = format_datetime(ends, "d MMM, HH:mm", tzinfo=tz, locale=locale)
    return f"{start}–{end}"


def when(event: Event, reader_zone: str, locale: str | None = None) -> When:
    """``event``'s time for a reader in ``reader_zone`` (and the event's own)."""
    locale = locale or locale_tag()
    reader = _span(event.starts_at, event.ends_at, reader_zone, locale)
    own = None
    offset = _offset(event.starts_at, event.time_zone)
    if offset != _offset(event.starts_at, reader_zone):
        own = _span(event.starts_at, event.ends_at, event.time_zone, locale)
    return When(
        reader=reader,
        reader_zone=timezone_name(reader_zone),
        own=own,
        own_zone=timezone_name(event.time_zone),
    )


def _offset(moment: datetime, zone: str):
    return moment.astimezone(ZoneInfo(zone)).utcoffset()
