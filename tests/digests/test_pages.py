"""Coordinators' digest pages and the operators' commands."""

from datetime import timedelta

from sqlalchemy import func, select

from envoycrm.digests import outbox
from envoycrm.extensions import db
from envoycrm.models import DigestKind, OutboxMessage, OutboxStatus, Role
from tests.conftest import post
from tests.digests.conftest import IN_WEEK, NOW, PERIOD, make_opening, set_times


def test_coordinator_previews_an_employers_digest_as_they_would_read_it(
    client, login_as, factory, people
):
    login_as("coordinator")
    hr = factory.user(
        Role.EMPLOYER,
        "hr@example.org",
        locale="zh_Hans",
        employer=people["employer"].employer,
    )
    make_opening(hr.employer_id)
    candidate = factory.student(people["envoy"], name_latin="New Candidate")
    set_times(candidate, created_at=IN_WEEK)
    response = client.get(f"/digests/?recipient={hr.id}&week={PERIOD}")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Employer digest" in page  # the page itself stays in English
    assert "2026年11月16日" in page  # the mail is in the recipient's Chinese
    assert "材料工程师" in page
    assert "Preheader" in page and "最佳匹配：New Candidate" in page
    assert f"/digests/preview.html?recipient={hr.id}&amp;week={PERIOD}" in page

    frame = client.get(f"/digests/preview.html?recipient={hr.id}&week={PERIOD}")
    assert frame.status_code == 200
    assert "材料工程师" in frame.get_data(as_text=True)
    assert "<style" not in frame.get_data(as_text=True)
    assert "frame-ancestors 'self'" in frame.headers["Content-Security-Policy"]
    # A preview sends and stores nothing.
    assert db.session.scalar(select(func.count(OutboxMessage.id))) == 0


def test_a_malformed_week_is_answered_at_the_field_keeping_the_input(
    client, login_as, people
):
    login_as("coordinator")
    recipient = people["admin"].id
    response = client.get(f"/digests/?recipient={recipient}&week=2026-W99")
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a week such as 2026-W48." in page
    assert 'value="2026-W99"' in page
    assert 'aria-describedby="week-hint week-error"' in page
    unknown = client.get(f"/digests/?recipient=999999&week={PERIOD}")
    assert unknown.status_code == 422


def test_send_now_sends_once_and_the_outbox_shows_it(
    client, login_as, mailserver, people
):
    login_as("coordinator")
    admin = people["admin"]
    data = {"recipient": str(admin.id), "week": PERIOD}
    response = post(client, "/digests/send", data)
    assert response.status_code == 302
    assert len(mailserver.handler.to(admin.email)) == 1

    again = post(client, "/digests/send", data, follow_redirects=True)
    assert "already sent" in again.get_data(as_text=True)
    assert len(mailserver.handler.to(admin.email)) == 1

    page = client.get("/digests/outbox").get_data(as_text=True)
    assert admin.email in page and PERIOD in page and "Sent" in page


def test_a_failed_digest_is_shown_with_its_error_and_can_be_retried(
    client, login_as, mailserver, people
):
    coordinator = people["coordinator"]
    mailserver.handler.refuse = {coordinator.email}
    outbox.run(NOW)
    row = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.recipient_id == coordinator.id)
    )
    assert row.status is OutboxStatus.FAILED

    login_as("admin")
    page = client.get("/digests/outbox?status=FAILED").get_data(as_text=True)
    assert coordinator.email in page and "550" in page and "Failed" in page
    assert f"/digests/outbox/{row.id}/retry" in page

    mailserver.handler.refuse = set()
    response = post(client, f"/digests/outbox/{row.id}/retry", follow_redirects=True)
    assert "The digest was sent." in response.get_data(as_text=True)
    db.session.refresh(row)
    assert row.status is OutboxStatus.SENT
    assert len(mailserver.handler.to(coordinator.email)) == 1
    assert post(client, "/digests/outbox/999999/retry").status_code == 404


def test_cli_build_twice_then_send_then_preview(runner, mailserver, people):
    first = runner.invoke(args=["digests", "build", "--week", PERIOD])
    assert "3 new outbox rows." in first.output
    second = runner.invoke(args=["digests", "build", "--week", PERIOD])
    assert "0 new outbox rows." in second.output
    sent = runner.invoke(args=["digests", "send"])
    assert "sent 2" in sent.output and "skipped 1" in sent.output
    preview = runner.invoke(
        args=[
            "digests",
            "preview",
            "--recipient",
            "coordinator@example.org",
            "--week",
            PERIOD,
        ]
    )
    assert preview.exit_code == 0, preview.output
    assert (
        "Subject: " in preview.output and "16\u2009–\u200923 Nov 2026" in preview.output
    )
    bad = runner.invoke(
        args=["digests", "preview", "--recipient", "x@example.org", "--week", PERIOD]
    )
    assert bad.exit_code != 0


def test_the_outbox_kind_filter_keeps_to_one_kind(client, login_as, mailserver):
    outbox.build_due(NOW - timedelta(days=7))
    login_as("coordinator")
    page = client.get(f"/digests/outbox?kind={DigestKind.EMPLOYER.name}")
    text = page.get_data(as_text=True)
    assert "employer@example.org" in text
    assert "coordinator@example.org" not in text.split("<tbody>")[1]
