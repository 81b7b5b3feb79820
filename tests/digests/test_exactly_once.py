"""Exactly one digest per recipient and period, whatever runs or crashes."""

from collections import Counter
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from envoycrm.digests import outbox
from envoycrm.extensions import db
from envoycrm.models import DigestKind, OutboxMessage, OutboxStatus, Role
from tests.conftest import Crash, dying_on, run_at_once
from tests.digests.conftest import NOW, PERIOD


@pytest.fixture
def staff(factory, people):
    """Five bureau recipients in Shanghai (admin, coordinator and three more)."""
    extra = [factory.user(Role.COORDINATOR, f"c{n}@example.org") for n in range(3)]
    return [people["admin"], people["coordinator"], *extra]


def _received(mailserver) -> Counter:
    return Counter(message["To"] for message in mailserver.messages)


def test_two_runs_for_the_same_period_send_one_mail_each(mailserver, staff):
    outbox.run(NOW, worker="first")
    outbox.run(NOW + timedelta(minutes=15), worker="second")

    assert _received(mailserver) == Counter({user.email: 1 for user in staff})
    rows = db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.kind == DigestKind.BUREAU)
    ).all()
    assert len(rows) == len(staff)
    assert {row.period for row in rows} == {PERIOD}
    assert all(row.status is OutboxStatus.SENT for row in rows)


def test_a_run_interrupted_half_way_sends_the_rest_once(mailserver, staff, monkeypatch):
    real_deliver = outbox.deliver
    # dies holding the third row's claim, before sending
    monkeypatch.setattr(outbox, "deliver", dying_on(3, real_deliver))
    with pytest.raises(Crash):
        outbox.run(NOW, worker="doomed")
    monkeypatch.setattr(outbox, "deliver", real_deliver)
    assert len(mailserver.messages) == 2
    held = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.status == OutboxStatus.SENDING)
    )
    assert held.claimed_by == "doomed"

    # A restart a minute later sends the untouched rows but not the held one.
    outbox.run(NOW + timedelta(minutes=1), worker="restarted")
    assert len(mailserver.messages) == len(staff) - 1
    assert held.recipient_email not in _received(mailserver)

    # Once the dead process's claim lapses, its row goes out, once.
    outbox.run(NOW + outbox.CLAIM_LEASE + timedelta(minutes=1), worker="restarted")
    outbox.run(NOW + timedelta(hours=2), worker="restarted")
    assert _received(mailserver) == Counter({user.email: 1 for user in staff})


def test_two_processes_running_at_once_send_one_mail_each(app, mailserver, staff):
    def scheduler_process(name: str) -> None:
        outbox.run(NOW, worker=name)

    assert run_at_once(app, scheduler_process, ["p1", "p2"]) == []
    assert _received(mailserver) == Counter({user.email: 1 for user in staff})
    bureau_rows = select(func.count(OutboxMessage.id)).where(
        OutboxMessage.kind == DigestKind.BUREAU
    )
    assert db.session.scalar(bureau_rows) == len(staff)


def test_a_claim_held_by_a_live_sender_is_not_taken(mailserver, people):
    outbox.build_due(NOW)
    row = db.session.scalar(select(OutboxMessage).limit(1))
    assert outbox.claim(row.id, "a", NOW) is not None
    assert outbox.claim(row.id, "b", NOW + timedelta(minutes=1)) is None
    late = NOW + outbox.CLAIM_LEASE + timedelta(seconds=1)
    taken = outbox.claim(row.id, "b", late)
    assert taken is not None and taken.claimed_by == "b"


def test_building_twice_makes_one_row_per_recipient_and_keeps_its_message_id(
    mailserver, staff
):
    # One bureau row per staff member, and the employer user's row.
    assert outbox.build_due(NOW) == len(staff) + 1
    ids = set(db.session.scalars(select(OutboxMessage.message_id)))
    assert outbox.build_due(NOW + timedelta(hours=1)) == 0
    assert set(db.session.scalars(select(OutboxMessage.message_id))) == ids
