"""The student page: timeline, notes, intentions, consent, stage, tags, edits."""

from datetime import date

import pytest
from sqlalchemy import func, select

from envoycrm.extensions import db
from envoycrm.models import (
    AuditEvent,
    Consent,
    ConsentScope,
    Intention,
    IntentionLevel,
    Stage,
    StageChange,
    StudentTag,
)
from envoycrm.students import services
from tests.conftest import post
from tests.students.conftest import (
    count_rows,
    inline_edit,
)

# --- the student page -----------------------------------------------------------------


def test_student_page_shows_timeline_consent_and_stage(envoy_client, student):
    page = envoy_client.get(f"/students/{student.id}").get_data(as_text=True)
    assert "Wang Wei 王伟" in page
    assert "First chat about the city." in page
    assert "Consent recorded: Bureau and employers" in page
    assert "Stage: Contacted" in page
    views = select(func.count()).where(AuditEvent.action == "student.view")
    assert db.session.scalar(views) == 1


def test_adding_a_note_inline_answers_htmx_with_the_activity_section(
    envoy_client, student
):
    response = post(
        envoy_client,
        f"/students/{student.id}/interactions",
        {
            "kind": "CALL",
            "occurred_on": "2026-11-25",
            "notes": "Called about the fair.",
        },
        headers={"HX-Request": "true"},
    )
    body = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "<html" not in body and 'id="student-activity"' in body
    assert "Called about the fair." in body
    assert "Added to the timeline." in body


def test_adding_a_note_without_javascript_redirects(envoy_client, student):
    response = post(
        envoy_client,
        f"/students/{student.id}/interactions",
        {"kind": "CALL", "occurred_on": "2026-11-25", "notes": "Called."},
    )
    assert response.status_code == 302
    assert "Called." in envoy_client.get(response.headers["Location"]).get_data(
        as_text=True
    )


def test_an_empty_note_is_refused_at_the_field(envoy_client, student):
    response = post(
        envoy_client,
        f"/students/{student.id}/interactions",
        {"kind": "CALL", "occurred_on": "2026-11-25", "notes": "  "},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    assert 'id="notes-error"' in response.get_data(as_text=True)


def test_intentions_keep_their_history_and_the_latest_is_current(envoy_client, student):
    for level, salary in (("CONSIDERING", "150000"), ("LIKELY", "180000")):
        response = post(
            envoy_client,
            f"/students/{student.id}/intentions",
            {
                "level": level,
                "target_sectors": ["NEW_MATERIALS", "MARINE_ECONOMY"],
                "salary_expectation": salary,
                "earliest_start": "2027-09",
                "preferred_roles": "R&D engineer",
            },
        )
        assert response.status_code == 302
    db.session.refresh(student)
    assert student.intention_level is IntentionLevel.LIKELY
    assert count_rows(Intention) == 2
    page = envoy_client.get(f"/students/{student.id}").get_data(as_text=True)
    assert "Intention: Considering" in page and "Intention: Likely" in page
    assert "CN¥180,000" in page and "New materials" in page


@pytest.mark.parametrize("salary", ["1000", "99999999", "abc", "-5"])
def test_implausible_salary_is_refused(envoy_client, student, salary):
    response = post(
        envoy_client,
        f"/students/{student.id}/intentions",
        {"level": "LIKELY", "salary_expectation": salary},
    )
    assert response.status_code == 422
    assert 'id="salary_expectation-error"' in response.get_data(as_text=True)


def test_withdrawing_consent_is_one_action_recorded_and_visible(envoy_client, student):
    response = post(envoy_client, f"/students/{student.id}/consent/withdraw")
    assert response.status_code == 302
    db.session.refresh(student)
    assert student.consent_scope is None
    assert student.active_consent is None
    consent = db.session.scalar(select(Consent))
    assert consent.withdrawn_at is not None
    page = envoy_client.get(f"/students/{student.id}").get_data(as_text=True)
    assert "No consent in force" in page and "Consent withdrawn" in page
    actions = db.session.scalars(select(AuditEvent.action)).all()
    assert "consent.withdraw" in actions


def test_new_consent_replaces_the_one_in_force(envoy_client, student):
    post(
        envoy_client,
        f"/students/{student.id}/consent",
        {"scope": "BUREAU", "method": "FORM", "notice_language": "en"},
    )
    db.session.refresh(student)
    assert student.consent_scope is ConsentScope.BUREAU
    assert len([c for c in student.consents if c.withdrawn_at is None]) == 1


def test_stage_moves_are_recorded_and_closing_needs_a_reason(envoy_client, student):
    assert (
        post(
            envoy_client, f"/students/{student.id}/stage", {"stage": "INTERESTED"}
        ).status_code
        == 302
    )
    refused = post(envoy_client, f"/students/{student.id}/stage", {"stage": "CLOSED"})
    assert refused.status_code == 422
    assert "Say why the student is closed." in refused.get_data(as_text=True)
    db.session.refresh(student)
    assert student.stage is Stage.INTERESTED
    moves = db.session.scalars(select(StageChange).order_by(StageChange.id)).all()
    assert [(m.from_stage, m.to_stage) for m in moves] == [
        (None, Stage.CONTACTED),
        (Stage.CONTACTED, Stage.INTERESTED),
    ]


def test_tags_are_added_and_removed(envoy_client, student):
    post(envoy_client, f"/students/{student.id}/tags", {"tag": "Fair-2026"})
    assert [t.tag for t in db.session.scalars(select(StudentTag))] == ["fair-2026"]
    bad = post(envoy_client, f"/students/{student.id}/tags", {"tag": "<b>"})
    assert bad.status_code == 422
    post(envoy_client, f"/students/{student.id}/tags/fair-2026/remove")
    assert count_rows(StudentTag) == 0


def test_inline_edit_saves_with_the_current_version(envoy_client, student):
    form = envoy_client.get(
        f"/students/{student.id}/edit", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "<html" not in form
    response = inline_edit(envoy_client, student)
    assert response.status_code == 200
    assert "PhD Materials" in response.get_data(as_text=True)
    db.session.refresh(student)
    assert student.programme == "PhD Materials"


def test_the_year_of_birth_is_edited_shown_and_checked(envoy_client, student):
    bad = inline_edit(envoy_client, student, birth_year="1880")
    assert bad.status_code == 422
    assert "Enter a year from 1940 to 2015." in bad.get_data(as_text=True)
    response = inline_edit(envoy_client, student, birth_year="1996")
    assert response.status_code == 200
    assert "<dd>1996</dd>" in response.get_data(as_text=True)
    db.session.refresh(student)
    assert student.birth_year == 1996


def test_a_stale_edit_is_refused_and_both_versions_are_shown(envoy_client, student):
    stale = student.version
    student.programme = "Changed by the coordinator"
    db.session.commit()
    response = post(
        envoy_client,
        f"/students/{student.id}/edit",
        {
            "version": str(stale),
            "name_latin": "Wang Wei",
            "university_id": str(student.university_id),
            "programme": "My own edit",
            "field": "MATERIALS",
            "degree": "MASTER",
        },
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Someone else saved this record" in page
    assert "Changed by the coordinator" in page and 'value="My own edit"' in page
    db.session.refresh(student)
    assert student.programme == "Changed by the coordinator"


def test_notes_and_stage_moves_do_not_make_an_open_edit_stale(envoy_client, student):
    version = student.version
    services.add_interaction(
        student, student.owner, services.InteractionKind.CHAT, date(2026, 11, 26), "hi"
    )
    services.move_stage(student, student.owner, Stage.INTERESTED)
    db.session.commit()
    db.session.refresh(student)
    assert student.version == version


def test_the_student_page_loads_the_student_once(envoy_client, student, max_queries):
    """The view's audit row is committed after rendering, so the student,
    their tags and consents are not loaded a second time."""
    with max_queries(30) as counter:
        page = envoy_client.get(f"/students/{student.id}")
    assert page.status_code == 200
    assert counter.count <= 16, counter.count
    view = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "student.view")
    )
    assert view is not None and view.record_id == student.id
