"""Data-subject rights: a complete export, and an erasure that leaves no trace."""

import json

import sqlalchemy as sa

from envoycrm.extensions import db
from envoycrm.models import AuditEvent, DataRequest, Student, Task
from tests.conftest import post
from tests.privacy.conftest import SUBJECT


def _rows_about(student_id: int) -> dict[str, int]:
    """How many rows of each table point at the student by a foreign key."""
    found = {}
    for table in db.metadata.sorted_tables:
        for column in table.columns:
            if not any(
                fk.column.table.name == "students" for fk in column.foreign_keys
            ):
                continue
            if table.name == "students":
                continue
            count = db.session.scalar(
                sa.select(sa.func.count())
                .select_from(table)
                .where(column == student_id)
            )
            if count:
                found[table.name] = found.get(table.name, 0) + count
    return found


def _where_found(values: list[str]) -> list[str]:
    """``table.column`` of every stored value that contains one of ``values``."""
    needles = [v.lower() for v in values]
    hits = []
    for table in db.metadata.sorted_tables:
        for row in db.session.execute(sa.select(table)).mappings():
            for column, value in row.items():
                if isinstance(value, bytes):
                    text = value.decode("utf-8", "replace")
                elif isinstance(value, dict | list):
                    text = json.dumps(value, ensure_ascii=False)
                else:
                    text = str(value)
                if any(n in text.lower() for n in needles):
                    hits.append(f"{table.name}.{column}")
    return hits


def test_json_export_holds_every_tables_rows_about_the_student(
    client, login_as, subject
):
    login_as("coordinator")
    expected = _rows_about(subject.id)
    # The fixture really reaches every kind of table that can hold their data.
    assert {
        "interactions",
        "intentions",
        "consents",
        "stage_changes",
        "student_tags",
        "job_interests",
        "employer_interests",
        "tasks",
        "digest_mentions",
    } <= set(expected)

    response = client.get(f"/privacy-admin/students/{subject.id}/export.json")

    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    assert response.headers["Cache-Control"] == "no-store"
    export = response.get_json()
    for table, count in expected.items():
        assert len(export[table]) == count, table
    assert export["students"][0]["email"] == SUBJECT["email"]
    assert export["students"][0]["wechat_id"] == SUBJECT["wechat_id"]
    assert export["outbox_messages"][0]["subject"].startswith("Weekly digest")
    assert "recipient_email" not in export["outbox_messages"][0]
    # The request they made by email is found although it names no student.
    assert any(r["email"] == SUBJECT["email"].upper() for r in export["data_requests"])
    actions = {row["action"] for row in export["audit_events"]}
    assert {"student.create", "student.view", "consent.record"} <= actions
    notes = [row["notes"] for row in export["interactions"]]
    assert "Called Zhuang Xiaoyan about the fair" in notes


def test_export_is_audited_without_personal_values(client, login_as, subject):
    coordinator = login_as("coordinator")
    client.get(f"/privacy-admin/students/{subject.id}/export.json")
    client.get(f"/privacy-admin/students/{subject.id}/export")
    events = db.session.scalars(
        sa.select(AuditEvent)
        .where(AuditEvent.action == "student.export")
        .order_by(AuditEvent.id)
    ).all()
    assert [(e.record_id, e.actor_id, e.details["format"]) for e in events] == [
        (subject.id, coordinator.id, "json"),
        (subject.id, coordinator.id, "html"),
    ]


def test_readable_summary_lists_each_table_and_the_values(client, login_as, subject):
    subject.birth_year = 1994
    db.session.commit()
    login_as("coordinator")
    exported = client.get(f"/privacy-admin/students/{subject.id}/export.json")
    assert exported.get_json()["students"][0]["birth_year"] == 1994
    page = client.get(f"/privacy-admin/students/{subject.id}/export")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for table in ("students", "interactions", "consents", "job_interests", "tasks"):
        assert f'id="export-{table}"' in html
    assert SUBJECT["wechat_id"] in html
    assert "Download as JSON" in html
    # Readable: tables and columns are named for people, enums by their labels.
    assert "Meetings and notes" in html and "Consent given" in html
    assert "Year of birth" in html and ">1994<" in html
    assert "IN_PERSON" not in html and "consent_scope" not in html


def test_erasure_leaves_no_trace_of_email_wechat_phone_or_name(
    client, login_as, subject
):
    coordinator = login_as("coordinator")
    identifiers = list(SUBJECT.values())
    assert _where_found(identifiers)  # the search itself finds them before
    other_id = subject.other.id
    subject_id = subject.id

    response = post(
        client, f"/privacy-admin/students/{subject_id}/erase", {"confirm": "y"}
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert _where_found(identifiers) == []
    assert db.session.get(Student, subject_id) is None
    erased = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "student.erased")
    )
    assert erased.record_id == subject_id
    assert erased.actor_id == coordinator.id
    assert erased.details["counts"]["interactions"] == 2
    assert erased.details["stage"] == "INTERESTED"
    # Work done stays, without the person: the task and the request remain.
    task = db.session.scalar(sa.select(Task))
    assert task.student_id is None and "[erased]" in task.title
    request = db.session.scalar(sa.select(DataRequest))
    assert request.email is None and request.message == ""
    # Nobody else is touched.
    other = db.session.get(Student, other_id)
    assert other.email == "li.na@example.org"
    assert other.name_latin == "Li Na"


def test_erasure_needs_the_confirmation_box(client, login_as, subject):
    login_as("coordinator")
    response = post(client, f"/privacy-admin/students/{subject.id}/erase", {})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="confirm-error"' in html
    assert "Tick the box to confirm." in html
    assert db.session.get(Student, subject.id) is not None


def test_envoy_cannot_export_or_erase_their_own_student(client, login_as, subject):
    login_as("envoy")
    assert (
        client.get(f"/privacy-admin/students/{subject.id}/export.json").status_code
        == 403
    )
    response = post(
        client, f"/privacy-admin/students/{subject.id}/erase", {"confirm": "y"}
    )
    assert response.status_code == 403
    assert db.session.get(Student, subject.id) is not None


def test_unknown_student_export_is_404(client, login_as, people):
    login_as("coordinator")
    assert client.get("/privacy-admin/students/999999/export").status_code == 404
