"""The audit trail: searchable by staff, written for every change, never rewritten."""

import re
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa

from envoycrm import audit
from envoycrm.extensions import db
from envoycrm.models import AuditEvent, utcnow
from tests.conftest import sign_in

PACKAGE = Path(__file__).resolve().parents[2] / "envoycrm"


def test_no_code_path_updates_or_deletes_audit_rows():
    offending = []
    patterns = [
        re.compile(r"update\(\s*AuditEvent"),
        re.compile(r"delete\(\s*AuditEvent"),
        re.compile(r"AuditEvent\.__table__\.(update|delete)"),
        re.compile(r"audit_events.*\b(UPDATE|DELETE)\b", re.IGNORECASE),
        re.compile(r"\b(UPDATE|DELETE FROM)\s+audit_events", re.IGNORECASE),
        re.compile(r"session\.delete\(\s*(event|audit)", re.IGNORECASE),
    ]
    for path in PACKAGE.rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        for pattern in patterns:
            if pattern.search(text):
                offending.append(f"{path.relative_to(PACKAGE)}: {pattern.pattern}")
    assert offending == []
    assert not hasattr(audit, "delete") and not hasattr(audit, "update")


def test_sign_in_failed_sign_in_view_and_changes_are_audited(client, people, student):
    sign_in(client, people["coordinator"].email, "wrong password")
    sign_in(client, people["coordinator"].email)
    client.get(f"/students/{student.id}")
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {
        "auth.login_failed",
        "auth.login",
        "student.view",
        "student.create",
        "interaction.create",
    } <= actions


def _event(action, actor=None, record_type="student", record_id=1, days_ago=0):
    event = audit.record(action, record_type, record_id, actor_id=actor)
    event.created_at = utcnow() - timedelta(days=days_ago)
    return event


def test_coordinator_searches_by_actor_action_record_and_dates(
    client, login_as, people
):
    envoy = people["envoy"]
    _event("student.update", envoy.id, record_id=7)
    _event("student.stage", envoy.id, record_id=8, days_ago=10)
    _event("auth.login", people["admin"].id, record_type="user", record_id=1)
    db.session.commit()
    login_as("coordinator")

    def rows(query):
        html = client.get(f"/privacy-admin/audit?{query}").get_data(as_text=True)
        return re.findall(r"<code>([\w.]+)</code>", html)

    assert rows("actor=envoy%40") == ["student.update", "student.stage"]
    assert rows(f"actor={envoy.id}&action=student.st") == ["student.stage"]
    assert rows("record_type=student&record_id=7") == ["student.update"]
    since = (utcnow() - timedelta(days=2)).date().isoformat()
    assert "student.stage" not in rows(f"since={since}")
    until = (utcnow() - timedelta(days=5)).date().isoformat()
    assert rows(f"until={until}") == ["student.stage"]
    # Malformed filters are ignored, never an error.
    assert client.get("/privacy-admin/audit?since=2026-13-45&page=x").status_code == 200


def test_audit_log_is_paginated(client, login_as, people):
    for n in range(60):
        _event("student.view", people["envoy"].id, record_id=n)
    db.session.commit()
    login_as("admin")
    html = client.get("/privacy-admin/audit?action=student.view").get_data(as_text=True)
    assert html.count("<code>student.view</code>") == 50
    assert "Page 1 of 2" in html


def test_envoy_cannot_read_the_audit_log(client, login_as):
    login_as("envoy")
    assert client.get("/privacy-admin/audit").status_code == 403


def test_the_audit_log_reads_in_words_with_names_in_both_languages(
    client, login_as, people, factory
):
    """ "Coordinator X exported 1,204 students", "moved Wang Wei from Contacted
    to Matched", "signed in": names instead of numbers, in the reader's
    language; the codes stay in each row's detail view."""
    coordinator = people["coordinator"]
    wang = factory.student(people["envoy"], name_latin="Wang Wei", name_hanzi="王伟")
    audit.record(
        "student.stage",
        "student",
        wang.id,
        actor_id=coordinator.id,
        old="contacted",
        new="matched",
    )
    audit.record(
        "export",
        "student",
        None,
        actor_id=coordinator.id,
        filter="",
        format="csv",
        rows=1204,
        selection=None,
    )
    audit.record("auth.login", "user", coordinator.id, actor_id=coordinator.id)
    audit.record("student.view", "student", 999_999, actor_id=people["envoy"].id)
    audit.record("some.new_action", None, None, actor_id=None)
    db.session.commit()
    name = coordinator.display_name
    login_as("admin")
    html = client.get("/privacy-admin/audit").get_data(as_text=True)
    assert f"Coordinator {name} exported 1,204 students" in html
    assert f"Coordinator {name} moved Wang Wei 王伟 from Contacted to Matched" in html
    assert f"Coordinator {name} signed in" in html
    assert "opened a student whose data was erased" in html
    assert "The system or an anonymous visitor: some.new_action" in html
    assert "<code>student.stage</code>" in html and "<code>rows</code>" in html
    assert "user #" not in re.sub(r"<details.*?</details>", "", html, flags=re.S)

    people["admin"].locale = "zh_Hans"
    db.session.commit()
    html = client.get("/privacy-admin/audit").get_data(as_text=True)
    assert f"协调员 {name} 导出了 1,204 名学生" in html
    assert f"协调员 {name} 将 Wang Wei 王伟 从“已联系”移到“已匹配”" in html
    assert f"协调员 {name} 登录了" in html


def test_the_audit_page_names_everyone_in_a_fixed_number_of_queries(
    client, login_as, people, factory, max_queries
):
    def events(n):
        for i in range(n):
            student = factory.student(people["envoy"], name_latin=f"Person{i} Audit")
            audit.record(
                "student.view", "student", student.id, actor_id=people["envoy"].id
            )
        db.session.commit()

    events(2)
    login_as("admin")
    with max_queries(30) as first:
        client.get("/privacy-admin/audit")
    events(10)
    with max_queries(first.count):
        html = client.get("/privacy-admin/audit").get_data(as_text=True)
    assert "opened Person9 Audit" in html
