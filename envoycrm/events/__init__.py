"""Events: info sessions, online briefings, the talent fair and study tours.

``routes.py`` holds the event pages (list, page, create, edit, statuses,
envoys' links and invitations); ``public.py`` the registrant's pages behind
signed links (register, cancel). Other parts of the capability (check-in,
the fair, reports) add their own modules here, each registering its routes
on ``bp`` and imported below, without touching these.
"""

from flask import Blueprint

bp = Blueprint("events", __name__)
public_bp = Blueprint("event_public", __name__)

from envoycrm.events import (  # noqa: E402, F401
    checkin,
    fair,
    public,
    report_routes,
    routes,
    tour_routes,
)
