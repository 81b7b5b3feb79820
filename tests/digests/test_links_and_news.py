"""Subjects carry the news, "Needs you" comes first, and every link works."""

import re
from datetime import timedelta
from urllib.parse import urlsplit

import pytest

from envoycrm.digests import outbox
from envoycrm.extensions import db
from envoycrm.models import (
    OutboxMessage,
    OutboxStatus,
    Role,
    Student,
)
from tests.conftest import sign_in
from tests.digests.conftest import (
    IN_WEEK,
    NOW,
    html_of,
    set_times,
    text_of,
)


def test_subjects_carry_the_news_and_a_preheader_that_is_not_the_subject(
    mailserver, busy_week, people
):
    outbox.run(NOW)

    [bureau] = mailserver.handler.to(people["coordinator"].email)
    assert bureau["Subject"].startswith("2 students moved to Returned · ")
    assert re.search(r"· \d+ need you · ", bureau["Subject"])
    [employer] = mailserver.handler.to(people["employer"].email)
    assert employer["Subject"].startswith(
        "3 new candidates for 2 openings · 1 reply through envoy links · "
    )
    [envoy] = mailserver.handler.to(people["envoy"].email)
    assert "1 student waits for a follow-up" in envoy["Subject"]
    for message in (bureau, employer, envoy):
        html, text = html_of(message), text_of(message)
        preheader = re.search(
            r'<div style="display:none[^>]*>([^<]+)</div>', html
        ).group(1)
        assert preheader.strip() and preheader.strip() != message["Subject"]
        assert preheader.strip() in text


def test_needs_you_comes_first_with_one_button_per_item(mailserver, busy_week, people):
    outbox.run(NOW)
    [bureau] = mailserver.handler.to(people["coordinator"].email)
    text, html = text_of(bureau), html_of(bureau)
    first_section = re.search(r"^== (.+) ==", text, re.MULTILINE).group(1)
    assert first_section == "Needs you"
    needs = text.split("== Needs you ==")[1].split("==")[0]
    assert "1 opening awaits approval" in needs
    assert "1 student in Contacted for over 60 days" in needs
    assert "1 digest" not in needs  # none failed this week
    items = html.split(">Needs you<")[1].split("</table>\n</td></tr>")[0]
    assert items.count('class="button"') == len(re.findall(r"^- ", needs, re.M))


def test_the_bureau_digest_shows_trends_against_last_week_and_four_weeks(
    mailserver, factory, busy_week, people
):
    # New students in the four weeks before this one: 1, 2, 3 and 0.
    for days_back, count in ((7, 1), (14, 2), (21, 3)):
        for _ in range(count):
            student = factory.student(people["envoy2"])
            set_times(student, created_at=IN_WEEK - timedelta(days=days_back))
    outbox.run(NOW)
    [bureau] = mailserver.handler.to(people["coordinator"].email)
    text = text_of(bureau)
    block = text.split("- New students: ")[1].split("\n- ")[0]
    assert block.startswith("3")  # the three busy students this week
    assert "▲ +2 on last week (1)" in block
    assert "▲ 4-week average 1.5" in block  # (1 + 2 + 3 + 0) / 4


def _paths(message) -> list[str]:
    """Every link of the HTML part as a path with its query."""
    paths = []
    for href in set(re.findall(r'href="([^"]+)"', html_of(message))):
        parts = urlsplit(href.replace("&amp;", "&"))
        assert parts.netloc == "envoy.example.gov.cn", href
        paths.append(parts.path + (f"?{parts.query}" if parts.query else ""))
    return sorted(paths)


def _is_record(path: str) -> bool:
    """A link to one row (a student, a candidate, an opening), not a list."""
    return bool(re.search(r"/\d+(/|$|\?)", path.split("?")[0] + "/"))


@pytest.mark.parametrize(
    "role,other_role", [("employer", None), ("envoy", "envoy2"), ("coordinator", None)]
)
def test_every_link_opens_for_its_recipient_and_records_are_404_for_another(
    app, mailserver, factory, busy_week, people, role, other_role
):
    recipient = people[role]
    if role == "employer":
        other = factory.user(Role.EMPLOYER, "other-hr@example.org")
    else:
        other = people[other_role] if other_role else None
    outbox.run(NOW)
    [message] = mailserver.handler.to(recipient.email)
    paths = _paths(message)
    assert any(_is_record(p) for p in paths)

    own = app.test_client()
    assert sign_in(own, recipient.email).status_code == 302
    for path in paths:
        if path.startswith("/unsubscribe/"):
            continue  # public, and tested with the unsubscribe link itself
        assert own.get(path).status_code == 200, path
    if other is None:
        return  # every coordinator may open everything a coordinator's digest names
    theirs = app.test_client()
    assert sign_in(theirs, other.email).status_code == 302
    for path in paths:
        if _is_record(path) and not path.startswith("/jobs/") or "/candidates/" in path:
            assert theirs.get(path).status_code == 404, path


def test_a_failed_digest_of_the_week_is_in_the_next_bureau_digest(
    mailserver, busy_week, people
):
    mailserver.handler.refuse = {people["admin"].email}
    outbox.run(NOW)
    db.session.expire_all()
    failed = (
        db.session.query(OutboxMessage).filter_by(recipient_id=people["admin"].id).one()
    )
    assert failed.status is OutboxStatus.FAILED
    from envoycrm.digests import render
    from envoycrm.models import DigestKind

    composed = render.compose(DigestKind.BUREAU, people["coordinator"], failed.period)
    assert "1 digest failed this week" in composed.text
    assert "/digests/outbox?status=FAILED" in composed.text
    assert db.session.get(Student, busy_week["stuck"].id) is not None
