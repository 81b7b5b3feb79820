"""Every creating form may be sent twice: one key, one record, one answer.

The mechanism is envoycrm/idempotency.py; the key is rendered by the
``idempotency_key`` macro in each creating form.
"""

import io
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import event, func, insert, select
from sqlalchemy.orm import Session

from envoycrm.extensions import db
from envoycrm.models import (
    Consent,
    DegreeLevel,
    Employer,
    EmployerInterest,
    Event,
    EventInvitation,
    EventLink,
    EventRegistration,
    FairEmployerRegistration,
    IdempotencyKey,
    ImportJob,
    Intention,
    Interaction,
    JobOpening,
    PersonnelFile,
    Policy,
    PolicyPush,
    PolicyVersion,
    Push,
    Role,
    SavedView,
    Sector,
    Student,
    Task,
    User,
)
from tests.conftest import Factory, post
from tests.events.conftest import event_form_data, hosted_event, walk_in_data
from tests.jobs.test_openings import employer_data, opening_data
from tests.network.conftest import envoy_form_data
from tests.pipeline.test_import import _csv_bytes, _map_and_preview, _rows
from tests.policies.test_pages import policy_form
from tests.students.conftest import quick_log_data

TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
REPEAT_NOTE = "This form was already sent; what it saved is saved once."


def _count(*models) -> int:
    return sum(
        db.session.scalar(select(func.count()).select_from(model)) for model in models
    )


@dataclass
class Ctx:
    client: object
    people: dict
    student: Student
    opening: JobOpening
    candidate: Student


@dataclass
class Creating:
    """A creating form: who sends it, where, what, and the rows it makes."""

    role: str
    url: Callable[[Ctx], str]
    data: Callable[[Ctx], dict]  # called for each send (an upload is read once)
    made: tuple  # the models whose rows it creates
    multipart: bool = False
    prepare: Callable[[Ctx], None] = field(default=lambda ctx: None)


def _upload_data(ctx: Ctx) -> dict:
    return {
        "file": (io.BytesIO(_csv_bytes(_rows())), "students.csv"),
        "owner_id": str(ctx.people["envoy"].id),
        "scope": "EMPLOYERS",
        "method": "FORM",
        "notice_language": "zh_Hans",
        "on_duplicate": "skip",
    }


def _previewed_import(ctx: Ctx) -> None:
    """Upload and map a file, as a coordinator would before confirming."""
    response = post(
        ctx.client,
        "/pipeline/import",
        _upload_data(ctx),
        content_type="multipart/form-data",
    )
    job_id = int(re.search(r"/import/(\d+)/mapping", response.headers["Location"])[1])
    _map_and_preview(ctx.client, job_id)


def _last_import(ctx: Ctx) -> str:
    job_id = db.session.scalar(select(func.max(ImportJob.id)))
    return f"/pipeline/import/{job_id}/confirm"


def _push_of(ctx: Ctx) -> Push:
    """The envoy's push of the test opening (made once)."""
    from envoycrm.jobs.services import push_opening

    push = push_opening(ctx.people["envoy"], ctx.opening)
    db.session.commit()
    return push


def _policy_id(ctx: Ctx) -> int:
    """A published policy in force (made once)."""
    from tests.conftest import Factory

    return Factory().policy_of().id


def _event_of(ctx: Ctx) -> Event:
    return Factory().event_of(ctx.people)


def _pilot_csv() -> bytes:
    return (
        "Name,Email,University,Degree,Step,Date\n"
        "Li Lei,li.lei@example.org,University of Manchester,PhD,Stored,2026-03-02\n"
    ).encode()


def _last_import_of(area: str) -> Callable[[Ctx], str]:
    def url(ctx: Ctx) -> str:
        job_id = db.session.scalar(select(func.max(ImportJob.id)))
        return f"/{area}/import/{job_id}/confirm"

    return url


def _fair_of(ctx: Ctx) -> Event:
    """A published talent fair (made once)."""
    from envoycrm.models import EventKind

    fair = db.session.scalar(
        select(Event).where(Event.kind == EventKind.TALENT_FAIR).limit(1)
    )
    return fair or Factory().event(
        ctx.people["coordinator"], kind=EventKind.TALENT_FAIR
    )


CREATING = {
    "personnel file, new student": Creating(
        "coordinator",
        lambda ctx: "/files/open",
        lambda ctx: {
            "name_latin": "Lin Yu",
            "email": "lin.yu@students.example.org",
            "university_id": str(ctx.student.university_id),
            "field": "MATERIALS",
            "degree": "MASTER",
            "step_on": "2026-11-02",
            "locale": "zh_Hans",
            "required": ["PASSPORT"],
        },
        (PersonnelFile, Student),
    ),
    "personnel files import upload": Creating(
        "coordinator",
        lambda ctx: "/files/import",
        lambda ctx: {"file": (io.BytesIO(_pilot_csv()), "pilot.csv")},
        (ImportJob,),
        multipart=True,
    ),
    "personnel files import confirmation": Creating(
        "coordinator",
        _last_import_of("files"),
        lambda ctx: {},
        (PersonnelFile,),
        prepare=lambda ctx: post(
            ctx.client,
            "/files/import",
            {"file": (io.BytesIO(_pilot_csv()), "pilot.csv")},
            content_type="multipart/form-data",
        ),
    ),
    "personnel file": Creating(
        "coordinator",
        lambda ctx: f"/files/open/{ctx.student.id}",
        lambda ctx: {"step_on": "2026-11-02", "locale": "en"},
        (PersonnelFile,),
    ),
    "event": Creating(
        "envoy", lambda ctx: "/events/new", lambda ctx: event_form_data(), (Event,)
    ),
    "event link": Creating(
        "envoy",
        lambda ctx: f"/events/{_event_of(ctx).id}/link",
        lambda ctx: {},
        (EventLink,),
    ),
    "event invitation": Creating(
        "envoy",
        lambda ctx: f"/events/{_event_of(ctx).id}/invitations",
        lambda ctx: {"student_id": str(ctx.student.id), "note": "On WeChat"},
        (EventInvitation, Interaction),
    ),
    "quick log": Creating(
        "envoy",
        lambda ctx: "/students/quick-log",
        lambda ctx: quick_log_data(
            ctx.client, ctx.people["envoy"].envoy_profile.university_id
        ),
        (Student,),
    ),
    "meeting note": Creating(
        "envoy",
        lambda ctx: f"/students/{ctx.student.id}/interactions",
        lambda ctx: {"kind": "MEETING", "occurred_on": "2026-11-21", "notes": "Tea"},
        (Interaction,),
    ),
    "intention": Creating(
        "envoy",
        lambda ctx: f"/students/{ctx.student.id}/intentions",
        lambda ctx: {"level": "LIKELY", "target_sectors": ["NEW_MATERIALS"]},
        (Intention,),
    ),
    "consent": Creating(
        "envoy",
        lambda ctx: f"/students/{ctx.student.id}/consent",
        lambda ctx: {"scope": "BUREAU", "method": "IN_PERSON", "notice_language": "en"},
        (Consent,),
    ),
    "opening": Creating(
        "coordinator",
        lambda ctx: "/jobs/new",
        lambda ctx: opening_data(employer_id=str(ctx.people["employer"].employer_id)),
        (JobOpening,),
    ),
    "push": Creating(
        "envoy", lambda ctx: f"/jobs/{ctx.opening.id}/push", lambda ctx: {}, (Push,)
    ),
    "push to a student": Creating(
        "envoy",
        lambda ctx: f"/jobs/pushes/{_push_of(ctx).id}/students",
        lambda ctx: {"student_id": str(ctx.student.id), "note": "Sent on WeChat"},
        (Interaction,),
    ),
    "employer interest": Creating(
        "employer",
        lambda ctx: f"/jobs/{ctx.opening.id}/candidates/{ctx.candidate.id}/interest",
        lambda ctx: {},
        (EmployerInterest, Task),
    ),
    "employer organisation": Creating(
        "coordinator",
        lambda ctx: "/jobs/employers/new",
        lambda ctx: employer_data(),
        (Employer,),
    ),
    "envoy": Creating(
        "coordinator",
        lambda ctx: "/network/envoys/new",
        lambda ctx: envoy_form_data(ctx.people["envoy"].envoy_profile.university_id),
        (User,),
    ),
    "employer user": Creating(
        "coordinator",
        lambda ctx: "/network/employer-users/new",
        lambda ctx: {
            "full_name": "Qian Hui",
            "email": "qian.hui@example.org",
            "employer_id": str(ctx.people["employer"].employer_id),
            "locale": "zh_Hans",
            "timezone": "Asia/Shanghai",
        },
        (User,),
    ),
    "saved view": Creating(
        "coordinator",
        lambda ctx: "/pipeline/views",
        lambda ctx: {"name": "Contacted", "filter": "stage=CONTACTED"},
        (SavedView,),
    ),
    "import upload": Creating(
        "coordinator",
        lambda ctx: "/pipeline/import",
        _upload_data,
        (ImportJob,),
        multipart=True,
    ),
    "policy": Creating(
        "coordinator",
        lambda ctx: "/policies/new",
        lambda ctx: policy_form(),
        (Policy, PolicyVersion),
    ),
    "policy push": Creating(
        "envoy",
        lambda ctx: f"/policies/{_policy_id(ctx)}/push",
        lambda ctx: {},
        (PolicyPush,),
    ),
    "fair registration": Creating(
        "employer",
        lambda ctx: f"/events/{_fair_of(ctx).id}/fair/register",
        lambda ctx: {"staff": "Zhang Min", "note": ""},
        (FairEmployerRegistration,),
    ),
    "walk-in at the door": Creating(
        "envoy",
        lambda ctx: f"/events/{hosted_event(ctx.people['envoy']).id}/walk-in",
        lambda ctx: walk_in_data(ctx.people["envoy"].envoy_profile.university_id),
        (EventRegistration, Student),
    ),
    "import confirmation": Creating(
        "coordinator",
        _last_import,
        lambda ctx: {},
        (Student,),
        prepare=_previewed_import,
    ),
}


@pytest.fixture
def ctx(client, people, factory, smtp) -> Ctx:
    """A student, an open opening and a consenting candidate for it."""
    candidate = factory.student(
        people["envoy"], name_latin="Liu Fang", degree=DegreeLevel.PHD
    )
    factory.intention(candidate, target_sectors=[Sector.NEW_MATERIALS.name])
    return Ctx(
        client=client,
        people=people,
        student=factory.student(people["envoy"], name_latin="Wang Wei"),
        opening=factory.opening(people["employer"].employer_id),
        candidate=candidate,
    )


def _send(ctx: Ctx, case: Creating, key: str):
    extra = {"content_type": "multipart/form-data"} if case.multipart else {}
    data = {**case.data(ctx), "idempotency_key": key}
    return post(ctx.client, case.url(ctx), data, **extra)


@pytest.mark.parametrize("name", list(CREATING))
def test_a_creating_form_sent_twice_with_one_key_creates_once_and_answers_alike(
    name, ctx, login_as
):
    case = CREATING[name]
    login_as(case.role)
    case.prepare(ctx)
    key = uuid.uuid4().hex
    before = _count(*case.made)
    first = _send(ctx, case, key)
    assert first.status_code == 302, first.get_data(as_text=True)
    made = _count(*case.made)
    assert made > before
    second = _send(ctx, case, key)
    assert second.status_code == 302
    assert second.headers["Location"] == first.headers["Location"]
    assert _count(*case.made) == made  # nothing more
    page = ctx.client.get(second.headers["Location"], follow_redirects=True)
    assert REPEAT_NOTE in page.get_data(as_text=True)


def test_a_repeat_sent_by_htmx_navigates_where_the_first_answer_led(ctx, login_as):
    login_as("envoy")
    url = f"/students/{ctx.student.id}/interactions"
    data = {
        "kind": "CALL",
        "occurred_on": "2026-11-21",
        "notes": "Call",
        "idempotency_key": "a" * 32,
    }
    first = post(ctx.client, url, data, headers={"HX-Request": "true"})
    assert first.status_code == 200 and 'id="student-activity"' in first.text
    second = post(ctx.client, url, data, headers={"HX-Request": "true"})
    assert second.status_code == 200
    assert second.headers["HX-Redirect"] == f"/students/{ctx.student.id}"
    assert 'id="student-activity"' not in second.text  # no page inside a target
    assert _count(Interaction) == 3  # the two first meetings and this call


def test_a_creating_form_without_a_key_is_refused_with_a_message(ctx, login_as):
    login_as("envoy")
    response = ctx.client.post(
        f"/students/{ctx.student.id}/interactions",
        data={
            "csrf_token": re.search(
                r'name="csrf_token" value="([^"]+)"',
                ctx.client.get(f"/students/{ctx.student.id}").text,
            )[1],
            "kind": "CALL",
            "occurred_on": "2026-11-21",
            "notes": "Call",
        },
    )
    assert response.status_code == 422
    assert "Reload the page and try again." in response.text
    assert _count(Interaction) == 2  # the two students' first meetings only


# --- every creating form in the templates carries the key --------------------------

# Forms that post to the page they are on (no action): the endpoints serving it.
SELF_POSTING = {
    "policies/form.html": {"policies.new", "policies.edit"},
    "files/open.html": {"files.open_new", "files.open_for"},
    "jobs/form.html": {"jobs.new", "jobs.edit"},
    "events/form.html": {"events.new", "events.edit"},
    "jobs/employer_form.html": {"jobs.employer_new", "jobs.employer_edit"},
    "network/envoy_form.html": {"network.envoy_new", "network.envoy_edit"},
    "network/employer_user_form.html": {
        "network.employer_user_new",
        "network.employer_user_edit",
    },
    "admin/user_role.html": {"admin.user_role"},
    "auth/_password_form.html": {"auth.reset_password", "auth.set_password"},
}

# POST routes that create nothing a second send could double, and why.
NOT_CREATING = {
    "auth.login": "signs in",
    "auth.logout": "signs out",
    "auth.forgot_password": "sends a reset link; rate-limited, each link valid",
    "auth.reset_password": "sets a password (the token is used once)",
    "auth.set_password": "sets a password (the token is used once)",
    "main.switch_language": "a preference",
    "main.settings": "a preference",
    "main.sign_out_everywhere": "signs out; a second finds nothing to revoke",
    "admin.user_role": "an edit, with its version",
    "students.duplicates": "a search",
    "students.edit": "an edit, with its version",
    "students.withdraw_consent": "a second finds no consent in force",
    "students.move_stage": "a move to where the student already is",
    "students.add_tag": "tags are a set",
    "students.remove_tag": "tags are a set",
    "students.reassign": "sets the owner",
    "students.merge": "the second finds the other record gone",
    "jobs.edit": "an edit, with its version",
    "jobs.employer_edit": "an edit, with its version",
    "jobs.approve": "a status step, refused out of order",
    "jobs.reject": "a status step, refused out of order",
    "jobs.close": "a status step, refused out of order",
    "jobs.held_reply": "a decision taken once",
    "referral.reply": "public: no account to key a send to; rate-limited",
    "network.envoy_edit": "an edit, with its version",
    "network.employer_user_edit": "an edit, with its version",
    "network.user_activate": "sets a flag",
    "network.user_deactivate": "sets a flag",
    "network.user_invite": "sends the invitation again, on purpose",
    "pipeline.move": "a move to where the card already is",
    "pipeline.bulk": "moves, tags or reassigns: each idempotent",
    "pipeline.delete_view": "the second finds nothing to delete",
    "pipeline.import_mapping": "the mapping and preview of one import",
    "digests.send_now": "the outbox sends each digest once",
    "digests.retry": "the outbox sends each digest once",
    "digests.retry_failed": "re-queues failed rows; the outbox sends each digest once",
    "admin.scheduler_test_mail": "a test mail, sent on purpose each time",
    "unsubscribe.one_click": "sets a flag",
    "privacy.student_erase": "the second finds nothing to erase",
    "privacy.retention_purge": "the second finds nothing to erase",
    "privacy.retention_keep": "clears a flag",
    "data_requests.request_form": "public: no account to key a send to; rate-limited",
    "tasks.done": "sets a flag",
    "policies.edit": "adds a version, with the policy's version",
    "policies.publish": "a status step: a second finds it published",
    "policies.expire": "a status step: a second finds it expired",
    "policy_page.ask": "public: no account to key a send to; rate-limited",
    "files.step": "an edit, with its version; a step taken is refused again",
    "files.details": "an edit, with its version",
    "files.bulk": "moves files to a step; files already there are left alone",
    "file_status.request_link": "public: no account to key a send to; rate-limited",
    "events.edit": "an edit, with its version",
    "events.status": "a status step, refused out of order",
    "events.cancel": "a second finds the event cancelled",
    "events.held": "a decision taken once",
    "events.applications": "moves study-tour applications, each at its version",
    "event_public.register": (
        "public: no account to key a send to; rate-limited, and a second "
        "finds the registration by its email"
    ),
    "event_public.cancel": "public; a second finds the registration cancelled",
    "events.door_check_in": "checks in once; a second tap finds it done",
    "events.fair_decide": "a decision taken once",
    "event_public.wishes": "public; replaces the registrant's set of wishes",
    "events.booth_meet": "one meeting per booth and registrant; a repeat updates it",
    "events.booth_meet_by_code": (
        "one meeting per booth and registrant; a repeat updates it"
    ),
    "events.cancel_registrant": "a second finds the registration cancelled",
}

FORM = re.compile(r"<form\b([^>]*)>(.*?)</form>", re.S)


def _post_forms():
    """(template, the endpoints a POST form sends to, its body) for every one."""
    for path in sorted(TEMPLATES.rglob("*.html")):
        name = path.relative_to(TEMPLATES).as_posix()
        text = path.read_text(encoding="utf-8")
        for attributes, body in FORM.findall(text):
            if not re.search(r'method="post"', attributes, re.I):
                continue
            action = re.search(r"action=\"\{\{ url_for\('([\w.]+)'", attributes)
            if action:
                endpoints = {action[1]}
            elif "url_for(endpoint" in attributes:  # a macro: its calls name them
                endpoints = set(re.findall(r"panel_form\('([\w.]+)'", text))
            else:
                assert name in SELF_POSTING, f"{name}: say where this form posts"
                endpoints = SELF_POSTING[name]
            yield name, endpoints, body


def _idempotent_endpoints(app) -> set[str]:
    return {
        endpoint
        for endpoint, view in app.view_functions.items()
        if getattr(view, "idempotent", False)
    }


def test_every_creating_form_in_the_templates_carries_the_key(app):
    creating = _idempotent_endpoints(app)
    reached = set()
    for name, endpoints, body in _post_forms():
        if endpoints & creating:
            assert "idempotency_key(" in body, f"{name} posts to {endpoints}"
            reached |= endpoints & creating
    assert reached == creating  # every creating view has its form


def test_every_post_route_is_idempotent_or_creates_nothing_twice(app):
    posting = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ())
    }
    creating = _idempotent_endpoints(app)
    assert creating >= {name for name in posting if name not in NOT_CREATING}
    assert not creating & set(NOT_CREATING)
    assert len(CREATING) == len(creating)  # each has its case in the test above


def test_a_key_is_never_the_same_twice_in_one_page(client, login_as, people, factory):
    student = factory.student(people["envoy"])
    login_as("envoy")
    page = client.get(f"/students/{student.id}").text
    keys = re.findall(
        r'name="idempotency_key" type="hidden" value="([0-9a-f]{32})"', page
    )
    assert len(keys) == 3 and len(set(keys)) == 3  # note, intention, consent


def test_a_send_that_loses_the_race_for_its_key_answers_like_a_repeat(ctx, login_as):
    """Two sends of one key at once: the one whose key is stored second is
    rolled back whole and answered like a repeat, so one note is written."""
    envoy = login_as("envoy")
    student_id, key = ctx.student.id, uuid.uuid4().hex
    url = f"/students/{student_id}/interactions"
    raced = []

    def the_other_send_commits_first(state):
        # After this send found the key unused and while it loads the student,
        # the other send commits, on its own connection (its key is all that
        # matters here).
        statement = str(state.statement)
        if raced or "FROM students" not in statement or not state.is_select:
            return
        raced.append(True)
        with db.engine.begin() as other:
            other.execute(
                insert(IdempotencyKey).values(
                    key=key,
                    user_id=envoy.id,
                    record_type="student",
                    record_id=student_id,
                    location=f"/students/{student_id}",
                    created_at=datetime.now(UTC),
                )
            )

    before = _count(Interaction)
    event.listen(Session, "do_orm_execute", the_other_send_commits_first)
    try:
        response = post(
            ctx.client,
            url,
            {
                "kind": "CALL",
                "occurred_on": "2026-11-21",
                "notes": "Call",
                "idempotency_key": key,
            },
        )
    finally:
        event.remove(Session, "do_orm_execute", the_other_send_commits_first)
    assert raced
    assert response.status_code == 302
    assert response.headers["Location"] == f"/students/{student_id}"
    db.session.expire_all()
    assert _count(Interaction) == before  # this send's note was rolled back


def test_an_account_sent_twice_at_once_is_created_and_invited_once(ctx, login_as, smtp):
    """The loser of the race meets the account's unique email when it flushes,
    before any invitation is sent, and answers like a repeat."""
    coordinator = login_as("coordinator")
    key = uuid.uuid4().hex
    data = envoy_form_data(ctx.people["envoy"].envoy_profile.university_id)
    raced = []

    def the_other_send_commits_first(session, flush_context, instances):
        # This send checked the email was free; the other send now commits
        # the same account and its key, on its own connection.
        if raced or not any(isinstance(row, User) for row in session.new):
            return
        raced.append(True)
        with Session(db.engine) as other:
            user = User(
                role=Role.ENVOY,
                email=data["email"],
                full_name=data["full_name"],
                timezone=data["timezone"],
            )
            other.add(user)
            other.flush()
            other.add(
                IdempotencyKey(
                    key=key,
                    user_id=coordinator.id,
                    record_type="user",
                    record_id=user.id,
                    location=f"/network/envoys/{user.id}",
                )
            )
            other.commit()

    users = _count(User)
    event.listen(Session, "before_flush", the_other_send_commits_first)
    try:
        response = post(
            ctx.client, "/network/envoys/new", {**data, "idempotency_key": key}
        )
    finally:
        event.remove(Session, "before_flush", the_other_send_commits_first)
    assert raced
    assert response.status_code == 302
    assert re.fullmatch(r"/network/envoys/\d+", response.headers["Location"])
    assert _count(User) == users + 1  # the other send's account only
    assert smtp.messages == []  # this send invited no one


def test_a_form_sent_again_after_a_merge_leads_to_the_kept_record(
    client, login_as, factory, people
):
    keep = factory.student(people["envoy"], name_latin="Wang Wei")
    other = factory.student(people["envoy"], name_latin="Wang Wei", email=None)
    login_as("envoy")
    note = {"kind": "CALL", "occurred_on": "2026-11-21", "notes": "Call"}
    key = uuid.uuid4().hex
    first = post(
        client, f"/students/{other.id}/interactions", {**note, "idempotency_key": key}
    )
    assert first.headers["Location"] == f"/students/{other.id}"
    post(client, "/auth/logout")
    login_as("coordinator")
    post(client, f"/students/{keep.id}/merge", {"other_id": str(other.id)})
    post(client, "/auth/logout")
    login_as("envoy")
    notes = _count(Interaction)
    again = post(
        client, f"/students/{other.id}/interactions", {**note, "idempotency_key": key}
    )
    assert again.headers["Location"] == f"/students/{keep.id}"
    assert client.get(again.headers["Location"]).status_code == 200
    assert _count(Interaction) == notes
