"""The paste-ready text of an envoy's event link, like a push's message."""

from flask_babel import force_locale
from flask_babel import gettext as _

from envoycrm.events.times import when
from envoycrm.models import Event


def share_message(event: Event, link: str) -> str:
    """A bilingual message for WeChat or email: Chinese first, then English.

    Times are given in the event's own zone, which is where the readers are.
    """
    parts = []
    for locale in ("zh_Hans", "en"):
        with force_locale(locale):
            moment = when(event, event.time_zone, locale)
            where = event.place or _("online")
            parts.append(
                _(
                    "%(title)s, %(when)s (%(zone)s), %(where)s. "
                    "Register here: %(link)s",
                    title=event.title_for(locale),
                    when=moment.reader,
                    zone=moment.reader_zone,
                    where=where,
                    link=link,
                )
            )
    return "\n\n".join(parts)
