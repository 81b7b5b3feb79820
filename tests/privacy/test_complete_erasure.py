"""Erasure leaves nothing behind (issue 10, item 17): not in kept import files
whatever their format, not in another student's notes in another case, not
in tags or the audit trail, and an erased id is never given out again."""

import io
from datetime import date

import openpyxl
import pytest
import sqlalchemy as sa

from envoycrm.extensions import db
from envoycrm.models import (
    AuditEvent,
    ImportJob,
    ImportStatus,
    Interaction,
    Student,
    StudentTag,
)
from envoycrm.privacy import rights
from envoycrm.students import services as students
from tests.conftest import post
from tests.jobs.test_referrals import link_path, reply_data
from tests.privacy.conftest import SUBJECT
from tests.privacy.test_rights import _where_found

HEADERS = ["Name", "中文名", "Email", "WeChat", "University", "Degree"]


def _xlsx(rows) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in [HEADERS, *rows]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _csv(rows, encoding: str) -> bytes:
    lines = [",".join(row) for row in [HEADERS, *rows]]
    return ("\r\n".join(lines) + "\r\n").encode(encoding)


SUBJECT_ROW = ["", SUBJECT["name_hanzi"], "", "", "University of Manchester", "PhD"]
OTHER_ROW = [
    "Li Na",
    "李娜",
    "li.na@example.org",
    "lina_1",
    "University of Manchester",
    "PhD",
]


def _upload(coordinator, filename: str, content: bytes) -> ImportJob:
    """A kept upload, as the first import step leaves it."""
    job = ImportJob(
        created_by_id=coordinator.id,
        filename=filename,
        content=content,
        status=ImportStatus.UPLOADED,
        options={},
        mapping={},
        preview={"headers": HEADERS},
    )
    db.session.add(job)
    db.session.commit()
    return job


@pytest.mark.parametrize(
    ("filename", "content"),
    [
        # Only the WeChat ID names the person, inside a compressed workbook.
        (
            "contacts.xlsx",
            _xlsx([[*SUBJECT_ROW[:3], SUBJECT["wechat_id"].upper(), *SUBJECT_ROW[4:]]]),
        ),
        # Only the Chinese name, whose GB18030 bytes differ from UTF-8's.
        ("contacts.csv", _csv([SUBJECT_ROW], "gb18030")),
        # The email in capitals, and nothing else about the person.
        (
            "contacts.csv",
            _csv([["", "", SUBJECT["email"].upper(), *SUBJECT_ROW[3:]]], "utf-8"),
        ),
        # UTF-16: every byte of the text is interleaved with a zero.
        ("contacts.csv", _csv([SUBJECT_ROW], "utf-16")),
    ],
    ids=["xlsx-wechat", "gb18030-name", "utf8-uppercase-email", "utf16-name"],
)
def test_erasure_drops_a_kept_import_file_that_holds_the_person_in_any_format(
    client, login_as, subject, filename, content
):
    coordinator = login_as("coordinator")
    holding = _upload(coordinator, filename, content)
    unrelated = _upload(coordinator, "other.xlsx", _xlsx([OTHER_ROW]))
    holding_id, unrelated_id = holding.id, unrelated.id

    response = post(
        client, f"/privacy-admin/students/{subject.id}/erase", {"confirm": "y"}
    )

    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(ImportJob, holding_id).content is None
    # Another import's file is kept: it names someone else.
    assert db.session.get(ImportJob, unrelated_id).content is not None


def test_erasure_removes_a_mixed_case_email_or_wechat_from_another_students_notes(
    client, login_as, people, subject
):
    login_as("coordinator")
    note = students.add_interaction(
        subject.other,
        people["envoy"],
        students.InteractionKind.CHAT,
        date(2026, 11, 26),
        "Introduced by Zhuang.Xiaoyan@Uni.Example.AC.UK (WeChat ZXY_Materials_88)",
    )
    db.session.commit()
    note_id = note.id

    post(client, f"/privacy-admin/students/{subject.id}/erase", {"confirm": "y"})

    db.session.expire_all()
    assert db.session.get(Interaction, note_id).notes == (
        "Introduced by [erased] (WeChat [erased])"
    )
    assert _where_found([SUBJECT["email"], SUBJECT["wechat_id"]]) == []


def test_erasure_removes_a_tag_that_names_the_person_and_the_trail_keeps_no_tag(
    client, login_as, people, subject
):
    login_as("coordinator")
    # Another student tagged with the subject's WeChat ID ("referred by").
    students.add_tag(subject.other, SUBJECT["wechat_id"].upper())
    students.add_tag(subject.other, "fair-2026")
    db.session.commit()
    other_id = subject.other.id

    post(client, f"/privacy-admin/students/{subject.id}/erase", {"confirm": "y"})

    db.session.expire_all()
    tags = db.session.scalars(
        sa.select(StudentTag.tag).where(StudentTag.student_id == other_id)
    ).all()
    assert tags == ["fair-2026"]
    added = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "student.tag_add")
    ).all()
    assert added and all("tag" not in event.details for event in added)
    assert _where_found([SUBJECT["wechat_id"]]) == []


def test_a_referral_reply_leaves_no_client_address_in_the_audit_trail(
    app, client, login_as, factory, people
):
    push = factory.push(people)
    visitor = app.test_client()
    address = {"REMOTE_ADDR": "203.0.113.77"}
    response = visitor.post(
        link_path(push),
        data=reply_data(visitor, people),
        environ_base=address,
    )
    assert response.status_code == 302
    replier = db.session.scalar(sa.select(Student))
    assert replier is not None

    login_as("coordinator")
    post(client, f"/privacy-admin/students/{replier.id}/erase", {"confirm": "y"})

    db.session.expire_all()
    # Only the throttle's short-lived counter knows the address, not the trail.
    assert _where_found(["203.0.113.77"]) == ["rate_events.key"]
    assert _where_found(["zhou.xin@students.example.org"]) == []
    # The trail still says a reply came and a student was erased.
    actions = set(db.session.scalars(sa.select(AuditEvent.action)))
    assert {"referral.reply", "student.erased"} <= actions


def test_a_data_request_leaves_no_client_address_in_the_audit_trail(client):
    response = post(
        client,
        "/my-data/",
        {"kind": "ERASURE", "email": "someone@example.org", "message": ""},
        environ_base={"REMOTE_ADDR": "203.0.113.78"},
    )
    assert response.status_code == 302
    event = db.session.scalar(
        sa.select(AuditEvent).where(AuditEvent.action == "data_request.create")
    )
    assert event is not None and event.ip is None


def test_an_erased_students_id_is_never_given_to_a_new_student(
    factory, people, subject
):
    # The subject is not the newest student: erase the newest one.
    newest = db.session.scalar(sa.select(Student).order_by(Student.id.desc()))
    erased_id = newest.id
    students.audit.record("student.view", "student", erased_id)
    rights.erase_student(newest, people["coordinator"])
    db.session.commit()

    newcomer = factory.student(people["envoy"], name_latin="New Person")

    assert newcomer.id > erased_id
    export = rights.export_student(newcomer)
    assert {e["record_id"] for e in export["audit_events"]} == {newcomer.id}
    assert all(e["action"] != "student.erased" for e in export["audit_events"])
