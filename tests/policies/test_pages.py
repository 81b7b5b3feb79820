"""Policies in the app: managing versions, pushing, the public page and checker."""

import gzip
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from envoycrm.extensions import db
from envoycrm.models import (
    AuditEvent,
    DegreeLevel,
    Policy,
    PolicyPush,
    PolicyQuestion,
    PolicyStatus,
    PolicyVersion,
    Student,
    Task,
    TaskKind,
)
from envoycrm.policies import public
from tests.conftest import csrf_token, post, sign_in

LINK = re.compile(r'id="referral-link" type="url" readonly value="([^"]+)"')


def policy_form(**changes) -> dict:
    """A complete, valid policy form."""
    return {
        "category": "HOUSING",
        "title_en": "Talent housing subsidy",
        "title_zh": "人才住房补贴",
        "summary_en": "Monthly help with rent.",
        "summary_zh": "每月租房补贴。",
        "issuing_body_en": "Qingdao Human Resources Bureau",
        "issuing_body_zh": "青岛市人力资源和社会保障局",
        "source_url": "https://hrss.qingdao.gov.cn/policy/2026-housing",
        "amount_kind": "MONTHLY",
        "amount": "2500",
        "months": "36",
        "valid_from": "2026-01-01",
        "valid_to": "2099-12-31",
        "min_degree": "MASTER",
        "fields_of_study": ["MATERIALS", "MARINE"],
        "max_years_since_graduation": "2",
        "city_tie": "WORK",
        **changes,
    }


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_coordinator_creates_publishes_and_edits_a_policy_keeping_versions(
    client, login_as
):
    login_as("coordinator")
    response = post(client, "/policies/new", policy_form())
    assert response.status_code == 302
    policy = db.session.scalar(select(Policy))
    assert policy.status is PolicyStatus.DRAFT
    assert policy.latest.fields == ["MARINE", "MATERIALS"]
    assert post(client, f"/policies/{policy.id}/publish").status_code == 302
    again = post(client, f"/policies/{policy.id}/publish", follow_redirects=True)
    assert "already published" in again.get_data(as_text=True)
    db.session.refresh(policy)
    assert policy.status is PolicyStatus.PUBLISHED
    version = policy.version
    edited = post(
        client,
        f"/policies/{policy.id}/edit",
        policy_form(amount="3000", version=str(version)),
    )
    assert edited.status_code == 302
    db.session.expire_all()
    policy = db.session.get(Policy, policy.id)
    assert [v.amount for v in policy.versions] == [3000, 2500]
    page = client.get(f"/policies/{policy.id}").get_data(as_text=True)
    assert "version 2" in page and "version 1" in page
    old = policy.versions[1]
    old_page = client.get(f"/policies/{policy.id}/versions/{old.id}")
    assert "2,500" in old_page.get_data(as_text=True)
    # The same old form again: refused as stale, nothing added.
    stale = post(
        client,
        f"/policies/{policy.id}/edit",
        policy_form(amount="4000", version=str(version)),
    )
    assert stale.status_code == 409
    assert "Someone else saved this record" in stale.get_data(as_text=True)
    assert _count(PolicyVersion) == 2


def test_a_version_of_another_policy_is_404(client, login_as, factory):
    login_as("envoy")
    one, two = factory.policy(), factory.policy()
    url = f"/policies/{one.id}/versions/{two.latest.id}"
    assert client.get(url).status_code == 404


def test_bad_policy_input_answers_422_at_the_field(client, login_as):
    login_as("coordinator")
    response = post(
        client,
        "/policies/new",
        policy_form(amount="", amount_kind="MONTHLY", valid_to="2020-01-01"),
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="amount-error"' in html and 'id="valid_to-error"' in html
    assert "Talent housing subsidy" in html  # kept what was typed
    assert _count(Policy) == 0


def test_expired_policy_leaves_the_list_and_envoys_cannot_see_drafts(
    app, client, login_as, factory, people
):
    live = factory.policy(title_en="Live policy")
    gone = factory.policy(title_en="Gone policy")
    draft = factory.policy(title_en="Draft policy", status=PolicyStatus.DRAFT)
    coordinator = app.test_client()
    sign_in(coordinator, people["coordinator"].email)
    assert post(coordinator, f"/policies/{gone.id}/expire").status_code == 302
    login_as("envoy")
    listing = client.get("/policies/").get_data(as_text=True)
    assert "Live policy" in listing
    assert "Gone policy" not in listing and "Draft policy" not in listing
    assert client.get(f"/policies/{draft.id}").status_code == 404
    assert client.get(f"/policies/{live.id}").status_code == 200


def test_envoy_pushes_a_policy_and_views_and_questions_are_credited(
    app, client, login_as, factory, people
):
    policy = factory.policy(title_en="Talent apartment", title_zh="人才公寓")
    login_as("envoy")
    response = post(client, f"/policies/{policy.id}/push")
    assert response.status_code == 302
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    link = LINK.search(page).group(1)
    assert "人才公寓" in page and "Talent apartment" in page  # both languages
    assert "/p/" in link
    push = db.session.scalar(select(PolicyPush))
    qr = client.get(f"/policies/pushes/{push.id}/qr.png")
    assert qr.mimetype == "image/png"

    visitor = app.test_client()
    path = "/p/" + public.sign(push)
    shown = visitor.get(path)
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert "Ask a question" in html
    assert len(gzip.compress(shown.data)) <= 30 * 1024
    assert len(shown.data) <= 30 * 1024
    db.session.refresh(push)
    assert push.views == 1

    sent = visitor.post(
        path,
        data={
            "csrf_token": csrf_token(visitor),
            "name": "Li Na 李娜",
            "email": "li.na@students.example.org",
            "degree": "PHD",
            "field": "MATERIALS",
            "expected_graduation": "2027-06",
            "birth_year": "1995",
            "question": "Does the subsidy start before my contract?",
            "consent": "y",
            "website": "",
        },
    )
    assert sent.status_code == 302 and "/thanks" in sent.headers["Location"]
    question = db.session.scalar(select(PolicyQuestion))
    assert question.push_id == push.id and not question.held
    student = db.session.get(Student, question.student_id)
    assert student.owner_id == people["envoy"].id  # credited to the envoy
    assert student.active_consent is not None
    assert student.birth_year == 1995
    task = db.session.get(Task, question.task_id)
    assert task.kind is TaskKind.POLICY_QUESTION
    assert task.assignee_id == people["envoy"].id
    assert "contract" in task.details
    listed = client.get(f"/policies/pushes/{push.id}").get_data(as_text=True)
    assert "1 question" in listed and "Li Na" in listed


def test_a_question_with_a_known_students_email_is_held_for_their_envoy(
    app, factory, people
):
    known = factory.student(people["envoy2"], email="known@example.org")
    push = factory.policy_push(people)
    visitor = app.test_client()
    path = "/p/" + public.sign(push)
    before = _count(Student)
    visitor.post(
        path,
        data={
            "csrf_token": csrf_token(visitor),
            "name": "Someone",
            "email": "Known@example.org",
            "degree": "MASTER",
            "field": "LAW",
            "question": "Can I apply?",
            "consent": "y",
        },
    )
    assert _count(Student) == before
    question = db.session.scalar(select(PolicyQuestion))
    assert question.held and question.student_id == known.id
    task = db.session.get(Task, question.task_id)
    assert task.assignee_id == people["envoy2"].id  # the student's own envoy


def test_without_consent_or_with_the_honeypot_nothing_is_stored(app, factory, people):
    push = factory.policy_push(people)
    visitor = app.test_client()
    path = "/p/" + public.sign(push)
    fields = {
        "name": "Bot",
        "email": "bot@example.org",
        "degree": "MASTER",
        "field": "LAW",
        "question": "Hello",
    }
    refused = visitor.post(path, data={"csrf_token": csrf_token(visitor), **fields})
    assert refused.status_code == 422
    assert "Tick this box" in refused.get_data(as_text=True)
    trapped = visitor.post(
        path,
        data={
            "csrf_token": csrf_token(visitor),
            **fields,
            "consent": "y",
            "website": "http://spam.example",
        },
    )
    assert trapped.status_code == 302
    assert _count(PolicyQuestion) == 0 and _count(Student) == 0


def test_questions_are_rate_limited(app, factory, people):
    app.config["REFERRAL_REPLY_LIMIT"] = 1
    push = factory.policy_push(people)
    visitor = app.test_client()
    path = "/p/" + public.sign(push)
    data = {"csrf_token": csrf_token(visitor), "name": "A"}
    assert visitor.post(path, data=data).status_code == 422
    assert visitor.post(path, data=data).status_code == 429


def test_a_forged_link_is_404_and_an_expired_policy_410(app, factory, people):
    push = factory.policy_push(people)
    visitor = app.test_client()
    assert visitor.get("/p/not-a-real-token").status_code == 404
    push.policy.status = PolicyStatus.EXPIRED
    db.session.commit()
    assert visitor.get("/p/" + public.sign(push)).status_code == 410


def test_the_public_checker_answers_and_stores_nothing(app, factory):
    factory.policy(
        title_en="Housing for masters",
        min_degree=None,
        amount=2_000,
        max_years_since_graduation=2,
    )
    factory.policy(title_en="PhD only", min_degree=DegreeLevel.PHD)
    factory.policy(title_en="Up to 35", min_degree=None, max_age=35)
    visitor = app.test_client()
    counts = {
        model: _count(model) for model in (Student, Task, AuditEvent, PolicyQuestion)
    }
    page = visitor.get(
        "/p/check",
        query_string={
            "degree": "MASTER",
            "field": "MATERIALS",
            "expected_graduation": (date.today() + timedelta(days=200)).strftime(
                "%Y-%m"
            ),
            "plan": "work",
            "birth_year": str(date.today().year - 30),
        },
    )
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Housing for masters" in html and "2,000" in html
    assert "PhD only" not in html
    assert "age 30 — at most 35 ✓" in html
    assert len(page.data) <= 30 * 1024
    assert {model: _count(model) for model in counts} == counts
    bad = visitor.get("/p/check", query_string={"degree": "NOPE"})
    assert bad.status_code == 422 and 'id="degree-error"' in bad.get_data(as_text=True)
    old = visitor.get(
        "/p/check",
        query_string={"degree": "PHD", "field": "LAW", "birth_year": "1900"},
    )
    assert old.status_code == 422
    assert "Enter a year from 1940 to 2015." in old.get_data(as_text=True)
    chinese = visitor.get("/p/check", headers={"Accept-Language": "zh-CN"})
    assert "来青岛能获得哪些支持？" in chinese.get_data(as_text=True)


def test_the_student_page_lists_the_policies_with_reasons(
    client, login_as, factory, student
):
    factory.policy(title_en="Open to all masters", min_degree=None)
    login_as("envoy")
    page = client.get(
        f"/policies/for-student/{student.id}", headers={"HX-Request": "true"}
    )
    assert page.status_code == 200
    assert "Open to all masters" in page.get_data(as_text=True)
    show = client.get(f"/students/{student.id}").get_data(as_text=True)
    assert f"/policies/for-student/{student.id}" in show


def test_coordinator_sees_how_many_students_each_policy_may_reach(
    client, login_as, factory, student
):
    factory.policy(title_en="Reachable", min_degree=None)
    factory.policy(title_en="For postdocs only", min_degree=DegreeLevel.POSTDOC)
    login_as("coordinator")
    page = client.get("/policies/reach").get_data(as_text=True)
    rows = re.findall(
        r">([^<>]+)</a></td>\s*<td>[^<]*</td>\s*<td class=\"num\">(\d+)<", page
    )
    assert dict(rows) == {"Reachable": "1", "For postdocs only": "0"}


@pytest.mark.parametrize("role", ["envoy", "employer"])
def test_only_coordinators_manage_policies(client, login_as, factory, role):
    policy = factory.policy()
    login_as(role)
    assert client.get("/policies/new").status_code == 403
    assert post(client, f"/policies/{policy.id}/expire").status_code == 403


def test_export_and_erasure_of_a_student_cover_their_policy_questions(
    app, factory, people
):
    from envoycrm.privacy import rights

    push = factory.policy_push(people)
    visitor = app.test_client()
    path = "/p/" + public.sign(push)
    visitor.post(
        path,
        data={
            "csrf_token": csrf_token(visitor),
            "name": "Zhao Lei",
            "email": "zhao.lei@example.org",
            "degree": "PHD",
            "field": "MARINE",
            "question": "My email is zhao.lei@example.org, can I apply?",
            "consent": "y",
        },
    )
    question = db.session.scalar(select(PolicyQuestion))
    student = db.session.get(Student, question.student_id)
    exported = rights.export_student(student)
    assert "can I apply" in str(exported)
    task_id = question.task_id
    rights.erase_student(student, people["coordinator"])
    db.session.commit()
    assert _count(PolicyQuestion) == 0
    task = db.session.get(Task, task_id)
    assert "zhao.lei@example.org" not in task.details + task.title


def test_a_policy_question_waits_on_the_envoys_task_list(
    app, client, login_as, factory, people
):
    push = factory.policy_push(people)
    visitor = app.test_client()
    visitor.post(
        "/p/" + public.sign(push),
        data={
            "csrf_token": csrf_token(visitor),
            "name": "Sun Yue",
            "email": "sun.yue@example.org",
            "degree": "MASTER",
            "field": "LAW",
            "question": "Is the subsidy taxed?",
            "consent": "y",
        },
    )
    login_as("envoy")
    tasks = client.get("/tasks/?kind=POLICY_QUESTION").get_data(as_text=True)
    assert "Sun Yue asked about" in tasks
    assert "Question about a policy" in tasks


def test_the_checker_through_an_envoys_link_ends_with_the_question_form(
    app, factory, people
):
    push = factory.policy_push(people)
    token = public.sign(push)
    visitor = app.test_client()
    policy_page = visitor.get("/p/" + token).get_data(as_text=True)
    assert f"/p/check?via={token}" in policy_page
    assert f"/p/{token}?lang=zh_Hans" in policy_page  # the language switch
    before = {model: _count(model) for model in (Student, Task, PolicyQuestion)}
    answer = visitor.get(
        "/p/check",
        query_string={
            "via": token,
            "degree": "PHD",
            "field": "MARINE",
            "expected_graduation": "2027-06",
            "birth_year": "1996",
            "plan": "both",
        },
    )
    html = answer.get_data(as_text=True)
    assert answer.status_code == 200
    assert "Ask a question" in html and f'action="/p/{token}"' in html
    assert '<option selected value="PHD">' in html  # the answers carried over
    assert html.count('name="birth_year" type="number" value="1996"') == 2
    ids = re.findall(r'\bid="([^"]+)"', html)
    assert len(ids) == len(set(ids))  # the repeated questions keep their own ids
    assert 'for="ask-birth_year"' in html
    assert {model: _count(model) for model in before} == before
    forged = visitor.get("/p/check", query_string={"via": "x", "degree": "PHD"})
    assert "Ask a question" not in forged.get_data(as_text=True)
