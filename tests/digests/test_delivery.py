"""SMTP failures: temporary ones retried with growing delays, permanent ones not."""

from datetime import timedelta

from sqlalchemy import select

from envoycrm.digests import outbox
from envoycrm.extensions import db
from envoycrm.models import OutboxMessage, OutboxStatus
from tests.digests.conftest import NOW


def _row_for(user) -> OutboxMessage:
    db.session.expire_all()
    return db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient_id == user.id)
    )


def _only_coordinator(people) -> None:
    """Keep one bureau recipient so each run sends a single digest."""
    people["admin"].digest_subscribed = False
    db.session.commit()


def test_451_is_retried_with_growing_delays_then_delivered(mailserver, people):
    _only_coordinator(people)
    coordinator = people["coordinator"]
    mailserver.handler.data_replies = [
        "451 4.3.0 Try again later",
        "451 4.3.0 Try again later",
    ]

    outbox.run(NOW)
    row = _row_for(coordinator)
    assert row.status is OutboxStatus.PENDING and row.attempts == 1
    assert "451" in row.last_error
    assert row.next_attempt_at == NOW + timedelta(minutes=1)

    # Not due yet: nothing is attempted.
    outbox.run(NOW + timedelta(seconds=30))
    assert mailserver.handler.data_commands == 1

    second = NOW + timedelta(minutes=1)
    outbox.run(second)
    row = _row_for(coordinator)
    assert row.attempts == 2
    assert row.next_attempt_at == second + outbox.RETRY_DELAYS[1]  # the delay grew

    third = second + timedelta(minutes=5)
    outbox.run(third)
    row = _row_for(coordinator)
    assert row.status is OutboxStatus.SENT and row.attempts == 3
    assert row.sent_at == third and row.last_error is None
    assert len(mailserver.handler.to(coordinator.email)) == 1


def test_550_fails_at_once_without_retry_and_others_still_get_theirs(
    mailserver, people
):
    coordinator, admin = people["coordinator"], people["admin"]
    mailserver.handler.refuse = {coordinator.email}

    outbox.run(NOW)
    row = _row_for(coordinator)
    assert row.status is OutboxStatus.FAILED and row.attempts == 1
    assert "550" in row.last_error
    assert len(mailserver.handler.to(admin.email)) == 1  # not blocked

    mailserver.handler.refuse = set()
    outbox.run(NOW + timedelta(hours=3))
    assert _row_for(coordinator).attempts == 1
    assert mailserver.handler.to(coordinator.email) == []


def test_a_server_that_is_down_at_first_is_retried_then_delivers(
    mailserver_down, people
):
    _only_coordinator(people)
    coordinator = people["coordinator"]

    outbox.run(NOW)
    row = _row_for(coordinator)
    assert row.status is OutboxStatus.PENDING and row.attempts == 1
    assert row.next_attempt_at == NOW + timedelta(minutes=1)

    mailserver_down.start()
    outbox.run(NOW + timedelta(minutes=1))
    row = _row_for(coordinator)
    assert row.status is OutboxStatus.SENT and row.attempts == 2
    assert len(mailserver_down.handler.to(coordinator.email)) == 1


def test_temporary_failures_stop_after_the_last_retry(mailserver, people):
    _only_coordinator(people)
    mailserver.handler.data_replies = ["421 4.7.0 Busy"] * 20
    now = NOW
    delays = []
    for _attempt in range(outbox.MAX_ATTEMPTS):
        outbox.run(now)
        row = _row_for(people["coordinator"])
        if row.status is OutboxStatus.PENDING:
            delays.append(row.next_attempt_at - now)
            now = row.next_attempt_at
    assert delays == list(outbox.RETRY_DELAYS)
    assert row.status is OutboxStatus.FAILED
    assert row.attempts == outbox.MAX_ATTEMPTS
    assert mailserver.messages == []


def test_every_digest_the_scheduler_sends_is_audited_with_whom_it_named(
    mailserver, people, factory
):
    from envoycrm.models import AuditEvent, DigestMention
    from tests.digests.conftest import IN_WEEK, set_times

    _only_coordinator(people)
    set_times(factory.student(people["envoy"]), created_at=IN_WEEK)
    outbox.run(NOW)

    row = _row_for(people["coordinator"])
    assert row.status is OutboxStatus.SENT
    [event] = db.session.scalars(
        select(AuditEvent).where(AuditEvent.action == "digest.sent")
    ).all()
    named = db.session.scalars(
        select(DigestMention.student_id).where(DigestMention.outbox_id == row.id)
    ).all()
    assert named  # the new student of the week
    assert (event.record_type, event.record_id) == ("outbox", row.id)
    assert event.actor_id is None  # the scheduler, not a person
    assert event.details == {
        "kind": "BUREAU",
        "recipient_id": people["coordinator"].id,
        "students": len(named),
    }
