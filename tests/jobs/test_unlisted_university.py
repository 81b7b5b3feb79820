"""A student from a university not on the list replies through a referral
link: the name is kept as typed, shown as not mapped, and a coordinator maps
it from the student's edit form."""

import pytest
from sqlalchemy import select

from envoycrm.extensions import db
from envoycrm.jobs.services import push_opening
from envoycrm.models import Student
from tests.conftest import post
from tests.jobs.test_referrals import link_path, reply_data

TYPED = "Université de Lorraine"


@pytest.fixture
def push(people, opening):
    """The first envoy's push of the opening."""
    row = push_opening(people["envoy"], opening)
    db.session.commit()
    return row


def _reply(client, push, people, **overrides):
    return client.post(
        link_path(push),
        data=reply_data(client, people, university_id="0", **overrides),
    )


def _edit_data(student, **overrides) -> dict:
    data = {
        "name_latin": student.name_latin or "",
        "name_hanzi": student.name_hanzi or "",
        "university_id": "0",
        "programme": student.programme or "",
        "field": student.field.name,
        "degree": student.degree.name,
        "email": student.email or "",
        "version": str(student.version),
    }
    data.update(overrides)
    return data


def test_the_reply_form_offers_a_university_not_in_the_list(client, push):
    page = client.get(link_path(push)).get_data(as_text=True)
    assert '<option value="0">Not in the list</option>' in page
    assert "Your university, if it is not in the list" in page


def test_a_student_from_an_unlisted_university_can_reply(client, push, people):
    response = _reply(client, push, people, university_typed=TYPED)
    assert response.status_code == 302
    student = db.session.scalar(select(Student))
    assert student.university_id is None
    assert student.university_name_typed == TYPED


def test_an_unlisted_university_must_be_named(client, push, people):
    response = _reply(client, push, people, university_typed="  ")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert 'id="university_typed-error"' in page
    assert "Type the name of your university." in page
    assert db.session.scalar(select(Student)) is None


def test_a_typed_name_is_ignored_when_a_listed_university_is_chosen(
    client, push, people
):
    listed = str(people["envoy"].envoy_profile.university_id)
    client.post(
        link_path(push),
        data=reply_data(client, people, university_id=listed, university_typed=TYPED),
    )
    student = db.session.scalar(select(Student))
    assert student.university_id == int(listed)
    assert student.university_name_typed is None


def test_an_unmapped_university_shows_as_typed_on_the_student_page_and_list(
    app, client, push, people, login_as
):
    _reply(client, push, people, university_typed=TYPED)
    student = db.session.scalar(select(Student))
    staff = app.test_client()
    from tests.conftest import sign_in

    sign_in(staff, people["coordinator"].email)
    shown = f"typed: {TYPED}, not mapped"
    assert shown in staff.get(f"/students/{student.id}").get_data(as_text=True)
    assert shown in staff.get("/students/").get_data(as_text=True)
    assert shown in staff.get("/pipeline/list").get_data(as_text=True)


def test_a_coordinator_maps_a_typed_university_from_the_edit_form(
    client, push, people, login_as, factory
):
    _reply(client, push, people, university_typed=TYPED)
    student = db.session.scalar(select(Student))
    lorraine = factory.university("University of Lorraine", "洛林大学", "FR", "Nancy")
    login_as("coordinator")
    form = client.get(f"/students/{student.id}/edit").get_data(as_text=True)
    assert f'<option selected value="0">typed: {TYPED}, not mapped</option>' in form

    # Saving other changes keeps it unmapped.
    kept = post(client, f"/students/{student.id}/edit", _edit_data(student))
    assert kept.status_code == 302
    db.session.refresh(student)
    assert student.university_id is None
    assert student.university_name_typed == TYPED

    mapped = post(
        client,
        f"/students/{student.id}/edit",
        _edit_data(student, university_id=str(lorraine.id)),
    )
    assert mapped.status_code == 302
    db.session.refresh(student)
    assert student.university_id == lorraine.id
    assert student.university_name_typed is None
    page = client.get(f"/students/{student.id}").get_data(as_text=True)
    assert "University of Lorraine" in page and "not mapped" not in page


def test_a_mapped_student_cannot_be_unmapped(client, login_as, student):
    login_as("envoy")
    response = post(client, f"/students/{student.id}/edit", _edit_data(student))
    assert response.status_code == 422
    db.session.refresh(student)
    assert student.university_id is not None
