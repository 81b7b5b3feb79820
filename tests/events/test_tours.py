"""Study tours: applications, the coordinators' selection, founders' intentions."""

import pytest
from sqlalchemy import select

from envoycrm.database import StaleEdit
from envoycrm.events import tours
from envoycrm.extensions import db
from envoycrm.models import (
    EventKind,
    EventStatus,
    Intention,
    IntentionLevel,
    RegistrationStatus,
    TourStatus,
)
from tests.conftest import post
from tests.events.conftest import register


@pytest.fixture
def tour(factory, people):
    return factory.event(
        people["coordinator"],
        kind=EventKind.STUDY_TOUR,
        title_en="Founders Study Tour",
        title_zh="创业者研学之旅",
        status=EventStatus.PUBLISHED,
    )


def _ticked(*rows) -> list[str]:
    return [f"{row.id}:{row.version}" for row in rows]


def test_coordinator_selects_applications_in_bulk_and_founders_intention_shows_it(
    client, factory, people, login_as, tour
):
    founder = factory.student(people["envoy"], name_latin="Zhao Lei")
    factory.intention(founder, level=IntentionLevel.LIKELY, preferred_roles="CTO")
    other = factory.student(people["envoy2"])
    first, second = register(tour, founder), register(tour, other)
    login_as("coordinator")
    page = client.get(f"/events/{tour.id}/applications")
    assert "Zhao Lei" in page.get_data(as_text=True)

    response = post(
        client,
        f"/events/{tour.id}/applications",
        {"to": "SELECTED", "applications": _ticked(first, second)},
    )
    assert response.status_code == 302
    db.session.refresh(first)
    db.session.refresh(second)
    assert first.tour_status is second.tour_status is TourStatus.SELECTED
    assert first.tour_decided_by_id == people["coordinator"].id
    latest = db.session.scalars(
        select(Intention)
        .where(Intention.student_id == founder.id)
        .order_by(Intention.id.desc())
    ).first()
    assert latest.startup_interest is True
    assert latest.level is IntentionLevel.LIKELY  # the rest carried over
    assert latest.preferred_roles == "CTO"
    assert "Founders Study Tour" in latest.notes
    # The envoy reads it in the student's intention history.
    client.get("/auth/logout")
    login_as("envoy")
    timeline = client.get(f"/students/{founder.id}").get_data(as_text=True)
    assert "Founders Study Tour" in timeline

    client.get("/auth/logout")
    login_as("coordinator")
    response = post(
        client,
        f"/events/{tour.id}/applications",
        {"to": "ATTENDED", "applications": _ticked(first)},
    )
    assert response.status_code == 302
    db.session.refresh(first)
    assert first.tour_status is TourStatus.ATTENDED
    assert first.status is RegistrationStatus.ATTENDED


def test_a_stale_selection_is_refused_with_409_and_changes_nothing(
    client, factory, people, login_as, tour
):
    application = register(tour, factory.student(people["envoy"]))
    seen = _ticked(application)
    tours.move_applications(
        tour,
        {application.id: application.version},
        TourStatus.NOT_SELECTED,
        people["admin"],
    )
    db.session.commit()
    login_as("coordinator")
    response = post(
        client,
        f"/events/{tour.id}/applications",
        {"to": "SELECTED", "applications": seen},
    )
    assert response.status_code == 409
    assert "changed these applications" in response.get_data(as_text=True)
    db.session.refresh(application)
    assert application.tour_status is TourStatus.NOT_SELECTED


def test_moves_that_skip_a_step_or_name_another_events_row_are_refused(
    client, factory, people, login_as, tour
):
    application = register(tour, factory.student(people["envoy"]))
    login_as("coordinator")
    response = post(
        client,
        f"/events/{tour.id}/applications",
        {"to": "ATTENDED", "applications": _ticked(application)},
    )
    assert response.status_code == 422
    assert "cannot make that move" in response.get_data(as_text=True)
    elsewhere = factory.event(people["coordinator"], kind=EventKind.STUDY_TOUR)
    response = post(
        client,
        f"/events/{elsewhere.id}/applications",
        {"to": "SELECTED", "applications": _ticked(application)},
    )
    assert response.status_code == 422
    for junk in ("x:1", "0:1", "99999999999:1", "5"):
        response = post(
            client,
            f"/events/{tour.id}/applications",
            {"to": "SELECTED", "applications": [junk]},
        )
        assert response.status_code == 422, junk
    db.session.refresh(application)
    assert application.tour_status is TourStatus.APPLIED


def test_the_domain_refuses_a_stale_version(factory, people, tour):
    application = register(tour, factory.student(people["envoy"]))
    with pytest.raises(StaleEdit):
        tours.move_applications(
            tour,
            {application.id: application.version + 1},
            TourStatus.SELECTED,
            people["coordinator"],
        )


def test_applications_of_an_event_that_is_no_tour_are_404(
    client, factory, people, login_as
):
    fair = factory.event(people["coordinator"], kind=EventKind.TALENT_FAIR)
    login_as("coordinator")
    assert client.get(f"/events/{fair.id}/applications").status_code == 404
