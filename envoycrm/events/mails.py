"""The events' mail: confirmations, wait-list notices, reminders, cancellations.

Every mail to a registrant is a row of ``EventMail`` sent through the shared
outbox (``envoycrm/outbox.py``), so each goes out exactly once however often
the scheduler runs, and a mail server that is down delays it, never loses
it or doubles it. Rows are queued in the transaction that registers or
cancels; the scheduler sends them within minutes. The content is rendered
when the mail is sent, so a cancelled registration gets no reminder.

A mail is in the registrant's language, with the times in the event's own
zone (what a registrant abroad needs); a seat's mail carries the event's
.ics and the registrant's personal check-in QR code.
"""

import logging
import secrets
from contextlib import closing
from dataclasses import dataclass
from datetime import datetime, timedelta
from email.message import Message
from urllib.parse import urlsplit

import segno
from flask import current_app, render_template
from flask_babel import force_locale
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from envoycrm import mail
from envoycrm import outbox as delivery
from envoycrm.database import keeping_loaded
from envoycrm.events import ics, tokens
from envoycrm.events.times import when
from envoycrm.extensions import db
from envoycrm.i18n import normalise_locale
from envoycrm.models import (
    Event,
    EventKind,
    EventMail,
    EventMailKind,
    EventRegistration,
    EventStatus,
    OutboxStatus,
    RegistrationStatus,
    utcnow,
)
from envoycrm.sharing import qr_png

log = logging.getLogger(__name__)

# How long before the start the reminder goes out.
REMINDER_BEFORE = timedelta(hours=24)
# Mails that give the registrant a seat: they carry the .ics and the QR code.
SEAT_MAILS = (
    EventMailKind.CONFIRMATION,
    EventMailKind.PROMOTED,
    EventMailKind.REMINDER,
)
# Why a row was skipped; stored in English.
SKIPPED_NO_LONGER = "registration no longer holds a seat"
SKIPPED_NO_ADDRESS = "no email address"


def _host() -> str:
    return urlsplit(current_app.config["BASE_URL"]).hostname or "envoycrm.local"


def _row_values(
    registration: EventRegistration, kind: EventMailKind, period: str, now: datetime
) -> dict:
    return {
        "registration_id": registration.id,
        "kind": kind,
        "period": period,
        "recipient_email": registration.email or "",
        "locale": registration.language,
        "timezone": registration.event.time_zone,
        "status": OutboxStatus.PENDING,
        "message_id": (
            f"<event.{registration.event_id}.{kind.value}.{registration.id}."
            f"{secrets.token_hex(6)}@{_host()}>"
        ),
        "subject": "",
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
    }


def queue_mail(
    registration: EventRegistration, kind: EventMailKind, now: datetime
) -> None:
    """Queue one mail for ``registration`` (once: a second queueing is a no-op).

    A confirmation, wait-list or promotion notice is keyed to the moment the
    registration took its place, so registering again after cancelling is
    confirmed again.
    """
    if not registration.email:
        return
    period = registration.queued_at.isoformat()[:40]
    delivery.insert_if_absent(EventMail, [_row_values(registration, kind, period, now)])


def queue_event_cancelled(event: Event, now: datetime) -> int:
    """Tell everyone registered or waiting that ``event`` is cancelled."""
    return _queue_for_registrants(event, EventMailKind.EVENT_CANCELLED, "", now)


def queue_event_changed(event: Event, now: datetime) -> int:
    """Tell everyone registered or waiting that ``event``'s time or place changed.

    Keyed to the event's version, so each change is told once; a change
    still unsent when another comes is skipped for the newer one.
    """
    period = f"v{event.version}"
    return _queue_for_registrants(event, EventMailKind.EVENT_CHANGED, period, now)


def _queue_for_registrants(
    event: Event, kind: EventMailKind, period: str, now: datetime
) -> int:
    registrations = db.session.scalars(
        select(EventRegistration).where(
            EventRegistration.event_id == event.id,
            EventRegistration.status.in_(
                (RegistrationStatus.REGISTERED, RegistrationStatus.WAITLISTED)
            ),
            EventRegistration.email.is_not(None),
        )
    ).all()
    rows = [_row_values(r, kind, period, now) for r in registrations]
    for start in range(0, len(rows), 500):
        delivery.insert_if_absent(EventMail, rows[start : start + 500])
    return len(rows)


def build_reminders(now: datetime) -> int:
    """Queue the reminder of every seat at an event starting within 24 hours.

    Keyed to the event's start (its ``period``), so moving the event earns a
    new reminder and running again adds none. Someone who registered inside
    the last 24 hours had their confirmation just now and gets no reminder.
    Returns how many rows were considered. Commits them.
    """
    events = db.session.scalars(
        select(Event).where(
            Event.status.in_((EventStatus.PUBLISHED, EventStatus.CLOSED)),
            Event.starts_at > now,
            Event.starts_at <= now + REMINDER_BEFORE,
        )
    ).all()
    considered = 0
    for event in events:
        period = event.starts_at.isoformat()[:40]
        registrations = db.session.scalars(
            select(EventRegistration)
            .where(
                EventRegistration.event_id == event.id,
                EventRegistration.status == RegistrationStatus.REGISTERED,
                EventRegistration.email.is_not(None),
                EventRegistration.created_at <= event.starts_at - REMINDER_BEFORE,
            )
            .options(selectinload(EventRegistration.event))
        ).all()
        rows = [
            _row_values(r, EventMailKind.REMINDER, period, now) for r in registrations
        ]
        for start in range(0, len(rows), 500):
            delivery.insert_if_absent(EventMail, rows[start : start + 500])
        considered += len(rows)
        db.session.commit()
    return considered


@dataclass
class Composed:
    """A rendered event mail."""

    subject: str
    text: str
    html: str


SUBJECTS = {
    EventMailKind.CONFIRMATION: lambda title: _(
        "You are registered: %(title)s", title=title
    ),
    EventMailKind.PROMOTED: lambda title: _(
        "A seat is free for you: %(title)s", title=title
    ),
    EventMailKind.WAITLISTED: lambda title: _(
        "You are on the wait list: %(title)s", title=title
    ),
    EventMailKind.REMINDER: lambda title: _("Reminder: %(title)s", title=title),
    EventMailKind.EVENT_CANCELLED: lambda title: _("Cancelled: %(title)s", title=title),
    EventMailKind.EVENT_CHANGED: lambda title: _("Changed: %(title)s", title=title),
    EventMailKind.CANCELLED_BY_HOST: lambda title: _(
        "Your registration is cancelled: %(title)s", title=title
    ),
}
# Mails that take the registrant's calendar entry away (METHOD:CANCEL).
CANCELLING_MAILS = (EventMailKind.EVENT_CANCELLED, EventMailKind.CANCELLED_BY_HOST)


def _still_wanted(row: EventMail) -> bool:
    """A mail about a seat goes only to someone who still holds it; a change
    notice only if no newer one is queued for them."""
    registration = row.registration
    status = registration.status
    if row.kind in CANCELLING_MAILS:
        return True
    if registration.event.status is EventStatus.CANCELLED:
        return False
    if row.kind is EventMailKind.WAITLISTED:
        return status is RegistrationStatus.WAITLISTED
    if row.kind is EventMailKind.EVENT_CHANGED:
        newer = db.session.scalar(
            select(EventMail.id).where(
                EventMail.registration_id == row.registration_id,
                EventMail.kind == EventMailKind.EVENT_CHANGED,
                EventMail.id > row.id,
            )
        )
        return newer is None and status in (
            RegistrationStatus.REGISTERED,
            RegistrationStatus.WAITLISTED,
        )
    return status is RegistrationStatus.REGISTERED


def _holds_seat(row: EventMail) -> bool:
    """Whether the mail gives (or confirms) a seat: the QR code and the .ics."""
    if row.kind is EventMailKind.EVENT_CHANGED:
        return row.registration.status is RegistrationStatus.REGISTERED
    return row.kind in SEAT_MAILS


def _calendar_method(row: EventMail, seat: bool) -> str | None:
    """The .ics the mail carries: PUBLISH for a seat, CANCEL to take one away."""
    if seat:
        return "PUBLISH"
    if row.kind is EventMailKind.CANCELLED_BY_HOST:
        return "CANCEL"
    if row.kind is EventMailKind.EVENT_CANCELLED:
        registered = row.registration.status is RegistrationStatus.REGISTERED
        return "CANCEL" if registered else None
    return None


def checkin_qr(url: str) -> bytes:
    """The check-in QR code as a PNG for the mail.

    One fixed mask instead of the best of eight: any reader scans it, and it
    is made three times faster, which counts for 3,000 reminders at once.
    """
    return qr_png(segno.make(url, error="m", mask=2), scale=6)


def build_message(row: EventMail, now: datetime) -> Message:
    """The mail of ``row`` in its registrant's language, with its attachments."""
    registration = row.registration
    event = registration.event
    locale = normalise_locale(row.locale) or current_app.config["BABEL_DEFAULT_LOCALE"]
    seat = _holds_seat(row)
    method = _calendar_method(row, seat)
    cancel_link = tokens.cancel_url(registration)
    checkin_link = tokens.checkin_url(registration) if seat else ""
    qr_cid = f"checkin.{registration.id}@{_host()}"
    with force_locale(locale):
        title = event.title_for(locale)
        context = {
            "kind": row.kind.name,
            "event": event,
            "registration": registration,
            "locale": locale,
            "title": title,
            "description": event.description_for(locale),
            "when": when(event, event.time_zone, locale),
            "cancel_link": cancel_link if row.kind not in CANCELLING_MAILS else "",
            "seat": seat,
            "qr_cid": qr_cid,
            "booth_code": tokens.booth_code(registration)
            if seat and event.kind is EventKind.TALENT_FAIR
            else "",
        }
        subject = SUBJECTS[row.kind](title)
        text = render_template("events/mail/registrant.txt", **context)
        html = render_template("events/mail/registrant.html", **context)
    inline, attachments = [], []
    if seat:
        inline.append(
            mail.Part(checkin_qr(checkin_link), "image", "png", "check-in.png", qr_cid)
        )
    if method is not None:
        calendar = ics.event_calendar(
            event,
            registration,
            locale,
            _host(),
            now,
            cancel_link if seat else "",
            method=method,
            organizer=current_app.config["MAIL_SENDER"],
        )
        attachments.append(
            mail.Part(
                calendar.decode("utf-8"),
                "text",
                "calendar",
                "event.ics",
                params={"method": method},
            )
        )
    headers = {
        "Subject": subject,
        "From": current_app.config["MAIL_SENDER"],
        "To": row.recipient_email,
        "Date": mail.date_header(),
        "Message-ID": row.message_id,
        "Auto-Submitted": "auto-generated",
    }
    message = mail.assemble(headers, text, html, inline, attachments)
    row.subject = subject[:300]
    return message


def deliver(
    row: EventMail, now: datetime, mailer: mail.Mailer | None = None
) -> OutboxStatus:
    """Render and send one claimed row; record the outcome; never raise for mail.

    Commits the outcome of the mail (and rolls back a failed render) on its
    own, like the digests' ``deliver``. ``mailer`` is the pass's connection.
    """
    if not row.recipient_email:
        delivery.finish(row, OutboxStatus.SKIPPED, last_error=SKIPPED_NO_ADDRESS)
        return OutboxStatus.SKIPPED
    if not _still_wanted(row):
        delivery.finish(row, OutboxStatus.SKIPPED, last_error=SKIPPED_NO_LONGER)
        return OutboxStatus.SKIPPED
    try:
        message = build_message(row, now)
    except Exception as exc:  # a rendering bug must not stop the other mails
        log.exception("event mail %s could not be rendered", row.id)
        db.session.rollback()
        delivery.finish(row, OutboxStatus.FAILED, last_error=f"render: {exc}"[:2000])
        return OutboxStatus.FAILED
    return delivery.send_claimed(row, message, now, mailer=mailer)


def send_due(
    now: datetime | None = None, worker: str | None = None, limit: int | None = None
) -> delivery.SendReport:
    """Send every event mail that is due and free, over one SMTP connection.

    Rows are claimed in batches, each with its registration and event read
    at the claim; a row's outcome is committed on its own and leaves the
    batch loaded, so a mail is rendered from the state at the claim, as if it
    had gone out then (a batch takes a second or so).
    """
    now = now or utcnow()
    worker = worker or delivery.worker_name()
    report = delivery.SendReport()
    registration = selectinload(EventMail.registration)
    loads = (registration.selectinload(EventRegistration.event),)
    rows = delivery.claimed_rows(EventMail, worker, now, limit, loads)
    # closing(): a pass that dies hands its untouched rows back at once.
    with mail.Mailer() as mailer, keeping_loaded(db.session), closing(rows):
        for row in rows:
            report.ids.append(row.id)
            report.count(deliver(row, now, mailer))
    return report


def run(now: datetime | None = None, worker: str | None = None) -> delivery.SendReport:
    """The scheduler's events job: queue the due reminders, send what is due.

    Commits (the reminders' rows, then each mail's outcome).
    """
    now = now or utcnow()
    build_reminders(now)
    return send_due(now, worker)
