"""The report after an event: the funnel by envoy and by university, and its export."""

import io
from datetime import UTC, datetime, timedelta

from openpyxl import load_workbook

from envoycrm.events.report import build_report
from envoycrm.extensions import db
from envoycrm.models import (
    EventInvitation,
    EventKind,
    EventStatus,
    InterestSource,
    JobInterest,
    RegistrationStatus,
    Stage,
    StageChange,
)
from tests.conftest import sign_in
from tests.events.conftest import register


def _held_fair(factory, host, **fields):
    """A fair that took place ten days ago."""
    values = {
        "kind": EventKind.TALENT_FAIR,
        "starts_at": datetime.now(UTC) - timedelta(days=10),
        "status": EventStatus.HELD,
    }
    return factory.event(host, **(values | fields))


def _fair_with_followups(factory, people):
    """A fair ten days ago: the first envoy invited three students and
    brought them; two came, one of them went for an opening, the other moved
    stage; the second envoy's student came but followed up too late."""
    envoy, envoy2 = people["envoy"], people["envoy2"]
    fair = _held_fair(factory, people["coordinator"])
    s1, s2, s3 = (factory.student(envoy) for _ in range(3))
    s4 = factory.student(envoy2)
    for student in (s1, s2, s3):
        db.session.add(
            EventInvitation(event_id=fair.id, student_id=student.id, envoy_id=envoy.id)
        )
    came = {"status": RegistrationStatus.ATTENDED, "attended_at": fair.starts_at}
    register(fair, s1, credited_envoy_id=envoy.id, **came)
    register(fair, s2, credited_envoy_id=envoy.id, **came)
    register(fair, s3, credited_envoy_id=envoy.id)
    register(fair, s4, credited_envoy_id=envoy2.id, **came)
    register(fair, None, status=RegistrationStatus.CANCELLED)
    register(fair, None)  # a newcomer through the public link: no envoy
    opening = factory.opening_of(people)
    db.session.add_all(
        [
            JobInterest(
                student_id=s1.id,
                opening_id=opening.id,
                source=InterestSource.ENVOY,
                created_at=fair.starts_at + timedelta(days=5),
            ),
            JobInterest(
                student_id=s4.id,
                opening_id=opening.id,
                source=InterestSource.ENVOY,
                created_at=fair.starts_at - timedelta(days=40),
            ),
            StageChange(
                student_id=s2.id,
                from_stage=Stage.CONTACTED,
                to_stage=Stage.INTERESTED,
                changed_at=fair.starts_at + timedelta(days=3),
            ),
        ]
    )
    db.session.commit()
    return fair


def test_report_counts_the_funnel_by_envoy_and_university(factory, people, max_queries):
    fair = _fair_with_followups(factory, people)
    with max_queries(6):
        report = build_report(fair)
    assert report.total.values() == [3, 5, 3, 1, 1]
    by_envoy = {row.key: row.funnel.values() for row in report.by_envoy}
    assert by_envoy[people["envoy"].id] == [3, 3, 2, 1, 1]
    assert by_envoy[people["envoy2"].id] == [0, 1, 1, 0, 0]
    assert by_envoy[None] == [0, 1, 0, 0, 0]
    manchester = people["envoy"].envoy_profile.university_id
    by_university = {row.key: row.funnel.values() for row in report.by_university}
    assert by_university[manchester] == [3, 3, 2, 1, 1]
    assert report.by_envoy[0].key == people["envoy"].id  # most attendees first


def test_coordinator_reads_the_report_as_charts_with_tables(
    client, factory, people, login_as
):
    fair = _fair_with_followups(factory, people)
    login_as("coordinator")
    page = client.get(f"/events/{fair.id}/report")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert html.count("<svg") == 3
    assert 'id="event-funnel-table"' in html
    assert people["envoy"].full_name in html
    assert "University of Manchester" in html
    assert 'data-step="moved"' in html


def test_the_host_envoy_reads_their_events_report_and_others_get_404(
    client, factory, people
):
    session = _held_fair(factory, people["envoy"], kind=EventKind.INFO_SESSION)
    sign_in(client, people["envoy"].email)
    assert client.get(f"/events/{session.id}/report").status_code == 200
    assert client.get(f"/events/{session.id}/report.xlsx").status_code == 403
    other = client.application.test_client()
    sign_in(other, people["envoy2"].email)
    assert other.get(f"/events/{session.id}/report").status_code == 404


def test_coordinator_exports_the_report_to_excel(client, factory, people, login_as):
    fair = _fair_with_followups(factory, people)
    login_as("coordinator")
    response = client.get(f"/events/{fair.id}/report.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    rows = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert rows[0][2:] == [
        "Invited",
        "Registered",
        "Attended",
        "Interested in an opening",
        "Moved stage within 30 days",
    ]
    assert rows[1] == ["Whole event", None, 3, 5, 3, 1, 1]
    envoy_row = next(r for r in rows if r[1] == people["envoy"].display_name)
    assert envoy_row[0] == "Envoy" and envoy_row[2:] == [3, 3, 2, 1, 1]
    assert any(
        r[0] == "University" and r[1] == "University of Manchester" for r in rows
    )
