"""Employers see candidates only for approved, open openings (issue 10, item 1)."""

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select

from envoycrm.extensions import db
from envoycrm.models import (
    DegreeLevel,
    EmployerInterest,
    FieldOfStudy,
    OpeningStatus,
    Task,
)
from tests.conftest import post
from tests.jobs.test_openings import opening_data

HIDDEN = "Candidates are shown only for openings the bureau has approved"


@pytest.fixture
def candidate(factory, people):
    """A consenting PhD in materials: a candidate of any materials opening."""
    return factory.student(
        people["envoy"],
        name_latin="Liu Fang",
        name_hanzi="刘芳",
        degree=DegreeLevel.PHD,
        field=FieldOfStudy.MATERIALS,
    )


def _counts() -> tuple[int, int]:
    return (
        db.session.scalar(select(func.count(EmployerInterest.id))),
        db.session.scalar(select(func.count(Task.id))),
    )


@pytest.mark.parametrize("status", ["DRAFT", "PENDING", "CLOSED", "EXPIRED"])
def test_employer_sees_no_candidates_and_cannot_say_interested_unless_open(
    factory, client, login_as, people, candidate, status
):
    opening = factory.opening(people["employer"].employer_id)
    if status == "EXPIRED":  # open in the table, but past its deadline
        opening.deadline = date.today() - timedelta(days=1)
    else:
        opening.status = OpeningStatus[status]
    db.session.commit()
    login_as("employer")
    page = client.get(f"/jobs/{opening.id}").get_data(as_text=True)
    assert HIDDEN in page
    assert "Liu Fang" not in page
    url = f"/jobs/{opening.id}/candidates/{candidate.id}"
    detail = client.get(url)
    assert detail.status_code == 403
    assert HIDDEN in detail.get_data(as_text=True)
    assert "Liu Fang" not in detail.get_data(as_text=True)
    interest = post(client, url + "/interest")
    assert interest.status_code == 403
    assert HIDDEN in interest.get_data(as_text=True)
    assert _counts() == (0, 0)  # no interest, no task for the envoy


def test_editing_the_field_of_an_opening_exposes_no_pool(
    factory, client, login_as, people, candidate
):
    opening = factory.opening(
        people["employer"].employer_id, field=FieldOfStudy.LAW, title_en="Counsel"
    )
    login_as("employer")
    response = post(
        client,
        f"/jobs/{opening.id}/edit",
        opening_data(title_en="Counsel", field="MATERIALS", version=opening.version),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert opening.status is OpeningStatus.PENDING
    page = client.get(f"/jobs/{opening.id}").get_data(as_text=True)
    assert "Liu Fang" not in page and HIDDEN in page
    url = f"/jobs/{opening.id}/candidates/{candidate.id}"
    assert client.get(url).status_code == 403
    assert post(client, url + "/interest").status_code == 403
    assert _counts() == (0, 0)
