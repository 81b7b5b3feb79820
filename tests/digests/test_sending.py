"""Sending a digest: what counts as sent, how long it is retried, the headers."""

from datetime import timedelta

from sqlalchemy import select

from envoycrm.digests import outbox
from envoycrm.extensions import db
from envoycrm.models import OutboxMessage, OutboxStatus, Role
from tests.conftest import post
from tests.digests.conftest import NOW, PERIOD


def _only_coordinator(people) -> None:
    people["admin"].digest_subscribed = False
    db.session.commit()


def _row(user) -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient_id == user.id)
    )


def test_a_421_to_quit_after_250_to_data_counts_as_sent_and_sends_once(
    mailserver, people
):
    _only_coordinator(people)
    mailserver.handler.quit_reply = "421 4.3.2 Shutting down"

    outbox.run(NOW)
    outbox.run(NOW + timedelta(hours=1))

    row = _row(people["coordinator"])
    assert row.status is OutboxStatus.SENT and row.attempts == 1
    assert len(mailserver.handler.to(people["coordinator"].email)) == 1


def test_retries_span_48_hours(mailserver, people):
    assert sum(outbox.RETRY_DELAYS, timedelta()) == timedelta(hours=48)
    assert list(outbox.RETRY_DELAYS) == sorted(outbox.RETRY_DELAYS[:-1]) + [
        outbox.RETRY_DELAYS[-1]
    ]


def test_a_relay_down_for_90_minutes_delays_the_digest_but_does_not_fail_it(
    mailserver_down, people
):
    _only_coordinator(people)
    coordinator = people["coordinator"]
    now = NOW
    while now < NOW + timedelta(minutes=90):
        outbox.run(now)
        row = _row(coordinator)
        assert row.status is OutboxStatus.PENDING, row.last_error
        now = row.next_attempt_at
    mailserver_down.start()
    outbox.run(now)
    row = _row(coordinator)
    assert row.status is OutboxStatus.SENT
    assert len(mailserver_down.handler.to(coordinator.email)) == 1


def test_last_error_is_the_servers_answer_in_words(mailserver, people):
    _only_coordinator(people)
    mailserver.handler.data_replies = ["451 4.3.0 Try again later"]
    outbox.run(NOW)
    assert _row(people["coordinator"]).last_error == "451 4.3.0 Try again later"


def test_a_refused_connection_is_described_in_words(mailserver_down, people):
    _only_coordinator(people)
    outbox.run(NOW)
    assert _row(people["coordinator"]).last_error == (
        "connection refused by the mail server"
    )


def test_the_date_header_is_utc_with_plus_zero(mailserver, people):
    outbox.run(NOW)
    [message, *_] = mailserver.messages
    assert message["Date"].endswith("+0000")


def test_the_mailto_unsubscribe_goes_to_the_configured_address(app, mailserver, people):
    app.config["DIGEST_UNSUBSCRIBE_ADDRESS"] = "unsubscribe@envoy.example.gov.cn"
    outbox.run(NOW)
    [message] = mailserver.handler.to(people["coordinator"].email)
    assert (
        "<mailto:unsubscribe@envoy.example.gov.cn?subject=unsubscribe%20"
        in (message["List-Unsubscribe"])
    )


def test_coordinators_retry_every_failed_digest_of_the_week(
    client, login_as, mailserver, factory, people
):
    other = factory.user(Role.COORDINATOR, "second@example.org")
    mailserver.handler.refuse = {people["coordinator"].email, other.email}
    outbox.run(NOW)
    assert _row(people["coordinator"]).status is OutboxStatus.FAILED
    mailserver.handler.refuse = set()
    login_as("coordinator")
    page = client.get("/digests/outbox").get_data(as_text=True)
    assert "Retry every failed digest of this week" in page

    response = post(client, "/digests/outbox/retry-failed", {"week": PERIOD})

    assert response.status_code == 302
    followed = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "2 failed digests will be sent again" in followed
    for user in (people["coordinator"], other):
        row = _row(user)
        assert row.status is OutboxStatus.PENDING and row.attempts == 0
    outbox.send_due()  # the next sending pass, at the real time of the request
    assert _row(other).status is OutboxStatus.SENT
    assert len(mailserver.handler.to(other.email)) == 1


def test_retrying_a_malformed_week_answers_with_a_message(client, login_as):
    login_as("coordinator")
    response = post(client, "/digests/outbox/retry-failed", {"week": "soon"})
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Choose a week such as 2026-W48." in page


def test_the_unsubscribe_page_speaks_the_recipients_language(app, factory):
    from envoycrm.digests import subscriptions

    user = factory.user(Role.COORDINATOR, "li@example.org", locale="zh_Hans")
    token = subscriptions.unsubscribe_token(user)
    page = app.test_client().get(
        f"/unsubscribe/{token}", headers={"Accept-Language": "en"}
    )
    assert "退订" in page.get_data(as_text=True)
