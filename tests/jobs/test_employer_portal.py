"""The employer portal: own openings, consenting candidates, consented fields."""

import pytest
from sqlalchemy import func, select

from envoycrm.extensions import db
from envoycrm.models import (
    ConsentMethod,
    ConsentScope,
    DegreeLevel,
    EmployerInterest,
    FieldOfStudy,
    Sector,
    Task,
    TaskKind,
)
from envoycrm.students import services as student_services
from tests.conftest import post


@pytest.fixture
def candidate(factory, people):
    """A consenting PhD in materials with phone, email and WeChat on record."""
    student = factory.student(
        people["envoy"],
        name_latin="Liu Fang",
        name_hanzi="刘芳",
        degree=DegreeLevel.PHD,
        email="liu.fang@students.example.org",
        wechat_id="liufang_mcr",
        phone="+44 7700 900555",
        how_met="Materials society dinner",
    )
    factory.intention(
        student,
        target_sectors=[Sector.NEW_MATERIALS.name],
        salary_expectation=180_000,
        preferred_roles="Coatings R&D",
    )
    return student


def test_employer_sees_consenting_matching_candidates_with_only_consented_fields(
    client, login_as, opening, candidate
):
    login_as("employer")
    page = client.get(f"/jobs/{opening.id}").get_data(as_text=True)
    assert "Liu Fang 刘芳" in page
    detail = client.get(f"/jobs/{opening.id}/candidates/{candidate.id}")
    text = detail.get_data(as_text=True)
    assert detail.status_code == 200
    for shown in ("Liu Fang 刘芳", "University of Manchester", "PhD", "Likely"):
        assert shown in text
    assert "New materials" in text
    for hidden in (
        "liu.fang@students.example.org",
        "liufang_mcr",
        "+44 7700 900555",
        "Materials society dinner",
        "Coatings R&amp;D",
        "First chat about the city.",
    ):
        assert hidden not in text


def test_students_without_employer_consent_are_not_candidates(
    client, login_as, opening, factory, people
):
    bureau_only = factory.student(
        people["envoy"], name_latin="Bureau Only", consent_scope=ConsentScope.BUREAU
    )
    login_as("employer")
    assert "Bureau Only" not in client.get(f"/jobs/{opening.id}").get_data(as_text=True)
    url = f"/jobs/{opening.id}/candidates/{bureau_only.id}"
    assert client.get(url).status_code == 404
    assert post(client, url + "/interest").status_code == 404


def test_a_student_of_another_field_is_not_a_candidate(
    client, login_as, opening, factory, people
):
    other = factory.student(people["envoy"], field=FieldOfStudy.LAW)
    login_as("employer")
    assert client.get(f"/jobs/{opening.id}/candidates/{other.id}").status_code == 404


def test_withdrawing_consent_removes_the_student_from_the_employers_view_at_once(
    client, login_as, opening, candidate, people
):
    login_as("employer")
    url = f"/jobs/{opening.id}/candidates/{candidate.id}"
    assert client.get(url).status_code == 200
    student_services.withdraw_consent(candidate, people["envoy"])
    db.session.commit()
    assert client.get(url).status_code == 404
    assert "Liu Fang" not in client.get(f"/jobs/{opening.id}").get_data(as_text=True)
    # Narrowing consent to the bureau has the same effect.
    student_services.record_consent(
        candidate, people["envoy"], ConsentScope.BUREAU, ConsentMethod.IN_PERSON, "en"
    )
    db.session.commit()
    assert client.get(url).status_code == 404


def test_employer_cannot_see_another_employers_opening_or_its_candidates(
    client, login_as, other_opening, candidate
):
    login_as("employer")
    assert client.get(f"/jobs/{other_opening.id}").status_code == 404
    url = f"/jobs/{other_opening.id}/candidates/{candidate.id}"
    assert client.get(url).status_code == 404
    assert post(client, url + "/interest").status_code == 404
    assert db.session.scalar(select(func.count(EmployerInterest.id))) == 0


def test_interest_in_a_candidate_creates_one_task_for_the_bureau_and_envoy(
    client, login_as, opening, candidate, people
):
    login_as("employer")
    url = f"/jobs/{opening.id}/candidates/{candidate.id}/interest"
    response = post(client, url, follow_redirects=True)
    assert "The bureau will put you in touch." in response.get_data(as_text=True)
    again = post(client, url, follow_redirects=True)
    assert "You already said you are interested" in again.get_data(as_text=True)
    assert db.session.scalar(select(func.count(EmployerInterest.id))) == 1
    task = db.session.scalar(select(Task))
    assert db.session.scalar(select(func.count(Task.id))) == 1
    assert task.kind is TaskKind.EMPLOYER_INTEREST
    assert task.assignee_id == people["envoy"].id
    assert task.student_id == candidate.id and task.opening_id == opening.id
    assert task.employer_id == people["employer"].employer_id


def test_coordinator_sees_matching_students_with_score_and_reasons(
    client, login_as, opening, candidate, factory, people
):
    factory.student(
        people["envoy"], name_latin="Bachelor Only", degree=DegreeLevel.BACHELOR
    )
    login_as("coordinator")
    page = client.get(f"/jobs/{opening.id}").get_data(as_text=True)
    assert "Matching students" in page
    assert "Liu Fang 刘芳" in page
    assert (
        "<li>field matches</li><li>degree meets the minimum</li>"
        "<li>aims for this sector</li>"
    ) in page
    assert "Bachelor Only" not in page


def test_student_page_offers_openings_worth_pushing(
    client, login_as, opening, other_opening, candidate
):
    login_as("envoy")
    page = client.get(f"/students/{candidate.id}").get_data(as_text=True)
    assert f"/jobs/for-student/{candidate.id}" in page
    fragment = client.get(
        f"/jobs/for-student/{candidate.id}", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "<html" not in fragment
    assert "Materials Engineer" in fragment
    assert "Harbour Engineer" in fragment  # same field, other employer
    assert "field matches, degree meets the minimum, aims for this sector" in fragment


def test_another_envoy_cannot_ask_for_openings_of_someone_elses_student(
    client, login_as, candidate
):
    login_as("envoy2")
    assert client.get(f"/jobs/for-student/{candidate.id}").status_code == 404


def test_an_employers_candidate_list_and_candidate_page_are_audited(
    client, login_as, opening, candidate
):
    from envoycrm.models import AuditEvent

    employer = login_as("employer")
    client.get(f"/jobs/{opening.id}")
    client.get(f"/jobs/{opening.id}/candidates/{candidate.id}")

    db.session.expire_all()
    events = db.session.scalars(
        select(AuditEvent).where(AuditEvent.actor_id == employer.id)
    ).all()
    seen = {e.action: e for e in events}
    listed = seen["opening.candidates"]
    assert (listed.record_type, listed.record_id) == ("job_opening", opening.id)
    assert listed.details["count"] == 1
    viewed = seen["candidate.view"]
    assert (viewed.record_type, viewed.record_id) == ("student", candidate.id)
    assert viewed.details == {"opening_id": opening.id}


def _candidate_links(html: str, opening_id: int) -> list[str]:
    import re

    return re.findall(rf'href="/jobs/{opening_id}/candidates/(\d+)"', html)


@pytest.mark.parametrize("window", [300, 10])
def test_employer_candidates_are_paged_with_their_total(
    client, login_as, factory, people, opening, candidate, monkeypatch, window
):
    """25 a page, with the number of candidates; every candidate is on one
    page exactly, also past the window of the newest that are ranked."""
    from envoycrm.jobs import candidates as candidate_module

    monkeypatch.setattr(candidate_module, "WINDOW", window)
    for n in range(30):
        factory.student(
            people["envoy"], name_latin=f"Paged{n} Person", degree=DegreeLevel.PHD
        )
    login_as("employer")
    first = client.get(f"/jobs/{opening.id}").get_data(as_text=True)
    assert "31 candidates" in first
    assert "Page 1 of 2" in first
    assert f'href="/jobs/{opening.id}?page=2"' in first
    second = client.get(f"/jobs/{opening.id}?page=2").get_data(as_text=True)
    on_first, on_second = (
        _candidate_links(first, opening.id),
        _candidate_links(second, opening.id),
    )
    assert len(on_first) == 25 and len(on_second) == 6
    assert len(set(on_first) | set(on_second)) == 31


def test_an_employers_openings_list_does_not_repeat_its_own_name_and_kind(
    client, login_as, people, opening
):
    login_as("employer")
    html = client.get("/jobs/").get_data(as_text=True)
    employer = people["employer"].employer
    assert opening.title_en in html
    assert employer.name_en not in html.split("<table")[1]
    assert ">Employer<" not in html and 'name="kind"' not in html
