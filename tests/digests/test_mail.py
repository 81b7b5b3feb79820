"""What a recipient receives: format, headers, language and time zone."""

from zoneinfo import ZoneInfo

from babel.dates import format_datetime
from sqlalchemy import select

from envoycrm.digests import outbox
from envoycrm.digests.periods import due_at
from envoycrm.extensions import db
from envoycrm.models import (
    DigestMention,
    OutboxMessage,
    OutboxStatus,
    Role,
    Stage,
    StageChange,
)
from envoycrm.students import services as student_services
from tests.digests.conftest import (
    IN_WEEK,
    NOW,
    PERIOD,
    html_of,
    opt_in,
    set_times,
    text_of,
)


def test_digest_is_multipart_alternative_text_then_html_with_unsubscribe_headers(
    mailserver, people
):
    coordinator = people["coordinator"]
    outbox.run(NOW)

    [message] = mailserver.handler.to(coordinator.email)
    assert message.get_content_type() == "multipart/alternative"
    parts = [part.get_content_type() for part in message.iter_parts()]
    assert parts == ["text/plain", "text/html"]
    html = html_of(message)
    assert "<style" not in html.lower()
    assert 'style="' in html  # the CSS was inlined, not dropped
    unsubscribe = message["List-Unsubscribe"]
    assert "<https://envoy.example.gov.cn/unsubscribe/" in unsubscribe
    # No mailto: nobody reads the no-reply sender (see the configured case).
    assert "mailto:" not in unsubscribe
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    row = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient_id == coordinator.id)
    )
    assert message["Message-ID"] == row.message_id
    assert row.status is OutboxStatus.SENT and row.period == PERIOD
    # Links lead back into the app at its public address.
    assert 'href="https://envoy.example.gov.cn/"' in html
    assert "https://envoy.example.gov.cn/settings" in text_of(message)


def test_chinese_coordinator_reads_chinese_with_shanghai_times(
    mailserver, factory, people
):
    coordinator = factory.user(
        Role.COORDINATOR,
        "zhang@example.org",
        locale="zh_Hans",
        timezone="Asia/Shanghai",
    )
    student = factory.student(people["envoy"], name_latin="Li Hua", name_hanzi="李华")
    set_times(student, created_at=IN_WEEK)
    student_services.move_stage(student, people["coordinator"], Stage.RETURNED)
    db.session.commit()
    change = db.session.scalar(
        select(StageChange).where(StageChange.to_stage == Stage.RETURNED)
    )
    change.changed_at = IN_WEEK
    db.session.commit()

    outbox.run(NOW)

    [message] = mailserver.handler.to(coordinator.email)
    html, text = html_of(message), text_of(message)
    assert '<html lang="zh-Hans"' in html
    shanghai = ZoneInfo("Asia/Shanghai")
    moved = format_datetime(IN_WEEK, "medium", tzinfo=shanghai, locale="zh_Hans")
    assert moved == "2026年11月20日 10:30:00"  # 02:30 UTC is 10:30 in Shanghai
    # Shown to the minute: seconds say nothing in a weekly digest.
    assert "2026年11月20日 10:30" in html and "2026年11月20日 10:30" in text
    assert moved not in html and moved not in text
    assert "已来城市工作" in text  # the stage label, from the Chinese catalog
    assert "2026年11月16日" in message["Subject"]
    assert "李华" in text
    # The student named in the digest is remembered for data-subject requests.
    row = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient_id == coordinator.id)
    )
    mentioned = db.session.scalars(
        select(DigestMention.student_id).where(DigestMention.outbox_id == row.id)
    ).all()
    assert student.id in mentioned


def test_berlin_envoy_reads_times_in_berlin(mailserver, factory, people):
    envoy = factory.user(
        Role.ENVOY, "berlin@example.org", locale="en", timezone="Europe/Berlin"
    )
    opt_in(envoy)
    student = factory.student(envoy, name_latin="Anna Schmidt")
    # Last contact long ago: the student waits for a follow-up.
    last = IN_WEEK.replace(month=9)
    set_times(
        student,
        last_activity_on=last.astimezone(ZoneInfo("Europe/Berlin")).date(),
        last_activity_at=last,
        follow_up_on=None,
    )
    berlin_monday = due_at(PERIOD, "Europe/Berlin")
    assert berlin_monday.hour == 7  # 08:00 CET

    outbox.run(berlin_monday)

    [message] = mailserver.handler.to(envoy.email)
    text = text_of(message)
    assert "Anna Schmidt" in text
    # The last contact is a day, with no invented time of day.
    assert "last contact 20 Sep 2026" in text
    assert "last contact 20 Sep 2026," not in text
    assert "23 Nov 2026, 08:00" in text  # the window ends at 08:00 local
    assert ":00:00" not in text


def test_envoy_digest_is_opt_in(mailserver, people):
    outbox.run(NOW)
    assert mailserver.handler.to(people["envoy"].email) == []
    assert mailserver.handler.to(people["coordinator"].email) != []


def test_a_new_york_envoys_met_on_reads_the_same_date_in_a_shanghai_digest(
    mailserver, factory, people
):
    """Stored the old way (noon in New York), 19 Nov was 01:00 on 20 Nov in
    Shanghai; a date stays 19 Nov for every reader."""
    from datetime import date

    envoy = factory.user(
        Role.ENVOY, "ny@example.org", locale="en", timezone="America/New_York"
    )
    student = factory.student(
        envoy, name_latin="Met In New York", met_on=date(2026, 11, 19)
    )
    set_times(student, created_at=IN_WEEK)
    coordinator = factory.user(
        Role.COORDINATOR, "shanghai@example.org", locale="en", timezone="Asia/Shanghai"
    )

    outbox.run(NOW)

    [message] = mailserver.handler.to(coordinator.email)
    for body in (text_of(message), html_of(message)):
        item = body.split("Met In New York", 1)[1][:400]
        assert "last contact 19 Nov 2026" in item
        assert "20 Nov" not in item
