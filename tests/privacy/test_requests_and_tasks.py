"""Students' requests from the public page, and the task list they land on."""

from datetime import date, timedelta

import sqlalchemy as sa

from envoycrm.extensions import db
from envoycrm.models import DataRequest, DataRequestKind, Task, TaskKind
from tests.conftest import post

FORM = "/my-data/"


def test_a_student_asks_for_erasure_and_a_task_is_due_in_a_month(
    client, login_as, subject
):
    response = post(
        client,
        FORM,
        {
            "kind": "ERASURE",
            "email": "  Zhuang.Xiaoyan@uni.example.ac.uk ",
            "message": "",
        },
    )
    assert response.status_code == 302
    assert "zhuang" not in response.headers["Location"].lower()
    request = db.session.scalar(
        sa.select(DataRequest).where(DataRequest.kind == DataRequestKind.ERASURE)
    )
    assert request.email == "zhuang.xiaoyan@uni.example.ac.uk"
    assert request.student_id == subject.id
    assert request.due_on == date.today() + timedelta(days=30)
    task = db.session.scalar(sa.select(Task).where(Task.data_request_id == request.id))
    assert task.kind is TaskKind.DATA_ERASURE and task.due_on == request.due_on

    login_as("coordinator")
    page = client.get("/tasks/").get_data(as_text=True)
    assert "Erasure request" in page
    assert f"/privacy-admin/students/{subject.id}/erase" in page


def test_bad_request_keeps_what_was_typed_and_says_why(client, app):
    response = post(client, FORM, {"kind": "EXPORT", "email": "not an email"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="email-error"' in html
    assert 'value="not an email"' in html
    assert response.headers["Cache-Control"] == "no-store"
    assert db.session.scalar(sa.select(sa.func.count(DataRequest.id))) == 0


def test_the_honeypot_stores_nothing_but_looks_the_same(client, app):
    response = post(
        client,
        FORM,
        {"kind": "EXPORT", "email": "bot@example.org", "website": "http://spam"},
    )
    assert response.status_code == 302
    assert db.session.scalar(sa.select(sa.func.count(DataRequest.id))) == 0


def test_requests_are_limited_per_address(client, app):
    app.config["DATA_REQUESTS_PER_HOUR"] = 2
    for n in range(2):
        data = {"kind": "EXPORT", "email": f"s{n}@example.org"}
        assert post(client, FORM, data).status_code == 302
    response = post(client, FORM, {"kind": "EXPORT", "email": "s3@example.org"})
    assert response.status_code == 429
    assert "Too many requests" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count(DataRequest.id))) == 2


def test_envoy_sees_only_tasks_assigned_to_them_and_marks_one_done(
    client, login_as, people, subject
):
    other = Task(kind=TaskKind.OTHER, title="Coordinators only", due_on=None)
    db.session.add(other)
    db.session.commit()
    login_as("envoy")
    page = client.get("/tasks/").get_data(as_text=True)
    assert "Employer interested in" in page
    assert "Coordinators only" not in page
    mine = db.session.scalar(sa.select(Task).where(Task.assignee_id.is_not(None)))
    assert post(client, f"/tasks/{other.id}/done").status_code == 404
    response = post(client, f"/tasks/{mine.id}/done")
    assert response.status_code == 302
    db.session.expire_all()
    assert mine.done_at is not None and mine.done_by_id == people["envoy"].id
    assert "Employer interested in" not in client.get("/tasks/").get_data(as_text=True)


def test_coordinator_sees_every_open_task_of_any_kind(client, login_as, subject):
    db.session.add(Task(kind=TaskKind.RETENTION_REVIEW, title="Review the list"))
    db.session.commit()
    login_as("coordinator")
    page = client.get("/tasks/").get_data(as_text=True)
    assert "Review the list" in page and "Employer interested in" in page
    assert "Retention review" in page and "Employer interested" in page


def test_marking_a_request_task_done_completes_the_request(client, login_as, app):
    post(client, FORM, {"kind": "EXPORT", "email": "someone@example.org"})
    login_as("coordinator")
    task = db.session.scalar(sa.select(Task))
    post(client, f"/tasks/{task.id}/done")
    db.session.expire_all()
    assert db.session.scalar(sa.select(DataRequest)).completed_at is not None
