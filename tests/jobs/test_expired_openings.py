"""An opening whose deadline passed reads as closed at once, not after the
nightly job: in every list, the matching, the employer portal, digests and
the push action."""

from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, select

from envoycrm.demo.jobs import load_jobs
from envoycrm.demo.loader import LoadReport
from envoycrm.extensions import db
from envoycrm.i18n import bureau_today
from envoycrm.jobs import candidates
from envoycrm.jobs.matching import all_matches
from envoycrm.models import JobOpening, OpeningStatus, Push
from tests.conftest import post


def _expired(factory, people, **fields) -> JobOpening:
    """An opening still stored as open whose deadline was yesterday in the city."""
    return factory.opening(
        people["employer"].employer_id,
        title_en="Expired Chemist",
        title_zh="过期化学师",
        deadline=bureau_today() - timedelta(days=1),
        **fields,
    )


def test_deadlines_are_counted_in_the_bureaus_zone(app):
    # 17:00 UTC on 3 December is already 4 December in Qingdao.
    assert bureau_today(datetime(2026, 12, 3, 17, 0, tzinfo=UTC)) == date(2026, 12, 4)


def test_an_expired_opening_is_listed_as_closed_before_the_nightly_job(
    factory, client, login_as, people
):
    expired = _expired(factory, people)
    login_as("coordinator")
    page = client.get("/jobs/").get_data(as_text=True)
    assert "Expired Chemist" in page
    assert "Closed opening" in page
    assert "<td>Open</td>" not in page
    open_only = client.get("/jobs/?status=OPEN").get_data(as_text=True)
    assert "Expired Chemist" not in open_only
    closed = client.get("/jobs/?status=CLOSED").get_data(as_text=True)
    assert "Expired Chemist" in closed
    shown = client.get(f"/jobs/{expired.id}").get_data(as_text=True)
    assert "Closed opening" in shown
    assert "Approve and open" not in shown


def test_an_envoy_neither_sees_nor_pushes_an_expired_opening(
    factory, client, login_as, people
):
    expired = _expired(factory, people)
    login_as("envoy")
    assert "Expired Chemist" not in client.get("/jobs/").get_data(as_text=True)
    assert client.get(f"/jobs/{expired.id}").status_code == 404
    assert post(client, f"/jobs/{expired.id}/push").status_code == 404
    assert db.session.scalar(select(Push.id)) is None


def test_an_expired_opening_is_matched_to_no_one(factory, people, student):
    expired = _expired(factory, people)
    today = bureau_today()
    assert expired.id not in all_matches(today)
    assert all(
        opening.id != expired.id
        for opening, _ in candidates.openings_for_student(student, today)
    )
    assert not candidates.employer_sees_candidates(expired, today)


def test_an_expired_pending_opening_is_not_waiting_for_approval(
    factory, client, login_as, people
):
    expired = _expired(factory, people, status=OpeningStatus.PENDING)
    login_as("coordinator")
    waiting = client.get("/jobs/?status=PENDING").get_data(as_text=True)
    assert "Expired Chemist" not in waiting
    post(client, f"/jobs/{expired.id}/approve")
    db.session.expire_all()
    assert expired.status is OpeningStatus.PENDING


def test_the_demo_load_stores_past_deadlines_as_closed(factory, people):
    load_jobs(LoadReport())
    stored_open = db.session.scalars(
        select(JobOpening.deadline).where(
            JobOpening.status.in_([OpeningStatus.OPEN, OpeningStatus.PENDING])
        )
    ).all()
    assert stored_open
    assert min(stored_open) >= bureau_today()


def test_after_the_demo_load_a_new_push_gets_a_free_id(factory, people):
    """The demo's pushes take their ids from the database, so on PostgreSQL
    the sequence is past them when an envoy pushes an opening."""
    load_jobs(LoadReport())
    db.session.commit()
    loaded = db.session.scalar(select(func.max(Push.id)))
    assert loaded >= 400
    opening = factory.opening(people["employer"].employer_id)
    push = Push(opening_id=opening.id, envoy_id=people["envoy"].id, token="n" * 32)
    db.session.add(push)
    db.session.commit()
    assert push.id > loaded


def test_the_scheduler_closes_expired_openings_as_it_starts(app, factory, people):
    from envoycrm import scheduler

    expired = _expired(factory, people)
    db.session.commit()
    (record,) = scheduler.catch_up(app)
    assert record.ok and record.detail == "closed 1"
    db.session.expire_all()
    assert db.session.get(JobOpening, expired.id).status is OpeningStatus.CLOSED
