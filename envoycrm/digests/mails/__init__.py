"""What a digest mail says, as plain data both of its bodies render.

A ``Mail`` holds the subject, a preheader, the "Needs you" items, the
headline figures and the sections, every line already worded and formatted
in the recipient's language and zone (this runs inside ``force_locale``).
``_mail.html`` and ``_mail.txt`` render the same ``Mail``, so the text part
has every line and link the HTML has. No HTML is built here. One module per
digest (``bureau``, ``employer``, ``envoy``) words its own.

Every link goes to the exact view in EnvoyCRM that shows what the line
counts (a stage on the board, a filtered list, an opening, a candidate);
lists stop at ``content.LIST_LIMIT`` rows and link to the rest.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import (
    format_date,
    format_datetime,
    format_interval,
    format_time,
    get_datetime_format,
)
from flask_babel import get_locale, get_timezone
from flask_babel import gettext as _

from envoycrm.i18n import (
    ENGLISH_MOMENT,
    english,
    format_day,
    format_moment,
    format_number,
    locale_tag,
    timezone_name,
)
from envoycrm.labels import label

from ..trends import Trend


@dataclass
class Item:
    """One line: what it is, where it leads, and what more to say about it."""

    title: str
    url: str | None = None
    details: list[str] = field(default_factory=list)
    action: str | None = None  # the label of its one button, if it has one


@dataclass
class Section:
    """A titled list; ``total`` counts all there are when more than are shown."""

    title: str
    items: list[Item] = field(default_factory=list)
    empty: str = ""
    total: int = 0
    more_url: str | None = None

    @property
    def more(self) -> str | None:
        """The "see all N in EnvoyCRM" words, when the list was cut."""
        if self.more_url and self.total > len(self.items):
            return _("See all %(count)s in EnvoyCRM", count=format_number(self.total))
        return None


@dataclass
class Figure:
    """A headline number with its trend in words and marks."""

    label: str
    value: str
    url: str | None = None
    trend: list[str] = field(default_factory=list)


@dataclass
class Mail:
    """Everything one digest mail says."""

    subject: str
    preheader: str
    period: str
    covers: str = ""
    intro: str = ""
    needs_you: list[Item] = field(default_factory=list)
    figures: list[Figure] = field(default_factory=list)
    sections: list[Section] = field(default_factory=list)


# --- formatting ------------------------------------------------------------------


def when(value: datetime | None, zone: str | None = None) -> str:
    """A date with hours and minutes, no seconds, in the recipient's zone
    (or in ``zone``, an IANA name)."""
    if value is None:
        return ""
    if english() and zone is None:
        return format_moment(value, "short")  # "3 Dec 2026, 08:00"
    locale, tz = get_locale(), ZoneInfo(zone) if zone else get_timezone()
    if english():
        pattern = ENGLISH_MOMENT["short"]
        return format_datetime(value, pattern, tzinfo=tz, locale=locale)
    pattern = str(get_datetime_format("medium", locale=locale)).replace("'", "")
    return pattern.replace(
        "{0}", format_time(value, "short", tzinfo=tz, locale=locale)
    ).replace("{1}", format_date(value.astimezone(tz), "medium", locale=locale))


def day(value: date | None) -> str:
    """A date in the recipient's language."""
    return format_day(value) if value else ""


def days(first: date, last: date) -> str:
    """The days a digest covers, such as "23–30 Nov 2026" or "2026年11月23日至30日"."""
    # British order for English, like every English date: day, month, year.
    locale = "en_GB" if english() else get_locale()
    return format_interval(first, last, "yMMMd", locale=locale)


def trend_lines(trend: Trend) -> list[str]:
    change = trend.change
    vs_week = _(
        "%(mark)s %(change)s on last week (%(last)s)",
        mark=Trend.mark(change),
        change=f"{change:+d}",
        last=format_number(trend.last_week),
    )
    average = round(trend.average, 1)
    vs_average = _(
        "%(mark)s 4-week average %(average)s",
        mark=Trend.mark(trend.value - trend.average),
        average=format_number(average),
    )
    return [vs_week, vs_average]


def covered(digest) -> str:
    window = digest.window
    return days(window.first_day, window.today)


def subject(news: list[str], digest) -> str:
    return " · ".join([*news, covered(digest)])


def covers(digest) -> str:
    return _(
        "Activity from %(start)s to %(end)s (%(zone)s).",
        start=when(digest.window.start),
        end=when(digest.window.end),
        zone=digest.window.zone,
    )


def get_locale_name() -> str:
    """The forced locale as the models' ``name_for`` wants it."""
    return locale_tag()


def upcoming_section(upcoming, link, seats: bool) -> Section:
    """The events coming up: when in the recipient's zone, and in the event's
    own beside it when that differs; where; seats taken when ``seats``."""
    locale = get_locale_name()
    items = []
    for event in upcoming.events:
        details = [label(event.kind), when(event.starts_at)]
        own = event.starts_at.astimezone(ZoneInfo(event.time_zone))
        if own.utcoffset() != event.starts_at.astimezone(get_timezone()).utcoffset():
            details[-1] = _(
                "%(here)s (%(there)s %(zone)s)",
                here=details[-1],
                there=when(event.starts_at, event.time_zone),
                zone=timezone_name(event.time_zone),
            )
        if event.university is not None:
            details.append(event.university.name_for(locale))
        if event.place:
            details.append(event.place)
        elif event.online_url:
            details.append(_("Online"))
        if seats:
            taken = format_number(upcoming.seats.get(event.id, 0))
            details.append(
                _(
                    "%(taken)s of %(capacity)s seats taken",
                    taken=taken,
                    capacity=format_number(event.capacity),
                )
                if event.capacity
                else _("%(taken)s registered", taken=taken)
            )
        items.append(
            Item(
                event.title_for(locale),
                link("events.show", event_id=event.id),
                details,
            )
        )
    return Section(
        _("Upcoming events"),
        items,
        empty=_("No events in the next two weeks."),
        total=upcoming.total,
        more_url=link("events.index"),
    )
