"""Signed links of events: envoys' registration links, and each registration's
cancel and check-in links; its booth code at the fair.

A link carries a row's random token signed with the app's secret and a salt
per purpose (itsdangerous), so a guessed, forged or altered link, or one
made for another purpose, is refused before the database is asked.
"""

import base64
import hashlib
import hmac

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from envoycrm.extensions import db
from envoycrm.models import Event, EventLink, EventRegistration
from envoycrm.urls import absolute_url

LINK = "envoycrm.event-link"
EVENT = "envoycrm.event"
CANCEL = "envoycrm.event-cancel"
CHECKIN = "envoycrm.event-checkin"


def _serializer(salt: str) -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=salt)


def sign(token: str, purpose: str) -> str:
    """``token`` signed for ``purpose`` (one of the salts above)."""
    return _serializer(purpose).dumps(token)


def unsign(signed: str, purpose: str) -> str | None:
    """The token inside ``signed``; None when forged, altered or for another use."""
    if not signed or len(signed) > 200:
        return None
    try:
        token = _serializer(purpose).loads(signed)
    except BadSignature:
        return None
    return token if isinstance(token, str) else None


def registration_signed(signed: str) -> str:
    """The public registration address of an event or an envoy's link.

    The envoy's link is ``l-<signed>``, the event's own ``e-<signed>``.
    """
    return signed


def public_token_of_link(link: EventLink) -> str:
    """The path token of an envoy's registration link."""
    return "l-" + sign(link.token, LINK)


def public_token_of_event(event: Event) -> str:
    """The path token of the event's own registration link (no envoy)."""
    return "e-" + sign(event.public_token, EVENT)


def resolve(public_token: str) -> tuple[Event, EventLink | None] | None:
    """The event (and envoy link) behind a registration page's token."""
    prefix, _, signed = public_token.partition("-")
    if prefix == "l":
        token = unsign(signed, LINK)
        if token is None:
            return None
        link = db.session.scalar(select(EventLink).where(EventLink.token == token))
        return (link.event, link) if link is not None else None
    if prefix == "e":
        token = unsign(signed, EVENT)
        if token is None:
            return None
        event = db.session.scalar(select(Event).where(Event.public_token == token))
        return (event, None) if event is not None else None
    return None


def registration_url(event: Event, link: EventLink | None = None) -> str:
    """The absolute address of the public registration page."""
    token = public_token_of_link(link) if link else public_token_of_event(event)
    return absolute_url("event_public.register", token=token)


def registration_for(signed: str, purpose: str) -> EventRegistration | None:
    """The registration behind a signed cancel or check-in token."""
    token = unsign(signed, purpose)
    if token is None:
        return None
    return db.session.scalar(
        select(EventRegistration).where(EventRegistration.token == token)
    )


def cancel_url(registration: EventRegistration) -> str:
    """The absolute address where the registrant cancels (in their mail)."""
    return absolute_url("event_public.cancel", token=sign(registration.token, CANCEL))


def checkin_token(registration: EventRegistration) -> str:
    """The signed token the check-in QR code carries."""
    return sign(registration.token, CHECKIN)


def checkin_url(registration: EventRegistration) -> str:
    """The absolute check-in address the registrant's QR code encodes.

    The host opens it with a phone camera while signed in. The route is
    ``events.checkin`` (``events/checkin.py``) taking ``token``; until it
    exists the address is built by hand under ``/events/checkin/``.
    """
    token = checkin_token(registration)
    if "events.checkin" in current_app.view_functions:
        return absolute_url("events.checkin", token=token)
    base = current_app.config["BASE_URL"].rstrip("/")
    return f"{base}/events/checkin/{token}"


BOOTH_CODE_LENGTH = 8


def booth_code(registration: EventRegistration) -> str:
    """The registrant's booth code at the fair: ``ABCD-EFGH`` (see below)."""
    return booth_code_of_token(registration.token)


def booth_code_of_token(token: str) -> str:
    """The registrant's booth code at the fair: ``ABCD-EFGH``.

    Made from the registration's secret token with the app's key, so it
    names nobody and reveals nothing of the token: a student who did not
    agree to be shared with employers gives it at a booth instead of a name,
    and the bureau (never the employer) knows whose it is.
    """
    digest = hmac.new(
        current_app.config["SECRET_KEY"].encode(),
        b"booth-code:" + token.encode(),
        hashlib.sha256,
    ).digest()
    code = base64.b32encode(digest).decode()[:BOOTH_CODE_LENGTH]
    return f"{code[:4]}-{code[4:]}"


def normalise_booth_code(typed: str) -> str:
    """A typed booth code in its written form (case, spaces and dashes aside)."""
    code = "".join(ch for ch in typed.upper() if ch.isalnum())
    if len(code) != BOOTH_CODE_LENGTH:
        return ""
    return f"{code[:4]}-{code[4:]}"
