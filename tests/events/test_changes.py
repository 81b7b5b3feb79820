"""After registration: the host cancels a registrant, the event moves or is
cancelled, and the registrants' calendars follow."""

from datetime import date, timedelta

from icalendar import Calendar
from sqlalchemy import select

from envoycrm import scheduler
from envoycrm.events import mails
from envoycrm.extensions import db
from envoycrm.models import (
    EventMail,
    EventMailKind,
    EventRegistration,
    RegistrationStatus,
)
from tests.conftest import post, sign_in
from tests.events.conftest import event_form_data


def _calendar(message):
    """The VEVENT and METHOD of the mail's .ics."""
    [part] = [p for p in message.iter_attachments() if p.get_filename() == "event.ics"]
    calendar = Calendar.from_ical(part.get_content())
    [entry] = calendar.walk("VEVENT")
    return entry, str(calendar["METHOD"])


def _status(registration) -> RegistrationStatus:
    return db.session.scalar(
        select(EventRegistration.status).where(EventRegistration.id == registration.id)
    )


def test_the_host_cancels_a_registrant_and_the_wait_list_moves_up(
    app, client, login_as, factory, people, smtp
):
    event = factory.event(people["envoy"], capacity=1)
    seated = factory.registration(event)
    waiting = factory.registration(event)
    assert waiting.status is RegistrationStatus.WAITLISTED
    mails.send_due()
    confirmation, _waitlisted = smtp.messages
    first_sequence = int(_calendar(confirmation)[0]["SEQUENCE"])
    url = f"/events/{event.id}/registrants/cancel"

    # Another envoy (not the host) gets 404 and changes nothing.
    other = app.test_client()
    sign_in(other, people["envoy2"].email)
    assert post(other, url, {"registration_id": str(seated.id)}).status_code == 404
    assert _status(seated) is RegistrationStatus.REGISTERED

    login_as("envoy")
    button = f'name="registration_id" value="{seated.id}"'
    page = client.get(f"/events/{event.id}").text
    assert "Cancel a registration" in page and button not in page
    assert button in client.get(f"/events/{event.id}?manage=1").text
    response = post(client, url, {"registration_id": str(seated.id)})
    assert response.status_code == 302
    assert "is cancelled" in client.get(response.headers["Location"]).text
    assert _status(seated) is RegistrationStatus.CANCELLED
    assert _status(waiting) is RegistrationStatus.REGISTERED
    # A second cancel changes nothing and mails nothing more.
    post(client, url, {"registration_id": str(seated.id)})

    mails.send_due()
    told = {m["To"]: m for m in smtp.messages[2:]}
    assert set(told) == {seated.email, waiting.email}
    assert told[seated.email]["Subject"] == (
        "Your registration is cancelled: Working in Qingdao"
    )
    entry, method = _calendar(told[seated.email])
    assert method == "CANCEL" and str(entry["STATUS"]) == "CANCELLED"
    assert int(entry["SEQUENCE"]) > first_sequence
    promoted = told[waiting.email]["Subject"]
    assert promoted == "A seat is free for you: Working in Qingdao"


def test_a_coordinator_cancels_a_registrant_of_any_event(
    client, login_as, factory, people, smtp
):
    event = factory.event(people["envoy"])
    registration = factory.registration(event)
    login_as("coordinator")
    url = f"/events/{event.id}/registrants/cancel"
    assert post(client, url, {"registration_id": "x"}).status_code == 422
    assert post(client, url, {"registration_id": str(registration.id)}).status_code == (
        302
    )
    assert _status(registration) is RegistrationStatus.CANCELLED


def test_moving_a_published_event_mails_an_update_with_a_higher_sequence(
    client, login_as, factory, people, smtp
):
    event = factory.event(people["envoy"])
    registration = factory.registration(event)
    mails.send_due()
    [confirmation] = smtp.messages
    before, _method = _calendar(confirmation)

    login_as("envoy")
    edit = f"/events/{event.id}/edit"

    def save(**changes):
        db.session.refresh(event)
        data = {**event_form_data(**changes), "version": str(event.version)}
        assert post(client, edit, data).status_code == 302
        mails.send_due()

    save()  # the form's place and time: a change
    [moved] = smtp.messages[1:]
    title = "Working and living in Qingdao"
    save(title_en=title)  # no news to registrants
    assert len(smtp.messages) == 2
    day = date.today() + timedelta(days=10)
    at = {"starts_at": f"{day}T19:00", "ends_at": f"{day}T21:00"}
    save(title_en=title, **at)
    [update] = smtp.messages[2:]
    assert update["To"] == registration.email
    assert update["Subject"] == "Changed: Working and living in Qingdao"
    text = update.get_body(preferencelist=("plain",)).get_content()
    assert "has changed" in text
    after, method = _calendar(update)
    assert method == "PUBLISH"
    assert after["UID"] == before["UID"]
    sequences = [before, _calendar(moved)[0], after]
    assert [int(e["SEQUENCE"]) for e in sequences] == sorted(
        {int(e["SEQUENCE"]) for e in sequences}
    )
    assert after.decoded("DTSTART").hour == 19
    assert after["DTSTART"].params["TZID"] == "Europe/London"
    # Sending again sends nothing twice.
    mails.send_due()
    assert len(smtp.messages) == 3


def test_cancelling_an_event_sends_a_calendar_cancel(
    client, login_as, factory, people, smtp
):
    event = factory.event(people["envoy"])
    factory.registration(event)
    mails.send_due()
    before, _method = _calendar(smtp.messages[0])
    login_as("envoy")
    assert post(client, f"/events/{event.id}/cancel", {}).status_code == 302
    mails.send_due()
    cancelled = smtp.messages[-1]
    assert cancelled["Subject"] == "Cancelled: Working in Qingdao"
    entry, method = _calendar(cancelled)
    assert method == "CANCEL" and str(entry["STATUS"]) == "CANCELLED"
    assert entry["UID"] == before["UID"]
    assert int(entry["SEQUENCE"]) > int(before["SEQUENCE"])
    # No seat any more: no check-in code.
    assert not [p for p in cancelled.walk() if p.get_content_type() == "image/png"]
    kinds = db.session.scalars(select(EventMail.kind).order_by(EventMail.id)).all()
    assert kinds == [EventMailKind.CONFIRMATION, EventMailKind.EVENT_CANCELLED]


def test_the_event_mails_job_runs_every_minute(app):
    sched = scheduler.make_scheduler(app)
    job = {job.id: job for job in sched.get_jobs()}["event-mails"]
    minute = next(f for f in job.trigger.fields if f.name == "minute")
    assert str(minute) == "*"
