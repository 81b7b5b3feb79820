"""One-line fields refuse line breaks and control characters, at the field.

A name such as "Li Lei\\r\\n\\r\\nURGENT: …" would otherwise be stored and show as
lines of its own in the text part of a digest. Text areas (notes,
descriptions) keep their line breaks.
"""

import uuid

import pytest
import sqlalchemy as sa

from envoycrm.extensions import db
from envoycrm.models import Employer, Interaction, JobOpening, Student, User
from tests.conftest import post
from tests.jobs.conftest import opening_form_data
from tests.pipeline.test_import import HEADER, _csv_bytes, _job_id, _map_and_preview
from tests.pipeline.test_import import _upload as upload_import

MESSAGE = "Keep this on one line, without line breaks or control characters."
BREAKS = ["\n", "\r", "\r\n", "\t", "\u2028", "\u2029", "\x85", "\x1b", "\x9b"]
INJECTED = "Li Lei\r\n\r\nURGENT: reset your password at http://evil.example"


def _quick_log(student_university_id: int, **changes) -> dict:
    return {
        "name_latin": "Chen Jing",
        "university_id": str(student_university_id),
        "programme": "MSc Marine Engineering",
        "field": "MARINE",
        "degree": "MASTER",
        "email": f"chen{uuid.uuid4().hex[:8]}@example.org",
        "how_met": "Welcome evening",
        "met_kind": "MEETING",
        "met_on": "2026-11-20",
        "notes": "Talked about the fair",
        "consent_scope": "BUREAU",
        "consent_method": "IN_PERSON",
        "notice_language": "en",
        "idempotency_key": uuid.uuid4().hex,
        **changes,
    }


def _error_at(html: str, field: str) -> str:
    start = html.index(f'id="{field}-error"')
    return html[start : html.index("</p>", start)]


def _students() -> int:
    return db.session.scalar(sa.select(sa.func.count(Student.id)))


def test_a_name_with_an_injected_line_is_refused_at_the_field(
    client, login_as, student
):
    login_as("envoy")
    before = _students()
    response = post(
        client,
        "/students/quick-log",
        _quick_log(student.university_id, name_latin=INJECTED),
    )
    assert response.status_code == 422
    assert MESSAGE in _error_at(response.get_data(as_text=True), "name_latin")
    assert _students() == before


@pytest.mark.parametrize("brk", BREAKS, ids=[repr(b) for b in BREAKS])
@pytest.mark.parametrize("field", ["name_latin", "programme", "how_met", "wechat_id"])
def test_quick_log_one_line_fields_refuse_each_break_and_control(
    client, login_as, student, field, brk
):
    login_as("envoy")
    value = {"wechat_id": "chen_jing"}.get(field, "Some text")
    response = post(
        client,
        "/students/quick-log",
        _quick_log(student.university_id, **{field: value[:4] + brk + value[4:]}),
    )
    assert response.status_code == 422
    assert MESSAGE in _error_at(response.get_data(as_text=True), field)


def test_notes_keep_their_line_breaks(client, login_as, student):
    login_as("envoy")
    response = post(
        client,
        "/students/quick-log",
        _quick_log(student.university_id, notes="First line\r\nSecond line"),
    )
    assert response.status_code == 302
    notes = db.session.scalars(sa.select(Interaction.notes)).all()
    assert "First line\r\nSecond line" in notes


def test_an_envoys_programme_refuses_a_line_break(client, login_as, people):
    login_as("coordinator")
    email = f"envoy-{uuid.uuid4().hex[:8]}@example.org"
    response = post(
        client,
        "/network/envoys/new",
        {
            "full_name": "Sun Li",
            "email": email,
            "locale": "en",
            "timezone": "Europe/London",
            "university_id": str(people["envoy"].envoy_profile.university_id),
            "programme": "PhD\u2028Chemistry",
            "degree": "PHD",
            "recruited_on": "2025-09-01",
            "status": "ACTIVE",
        },
    )
    assert response.status_code == 422
    assert MESSAGE in _error_at(response.get_data(as_text=True), "programme")
    assert db.session.scalar(sa.select(User).where(User.email == email)) is None


def test_an_opening_title_refuses_a_line_break(client, login_as, people):
    login_as("coordinator")
    data = opening_form_data(
        people,
        title_en="Marine engineer\nApply at http://evil.example",
        description_en="Ships\nand more ships",
    )
    response = post(client, "/jobs/new", data)
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert MESSAGE in _error_at(html, "title_en")
    assert 'id="description_en-error"' not in html  # a text area may span lines
    assert db.session.scalar(sa.select(sa.func.count(JobOpening.id))) == 0


def test_an_employer_name_refuses_a_line_break(client, login_as):
    login_as("coordinator")
    response = post(
        client,
        "/jobs/employers/new",
        {
            "name_en": "Qingdao\r\nMarine",
            "name_zh": "青岛海洋",
            "kind": "PRIVATE",
            "industry": "marine",
            "locale": "zh_Hans",
        },
    )
    assert response.status_code == 422
    assert MESSAGE in _error_at(response.get_data(as_text=True), "name_en")
    assert db.session.scalar(sa.select(sa.func.count(Employer.id))) == 1  # people's


def test_an_imported_name_with_a_line_break_is_a_row_error(client, login_as, people):
    login_as("coordinator")
    row = [INJECTED, "", "li.lei@uni.example.org", "", "University of Manchester"]
    row += ["PhD", "", "", ""]
    assert len(row) == len(HEADER)
    job_id = _job_id(upload_import(client, people, _csv_bytes([row])))
    _map_and_preview(client, job_id)
    html = client.get(f"/pipeline/import/{job_id}").get_data(as_text=True)
    assert "Contains a line break or a control character." in html
    post(client, f"/pipeline/import/{job_id}/confirm")
    assert (
        db.session.scalar(sa.select(Student).where(Student.name_latin == INJECTED))
        is None
    )
