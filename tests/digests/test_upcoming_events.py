"""Upcoming events in the bureau's and the envoys' digests, in the reader's zone."""

from datetime import UTC, datetime

from envoycrm.digests import outbox
from envoycrm.extensions import db
from envoycrm.models import EventKind, EventStatus, RegistrationStatus
from tests.digests.conftest import NOW, opt_in
from tests.digests.test_what_digests_say import text_of
from tests.events.conftest import register

# 18:00 in Manchester (GMT in winter): 02:00 the next day in Shanghai.
SESSION_STARTS = datetime(2026, 11, 26, 18, 0, tzinfo=UTC)
FAIR_STARTS = datetime(2026, 12, 5, 1, 0, tzinfo=UTC)  # 09:00 in Shanghai


def _events(factory, people):
    envoy, envoy2 = people["envoy"], people["envoy2"]
    session = factory.event(
        envoy,
        kind=EventKind.INFO_SESSION,
        title_en="Working in Qingdao, Manchester",
        title_zh="青岛就业宣讲会（曼彻斯特）",
        starts_at=SESSION_STARTS,
        status=EventStatus.PUBLISHED,
        place="Alliance Manchester Business School",
        capacity=40,
    )
    register(session, None, status=RegistrationStatus.REGISTERED)
    factory.event(
        people["coordinator"],
        kind=EventKind.TALENT_FAIR,
        title_en="Winter Talent Fair",
        title_zh="冬季人才招聘会",
        starts_at=FAIR_STARTS,
        time_zone="Asia/Shanghai",
        status=EventStatus.PUBLISHED,
    )
    factory.event(
        envoy2,
        kind=EventKind.INFO_SESSION,
        title_en="Working in Qingdao, Auckland",
        title_zh="青岛就业宣讲会（奥克兰）",
        starts_at=SESSION_STARTS,
        time_zone="Pacific/Auckland",
        status=EventStatus.PUBLISHED,
    )
    factory.event(
        people["coordinator"],
        title_en="A draft nobody sees",
        starts_at=SESSION_STARTS,
        status=EventStatus.DRAFT,
    )
    factory.event(
        people["coordinator"],
        title_en="Too far ahead",
        starts_at=datetime(2027, 1, 20, 1, 0, tzinfo=UTC),
        status=EventStatus.PUBLISHED,
    )


def test_bureau_digest_lists_the_next_two_weeks_events_in_the_readers_zone(
    mailserver, factory, people
):
    coordinator = people["coordinator"]
    coordinator.locale = "en"
    db.session.commit()
    _events(factory, people)

    outbox.run(NOW)

    [message] = mailserver.handler.to(coordinator.email)
    section = text_of(message).split("== Upcoming events ==")[1].split("==")[0]
    assert section.index("Manchester") < section.index("Winter Talent Fair")
    assert "Auckland" in section  # coordinators read every event
    assert "A draft nobody sees" not in section
    assert "Too far ahead" not in section
    # Shanghai time first, the event's own London time beside it.
    assert "27 Nov 2026, 02:00 (26 Nov 2026, 18:00 London" in section
    assert "1 of 40 seats taken" in section
    # The fair is in the reader's own zone: no second time.
    fair_line = section.split("Winter Talent Fair")[1].split("\n- ")[0]
    assert "5 Dec 2026, 09:00" in fair_line and "(" not in fair_line


def test_envoy_digest_lists_their_universitys_and_the_bureaus_events(
    mailserver, factory, people
):
    envoy = people["envoy"]
    envoy.locale = "zh_Hans"
    db.session.commit()
    opt_in(envoy)
    _events(factory, people)

    outbox.run(NOW)

    [message] = mailserver.handler.to(envoy.email)
    text = text_of(message)
    section = text.split("== 近期活动 ==")[1].split("==")[0]
    assert "青岛就业宣讲会（曼彻斯特）" in section
    assert "冬季人才招聘会" in section
    assert "奥克兰" not in section  # another university's session
    assert section.count("\n- ") == 2  # no draft, nothing too far ahead
    assert "2026年11月27日 02:00" in section and "伦敦" in section
