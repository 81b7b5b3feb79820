"""The personnel-file service: the status link, mails, queue, steps, rights."""

from datetime import date, timedelta

import sqlalchemy as sa

from envoycrm.extensions import db
from envoycrm.i18n import bureau_today
from envoycrm.models import (
    AuditEvent,
    FileNotice,
    FileStep,
    FileStepEvent,
    OutboxStatus,
    PersonnelFile,
    Student,
)
from envoycrm.personnel_files import notices
from envoycrm.personnel_files import services as files
from envoycrm.privacy import rights
from tests.conftest import post


def _link_path(file: PersonnelFile) -> str:
    return f"/file-status/{notices.sign(file)}"


def test_status_link_shows_step_dates_and_missing_documents_only(
    client, factory, people, student
):
    other = factory.student(people["envoy"], name_latin="Other Person")
    factory.personnel_file(other, people["coordinator"])
    file = factory.personnel_file(student, people["coordinator"])
    page = client.get(_link_path(file) + "?lang=en", follow_redirects=True)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Application received" in html
    assert "2 Nov 2026" in html
    assert "Copy of passport" in html  # missing
    assert "Application form" not in html  # received: not listed as missing
    assert "Staff only" not in html  # no staff notes
    assert "A-01-01" not in html  # no storage reference
    assert "Other Person" not in html and "Wang Wei" not in html
    assert people["coordinator"].full_name not in html  # no handler
    assert page.headers["Cache-Control"] == "no-store"
    assert len(page.data) < 30 * 1024


def test_forged_altered_or_replaced_link_is_404(client, factory, people, student):
    file = factory.personnel_file(student, people["coordinator"])
    token = notices.sign(file)
    assert client.get(f"/file-status/{token}").status_code == 200
    assert client.get(f"/file-status/{token[:-2]}xx").status_code == 404
    assert client.get("/file-status/not-a-real-token").status_code == 404
    forged = notices._serializer().dumps([file.id + 1, 1])[:-3] + "abc"
    assert client.get(f"/file-status/{forged}").status_code == 404
    assert notices.request_new_link(student.email)
    db.session.commit()
    assert client.get(f"/file-status/{token}").status_code == 404  # stale
    db.session.refresh(file)
    assert client.get(_link_path(file)).status_code == 200


def test_each_step_mails_the_student_once_in_their_language(
    smtp, factory, people, student
):
    file = factory.personnel_file(student, people["coordinator"], locale="zh_Hans")
    assert notices.send_due() == 1  # the status link
    assert "档案" in smtp.messages[0]["Subject"]
    files.change_step(
        file, FileStep.FILE_RECEIVED, people["coordinator"], on=date(2026, 11, 9)
    )
    db.session.commit()
    assert notices.send_due() == 1
    assert notices.send_due() == 0  # run twice: nothing more
    assert len(smtp.messages) == 2
    message = smtp.messages[1]
    assert message["To"] == student.email
    assert "已收到档案" in message["Subject"] or "档案" in message["Subject"]
    body = message.get_body(("plain",)).get_content()
    assert "2026年11月9日" in body
    assert "/file-status/" in body
    assert "Staff only" not in body
    rows = db.session.scalars(sa.select(FileNotice)).all()
    assert [r.status for r in rows] == [OutboxStatus.SENT, OutboxStatus.SENT]


def test_a_step_out_of_order_is_refused(client, login_as, factory, people, student):
    file = factory.personnel_file(student, people["coordinator"])
    login_as("coordinator")
    response = post(
        client,
        f"/files/{file.id}/step",
        {"step": "STORED", "step_on": "2026-11-10", "version": str(file.version)},
    )
    assert response.status_code == 422
    db.session.refresh(file)
    assert file.step is FileStep.APPLICATION_RECEIVED


def test_step_change_with_a_stale_version_is_409(
    client, login_as, factory, people, student
):
    file = factory.personnel_file(student, people["coordinator"])
    login_as("coordinator")
    response = post(
        client,
        f"/files/{file.id}/step",
        {"step": "FILE_RECEIVED", "step_on": "2026-11-10", "version": "99"},
    )
    assert response.status_code == 409
    response = post(
        client,
        f"/files/{file.id}/step",
        {
            "step": "FILE_RECEIVED",
            "step_on": "2026-11-10",
            "notes": "Arrived by EMS.",
            "version": str(file.version),
        },
    )
    assert response.status_code == 302
    db.session.refresh(file)
    assert file.step is FileStep.FILE_RECEIVED
    assert file.events[-1].notes == "Arrived by EMS."


def test_queue_shows_days_waited_and_overdue(client, login_as, factory, people):
    today = bureau_today()
    late = factory.student(people["envoy"], name_latin="Late Person")
    fresh = factory.student(people["envoy"], name_latin="Fresh Person")
    factory.personnel_file(late, people["coordinator"], on=today - timedelta(days=20))
    factory.personnel_file(fresh, people["coordinator"], on=today - timedelta(days=3))
    login_as("coordinator")
    html = client.get("/files/").get_data(as_text=True)
    assert "Late Person" in html and "Fresh Person" in html
    assert "20 days" in html and "overdue" in html
    overdue = client.get("/files/?overdue=1").get_data(as_text=True)
    assert "Late Person" in overdue and "Fresh Person" not in overdue


def test_bulk_step_on_the_filter_needs_the_count_confirmed(
    client, login_as, factory, people
):
    for n in range(3):
        s = factory.student(people["envoy"], name_latin=f"Bulk Person{n}")
        factory.personnel_file(s, people["coordinator"])
    login_as("coordinator")
    data = {"target": "filter", "step": "FILE_RECEIVED", "step_on": "2026-11-20"}
    assert post(client, "/files/bulk", {**data, "expected": "3"}).status_code == 422
    stale = post(client, "/files/bulk", {**data, "expected": "2", "confirm": "y"})
    assert stale.status_code == 409
    done = post(client, "/files/bulk", {**data, "expected": "3", "confirm": "y"})
    assert done.status_code == 302
    steps = db.session.scalars(sa.select(PersonnelFile.step)).all()
    assert steps == [FileStep.FILE_RECEIVED] * 3


def test_opening_a_file_for_a_new_student_mails_the_link(
    client, login_as, smtp, factory, people
):
    university = factory.university()
    login_as("coordinator")
    response = post(
        client,
        "/files/open",
        {
            "name_latin": "Lin Yu",
            "email": "lin.yu@students.example.org",
            "university_id": str(university.id),
            "field": "MATERIALS",
            "degree": "MASTER",
            "step_on": "2026-11-02",
            "locale": "en",
            "required": ["PASSPORT"],
        },
    )
    assert response.status_code == 302
    student = db.session.scalar(
        sa.select(Student).where(Student.name_latin == "Lin Yu")
    )
    assert student.owner_id == people["coordinator"].id
    assert {t.tag for t in student.tags} == {files.SERVICE_TAG}
    notices.send_due()
    assert smtp.messages[0]["To"] == "lin.yu@students.example.org"
    assert "Follow your personnel file" in smtp.messages[0]["Subject"]


def test_new_link_request_answers_the_same_and_mails_only_the_owner(
    client, smtp, factory, people, student
):
    factory.personnel_file(student, people["coordinator"])
    notices.send_due()
    smtp.messages.clear()
    known = post(client, "/file-status/", {"email": student.email.upper()})
    unknown = post(client, "/file-status/", {"email": "stranger@example.org"})
    assert known.status_code == unknown.status_code == 302
    page_known = client.get(known.headers["Location"]).get_data(as_text=True)
    assert "If the bureau keeps a file for this address" in page_known
    notices.send_due()
    assert [m["To"] for m in smtp.messages] == [student.email]


def test_new_link_requests_are_rate_limited(app, client, factory, people, student):
    app.config["FILE_LINK_REQUESTS_PER_HOUR"] = 1
    for _n in range(4):
        assert (
            post(client, "/file-status/", {"email": "x@example.org"}).status_code == 302
        )
    assert post(client, "/file-status/", {"email": "y@example.org"}).status_code == 429


def test_envoy_sees_the_status_of_their_students_file_without_notes(
    client, login_as, factory, people, student
):
    factory.personnel_file(student, people["coordinator"])
    login_as("envoy")
    html = client.get(f"/students/{student.id}").get_data(as_text=True)
    assert "Personnel file" in html and "Application received" in html
    assert "Staff only" not in html
    assert client.get(f"/files/{files.file_of(student.id).id}").status_code == 403
    views = db.session.scalars(
        sa.select(AuditEvent).where(AuditEvent.action == "file.view")
    ).all()
    assert [v.record_id for v in views] == [student.id]


def test_coordinator_sees_staff_notes_and_the_view_is_audited(
    client, login_as, factory, people, student
):
    file = factory.personnel_file(student, people["coordinator"])
    login_as("coordinator")
    html = client.get(f"/files/{file.id}").get_data(as_text=True)
    assert "Staff only: came with a friend." in html
    assert "A-01-01" in html
    assert db.session.scalar(
        sa.select(sa.func.count(AuditEvent.id)).where(AuditEvent.action == "file.view")
    )


def test_export_page_names_the_file(client, login_as, factory, people, student):
    factory.personnel_file(student, people["coordinator"])
    login_as("coordinator")
    html = client.get(f"/privacy-admin/students/{student.id}/export").get_data(
        as_text=True
    )
    assert "Personnel file" in html and "Steps of the file" in html
    assert "A-01-01" in html


def test_export_and_erasure_cover_the_file(smtp, factory, people, student):
    file = factory.personnel_file(student, people["coordinator"])
    files.change_step(
        file, FileStep.FILE_RECEIVED, people["coordinator"], on=date(2026, 11, 9)
    )
    db.session.commit()
    notices.send_due()
    exported = rights.export_student(student)
    assert exported["personnel_files"][0]["storage_ref"] == "A-01-01"
    assert len(exported["file_step_events"]) == 2
    assert len(exported["file_notices"]) == 2
    rights.erase_student(student, people["coordinator"])
    db.session.commit()
    for model in (PersonnelFile, FileStepEvent, FileNotice):
        assert db.session.scalar(sa.select(sa.func.count(model.id))) == 0
    assert db.session.get(Student, student.id) is None


def test_demo_pilot_files_spread_over_the_steps_some_overdue(
    app, monkeypatch, factory, people
):
    from envoycrm.demo import files as demo_files
    from envoycrm.demo.loader import LoadReport
    from envoycrm.personnel_files import queue

    monkeypatch.setattr(demo_files, "PILOT_FILES", 14)
    monkeypatch.setattr(demo_files, "STRIDE", 1)
    monkeypatch.setattr(demo_files, "SPREAD", dict.fromkeys(demo_files.SPREAD, 2))
    for n in range(14):
        factory.student(people["envoy"], name_latin=f"Pilot Person{n}")

    def snapshot():
        return db.session.execute(
            sa.select(
                PersonnelFile.student_id, PersonnelFile.step, PersonnelFile.step_on
            ).order_by(PersonnelFile.student_id)
        ).all()

    demo_files.load_files(LoadReport())
    first = snapshot()
    assert {row.step for row in first} == set(FileStep)
    overdue = db.session.scalar(
        sa.select(sa.func.count(PersonnelFile.id)).where(
            queue.overdue_condition(app.config["FILE_SERVICE_DAYS"], bureau_today())
        )
    )
    assert overdue > 0
    db.session.execute(sa.delete(PersonnelFile))
    db.session.commit()
    demo_files.load_files(LoadReport())
    assert snapshot() == first  # deterministic


def test_the_scheduler_sends_file_notices(app, smtp, factory, people, student):
    from envoycrm import scheduler

    factory.personnel_file(student, people["coordinator"])
    record = scheduler.run_job(app, "file-notices")
    assert record.ok is True and record.detail == "sent 1"
    assert [m["To"] for m in smtp.messages] == [student.email]


def test_the_queue_runs_the_same_queries_for_more_files(
    client, login_as, factory, people, max_queries
):
    def add(n):
        for _ in range(n):
            s = factory.student(people["envoy"])
            factory.personnel_file(s, people["coordinator"])

    add(2)
    login_as("coordinator")
    client.get("/files/")  # the list view is audited once a minute
    with max_queries(40) as few:
        assert client.get("/files/").status_code == 200
    add(6)
    with max_queries(40) as more:
        html = client.get("/files/").get_data(as_text=True)
    assert html.count('name="ids"') == 8
    assert more.count == few.count
