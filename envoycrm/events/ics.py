"""The .ics file of an event (RFC 5545), in the event's own time zone.

The start and end are written with ``TZID`` of the event's IANA zone and the
calendar carries that zone's ``VTIMEZONE``, so a calendar program shows a
Manchester session at 18:00 London time, converted to wherever its reader is.
"""

from datetime import date, datetime
from email.utils import parseaddr
from functools import lru_cache
from zoneinfo import ZoneInfo

from icalendar import Calendar, Timezone
from icalendar import Event as CalendarEvent

from envoycrm.models import Event, EventRegistration, EventStatus

PRODID = "-//Qingdao HR Bureau//EnvoyCRM events//EN"


def event_calendar(
    event: Event,
    registration: EventRegistration,
    locale: str,
    host: str,
    stamp: datetime,
    cancel_link: str,
    method: str = "PUBLISH",
    organizer: str = "",
) -> bytes:
    """The calendar file of ``event`` for one registrant, in ``locale``.

    The UID is the registration's own, so a reminder's or a change's copy
    updates the confirmation's entry instead of adding a second one, and
    ``method="CANCEL"`` takes it away. SEQUENCE grows with the event's
    version, so a calendar takes the newest copy over an older one; a
    registration cancelled by itself counts one more.
    """
    zone = ZoneInfo(event.time_zone)
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("method", method)
    entry = CalendarEvent()
    entry.add("uid", f"event-{event.id}-registration-{registration.id}@{host}")
    entry.add("dtstamp", stamp)
    entry.add("dtstart", event.starts_at.astimezone(zone))
    entry.add("dtend", event.ends_at.astimezone(zone))
    entry.add("summary", event.title_for(locale))
    description = event.description_for(locale)
    if cancel_link:
        description = f"{description}\n\n{cancel_link}".strip()
    entry.add("description", description)
    if event.place:
        entry.add("location", event.place)
    elif event.online_url:
        entry.add("location", event.online_url)
    if event.online_url:
        entry.add("url", event.online_url)
    sequence = max(event.version - 1, 0)
    if method == "CANCEL":
        entry.add("status", "CANCELLED")
        if event.status is not EventStatus.CANCELLED:
            sequence += 1  # the registration is cancelled, not the event
    entry.add("sequence", sequence)
    address = parseaddr(organizer)[1]
    if address:
        entry.add("organizer", f"mailto:{address}")
    calendar.add_component(_vtimezone(event.time_zone, event.starts_at.year))
    calendar.add_component(entry)
    return calendar.to_ical()


@lru_cache(maxsize=64)
def _vtimezone(zone: str, year: int) -> Timezone:
    """The zone's VTIMEZONE for the years around ``year``, made once.

    Working the rules out from the zone data takes a tenth of a second; a
    reminder to every registrant of one event needs the same one each time.
    """
    return Timezone.from_tzid(
        zone, first_date=date(year - 1, 1, 1), last_date=date(year + 2, 1, 1)
    )
