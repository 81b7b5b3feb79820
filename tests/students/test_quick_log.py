"""The quick log: a student, their consent and the first meeting in one submit."""

import re
from datetime import date

import pytest
from sqlalchemy import select

from envoycrm.extensions import db
from envoycrm.models import (
    Consent,
    ConsentScope,
    Interaction,
    Stage,
    StageChange,
    Student,
)
from envoycrm.students import services
from tests.conftest import post, sign_in
from tests.students.conftest import (
    HOSTILE,
    count_rows,
    envoy_university,
    quick_log_data,
)

# --- quick log -----------------------------------------------------------------


def test_envoy_home_has_the_quick_log_with_the_envoys_university(envoy_client, people):
    page = envoy_client.get("/").get_data(as_text=True)
    assert "Log a student and a meeting" in page
    uni = envoy_university(people)
    assert (
        f'<option selected value="{uni}">' in page or f'value="{uni}" selected' in page
    )


def test_quick_log_saves_student_consent_and_first_meeting_in_one_submit(
    envoy_client, people
):
    response = envoy_client.post(
        "/students/quick-log",
        data=quick_log_data(envoy_client, envoy_university(people)),
    )
    assert response.status_code == 302
    student = db.session.scalar(select(Student))
    assert student.owner_id == people["envoy"].id
    assert student.email == "li.hua@students.example.org"
    assert student.name_key == "hua li"
    assert student.stage is Stage.CONTACTED
    assert student.expected_graduation == date(2027, 6, 1)
    consent = db.session.scalar(select(Consent))
    assert consent.scope is ConsentScope.EMPLOYERS
    assert consent.notice_version == services.NOTICE_VERSION
    assert consent.notice_language == "zh_Hans"
    assert consent.recorded_by_id == people["envoy"].id
    assert consent.recorded_at.tzinfo is not None
    meeting = db.session.scalar(select(Interaction))
    assert meeting.notes == "Asked about the housing subsidy."
    assert count_rows(StageChange) == 1
    home = envoy_client.get("/").get_data(as_text=True)
    assert "Li Hua 李华 is saved with the first meeting." in home


def test_saving_without_consent_is_refused_at_the_field(envoy_client, people):
    data = quick_log_data(envoy_client, envoy_university(people))
    del data["consent_scope"]
    response = envoy_client.post("/students/quick-log", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="consent_scope-error"' in page
    assert 'value="li.hua@students.example.org"' in page  # kept
    assert count_rows(Student) == 0


def test_a_double_submit_creates_one_student(envoy_client, people):
    data = quick_log_data(envoy_client, envoy_university(people))
    first = envoy_client.post("/students/quick-log", data=data)
    second = envoy_client.post("/students/quick-log", data=data)
    assert first.status_code == 302 and second.status_code == 302
    assert (
        count_rows(Student) == 1
        and count_rows(Interaction) == 1
        and count_rows(Consent) == 1
    )
    student = db.session.scalar(select(Student))
    assert student is not None
    assert second.headers["Location"] == first.headers["Location"]  # where it led


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name_latin", "x" * 121),
        ("name_hanzi", "not chinese"),
        ("email", "not-an-email"),
        ("wechat_id", "1 bad id"),
        ("phone", "call me"),
        ("expected_graduation", "2027-13"),
        ("met_on", "2026-02-30"),
        ("met_on", "1066-10-14"),
        ("degree", "WIZARD"),
        ("field", "ALCHEMY"),
        ("university_id", "abc"),
        ("notes", "x" * 4001),
        ("programme", "Bad\x00Programme"),
        ("consent_method", "TELEPATHY"),
    ],
)
def test_bad_input_is_answered_at_the_field_and_the_rest_is_kept(
    envoy_client, people, field, value
):
    data = quick_log_data(envoy_client, envoy_university(people), **{field: value})
    response = envoy_client.post("/students/quick-log", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page
    assert 'value="CSSA welcome evening"' in page
    assert count_rows(Student) == 0


def test_a_student_needs_at_least_one_form_of_the_name(envoy_client, people):
    data = quick_log_data(
        envoy_client, envoy_university(people), name_latin="", name_hanzi=""
    )
    response = envoy_client.post("/students/quick-log", data=data)
    assert response.status_code == 422
    assert "Enter the name in Latin letters, Chinese characters or both." in (
        response.get_data(as_text=True)
    )


def test_markup_in_a_name_is_shown_escaped(envoy_client, people):
    data = quick_log_data(envoy_client, envoy_university(people), name_latin=HOSTILE)
    assert envoy_client.post("/students/quick-log", data=data).status_code == 302
    student = db.session.scalar(select(Student))
    page = envoy_client.get(f"/students/{student.id}").get_data(as_text=True)
    assert HOSTILE not in page
    assert "&lt;div hx-get=/x hx-trigger=load&gt;Mallory&lt;/div&gt;" in page


def test_the_duplicate_check_is_limited_per_user_with_a_clear_message(
    app, client, login_as, factory, people
):
    factory.student(people["envoy"], email="wang.wei@x.org")
    app.config.update(DUPLICATE_CHECK_LIMIT=3, DUPLICATE_CHECK_WINDOW=600)
    login_as("envoy2")
    probe = {"name_latin": "Wang Wei", "email": "wang.wei@x.org"}
    fragment = {"HX-Request": "true"}
    for _ in range(3):
        answer = post(client, "/students/duplicates", probe, headers=fragment)
        assert answer.status_code == 200
        assert "may already be known" in answer.get_data(as_text=True)

    refused = post(client, "/students/duplicates", probe, headers=fragment)

    text = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "Too many duplicate checks" in text
    assert "may already be known" not in text
    # Another user's checks are counted apart.
    other = app.test_client()
    sign_in(other, people["envoy"].email)
    assert post(other, "/students/duplicates", probe).status_code == 200


def test_after_a_quick_log_the_home_page_leads_to_the_new_student(
    envoy_client, factory, people
):
    response = envoy_client.post(
        "/students/quick-log",
        data=quick_log_data(envoy_client, envoy_university(people)),
    )
    student = db.session.scalar(select(Student))
    page = envoy_client.get(response.headers["Location"]).get_data(as_text=True)
    assert f'href="/students/{student.id}">Open Li Hua 李华</a>' in page
    assert f'href="/students/{student.id}#intention-heading">Add an intention' in page
    assert f'href="/jobs/for-student/{student.id}">Push an opening' in page
    # Another envoy's student is never offered, whatever the address says.
    other = factory.student(people["envoy2"], name_latin="Not Yours")
    page = envoy_client.get(f"/?saved={other.id}").get_data(as_text=True)
    assert "Not Yours" not in page and "Next steps" not in page


def test_field_and_degree_start_empty_and_must_be_chosen(envoy_client, people):
    page = envoy_client.get("/").get_data(as_text=True)
    for name in ("field", "degree"):
        select = re.search(
            rf'<select[^>]*name="{name}"[^>]*>(.*?)</select>', page, re.S
        )
        assert select and re.search(r'<option selected value="">', select.group(1))
    data = quick_log_data(envoy_client, envoy_university(people), field="", degree="")
    response = envoy_client.post("/students/quick-log", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="field-error">Choose the field of study.' in html
    assert 'id="degree-error">Choose the degree.' in html
    assert count_rows(Student) == 0


def test_an_unanswered_consent_is_asked_for_at_the_field(envoy_client, people):
    data = quick_log_data(envoy_client, envoy_university(people))
    del data["consent_scope"], data["consent_method"]
    response = envoy_client.post("/students/quick-log", data=data)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Ask the student which consent they give." in html
    assert "Say how the student gave their consent." in html
    assert "Not a valid choice" not in html
    # The radios' own legend carries the required mark.
    assert '<legend>Consent <span class="required" aria-hidden="true">*</span>' in html
