"""The admin's scheduler-health page: heartbeat, jobs, this week's outbox, test mail."""

from datetime import timedelta

from envoycrm.digests.services import this_week
from envoycrm.extensions import db
from envoycrm.models import OutboxMessage, OutboxStatus, SchedulerRun, utcnow
from envoycrm.scheduler import JOBS, run_job
from tests.conftest import post


def _failed_row(people, error: str) -> OutboxMessage:
    from envoycrm.digests import outbox
    from envoycrm.models import DigestKind

    row = outbox.ensure_row(DigestKind.BUREAU, people["coordinator"], this_week())
    row.status = OutboxStatus.FAILED
    row.attempts = 12
    row.last_error = error
    db.session.commit()
    return row


def test_the_page_shows_heartbeat_jobs_counts_and_failed_rows_with_their_errors(
    app, client, login_as, people
):
    record = run_job(app, "flag-retention")
    assert record.ok
    _failed_row(people, "550 5.1.1 Mailbox unavailable")
    login_as("admin")

    page = client.get("/admin/scheduler").get_data(as_text=True)

    assert "Last seen" in page and "more than 20 minutes ago" not in page
    for job_id in JOBS:
        assert f"<code>{job_id}</code>" in page
    assert "ok: flagged 0" in page
    assert "never" in page  # the digest job has not run in this test
    assert "coordinator@example.org" in page
    assert "550 5.1.1 Mailbox unavailable" in page
    assert "/digests/outbox?status=FAILED" in page


def test_a_silent_scheduler_is_called_out(client, login_as):
    db.session.add(
        SchedulerRun(
            job_id="digests",
            host="worker-1",
            started_at=utcnow() - timedelta(hours=3),
            ok=True,
            detail="sent 0",
        )
    )
    db.session.commit()
    login_as("admin")
    page = client.get("/admin/scheduler").get_data(as_text=True)
    assert "more than 20 minutes ago" in page


def test_send_a_test_mail_reports_the_servers_answer(client, login_as, mailserver):
    admin = login_as("admin")
    response = post(client, "/admin/scheduler/test-mail")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "was accepted: 250 Message accepted for delivery" in page
    [message] = mailserver.handler.to(admin.email)
    assert message["Subject"] == "EnvoyCRM test mail"


def test_a_refused_test_mail_reports_the_refusal(client, login_as, mailserver):
    admin = login_as("admin")
    mailserver.handler.refuse = {admin.email}
    response = post(client, "/admin/scheduler/test-mail")
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "was refused: recipient refused (admin@example.org: 550" in page


def test_only_admins_see_the_scheduler_page(client, login_as):
    login_as("coordinator")
    assert client.get("/admin/scheduler").status_code == 403
