"""Home pages show the work, each item linked to the view of exactly its rows."""

import html
import re
from datetime import date, timedelta

from sqlalchemy import update

from envoycrm.extensions import db
from envoycrm.main import needs
from envoycrm.models import (
    ConsentScope,
    DataRequestKind,
    DegreeLevel,
    FieldOfStudy,
    Interaction,
    OpeningStatus,
    Role,
    Student,
    Task,
    TaskKind,
    utcnow,
)
from envoycrm.params import enum_list_arg, period_arg
from envoycrm.privacy.requests import create_data_request
from tests.conftest import sign_in


def links(page: str) -> dict[str, str]:
    """Each link's text (tags and spaces squeezed) to its href."""
    found = {}
    for href, text in re.findall(r'<a href="([^"]+)"[^>]*>(.*?)</a>', page, re.S):
        words = " ".join(re.sub(r"<[^>]+>", "", html.unescape(text)).split())
        found[words] = html.unescape(href)
    return found


def rows(page: str) -> str:
    """The body of the page's first list table."""
    return page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]


def day(app, value: date) -> str:
    """A date as the pages write it in English."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        return app.jinja_env.filters["day"](value)


def client_of(app, user):
    client = app.test_client()
    assert sign_in(client, user.email).status_code == 302
    return client


def _task(kind: TaskKind, title: str, **fields) -> Task:
    task = Task(kind=kind, title=title, **fields)
    db.session.add(task)
    db.session.commit()
    return task


def _stuck(student: Student, days: int) -> None:
    db.session.execute(
        update(Student)
        .where(Student.id == student.id)
        .values(stage_changed_at=utcnow() - timedelta(days=days))
        .execution_options(synchronize_session=False)
    )
    db.session.commit()


def _bureau_week(factory, people) -> dict:
    """Something of every kind that needs the coordinators, beside what does not."""
    employer_id = people["employer"].employer_id
    factory.opening(employer_id, title_en="Pending One", status=OpeningStatus.PENDING)
    factory.opening(employer_id, title_en="Pending Two", status=OpeningStatus.PENDING)
    factory.opening(employer_id, title_en="Already Open")
    _task(TaskKind.REFERRAL_REPLY, "Answer the reply of Li")
    _task(TaskKind.EMPLOYER_INTEREST, "Pass on the interest in Zhao")
    _task(TaskKind.REFERRAL_REPLY, "An answered reply", done_at=utcnow())
    _task(TaskKind.OTHER, "Order the fair banners")
    request = create_data_request(
        DataRequestKind.EXPORT, "asker@example.org", "", date.today()
    )
    db.session.commit()
    stuck = factory.student(people["envoy"], name_latin="Long Stuck")
    _stuck(stuck, 100)
    factory.student(people["envoy"], name_latin="Fresh Contact")
    factory.failed_digest(people["admin"], "2026-W48")
    return {"request": request}


def test_coordinator_home_links_each_need_to_exactly_its_rows(app, factory, people):
    week = _bureau_week(factory, people)
    client = client_of(app, people["coordinator"])
    home = client.get("/").get_data(as_text=True)
    found = links(home)

    approval = client.get(found["2 openings await approval"]).get_data(as_text=True)
    assert "Pending One" in approval and "Pending Two" in approval
    assert "Already Open" not in approval

    follow_ups = found["2 replies not followed up"]
    assert follow_ups == "/tasks/?kind=REFERRAL_REPLY,EMPLOYER_INTEREST,POLICY_QUESTION"
    listed = rows(client.get(follow_ups).get_data(as_text=True))
    assert "Answer the reply of Li" in listed and "Pass on the interest" in listed
    assert "An answered reply" not in listed and "banners" not in listed
    assert "Data request" not in listed

    stuck = rows(
        client.get(found["1 student in Contacted for over 60 days"]).get_data(
            as_text=True
        )
    )
    assert "Long Stuck" in stuck and "Fresh Contact" not in stuck

    quiet = client.get(found["1 envoy quiet for 30 days"]).get_data(as_text=True)
    assert people["envoy2"].full_name in rows(quiet)
    assert people["envoy"].full_name not in rows(quiet)

    request = week["request"]
    assert f"due on {day(app, request.due_on)}" in home
    data = rows(client.get(found["1 data request to answer"]).get_data(as_text=True))
    assert f"Data request #{request.id}" in data and "Answer the reply" not in data

    failed = client.get(found["1 digest failed"]).get_data(as_text=True)
    assert people["admin"].email in rows(failed)

    every = rows(client.get(found["4 open tasks"]).get_data(as_text=True))
    assert "banners" in every and "An answered reply" not in every


def test_coordinator_home_says_when_nothing_waits(app, people):
    home = client_of(app, people["coordinator"]).get("/").get_data(as_text=True)
    # envoy and envoy2 have logged nothing: the only thing that waits.
    assert "2 envoys quiet for 30 days" in home
    assert "await approval" not in home and "open task" not in home


def test_an_envoy_who_pushed_an_opening_is_not_quiet(factory, people):
    assert needs.quiet_envoy_ids(utcnow()) == {
        people["envoy"].id,
        people["envoy2"].id,
    }
    factory.push(people)  # the first envoy shares an opening
    assert needs.quiet_envoy_ids(utcnow()) == {people["envoy2"].id}


def test_an_envoy_who_met_someone_in_the_last_30_days_is_not_quiet(
    app, factory, people, student
):
    db.session.execute(
        update(Interaction)
        .where(Interaction.student_id == student.id)
        .values(occurred_on=(utcnow() - timedelta(days=40)).date())
    )
    db.session.execute(
        update(Student)
        .where(Student.id == student.id)
        .values(created_at=utcnow() - timedelta(days=40))
    )
    db.session.commit()
    assert people["envoy"].id in needs.quiet_envoy_ids(utcnow())
    client = client_of(app, people["coordinator"])
    page = client.get("/pipeline/envoys?quiet=1").get_data(as_text=True)
    assert "2 envoys" in page
    db.session.execute(
        update(Interaction)
        .where(Interaction.student_id == student.id)
        .values(occurred_on=(utcnow() - timedelta(days=3)).date())
    )
    db.session.commit()
    page = client.get("/pipeline/envoys?quiet=1").get_data(as_text=True)
    assert "1 envoy" in page and people["envoy"].full_name not in rows(page)
    # Without the filter every envoy is listed.
    assert "2 envoys" in client.get("/pipeline/envoys").get_data(as_text=True)


def test_task_kinds_filter_ignores_unknown_kinds_and_keeps_paging(app, people):
    for n in range(55):
        _task(TaskKind.OTHER, f"Chore {n}")
    _task(TaskKind.REFERRAL_REPLY, "Answer the reply of Li")
    client = client_of(app, people["coordinator"])
    page = client.get("/tasks/?kind=OTHER,NOT_A_KIND").get_data(as_text=True)
    assert "55 tasks" in page and "Answer the reply" not in page
    assert "/tasks/?page=2&amp;kind=OTHER" in page
    assert "56 tasks" in client.get("/tasks/?kind=NOT_A_KIND").get_data(as_text=True)


def test_list_parameters_read_kinds_and_periods_safely(app):
    args = {"kind": "REFERRAL_REPLY,bogus,EMPLOYER_INTEREST,REFERRAL_REPLY"}
    assert enum_list_arg(TaskKind, "kind", args) == (
        TaskKind.EMPLOYER_INTEREST,
        TaskKind.REFERRAL_REPLY,
    )
    assert enum_list_arg(TaskKind, "kind", {"kind": "A\x00"}) == ()
    assert period_arg(args={"period": "2026-W48"}) == "2026-W48"
    for bad in ("2026-48", "2026-W4", "x2026-W48", "2026-W48\n"):
        assert period_arg(args={"period": bad}) is None


def test_the_outbox_lists_the_failed_digests_of_one_week(factory, app, people):
    factory.failed_digest(people["admin"], "2026-W48")
    factory.failed_digest(people["coordinator"], "2026-W47")
    client = client_of(app, people["coordinator"])
    week = rows(
        client.get("/digests/outbox?status=FAILED&period=2026-W48").get_data(
            as_text=True
        )
    )
    assert people["admin"].email in week and people["coordinator"].email not in week
    every = rows(client.get("/digests/outbox?status=FAILED").get_data(as_text=True))
    assert people["admin"].email in every and people["coordinator"].email in every


def test_admin_home_links_pending_invitations_deactivated_accounts_and_scheduler(
    app, factory, people
):
    factory.user(Role.COORDINATOR, "invitee@example.org", password=None)
    factory.user(Role.ENVOY, "gone@example.org", active=False)
    client = client_of(app, people["admin"])
    home = client.get("/").get_data(as_text=True)
    found = links(home)
    assert found["Scheduler health: last runs and this week's digests"] == (
        "/admin/scheduler"
    )
    invited = rows(
        client.get(found["1 invitation not yet taken up"]).get_data(as_text=True)
    )
    assert "invitee@example.org" in invited and "gone@example.org" not in invited
    assert people["coordinator"].email not in invited
    gone = rows(client.get(found["1 deactivated account"]).get_data(as_text=True))
    assert "gone@example.org" in gone and "invitee@example.org" not in gone
    # Administrators hold coordinator rights: what needs the bureau is there too.
    assert "Needs you" in home


def test_coordinator_home_has_no_admin_section(app, people):
    home = client_of(app, people["coordinator"]).get("/").get_data(as_text=True)
    assert "invitation" not in home and "/admin/scheduler" not in home


def test_employer_home_links_candidates_replies_expiring_and_pending_openings(
    app, factory, people
):
    employer = people["employer"]
    soon = factory.opening(
        employer.employer_id,
        title_en="Closing Soon",
        deadline=date.today() + timedelta(days=5),
    )
    factory.opening(employer.employer_id, title_en="Later", status=OpeningStatus.OPEN)
    factory.opening(
        employer.employer_id, title_en="Waiting", status=OpeningStatus.PENDING
    )
    factory.student(people["envoy"], name_latin="New Candidate")
    factory.student(
        people["envoy"],
        name_latin="Bureau Only",
        consent_scope=ConsentScope.BUREAU,
    )
    client = client_of(app, employer)
    home = client.get("/").get_data(as_text=True)
    found = links(home)
    assert found[f"Closing Soon closes on {day(app, soon.deadline)}"] == (
        f"/jobs/{soon.id}"
    )
    pending = client.get(found["1 opening awaits the bureau's approval"])
    assert "Waiting" in rows(pending.get_data(as_text=True))
    assert "Later" not in rows(pending.get_data(as_text=True))
    assert found["0 replies through envoy links"] == "/jobs/candidates"
    page = client.get(found["1 candidate to look at"]).get_data(as_text=True)
    assert "New Candidate" in rows(page) and "Bureau Only" not in page

    other = factory.user(Role.EMPLOYER, "other-hr@example.org")
    theirs = client_of(app, other).get("/jobs/candidates").get_data(as_text=True)
    assert "New Candidate" not in theirs and "0 candidates" in theirs
    assert "0 candidates to look at" in client_of(app, other).get("/").get_data(
        as_text=True
    )


def test_home_pages_run_as_many_statements_whatever_the_rows(
    app, factory, people, max_queries
):
    coordinator = client_of(app, people["coordinator"])
    employer = client_of(app, people["employer"])
    factory.opening(people["employer"].employer_id)
    _bureau_week(factory, people)

    def statements() -> tuple[int, int]:
        with max_queries(40) as staff:
            assert coordinator.get("/").status_code == 200
        with max_queries(40) as own:
            assert employer.get("/").status_code == 200
        return staff.count, own.count

    before = statements()
    factory.failed_digest(people["coordinator"], "2026-W47")
    for n in range(5):
        factory.student(people["envoy2"], name_latin=f"More {n}")
        _task(TaskKind.OTHER, f"Chore {n}")
    # Openings of other fields and degrees: their candidates are read together.
    for field, degree in [
        (FieldOfStudy.BIOLOGY, DegreeLevel.PHD),
        (FieldOfStudy.COMPUTING, DegreeLevel.BACHELOR),
        (FieldOfStudy.MATERIALS, DegreeLevel.PHD),
    ]:
        factory.opening(people["employer"].employer_id, field=field, min_degree=degree)
        factory.student(people["envoy"], field=field, degree=degree)
    assert statements() == before
