"""Pushes, referral links, the public opening page and its "I'm interested" form."""

import gzip
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from envoycrm.extensions import db
from envoycrm.jobs import referrals
from envoycrm.models import (
    Consent,
    ConsentMethod,
    ConsentScope,
    InterestSource,
    JobInterest,
    OpeningStatus,
    Push,
    Stage,
    Student,
)
from envoycrm.students.services import NOTICE_VERSION
from tests.conftest import csrf_token, post

LINK = re.compile(r'id="referral-link" type="url" readonly value="([^"]+)"')


@pytest.fixture
def push(people, opening):
    """The first envoy's push of the opening."""
    from envoycrm.jobs.services import push_opening

    row = push_opening(people["envoy"], opening)
    db.session.commit()
    return row


def link_path(push) -> str:
    """The path of the push's referral link."""
    return f"/r/{referrals.sign(push)}"


def reply_data(client, people, **overrides) -> dict:
    data = {
        "csrf_token": csrf_token(client),
        "name": "Zhou Xin 周欣",
        "email": "Zhou.Xin@students.example.org",
        "wechat_id": "zhouxin_2027",
        "university_id": str(people["envoy"].envoy_profile.university_id),
        "programme": "PhD Materials Science",
        "field": "MATERIALS",
        "degree": "PHD",
        "expected_graduation": "2027-06",
        "consent": "y",
        "share_with_employers": "y",
        "website": "",
    }
    data.update(overrides)
    return data


def _students() -> int:
    return db.session.scalar(select(func.count(Student.id)))


# --- pushing ------------------------------------------------------------------------


def test_envoy_pushes_an_opening_and_gets_link_qr_and_bilingual_message(
    client, login_as, opening
):
    login_as("envoy")
    response = post(client, f"/jobs/{opening.id}/push")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    link = LINK.search(page).group(1)
    assert "/r/" in link and link.startswith("http")
    assert "材料工程师" in page and "Materials Engineer" in page  # both languages
    assert link in page.split('id="share-message"')[1]
    push = db.session.scalar(select(Push))
    qr = client.get(f"/jobs/pushes/{push.id}/qr.svg")
    assert qr.status_code == 200
    assert qr.mimetype == "image/svg+xml"
    assert qr.get_data(as_text=True).lstrip().startswith("<?xml")
    assert "<script" not in qr.get_data(as_text=True)
    # A second push of the same opening is the same link.
    post(client, f"/jobs/{opening.id}/push")
    assert db.session.scalar(select(func.count(Push.id))) == 1


def test_another_envoy_cannot_open_someone_elses_push(client, login_as, push):
    login_as("envoy2")
    assert client.get(f"/jobs/pushes/{push.id}").status_code == 404
    assert client.get(f"/jobs/pushes/{push.id}/qr.svg").status_code == 404


def test_a_closed_opening_cannot_be_pushed(client, login_as, opening):
    opening.deadline = date.today() - timedelta(days=1)
    db.session.commit()
    login_as("envoy")
    # Envoys see open openings only: an expired one is gone, as a closed one is.
    response = post(client, f"/jobs/{opening.id}/push", follow_redirects=True)
    assert response.status_code == 404
    assert db.session.scalar(select(func.count(Push.id))) == 0


# --- the public page ------------------------------------------------------------------


def test_public_page_counts_views_and_shows_no_envoy_or_student_data(
    client, push, people, student
):
    url = link_path(push)
    first = client.get(url)
    client.get(url)
    page = first.get_data(as_text=True)
    assert first.status_code == 200
    assert "Materials Engineer" in page
    assert people["envoy"].email not in page
    assert people["envoy"].full_name not in page
    assert student.email not in page and "Wang Wei" not in page
    assert "<script" not in page
    assert NOTICE_VERSION in page and "/privacy/en" in page
    db.session.expire_all()
    assert push.views == 2


def test_public_page_is_light(client, push):
    response = client.get(link_path(push))
    assert len(gzip.compress(response.get_data())) <= 30 * 1024
    css = client.get("/static/css/app.css")
    assert len(gzip.compress(response.get_data() + css.get_data())) <= 30 * 1024


def test_public_page_speaks_the_visitors_language_and_switches(client, push):
    url = link_path(push)
    page = client.get(url, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "<h1>材料工程师</h1>" in page
    switched = client.get(f"{url}?lang=en")
    assert switched.status_code == 302
    page = client.get(url, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "<h1>Materials Engineer</h1>" in page


@pytest.mark.parametrize(
    "token",
    ["not-a-real-token", "InRva2VuIg.forged", "x" * 500],
)
def test_bad_or_forged_tokens_get_a_clear_page(client, push, token):
    response = client.get(f"/r/{token}")
    assert response.status_code == 404
    assert "This link is not valid" in response.get_data(as_text=True)


def test_a_tampered_or_unknown_token_gets_a_clear_page(client, app, push):
    signed = referrals.sign(push)
    tampered = signed[:-2] + ("AA" if not signed.endswith("AA") else "BB")
    assert client.get(f"/r/{tampered}").status_code == 404
    from itsdangerous import URLSafeSerializer

    unknown = URLSafeSerializer(app.config["SECRET_KEY"], salt=referrals.SALT).dumps(
        "0" * 32
    )
    response = client.get(f"/r/{unknown}")
    assert response.status_code == 404
    assert "This link is not valid" in response.get_data(as_text=True)
    other_key = URLSafeSerializer("another secret", salt=referrals.SALT).dumps(
        push.token
    )
    assert client.get(f"/r/{other_key}").status_code == 404


@pytest.mark.parametrize("how", ["closed", "past_deadline"])
def test_a_closed_or_expired_opening_gets_a_clear_page(client, push, how):
    if how == "closed":
        push.opening.status = OpeningStatus.CLOSED
    else:
        push.opening.deadline = date.today() - timedelta(days=1)
    db.session.commit()
    response = client.get(link_path(push))
    assert response.status_code == 410
    assert "This opening is closed" in response.get_data(as_text=True)
    assert push.views == 0


# --- replies ------------------------------------------------------------------


def test_a_reply_creates_the_student_credited_to_the_envoys_push(client, push, people):
    url = link_path(push)
    client.get(url)
    response = client.post(url, data=reply_data(client, people))
    assert response.status_code == 302
    thanks = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Thank you" in thanks
    student = db.session.scalar(select(Student))
    assert student.owner_id == people["envoy"].id
    assert student.email == "zhou.xin@students.example.org"
    assert student.name_latin == "Zhou Xin" and student.name_hanzi == "周欣"
    assert student.stage is Stage.INTERESTED
    assert student.consent_scope is ConsentScope.EMPLOYERS
    consent = db.session.scalar(select(Consent))
    assert consent.method is ConsentMethod.FORM
    assert consent.notice_version == NOTICE_VERSION
    interest = db.session.scalar(select(JobInterest))
    assert interest.push_id == push.id
    assert interest.source is InterestSource.REFERRAL
    assert interest.opening_id == push.opening_id


def test_a_second_reply_with_the_same_email_does_not_create_a_second_student(
    client, push, people
):
    url = link_path(push)
    first = client.post(url, data=reply_data(client, people))
    second = client.post(
        url,
        data=reply_data(
            client, people, email="zhou.xin@STUDENTS.example.org", wechat_id=""
        ),
    )
    assert first.headers["Location"] == second.headers["Location"]
    assert _students() == 1
    assert db.session.scalar(select(func.count(JobInterest.id))) == 1


def test_the_honeypot_creates_nothing_but_looks_the_same(client, push, people):
    url = link_path(push)
    response = client.post(url, data=reply_data(client, people, website="http://spam"))
    assert response.status_code == 302
    assert "/thanks" in response.headers["Location"]
    assert _students() == 0


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"email": "not-an-email"}, "email"),
        ({"name": ""}, "name"),
        ({"name": "n" * 121}, "name"),
        ({"name": "<script>x</script>"}, "name"),
        ({"programme": "p" * 201}, "programme"),
        ({"wechat_id": "1"}, "wechat_id"),
        ({"consent": ""}, "consent"),
        ({"university_id": "999999"}, "university_id"),
        ({"degree": "WIZARD"}, "degree"),
        ({"expected_graduation": "2027-13"}, "expected_graduation"),
    ],
)
def test_bad_reply_input_is_refused_at_the_field(client, push, people, changes, field):
    url = link_path(push)
    response = client.post(url, data=reply_data(client, people, **changes))
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page
    if field != "email":
        assert 'value="Zhou.Xin@students.example.org"' in page  # kept
    assert _students() == 0


def test_an_oversize_reply_is_refused(client, push, people):
    response = client.post(
        link_path(push), data=reply_data(client, people, programme="p" * 20_000)
    )
    assert response.status_code == 413
    assert _students() == 0


def test_the_public_form_is_rate_limited_per_ip(app, client, push, people):
    app.config["REFERRAL_REPLY_LIMIT"] = 3
    url = link_path(push)
    for n in range(3):
        response = client.post(
            url,
            data=reply_data(
                client, people, email=f"s{n}@x.example.org", wechat_id=f"wx_s{n}_ok"
            ),
        )
        assert response.status_code == 302
    blocked = client.post(
        url, data=reply_data(client, people, email="s9@x.example.org")
    )
    assert blocked.status_code == 429
    assert "Too many replies" in blocked.get_data(as_text=True)
    assert _students() == 3
    other_ip = client.post(
        url,
        data=reply_data(client, people, email="s10@x.example.org"),
        environ_base={"REMOTE_ADDR": "10.9.8.7"},
    )
    assert other_ip.status_code == 302


def test_the_envoys_pushes_page_shows_views_and_replies(client, login_as, push, people):
    url = link_path(push)
    anonymous = client.application.test_client()
    anonymous.get(url)
    anonymous.post(url, data=reply_data(anonymous, people))
    login_as("envoy")
    page = client.get("/jobs/pushes").get_data(as_text=True)
    row = page.split("Materials Engineer")[1]
    assert re.search(r'class="num">1</td>\s*<td class="num">1</td>', row)
    detail = client.get(f"/jobs/pushes/{push.id}").get_data(as_text=True)
    assert "Zhou Xin 周欣" in detail
    students = client.get("/students/").get_data(as_text=True)
    assert "Zhou Xin 周欣" in students


# --- what a public reply may not do to a student someone else owns --------------


def test_a_reply_for_another_envoys_student_never_names_them_to_the_pusher(
    client, login_as, people, opening, factory
):
    from envoycrm.jobs.services import push_opening
    from envoycrm.models import StageChange

    owned = factory.student(people["envoy"], name_latin="Hidden Person")
    push2 = push_opening(people["envoy2"], opening)
    db.session.commit()
    visitor = client.application.test_client()
    response = visitor.post(
        link_path(push2),
        data=reply_data(visitor, people, email=owned.email, wechat_id=""),
    )
    assert response.status_code in (200, 302)
    db.session.refresh(owned)
    assert owned.owner_id == people["envoy"].id
    moves = db.session.scalars(
        select(StageChange.to_stage).where(StageChange.student_id == owned.id)
    ).all()
    assert Stage.INTERESTED not in moves  # held for the owner, nothing moved
    login_as("envoy2")
    page = client.get(f"/jobs/pushes/{push2.id}").get_data(as_text=True)
    assert "Hidden Person" not in page
    assert f"/students/{owned.id}" not in page


def test_a_public_reply_never_restores_withdrawn_consent(client, people, push, factory):
    from envoycrm.models import Task
    from envoycrm.students.services import withdraw_consent

    student = factory.student(people["envoy"], name_latin="Withdrew Once")
    withdraw_consent(student, people["envoy"])
    db.session.commit()
    response = client.post(
        link_path(push), data=reply_data(client, people, email=student.email)
    )
    assert response.status_code in (200, 302)
    db.session.refresh(student)
    assert student.consent_scope is None and student.active_consent is None
    task = db.session.scalar(select(Task).where(Task.student_id == student.id))
    assert task is not None and task.assignee_id == people["envoy"].id


def test_a_reply_from_someone_like_a_known_student_is_flagged_as_a_possible_duplicate(
    client, push, people, factory
):
    # Same name, university and graduation, but a new email: a new record,
    # flagged for the envoys to compare, as the quick log flags it.
    known = factory.student(
        people["envoy2"],
        name_latin="Zhou Xin",
        name_hanzi="周欣",
        university_id=people["envoy"].envoy_profile.university_id,
        expected_graduation=date(2027, 6, 30),
        email="zx.private@example.org",
    )
    url = link_path(push)
    client.post(url, data=reply_data(client, people, wechat_id=""))
    new = db.session.scalar(select(Student).where(Student.id != known.id))
    assert new.email == "zhou.xin@students.example.org"
    assert new.possible_duplicate_of_id == known.id
