"""A public reply that matches a known student is held for their envoy (issue 10).

Whoever types a known email or WeChat ID into a referral form need not be
that student: the reply changes nothing and credits no one until the
student's envoy (or a coordinator) confirms it.
"""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from envoycrm.digests.content import build_employer_digest
from envoycrm.digests.periods import Window, period_of
from envoycrm.extensions import db
from envoycrm.jobs import referrals
from envoycrm.jobs.services import push_opening
from envoycrm.models import (
    JobInterest,
    ReferralReply,
    ReplyStatus,
    Stage,
    StageChange,
    Student,
    Task,
    TaskKind,
)
from tests.conftest import post, sign_in
from tests.jobs.test_referrals import link_path, reply_data


@pytest.fixture
def theirs(factory, people):
    """A student of the second envoy, known to the network by email."""
    return factory.student(
        people["envoy2"], name_latin="Hidden Person", name_hanzi="隐藏"
    )


@pytest.fixture
def push(people, opening):
    """The first envoy's push: not the owner of ``theirs``."""
    row = push_opening(people["envoy"], opening)
    db.session.commit()
    return row


def _reply(app, push, people, **fields):
    visitor = app.test_client()
    response = visitor.post(link_path(push), data=reply_data(visitor, people, **fields))
    assert response.status_code == 302
    return visitor.get(response.headers["Location"]).get_data(as_text=True)


def _digest_text(people) -> list:
    """What this week's employer digest says about replies, as student names."""
    window = Window.for_period(
        period_of(date.today() + timedelta(days=7)), "Asia/Shanghai"
    )
    digest = build_employer_digest(people["employer"], window)
    return [r.student.display_name for r in digest.replies]


def _count(model) -> int:
    return db.session.scalar(select(func.count(model.id)))


def test_a_reply_with_another_envoys_students_email_changes_nothing_until_confirmed(
    app, people, push, theirs
):
    stage_before = theirs.stage
    moves_before = _count(StageChange)
    thanks = _reply(app, push, people, name="Someone Else", email=theirs.email)
    assert "Thank you" in thanks
    assert "Hidden Person" not in thanks and theirs.email not in thanks
    db.session.expire_all()
    assert theirs.stage is stage_before and theirs.name_latin == "Hidden Person"
    assert _count(StageChange) == moves_before
    assert _count(JobInterest) == 0
    assert _count(Student) == 1
    reply = db.session.scalar(select(ReferralReply))
    assert reply.status is ReplyStatus.HELD and reply.student_id == theirs.id
    task = db.session.get(Task, reply.task_id)
    assert task.kind is TaskKind.REFERRAL_REPLY
    assert task.assignee_id == people["envoy2"].id  # the owner, not the pusher
    assert task.title == (
        f"Someone Else replied to Materials Engineer through "
        f"{people['envoy'].full_name}'s link"
    )
    assert "Hidden Person" not in _digest_text(people)

    # The pusher learns nothing and cannot decide.
    pusher = app.test_client()
    sign_in(pusher, people["envoy"].email)
    for url in (f"/jobs/pushes/{push.id}", "/tasks/", "/jobs/pushes"):
        page = pusher.get(url).get_data(as_text=True)
        assert "Hidden Person" not in page and "Someone Else" not in page
    assert pusher.get(f"/jobs/replies/{reply.id}").status_code == 404
    refused = post(pusher, f"/jobs/replies/{reply.id}", {"decision": "confirm"})
    assert refused.status_code == 404

    # The owner sees the task and confirms: now the push is credited.
    owner = app.test_client()
    sign_in(owner, people["envoy2"].email)
    tasks = owner.get("/tasks/").get_data(as_text=True)
    assert "Someone Else replied to Materials Engineer through" in tasks
    assert f"/jobs/replies/{reply.id}" in tasks
    page = owner.get(f"/jobs/replies/{reply.id}").get_data(as_text=True)
    assert "Someone Else replied to Materials Engineer through" in page
    done = post(
        owner,
        f"/jobs/replies/{reply.id}",
        {"decision": "confirm"},
        follow_redirects=True,
    )
    assert "the interest is recorded" in done.get_data(as_text=True)
    db.session.expire_all()
    interest = db.session.scalar(select(JobInterest))
    assert interest.student_id == theirs.id and interest.push_id == push.id
    assert theirs.stage is Stage.INTERESTED
    assert reply.status is ReplyStatus.CONFIRMED
    assert task.done_at is not None
    assert "Hidden Person 隐藏" in _digest_text(people)
    again = post(owner, f"/jobs/replies/{reply.id}", {"decision": "dismiss"})
    assert again.status_code == 302
    db.session.expire_all()
    assert reply.status is ReplyStatus.CONFIRMED


def test_a_dismissed_reply_records_nothing(app, client, login_as, people, push, theirs):
    stage_before = theirs.stage
    _reply(app, push, people, name="Someone Else", email=theirs.email)
    _reply(app, push, people, name="Someone Else", email=theirs.email)  # a retry
    assert _count(ReferralReply) == 1 and _count(Task) == 1
    reply = db.session.scalar(select(ReferralReply))
    login_as("coordinator")
    response = post(client, f"/jobs/replies/{reply.id}", {"decision": "dismiss"})
    assert response.status_code == 302
    db.session.expire_all()
    assert reply.status is ReplyStatus.DISMISSED
    assert _count(JobInterest) == 0
    assert theirs.stage is stage_before
    assert db.session.get(Task, reply.task_id).done_at is not None


def test_a_held_reply_decision_must_be_confirm_or_dismiss(
    app, client, login_as, people, push, theirs
):
    _reply(app, push, people, name="Someone Else", email=theirs.email)
    reply = db.session.scalar(select(ReferralReply))
    login_as("envoy2")
    response = post(client, f"/jobs/replies/{reply.id}", {"decision": "both"})
    assert response.status_code == 422
    assert 'id="decision-error"' in response.get_data(as_text=True)
    assert db.session.get(ReferralReply, reply.id).status is ReplyStatus.HELD


def test_a_matching_wechat_id_alone_is_held_too(app, people, push, factory):
    known = factory.student(people["envoy2"], wechat_id="known_wx_1")
    _reply(app, push, people, email="new.person@example.org", wechat_id="known_wx_1")
    assert _count(JobInterest) == 0
    reply = db.session.scalar(select(ReferralReply))
    assert reply.student_id == known.id
    assert referrals.held_replies_of_tasks([db.session.get(Task, reply.task_id)])
