"""The employer digest names only students who let the bureau share them."""

from datetime import date, timedelta

from sqlalchemy import select

from envoycrm.digests import outbox, render
from envoycrm.digests.content import CandidatePool
from envoycrm.extensions import db
from envoycrm.models import (
    ConsentScope,
    DigestKind,
    DigestMention,
    OutboxMessage,
    OutboxStatus,
    Role,
)
from envoycrm.students import services as student_services
from tests.digests.conftest import (
    IN_WEEK,
    NOW,
    PERIOD,
    make_opening,
    reply_through_push,
    set_times,
    text_of,
)


def _new_student(factory, envoy, name, scope=ConsentScope.EMPLOYERS, **fields):
    student = factory.student(envoy, name_latin=name, consent_scope=scope, **fields)
    set_times(student, created_at=IN_WEEK)
    return student


def test_only_students_sharing_with_employers_appear_and_no_contact_details(
    mailserver, factory, people
):
    employer_user, envoy = people["employer"], people["envoy"]
    opening = make_opening(employer_user.employer_id)
    shared = _new_student(
        factory,
        envoy,
        "Shared Candidate",
        email="shared@students.example.org",
        phone="+44 7700 900111",
        wechat_id="shared_wx",
    )
    _new_student(factory, envoy, "Bureau Only", scope=ConsentScope.BUREAU)
    withdrawn = _new_student(factory, envoy, "Withdrew Quickly")
    student_services.withdraw_consent(withdrawn, envoy)
    db.session.commit()
    # Replies through envoy links, from a sharing and a bureau-only student.
    reply_through_push(shared, opening, envoy, IN_WEEK)
    private = _new_student(factory, envoy, "Private Replier", ConsentScope.BUREAU)
    reply_through_push(private, opening, people["envoy2"], IN_WEEK)

    outbox.run(NOW)

    [message] = mailserver.handler.to(employer_user.email)
    text = text_of(message)
    assert "Shared Candidate" in text
    assert "Materials Engineer" in text or "材料工程师" in text
    for absent in ("Bureau Only", "Withdrew Quickly", "Private Replier"):
        assert absent not in text
        assert absent not in message.get_body(("html",)).get_content()
    for contact in ("shared@students.example.org", "900111", "shared_wx"):
        assert contact not in message.as_string()
    row = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == DigestKind.EMPLOYER)
    )
    mentioned = set(
        db.session.scalars(
            select(DigestMention.student_id).where(DigestMention.outbox_id == row.id)
        )
    )
    assert mentioned == {shared.id}


def test_a_student_who_withdrew_after_the_last_digest_is_left_out(
    mailserver, factory, people
):
    employer_user, envoy = people["employer"], people["envoy"]
    employer_user.locale = "en"  # the wording below is checked in English
    db.session.commit()
    opening = make_opening(employer_user.employer_id)
    student = _new_student(factory, envoy, "Changed Mind")
    # Week 48: the student is a new candidate and is shown.
    outbox.run(NOW)
    [first] = mailserver.handler.to(employer_user.email)
    assert "Changed Mind" in text_of(first)

    # Then consent is withdrawn; in week 49 the student replies through a link
    # and is also queued in an already built digest that fails once first.
    student_services.withdraw_consent(student, envoy)
    db.session.commit()
    next_week = NOW + timedelta(days=7)
    reply_through_push(student, opening, envoy, next_week - timedelta(days=2))
    # Someone else is new in week 49, so there is something to send.
    other = _new_student(factory, envoy, "Still Sharing")
    set_times(other, created_at=next_week - timedelta(days=2))
    mailserver.handler.data_replies = ["451 4.3.0 Try again later"]
    outbox.run(next_week)
    outbox.run(next_week + timedelta(minutes=1))

    [_, second] = mailserver.handler.to(employer_user.email)
    assert "Changed Mind" not in text_of(second)
    assert "No replies this week." in text_of(second)


def test_the_employer_digest_is_in_the_organisations_language(factory, people):
    employer_user = people["employer"]
    employer_user.locale = None
    employer_user.employer.locale = "zh_Hans"
    db.session.commit()
    make_opening(employer_user.employer_id)
    _new_student(factory, people["envoy"], "New Candidate")
    composed = render.compose(DigestKind.EMPLOYER, employer_user, PERIOD)
    assert composed.locale == "zh_Hans"
    assert "材料工程师" in composed.text
    assert "2026年11月16日" in composed.subject


def test_an_employer_with_no_open_opening_is_skipped(mailserver, people):
    outbox.run(NOW)
    assert mailserver.handler.to(people["employer"].email) == []
    row = db.session.scalar(
        select(OutboxMessage).where(OutboxMessage.kind == DigestKind.EMPLOYER)
    )
    assert row.status is OutboxStatus.SKIPPED


def test_an_unsubscribed_organisation_gets_no_digest(mailserver, people):
    employer_user = people["employer"]
    make_opening(employer_user.employer_id)
    employer_user.employer.digest_subscribed = False
    db.session.commit()
    outbox.run(NOW)
    assert mailserver.handler.to(employer_user.email) == []


def test_a_shared_candidate_pool_still_honours_a_withdrawal_mid_pass(factory, people):
    first, envoy = people["employer"], people["envoy"]
    second = factory.user(Role.EMPLOYER, "hr2@example.org")
    make_opening(first.employer_id)
    make_opening(second.employer_id)
    student = _new_student(factory, envoy, "Mid Pass")
    pool = CandidatePool()
    try:
        early = render.compose(DigestKind.EMPLOYER, first, PERIOD, pool)
        assert "Mid Pass" in early.text
        student_services.withdraw_consent(student, envoy)
        db.session.commit()
        late = render.compose(DigestKind.EMPLOYER, second, PERIOD, pool)
        assert "Mid Pass" not in late.text
    finally:
        pool.close()


def test_the_digest_lists_no_candidates_for_an_opening_past_its_deadline(
    factory, people
):
    employer_user = people["employer"]
    # Still OPEN in the table (the nightly close has not run), but expired
    # on the day the digest is due: the employer's pages show no one either.
    make_opening(employer_user.employer_id, deadline=date(2026, 11, 22))
    _new_student(factory, people["envoy"], "Late Candidate")
    composed = render.compose(DigestKind.EMPLOYER, employer_user, PERIOD)
    assert "Late Candidate" not in composed.text
