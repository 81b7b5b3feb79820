"""Openings: posting, approval, automatic closing, browsing, bad input."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from envoycrm.extensions import db
from envoycrm.jobs.services import close_expired_openings
from envoycrm.models import AuditEvent, Employer, JobOpening, OpeningStatus
from tests.conftest import post

FUTURE = (date.today() + timedelta(days=30)).isoformat()


def opening_data(**overrides) -> dict:
    """A complete, valid opening form."""
    data = {
        "title_en": "Coating Chemist",
        "title_zh": "涂料化学师",
        "description_en": "Marine coatings research.",
        "description_zh": "海洋涂料研究。",
        "sector": "NEW_MATERIALS",
        "field": "MATERIALS",
        "min_degree": "PHD",
        "salary_min": "200000",
        "salary_max": "400000",
        "headcount": "3",
        "location": "Qingdao, Laoshan",
        "deadline": FUTURE,
    }
    data.update(overrides)
    return data


def _opening(title="Coating Chemist") -> JobOpening:
    return db.session.scalar(select(JobOpening).where(JobOpening.title_en == title))


# --- approval workflow ------------------------------------------------------------


def test_employer_posts_an_opening_that_waits_for_approval(client, login_as, people):
    login_as("employer")
    response = post(client, "/jobs/new", opening_data())
    assert response.status_code == 302
    opening = _opening()
    assert opening.status is OpeningStatus.PENDING
    assert opening.employer_id == people["employer"].employer_id
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "It is published once the bureau approves it." in page
    assert "Waiting for approval" in page


def test_employer_cannot_post_for_another_organisation(
    client, login_as, people, factory
):
    other = factory.employer("Somebody Else Ltd.")
    login_as("employer")
    post(client, "/jobs/new", opening_data(employer_id=str(other.id)))
    assert _opening().employer_id == people["employer"].employer_id


def test_pending_opening_is_hidden_from_envoys_until_a_coordinator_approves(
    app, people
):
    employer_client, envoy_client, staff_client = (app.test_client() for _ in "abc")
    from tests.conftest import sign_in

    sign_in(employer_client, people["employer"].email)
    sign_in(envoy_client, people["envoy"].email)
    sign_in(staff_client, people["coordinator"].email)
    post(employer_client, "/jobs/new", opening_data())
    opening = _opening()
    assert envoy_client.get(f"/jobs/{opening.id}").status_code == 404
    assert "Coating Chemist" not in envoy_client.get("/jobs/").get_data(as_text=True)

    response = post(staff_client, f"/jobs/{opening.id}/approve")
    assert response.status_code == 302
    db.session.expire_all()
    assert opening.status is OpeningStatus.OPEN
    assert opening.approved_by_id == people["coordinator"].id
    assert envoy_client.get(f"/jobs/{opening.id}").status_code == 200
    assert "Coating Chemist" in envoy_client.get("/jobs/").get_data(as_text=True)


def test_employer_edit_of_an_open_opening_needs_approval_again(
    client, login_as, opening
):
    login_as("employer")
    page = client.get(f"/jobs/{opening.id}/edit").get_data(as_text=True)
    assert 'value="Materials Engineer"' in page
    response = post(
        client,
        f"/jobs/{opening.id}/edit",
        opening_data(title_en="Senior Materials Engineer", version=opening.version),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert opening.title_en == "Senior Materials Engineer"
    assert opening.status is OpeningStatus.PENDING


def test_an_edit_from_a_stale_form_is_refused(client, login_as, opening):
    login_as("coordinator")
    response = post(
        client,
        f"/jobs/{opening.id}/edit",
        opening_data(employer_id=str(opening.employer_id), version="999"),
    )
    assert response.status_code == 409
    assert "Someone else saved this record" in response.get_data(as_text=True)


def test_coordinator_rejects_with_a_reason_and_the_opening_goes_back_to_draft(
    factory, client, login_as, people
):
    opening = factory.opening(
        people["employer"].employer_id, status=OpeningStatus.PENDING
    )
    login_as("coordinator")
    missing = post(client, f"/jobs/{opening.id}/reject", {"reason": ""})
    assert missing.status_code == 422
    assert 'id="reason-error"' in missing.get_data(as_text=True)
    response = post(
        client, f"/jobs/{opening.id}/reject", {"reason": "Salary range is unclear"}
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert opening.status is OpeningStatus.DRAFT
    event = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "opening.reject")
    )
    assert event.details["reason"] == "Salary range is unclear"


def test_coordinator_closes_an_opening_and_cannot_approve_it_afterwards(
    client, login_as, opening
):
    login_as("coordinator")
    post(client, f"/jobs/{opening.id}/close")
    db.session.expire_all()
    assert opening.status is OpeningStatus.CLOSED
    assert opening.closed_at is not None
    response = post(client, f"/jobs/{opening.id}/approve", follow_redirects=True)
    assert "cannot take that step" in response.get_data(as_text=True)
    db.session.expire_all()
    assert opening.status is OpeningStatus.CLOSED


def test_coordinator_posts_an_opening_that_is_open_at_once(client, login_as, people):
    login_as("coordinator")
    employer_id = people["employer"].employer_id
    response = post(client, "/jobs/new", opening_data(employer_id=str(employer_id)))
    assert response.status_code == 302
    assert _opening().status is OpeningStatus.OPEN


# --- automatic closing ------------------------------------------------------------


def test_openings_past_their_deadline_close_by_themselves(factory, people):
    employer_id = people["employer"].employer_id
    today = date(2026, 11, 23)
    past_open = factory.opening(employer_id, deadline=date(2026, 11, 22))
    past_pending = factory.opening(
        employer_id, deadline=date(2026, 10, 1), status=OpeningStatus.PENDING
    )
    past_draft = factory.opening(
        employer_id, deadline=date(2026, 10, 1), status=OpeningStatus.DRAFT
    )
    due_today = factory.opening(employer_id, deadline=today)

    assert close_expired_openings(today) == 2
    db.session.commit()
    db.session.expire_all()
    assert past_open.status is OpeningStatus.CLOSED
    assert past_open.closed_at is not None
    assert past_pending.status is OpeningStatus.CLOSED
    assert past_draft.status is OpeningStatus.DRAFT
    assert due_today.status is OpeningStatus.OPEN
    closes = db.session.scalar(
        select(func.count(AuditEvent.id)).where(
            AuditEvent.action == "opening.close_expired"
        )
    )
    assert closes == 2
    assert close_expired_openings(today) == 0  # a second run closes nothing


def test_close_expired_command(factory, runner, people):
    opening = factory.opening(people["employer"].employer_id, deadline=date(2026, 1, 1))
    result = runner.invoke(args=["jobs", "close-expired", "--today", "2026-02-01"])
    assert result.exit_code == 0, result.output
    assert "1 opening(s) closed." in result.output
    db.session.expire_all()
    assert opening.status is OpeningStatus.CLOSED


# --- browsing -----------------------------------------------------------------------


def test_envoy_filters_openings_and_searches_as_they_type(
    factory, client, login_as, opening, other_opening, people
):
    factory.opening(
        people["employer"].employer_id,
        title_en="Draft Role",
        title_zh="草稿职位",
        status=OpeningStatus.DRAFT,
    )
    login_as("envoy")
    page = client.get("/jobs/").get_data(as_text=True)
    assert "Materials Engineer" in page and "Harbour Engineer" in page
    assert "Draft Role" not in page
    fragment = client.get("/jobs/?q=harb", headers={"HX-Request": "true"})
    text = fragment.get_data(as_text=True)
    assert "Harbour Engineer" in text and "Materials Engineer" not in text
    assert "<html" not in text
    assert "HX-Request" in fragment.headers.get("Vary", "")
    assert "Harbour" not in client.get("/jobs/?salary=300000").get_data(as_text=True)
    assert "Materials Engineer" in client.get(
        "/jobs/?sector=NEW_MATERIALS&degree=PHD&kind=PRIVATE&field=MATERIALS"
    ).get_data(as_text=True)
    assert "Materials Engineer" not in client.get("/jobs/?degree=BACHELOR").get_data(
        as_text=True
    )
    assert client.get("/jobs/?salary=abc&sector=NOPE&page=x").status_code == 200


def test_opening_shows_the_viewers_language_with_the_other_one_available(
    client, login_as, opening, people
):
    people["envoy"].locale = "zh_Hans"
    db.session.commit()
    login_as("envoy")
    page = client.get(f"/jobs/{opening.id}").get_data(as_text=True)
    assert "<h1>材料工程师</h1>" in page
    assert "<details>" in page and "Materials Engineer" in page


def test_employer_sees_only_its_own_openings(client, login_as, opening, other_opening):
    login_as("employer")
    page = client.get("/jobs/").get_data(as_text=True)
    assert "Materials Engineer" in page
    assert "Harbour Engineer" not in page
    assert client.get(f"/jobs/{other_opening.id}").status_code == 404
    assert client.get(f"/jobs/{other_opening.id}/edit").status_code == 404


# --- bad input ---------------------------------------------------------------------

BAD_OPENINGS = [
    ({"salary_min": "300000", "salary_max": "200000"}, "salary_max"),
    ({"salary_min": "1000"}, "salary_min"),
    ({"salary_max": "90000000"}, "salary_max"),
    ({"deadline": (date.today() - timedelta(days=1)).isoformat()}, "deadline"),
    ({"deadline": "2026-02-31"}, "deadline"),
    ({"headcount": "0"}, "headcount"),
    ({"headcount": "5000"}, "headcount"),
    ({"title_en": "x" * 201}, "title_en"),
    ({"description_zh": "长" * 5001}, "description_zh"),
    ({"title_en": "<script>alert(1)</script>"}, "title_en"),
    ({"location": "<img src=x onerror=alert(1)>"}, "location"),
    ({"title_zh": ""}, "title_zh"),
    ({"sector": "SPACE"}, "sector"),
    ({"title_en": "Nul\x00byte"}, "title_en"),
    ({"description_en": "", "description_zh": ""}, "description_en"),
]


@pytest.mark.parametrize(("changes", "field"), BAD_OPENINGS)
@pytest.mark.parametrize("role", ["employer", "coordinator"])
def test_bad_opening_input_is_refused_at_the_field(
    client, login_as, people, role, changes, field
):
    login_as(role)
    data = opening_data(employer_id=str(people["employer"].employer_id), **changes)
    response = post(client, "/jobs/new", data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page
    assert 'value="Qingdao, Laoshan"' in page or field == "location"  # kept
    assert db.session.scalar(select(func.count(JobOpening.id))) == 0


def test_an_unchanged_past_deadline_does_not_block_an_edit(
    factory, client, login_as, people
):
    opening = factory.opening(
        people["employer"].employer_id,
        deadline=date.today() - timedelta(days=3),
        status=OpeningStatus.PENDING,
    )
    login_as("coordinator")
    data = opening_data(
        employer_id=str(opening.employer_id),
        deadline=opening.deadline.isoformat(),
        version=opening.version,
    )
    assert post(client, f"/jobs/{opening.id}/edit", data).status_code == 302
    db.session.refresh(opening)
    assert opening.title_en == "Coating Chemist"
    assert opening.deadline == date.today() - timedelta(days=3)


# --- employers (coordinators) -------------------------------------------------------


def employer_data(**overrides) -> dict:
    data = {
        "name_en": "Qingdao Deep Sea Robotics Co., Ltd.",
        "name_zh": "青岛深海机器人有限公司",
        "kind": "PRIVATE",
        "industry": "marine_robotics",
        "contact_name": "Zhao Lei",
        "contact_email": "hr@deepsea.example.com",
        "contact_phone": "+86 532 8000 1000",
        "digest_subscribed": "y",
        "locale": "zh_Hans",
    }
    data.update(overrides)
    return data


def test_coordinator_creates_and_edits_an_employer(client, login_as):
    login_as("coordinator")
    response = post(client, "/jobs/employers/new", employer_data())
    assert response.status_code == 302
    employer = db.session.scalar(
        select(Employer).where(Employer.name_en.like("%Deep Sea%"))
    )
    assert employer.industry == "marine_robotics"
    assert employer.digest_subscribed is True
    response = post(
        client,
        f"/jobs/employers/{employer.id}",
        employer_data(
            kind="SOE", locale="en", digest_subscribed="", version=employer.version
        ),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert employer.kind.name == "SOE"
    assert employer.locale == "en"
    assert employer.digest_subscribed is False
    listing = client.get("/network/employers").get_data(as_text=True)
    assert f"/jobs/employers/{employer.id}" in listing


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"name_en": ""}, "name_en"),
        ({"name_zh": "<b>粗体</b>"}, "name_zh"),
        ({"name_en": "n" * 201}, "name_en"),
        ({"industry": "Marine Robotics!"}, "industry"),
        ({"contact_email": "not-an-email"}, "contact_email"),
        ({"contact_phone": "call me"}, "contact_phone"),
        ({"kind": "PIRATE"}, "kind"),
        ({"locale": "fr"}, "locale"),
    ],
)
def test_bad_employer_input_is_refused_at_the_field(client, login_as, changes, field):
    login_as("coordinator")
    response = post(client, "/jobs/employers/new", employer_data(**changes))
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'id="{field}-error"' in page
    assert db.session.scalar(select(func.count(Employer.id))) == 1  # the fixture's


def test_a_second_employer_with_the_same_name_is_refused(client, login_as, people):
    login_as("coordinator")
    existing = people["employer"].employer
    response = post(
        client, "/jobs/employers/new", employer_data(name_en=existing.name_en)
    )
    assert response.status_code == 422
    assert "Another employer already has this name." in response.get_data(as_text=True)
