"""Each digest link opens the view of exactly the rows its line counts."""

import html
import re
from datetime import timedelta
from urllib.parse import urlsplit

from envoycrm.digests import render
from envoycrm.digests.periods import latest_due_period
from envoycrm.extensions import db
from envoycrm.models import (
    DigestKind,
    Role,
    Task,
    TaskKind,
    utcnow,
)
from tests.conftest import sign_in
from tests.digests.conftest import IN_WEEK, PERIOD, opt_in, set_times


def _link(composed, action: str) -> str:
    """The path and query of the button labelled ``action`` in the HTML part."""
    for href, text in re.findall(
        r'<a [^>]*href="([^"]+)"[^>]*>([^<]+)</a>', composed.html
    ):
        if text.strip() == action:
            parts = urlsplit(html.unescape(href))
            return parts.path + (f"?{parts.query}" if parts.query else "")
    raise AssertionError(f"no {action!r} button")


def _rows(page: str) -> str:
    return page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def _client(app, user):
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


def test_bureau_digest_buttons_open_exactly_the_rows_they_count(
    app, mailserver, factory, people
):
    coordinator = people["coordinator"]
    coordinator.locale = "en"
    for kind, title in (
        (TaskKind.REFERRAL_REPLY, "Answer the reply of Li"),
        (TaskKind.EMPLOYER_INTEREST, "Pass on the interest in Zhao"),
        (TaskKind.OTHER, "Order the fair banners"),
    ):
        db.session.add(Task(kind=kind, title=title))
    period = latest_due_period(utcnow(), coordinator.timezone)
    for user, week in ((people["admin"], period), (people["envoy"], "2020-W01")):
        factory.failed_digest(user, week)
    db.session.commit()
    composed = render.compose(DigestKind.BUREAU, coordinator, period)
    client = _client(app, coordinator)

    assert "2 replies not followed up" in composed.text
    tasks = _rows(client.get(_link(composed, "Open the tasks")).get_data(as_text=True))
    assert "Answer the reply of Li" in tasks and "Pass on the interest" in tasks
    assert "banners" not in tasks

    assert "1 digest failed this week" in composed.text
    outbox = _rows(
        client.get(_link(composed, "Open the outbox")).get_data(as_text=True)
    )
    assert people["admin"].email in outbox and people["envoy"].email not in outbox

    assert "2 envoys quiet for 30 days" in composed.text
    quiet_link = _link(composed, "Show the envoys")
    assert "quiet=1" in quiet_link
    factory.push(people)  # the first envoy is active again, and the list says so
    envoys = _rows(client.get(quiet_link).get_data(as_text=True))
    assert people["envoy2"].full_name in envoys
    assert people["envoy"].full_name not in envoys


def test_employer_digest_buttons_list_its_candidates_and_replies_for_its_week(
    app, mailserver, factory, busy_week, people
):
    employer = people["employer"]
    composed = render.compose(DigestKind.EMPLOYER, employer, PERIOD)
    link = _link(composed, "Look at the candidates")
    assert link == f"/jobs/candidates?period={PERIOD}"
    assert _link(composed, "Read the replies") == link
    named = re.findall(r"^- (Busy Student \d)", composed.text, re.M)
    assert sorted(set(named)) == ["Busy Student 0", "Busy Student 1", "Busy Student 2"]

    # A student new the week before is no candidate of this week.
    earlier = factory.student(people["envoy"], name_latin="Last Week Student")
    set_times(earlier, created_at=IN_WEEK - timedelta(days=7))
    page = _client(app, employer).get(link).get_data(as_text=True)
    candidates = _rows(page)
    for name in ("Busy Student 0", "Busy Student 1", "Busy Student 2"):
        assert name in candidates
    assert "Last Week Student" not in page
    assert "3 candidates" in page and "1 reply" in page

    other = factory.user(Role.EMPLOYER, "other-hr@example.org")
    theirs = _client(app, other).get(link)
    assert theirs.status_code == 200
    assert "Busy Student" not in theirs.get_data(as_text=True)


def test_the_envoy_digest_shows_trends_over_the_whole_week(
    app, mailserver, factory, people
):
    envoy = people["envoy"]
    envoy.locale = "en"
    db.session.commit()
    opt_in(envoy)
    # Logged on the Friday of the digest's week (not on the Monday it is sent),
    # and one, two and none in the weeks before.
    for days_back, count in ((0, 3), (7, 1), (14, 2)):
        for _ in range(count):
            student = factory.student(envoy)
            set_times(student, created_at=IN_WEEK - timedelta(days=days_back))
    composed = render.compose(DigestKind.ENVOY, envoy, PERIOD)
    block = composed.text.split("Students logged last week: ")[1].split("\n- ")[0]
    assert block.startswith("3")
    assert "▲ +2 on last week (1)" in block
    assert "▲ 4-week average 0.8" in block  # (1 + 2 + 0 + 0) / 4
    assert "Replies through your links" in composed.text
    assert composed.preheader.startswith("You logged 3 students")
