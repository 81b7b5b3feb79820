"""Policies in the digests: what changed for envoys, what ends for the bureau."""

from datetime import date

from sqlalchemy import update

from envoycrm.digests import outbox
from envoycrm.extensions import db
from envoycrm.models import Policy
from tests.digests.conftest import IN_WEEK, NOW, opt_in
from tests.digests.test_what_digests_say import text_of


def _changed_in_week(policy) -> None:
    db.session.execute(
        update(Policy).where(Policy.id == policy.id).values(changed_at=IN_WEEK)
    )
    db.session.commit()


def test_envoy_digest_lists_a_policy_changed_in_the_week(mailserver, factory, people):
    envoy = people["envoy"]
    opt_in(envoy)
    changed = factory.policy(
        title_en="Doctoral living subsidy",
        valid_from=date(2026, 1, 1),
        valid_to=date(2027, 12, 31),
    )
    _changed_in_week(changed)
    factory.policy(  # unchanged this week: not news
        title_en="Old news", valid_from=date(2026, 1, 1), valid_to=date(2027, 12, 31)
    )

    outbox.run(NOW)

    [message] = mailserver.handler.to(envoy.email)
    section = text_of(message).split("== New or changed policies ==")[1]
    assert "Doctoral living subsidy" in section
    assert "a month for 36 months" in section
    assert "Old news" not in text_of(message)


def test_bureau_digest_warns_of_a_policy_about_to_end(mailserver, factory, people):
    coordinator = people["coordinator"]
    coordinator.locale = "en"
    db.session.commit()
    factory.policy(
        title_en="Fair travel subsidy",
        valid_from=date(2026, 1, 1),
        valid_to=date(2026, 12, 10),
    )
    factory.policy(
        title_en="Lasting subsidy",
        valid_from=date(2026, 1, 1),
        valid_to=date(2027, 12, 31),
    )

    outbox.run(NOW)

    [message] = mailserver.handler.to(coordinator.email)
    text = text_of(message)
    assert "Fair travel subsidy ends on 10 Dec 2026" in text
    assert "Lasting subsidy" not in text
