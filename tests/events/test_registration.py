"""Registering through the public page: credit, consent, mail, the wait list."""

import re
from datetime import UTC, datetime, timedelta
from email import policy

from icalendar import Calendar
from sqlalchemy import func, select

from envoycrm.events import mails, tokens
from envoycrm.extensions import db
from envoycrm.models import (
    ConsentMethod,
    EventMail,
    EventMailKind,
    EventRegistration,
    Interaction,
    RegistrationStatus,
    ReplyStatus,
    Student,
    Task,
    TaskKind,
)
from tests.conftest import csrf_token, post, sign_in
from tests.events.conftest import registration_form_data


def _registration_path(link) -> str:
    return "/e/" + tokens.public_token_of_link(link)


def _register(client, path: str, **fields):
    data = registration_form_data(**fields)
    data["csrf_token"] = csrf_token(client)
    return client.post(path, data=data)


def _only(model):
    return db.session.scalars(select(model)).one()


def test_registration_through_an_envoys_link_in_chinese_is_credited_and_confirmed(
    client, factory, people, smtp
):
    envoy = people["envoy"]
    event = factory.event(envoy, capacity=30)
    link = factory.event_link(people)
    path = _registration_path(link)
    switched = client.get(path + "?lang=zh_Hans")
    assert switched.status_code == 302
    page = client.get(path)
    assert "在青岛工作" in page.text and "报名" in page.text

    response = _register(client, path)
    assert response.status_code == 302 and response.headers["Location"].endswith(
        "/thanks"
    )

    registration = _only(EventRegistration)
    assert registration.status is RegistrationStatus.REGISTERED
    assert registration.language == "zh_Hans"
    assert registration.consent_at is not None
    assert registration.consent_notice_version == "2026-11"
    assert registration.credited_envoy_id == envoy.id
    assert (registration.name_latin, registration.name_hanzi) == ("Li Na", "李娜")
    # A new person: the envoy's student now, by their own consent on the form.
    student = db.session.get(Student, registration.student_id)
    assert student.owner_id == envoy.id
    assert student.active_consent.method is ConsentMethod.FORM
    assert student.active_consent.notice_language == "zh_Hans"

    report = mails.send_due()
    assert report.sent == 1
    [message] = smtp.messages
    assert message["To"] == "li.na@students.example.org"
    assert "在青岛工作" in message["Subject"]
    text = message.get_body(preferencelist=("plain",)).get_content()
    assert "您已报名" in text
    cancel_link = re.search(r"(http\S+/e/cancel/\S+)", text)[1]
    assert cancel_link in text
    # The personal check-in QR code, shown inside the HTML part.
    images = [p for p in message.walk() if p.get_content_type() == "image/png"]
    assert len(images) == 1
    html = message.get_body(preferencelist=("html",)).get_content()
    assert f"cid:{images[0]['Content-ID'].strip('<>')}" in html
    # The .ics parses, in the event's own zone: 18:00 London time.
    [attachment] = [
        p for p in message.iter_attachments() if p.get_filename() == "event.ics"
    ]
    calendar = Calendar.from_ical(attachment.get_content())
    [entry] = calendar.walk("VEVENT")
    assert entry["DTSTART"].params["TZID"] == "Europe/London"
    assert entry.decoded("DTSTART").hour == 18
    assert entry.decoded("DTSTART") == event.starts_at
    [zone] = calendar.walk("VTIMEZONE")
    assert zone["TZID"] == "Europe/London"
    assert str(entry["SUMMARY"]) == "在青岛工作"


def test_the_registration_page_is_light_and_asks_for_consent(client, factory, people):
    factory.event(people["envoy"])
    page = client.get(_registration_path(factory.event_link(people)))
    assert page.status_code == 200
    assert len(page.data) <= 30 * 1024
    assert "<script" not in page.text
    assert 'name="consent"' in page.text and 'name="website"' in page.text


def test_registration_without_consent_is_refused_at_the_field(client, factory, people):
    factory.event(people["envoy"])
    response = _register(
        client, _registration_path(factory.event_link(people)), consent=""
    )
    assert response.status_code == 422
    assert 'id="consent-error"' in response.text
    assert 'value="li.na@students.example.org"' in response.text
    assert db.session.scalar(select(func.count(EventRegistration.id))) == 0


def test_the_honeypot_registers_nobody(client, factory, people):
    factory.event(people["envoy"])
    path = _registration_path(factory.event_link(people))
    response = _register(client, path, website="http://spam.example")
    assert response.status_code == 302
    assert db.session.scalar(select(func.count(EventRegistration.id))) == 0


def test_registrations_are_rate_limited_per_address(app, client, factory, people):
    app.config["REFERRAL_REPLY_LIMIT"] = 1
    factory.event(people["envoy"])
    path = _registration_path(factory.event_link(people))
    assert _register(client, path).status_code == 302
    second = _register(client, path, email="other@example.org")
    assert second.status_code == 429
    assert db.session.scalar(select(func.count(EventRegistration.id))) == 1


def test_a_forged_link_is_refused(client):
    assert client.get("/e/l-forged.token").status_code == 404


def test_a_full_event_puts_the_next_on_the_wait_list_and_a_cancellation_promotes(
    client, factory, people
):
    event = factory.event(people["envoy"], capacity=1)
    first = factory.registration(event)
    second = factory.registration(event)
    third = factory.registration(event)
    assert first.status is RegistrationStatus.REGISTERED
    assert second.status is RegistrationStatus.WAITLISTED
    assert third.status is RegistrationStatus.WAITLISTED

    cancel_path = "/e/cancel/" + tokens.sign(first.token, tokens.CANCEL)
    page = client.get(cancel_path)
    assert page.status_code == 200 and "Cancel my registration" in page.text
    db.session.refresh(first)
    assert first.status is RegistrationStatus.REGISTERED  # opening it cancels nothing
    response = client.post(cancel_path, data={"csrf_token": csrf_token(client)})
    assert response.status_code == 302
    assert "is cancelled" in client.get(cancel_path).text

    for row in (first, second, third):
        db.session.refresh(row)
    assert first.status is RegistrationStatus.CANCELLED
    assert second.status is RegistrationStatus.REGISTERED  # first in line
    assert third.status is RegistrationStatus.WAITLISTED
    kinds = db.session.scalars(
        select(EventMail.kind).where(EventMail.registration_id == second.id)
    ).all()
    assert set(kinds) == {EventMailKind.WAITLISTED, EventMailKind.PROMOTED}


def test_a_cancel_link_for_another_purpose_is_refused(client, factory, people):
    registration = factory.registration(factory.event(people["envoy"]))
    forged = "/e/cancel/" + tokens.sign(registration.token, tokens.CHECKIN)
    assert (
        client.post(forged, data={"csrf_token": csrf_token(client)}).status_code == 404
    )
    db.session.refresh(registration)
    assert registration.status is RegistrationStatus.REGISTERED


def test_a_registration_matching_a_known_student_waits_for_their_envoy(
    client, factory, people, student
):
    interactions = db.session.scalar(select(func.count(Interaction.id)))
    registration = factory.held_registration(people, student)
    assert registration.student_id is None
    assert registration.matched_student_id == student.id
    assert registration.match_status is ReplyStatus.HELD
    task = db.session.get(Task, registration.match_task_id)
    assert task.kind is TaskKind.EVENT_REGISTRATION
    assert task.assignee_id == people["envoy"].id
    assert db.session.scalar(select(func.count(Interaction.id))) == interactions

    # The host (envoy2) may not decide; the student's envoy confirms.
    path = f"/events/registrations/{registration.id}/held"
    sign_in(client, people["envoy2"].email)
    assert client.get(path).status_code == 404
    client.post("/auth/logout", data={"csrf_token": csrf_token(client)})
    sign_in(client, people["envoy"].email)
    tasks = client.get("/tasks/").text
    assert "Someone Else registered for Working in Qingdao" in tasks
    assert path in tasks
    assert "Someone Else" in client.get(path).text
    assert post(client, path, {"decision": "confirm"}).status_code == 302
    db.session.refresh(registration)
    assert registration.match_status is ReplyStatus.CONFIRMED
    assert registration.student_id == student.id
    assert db.session.get(Task, task.id).done_at is not None


def test_reminders_go_out_exactly_once_when_the_job_runs_twice(factory, people, smtp):
    starts = datetime(2027, 3, 10, 18, 0, tzinfo=UTC)
    event = factory.event(people["envoy"], starts_at=starts)
    early = starts - timedelta(days=5)
    kept = factory.registration(event, now=early)
    gone = factory.registration(event, now=early)
    mails.run(early)
    assert len(smtp.messages) == 2  # the two confirmations

    from envoycrm.events.registration import cancel_registration

    cancel_registration(gone, early + timedelta(days=1))
    db.session.commit()
    before = starts - timedelta(hours=20)
    mails.run(before)
    mails.run(before + timedelta(minutes=5))

    reminders = [m for m in smtp.messages if m["Subject"].startswith("Reminder")]
    assert [m["To"] for m in reminders] == [kept.email]
    rows = db.session.scalars(
        select(EventMail).where(EventMail.kind == EventMailKind.REMINDER)
    ).all()
    assert len(rows) == 1
    # The reminder also carries the .ics and the check-in code.
    attachments = [p.get_filename() for p in reminders[0].iter_attachments()]
    assert "event.ics" in attachments


def test_no_reminder_before_the_last_24_hours(factory, people, smtp):
    starts = datetime(2027, 3, 10, 18, 0, tzinfo=UTC)
    event = factory.event(people["envoy"], starts_at=starts)
    factory.registration(event, now=starts - timedelta(days=5))
    mails.run(starts - timedelta(hours=30))
    assert [m["Subject"] for m in smtp.messages] == [
        "You are registered: Working in Qingdao"
    ]


def test_mail_to_a_registrant_is_parsed_as_sent(factory, people, smtp):
    factory.registration(factory.event(people["envoy"]), language="en")
    mails.send_due()
    [message] = smtp.messages
    assert message.policy == policy.default
    assert message["Auto-Submitted"] == "auto-generated"
