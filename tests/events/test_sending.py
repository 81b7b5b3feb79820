"""Sending the events' mail in passes: one connection, claims in batches, once."""

from collections import Counter
from datetime import UTC, datetime, timedelta

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import select

from envoycrm import mail, outbox
from envoycrm.events import mails
from envoycrm.extensions import db
from envoycrm.models import EventMail, OutboxStatus
from tests.conftest import Crash, Inbox, dying_on, free_port, run_at_once

STARTS = datetime(2027, 3, 10, 18, 0, tzinfo=UTC)
EARLY = STARTS - timedelta(days=5)


@pytest.fixture
def registrants(factory, people):
    """Four people registered for an event five days ahead, mails queued."""
    event = factory.event(people["envoy"], starts_at=STARTS)
    return [factory.registration(event, now=EARLY) for _ in range(4)]


@pytest.fixture
def connections(monkeypatch) -> list[int]:
    """Counts the SMTP connections the app opens."""
    opened: list[int] = []
    real_connect = mail.Mailer._connect

    def counted(self):
        opened.append(1)
        return real_connect(self)

    monkeypatch.setattr(mail.Mailer, "_connect", counted)
    return opened


def _rows() -> list[EventMail]:
    return list(db.session.scalars(select(EventMail).order_by(EventMail.id)))


def test_a_sending_pass_hands_every_mail_over_one_connection(
    smtp, registrants, connections
):
    report = mails.send_due(EARLY)
    assert report.sent == 4
    assert sorted(m["To"] for m in smtp.messages) == sorted(
        r.email for r in registrants
    )
    assert len(connections) == 1


def test_a_server_restarted_during_a_pass_costs_no_mail(app, registrants, connections):
    inbox = Inbox()
    port = free_port()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    [first, second, *_] = _rows()
    server = Controller(inbox, hostname="127.0.0.1", port=port)
    server.start()
    with mail.Mailer() as mailer:
        try:
            assert mailer.send(mails.build_message(first, EARLY)).startswith("250")
        finally:
            server.stop()  # it goes away, and comes back on the same port
        server = Controller(inbox, hostname="127.0.0.1", port=port)
        server.start()
        try:
            answer = mailer.send(mails.build_message(second, EARLY))
        finally:
            server.stop()
    assert answer.startswith("250")
    assert [m["To"] for m in inbox.messages] == [
        first.recipient_email,
        second.recipient_email,
    ]
    assert len(connections) == 2


def test_a_refused_mail_leaves_the_pass_going(smtp, registrants, monkeypatch):
    real_send = mail.Mailer.send
    sent: list[str] = []

    def refusing(self, message):
        sent.append(message["To"])
        if len(sent) == 2:
            raise mail.MailError("451 try again later", temporary=True)
        return real_send(self, message)

    monkeypatch.setattr(mail.Mailer, "send", refusing)
    report = mails.send_due(EARLY)
    assert (report.sent, report.retrying) == (3, 1)
    assert len(smtp.messages) == 3
    retrying = [row for row in _rows() if row.status is OutboxStatus.PENDING]
    assert len(retrying) == 1 and retrying[0].claimed_by is None


def test_a_batch_left_half_way_is_handed_back_unclaimed(smtp, registrants):
    rows = outbox.claimed_rows(EventMail, "leaving", EARLY)
    first = next(rows)
    mails.deliver(first, EARLY)
    rows.close()

    statuses = Counter(row.status for row in _rows())
    assert statuses == Counter({OutboxStatus.SENT: 1, OutboxStatus.PENDING: 3})
    for row in _rows():
        if row.status is OutboxStatus.PENDING:
            assert (row.claimed_by, row.attempts) == (None, 0)
    mails.send_due(EARLY)
    assert Counter(m["To"] for m in smtp.messages) == Counter(
        {r.email: 1 for r in registrants}
    )


def test_a_batch_claim_leaves_out_rows_another_sender_holds(smtp, registrants):
    held = _rows()[1]
    assert outbox.claim(EventMail, held.id, "other", EARLY) is not None
    taken = outbox.claim_batch(EventMail, "mine", EARLY)
    assert held.id not in [row.id for row in taken]
    assert {row.claimed_by for row in taken} == {"mine"}
    assert len(taken) == 3
    assert outbox.claim_batch(EventMail, "third", EARLY) == []


def test_two_senders_at_once_send_each_mail_once(app, smtp, registrants):
    def sender(name: str) -> None:
        mails.send_due(EARLY, worker=name)

    assert run_at_once(app, sender, ["p1", "p2"]) == []
    assert Counter(m["To"] for m in smtp.messages) == Counter(
        {r.email: 1 for r in registrants}
    )


def test_an_assembled_mail_reads_back_with_its_chinese_headers_and_parts(app):
    from email import message_from_bytes, policy

    headers = {
        "Subject": "提醒：在青岛工作",
        "From": "青岛人社局 <no-reply@example.org>",
        "To": "li.na@students.example.org",
    }
    image = mail.Part(b"\x89PNG", "image", "png", "check-in.png", "qr@example.org")
    calendar = mail.Part("BEGIN:VCALENDAR\r\n", "text", "calendar", "event.ics")
    built = mail.assemble(headers, "您好", "<p>您好</p>", [image], [calendar])
    assert bytes(built).isascii()

    read = message_from_bytes(bytes(built), policy=policy.default)
    assert read["Subject"] == "提醒：在青岛工作"
    assert read["From"].addresses[0].display_name == "青岛人社局"
    assert read.get_body(preferencelist=("plain",)).get_content() == "您好"
    html = read.get_body(preferencelist=("html",))
    assert html.get_content() == "<p>您好</p>"
    [png] = [p for p in read.walk() if p.get_content_type() == "image/png"]
    assert png["Content-ID"] == "<qr@example.org>"
    assert png.get_content() == b"\x89PNG"
    assert [p.get_filename() for p in read.iter_attachments()] == ["event.ics"]


def test_a_pass_that_dies_hands_back_its_untouched_rows_at_once(
    smtp, registrants, monkeypatch
):
    real_deliver = mails.deliver
    # dies holding the second row's claim
    monkeypatch.setattr(mails, "deliver", dying_on(2, real_deliver))
    with pytest.raises(Crash):
        mails.send_due(EARLY, worker="doomed")
    monkeypatch.setattr(mails, "deliver", real_deliver)
    db.session.expire_all()
    statuses = Counter(row.status for row in _rows())
    assert statuses == Counter(
        {OutboxStatus.SENT: 1, OutboxStatus.SENDING: 1, OutboxStatus.PENDING: 2}
    )
    # A restart a minute later sends the untouched two, not the held one.
    assert mails.send_due(EARLY + timedelta(minutes=1)).sent == 2
    assert len(smtp.messages) == 3
