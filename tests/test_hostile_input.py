"""Every form, as its role, against generated hostile input (hypothesis).

For each form in ``FORMS`` the test submits at least 200 generated examples:
hostile ones (empty, huge, Unicode edge cases, RTL text, emoji, NUL bytes,
SQL and HTML/htmx markup, wrong types, impossible dates, missing or repeated
fields) and valid ones whose free-text fields are generated. It asserts:

- never a 500 (the test client re-raises server errors, so one fails the run);
- a 4xx answer carries a message at a field (``-error"``) or the form's
  error block (``form-errors``);
- hostile markup is escaped, never echoed raw;
- valid data round-trips: what is stored equals what was typed, after the
  documented normalisation (trimming; emails and tags lower-cased).

Adding a form is one ``FormCase`` entry in ``FORMS``.
"""

import io
import os
import re
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envoycrm.auth import services as auth_services
from envoycrm.digests import outbox, subscriptions
from envoycrm.extensions import db
from envoycrm.jobs import referrals
from envoycrm.jobs.forms import MARKUP as JOBS_MARKUP
from envoycrm.models import (
    DataRequest,
    DigestKind,
    Employer,
    Event,
    EventKind,
    EventRegistration,
    IdempotencyKey,
    Intention,
    Interaction,
    JobOpening,
    OpeningStatus,
    PersonnelFile,
    Policy,
    Student,
    Task,
    TaskKind,
    TourStatus,
    User,
)
from envoycrm.pipeline import imports
from envoycrm.pipeline import services as pipeline_services
from envoycrm.pipeline.filters import PipelineFilter
from envoycrm.policies import public as policy_page
from tests.conftest import Factory, csrf_token, sign_in
from tests.events.conftest import (
    attended_registrant,
    booth_of,
    event_form_data,
    fair_of,
    hosted_event,
    register,
    registrant_of,
    registration_form_data,
    walk_in_data,
    wishes_path,
)
from tests.jobs.conftest import opening_form_data
from tests.policies.test_pages import policy_form

# Enough to find a crash in each of some fifty forms without a long run; set
# HOSTILE_EXAMPLES higher to search harder.
EXAMPLES = int(os.environ.get("HOSTILE_EXAMPLES", "25"))
TRIED: dict[str, int] = {}

# --- values ------------------------------------------------------------------

MARKUP = [
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    '<div hx-get="/admin/users" hx-trigger="load" hx-target="body">x</div>',
    "{{ 7*7 }}{% raw %}",
]
SQL = ["'; DROP TABLE students; --", "' OR '1'='1", "1; SELECT pg_sleep(5)", '"\\']
UNICODE = [
    "\u202eevil\u202c",
    "مرحبا بالعالم",
    "שלום",
    "👩‍🔬🇨🇳🏳️‍🌈",
    "\ufeff",
    "\u200b\u200d",
    "e\u0301",
    "İstanbul ﬁ ß",
    "\U0010fffd",
    "王伟\u3000",
    "Ω" * 300,
]
CONTROL = ["\x00", "a\x00b", "\x1b[31m", "line\x0bfeed", "\x7f"]
WRONG_TYPES = ["abc", "-1", "0", "1e309", "NaN", "99999999999999999999", "0x10", "[]"]
BAD_DATES = [
    "2026-02-30",
    "0000-00-00",
    "9999-12-31",
    "2026-13",
    "1899-01-01",
    "31/12/2026",
    "2026-1-1",
]
HUGE = ["x" * 5000, "长" * 3000, "a " * 20000]

hostile_value = st.one_of(
    st.sampled_from(
        ["", " ", *MARKUP, *SQL, *UNICODE, *CONTROL, *WRONG_TYPES, *BAD_DATES, *HUGE]
    ),
    st.text(
        alphabet=st.characters(blacklist_categories=("Cs",)), min_size=0, max_size=60
    ),
)
# A field may also be left out, or sent twice with different values.
hostile_field = st.one_of(
    hostile_value,
    st.just(None),
    st.lists(hostile_value, min_size=2, max_size=3),
)

# Text a person may really type: letters of any script, digits, spaces,
# punctuation and emoji; no control characters.
human_text = st.text(
    alphabet=st.characters(
        whitelist_categories=("L", "M", "N", "Zs", "P", "So", "Sm", "Sc"),
        blacklist_characters="\x85",
    ),
    min_size=1,
    max_size=80,
).filter(lambda s: s.strip())
# The jobs area refuses anything that looks like a tag ("<b", "</", "<!"):
# its forms get human text without that.
plain_text = human_text.filter(lambda s: not JOBS_MARKUP.search(s))


def _counter() -> Callable[[], int]:
    state = {"n": 0}

    def next_n() -> int:
        state["n"] += 1
        return state["n"]

    return next_n


NEXT = _counter()

# --- the registry ---------------------------------------------------------------


@dataclass
class Ctx:
    """What the forms of one test need: people, a student, the client."""

    people: dict
    student: Student
    client: object
    data: dict = field(default_factory=dict)


@dataclass
class FormCase:
    """One form: who submits it, where, its valid baseline and its round trip.

    ``valid`` returns a complete, valid submission; ``typed`` names the free-text
    fields that are replaced by generated human text in valid examples, with
    their maximum length; ``stored`` reads back what was saved so the round
    trip can compare (None when the form stores nothing comparable).
    """

    name: str
    role: str | None
    url: Callable[[Ctx], str]
    valid: Callable[[Ctx], dict]
    typed: dict[str, int] = field(default_factory=dict)
    stored: Callable[[Ctx, dict], dict] | None = None
    normalise: Callable[[str, str], str] = lambda name, value: value.strip()
    success: tuple[int, ...] = (302,)
    text: st.SearchStrategy = field(default_factory=lambda: human_text)


def _student_fields(ctx: Ctx) -> dict:
    return {
        "name_latin": "Chen Jing",
        "name_hanzi": "陈静",
        "university_id": str(ctx.student.university_id),
        "programme": "MSc Marine Engineering",
        "field": "MARINE",
        "degree": "MASTER",
        "expected_graduation": "2027-06",
        "email": f"chen{NEXT()}@example.org",
        "wechat_id": f"chen_{NEXT()}",
        "phone": "+44 7700 900123",
        "how_met": "Welcome evening",
    }


def _stored_quick_log(ctx: Ctx, sent: dict) -> dict:
    key = db.session.get(IdempotencyKey, sent["idempotency_key"])
    student = db.session.get(Student, key.record_id)
    notes = db.session.scalar(
        sa.select(Interaction.notes).where(Interaction.student_id == student.id)
    )
    return {
        "name_latin": student.name_latin,
        "programme": student.programme,
        "how_met": student.how_met,
        "notes": notes,
    }


def _latest(model, *columns):
    def read(ctx: Ctx, sent: dict) -> dict:
        row = db.session.scalar(sa.select(model).order_by(model.id.desc()).limit(1))
        return {c: getattr(row, c) for c in columns}

    return read


def _student_now(*columns):
    def read(ctx: Ctx, sent: dict) -> dict:
        student = db.session.get(Student, ctx.student.id)
        return {c: getattr(student, c) for c in columns}

    return read


def _user_by_email(*columns):
    def read(ctx: Ctx, sent: dict) -> dict:
        user = db.session.scalar(sa.select(User).where(User.email == sent["email"]))
        values = {c: getattr(user, c) for c in columns if hasattr(user, c)}
        if "programme" in columns:
            values["programme"] = user.envoy_profile.programme
        return values

    return read


def _tags(ctx: Ctx, sent: dict) -> dict:
    student = db.session.get(Student, ctx.student.id)
    wanted = sent["tag"].strip().lower()
    return {"tag": wanted if wanted in {t.tag for t in student.tags} else None}


def _envoy_fields(ctx: Ctx) -> dict:
    return {
        "full_name": "Sun Li",
        "email": f"envoy-{uuid.uuid4().hex[:12]}@example.org",
        "locale": "en",
        "timezone": "Europe/London",
        "university_id": str(ctx.student.university_id),
        "programme": "PhD Chemistry",
        "degree": "PHD",
        "expected_graduation": "2028-06-30",
        "recruited_on": "2025-09-01",
        "status": "ACTIVE",
    }


def _envoy_edit_fields(ctx: Ctx) -> dict:
    envoy = db.session.get(User, ctx.people["envoy2"].id)
    return {
        **_envoy_fields(ctx),
        "email": envoy.email,
        "version": str(envoy.version),
    }


def _employer_user_fields(ctx: Ctx) -> dict:
    return {
        "full_name": "Zhao Min",
        "email": f"hr-{uuid.uuid4().hex[:12]}@example.org",
        "locale": "zh_Hans",
        "timezone": "Asia/Shanghai",
        "employer_id": str(ctx.people["employer"].employer_id),
    }


def _stored_walk_in(ctx: Ctx, sent: dict) -> dict:
    key = db.session.get(IdempotencyKey, sent["idempotency_key"])
    registration = db.session.get(EventRegistration, key.record_id)
    student = db.session.get(Student, registration.student_id)
    return {
        "name_latin": registration.name_latin,
        "programme": student.programme,
        "how_met": student.how_met,
    }


def _student_url(suffix: str) -> Callable[[Ctx], str]:
    return lambda ctx: f"/students/{ctx.student.id}{suffix}"


def _privacy_url(suffix: str) -> Callable[[Ctx], str]:
    return lambda ctx: f"/privacy-admin/students/{ctx.student.id}{suffix}"


FORMS = [
    FormCase(
        "sign-in",
        None,
        lambda ctx: "/auth/login",
        lambda ctx: {"email": "nobody@example.org", "password": "wrong", "next": "/"},
        success=(422, 429),
    ),
    FormCase(
        "forgot password",
        None,
        lambda ctx: "/auth/forgot",
        lambda ctx: {"email": "nobody@example.org"},
    ),
    FormCase(
        "settings",
        "envoy",
        lambda ctx: "/settings",
        lambda ctx: {"locale": "en", "timezone": "Pacific/Auckland"},
        stored=lambda ctx, sent: {
            "timezone": db.session.get(User, ctx.people["envoy"].id).timezone
        },
    ),
    FormCase(
        "envoy create",
        "coordinator",
        lambda ctx: "/network/envoys/new",
        _envoy_fields,
        typed={"full_name": 120, "programme": 200},
        stored=_user_by_email("full_name", "programme"),
    ),
    FormCase(
        "envoy edit",
        "coordinator",
        lambda ctx: f"/network/envoys/{ctx.people['envoy2'].id}",
        _envoy_edit_fields,
        typed={"full_name": 120, "programme": 200},
        stored=_user_by_email("full_name", "programme"),
    ),
    FormCase(
        "employer user create",
        "coordinator",
        lambda ctx: "/network/employer-users/new",
        _employer_user_fields,
        typed={"full_name": 120},
        stored=_user_by_email("full_name"),
    ),
    FormCase(
        "quick log",
        "envoy",
        lambda ctx: "/students/quick-log",
        lambda ctx: {
            **_student_fields(ctx),
            "met_kind": "MEETING",
            "met_on": "2026-11-20",
            "notes": "Talked about the fair",
            "consent_scope": "BUREAU",
            "consent_method": "IN_PERSON",
            "notice_language": "en",
            "idempotency_key": uuid.uuid4().hex,
        },
        typed={"name_latin": 120, "programme": 200, "how_met": 500, "notes": 4000},
        stored=_stored_quick_log,
    ),
    FormCase(
        "student edit",
        "envoy",
        _student_url("/edit"),
        lambda ctx: {
            **_student_fields(ctx),
            "follow_up_on": "2026-12-01",
            "version": str(db.session.get(Student, ctx.student.id).version),
        },
        typed={"name_latin": 120, "programme": 200, "how_met": 500},
        stored=_student_now("name_latin", "programme", "how_met"),
    ),
    FormCase(
        "interaction",
        "envoy",
        _student_url("/interactions"),
        lambda ctx: {"kind": "CALL", "occurred_on": "2026-11-21", "notes": "Call"},
        typed={"notes": 4000},
        stored=_latest(Interaction, "notes"),
    ),
    FormCase(
        "intention",
        "envoy",
        _student_url("/intentions"),
        lambda ctx: {
            "level": "LIKELY",
            "target_sectors": ["NEW_MATERIALS", "MARINE_ECONOMY"],
            "preferred_roles": "Engineer",
            "earliest_start": "2027-09",
            "salary_expectation": "200000",
            "startup_interest": "y",
            "notes": "Near the sea",
        },
        typed={"preferred_roles": 300, "notes": 4000},
        stored=_latest(Intention, "preferred_roles", "notes"),
    ),
    FormCase(
        "consent",
        "envoy",
        _student_url("/consent"),
        lambda ctx: {"scope": "EMPLOYERS", "method": "FORM", "notice_language": "en"},
    ),
    FormCase(
        "stage",
        "coordinator",
        _student_url("/stage"),
        lambda ctx: {"stage": "MATCHED", "reason": ""},
    ),
    FormCase(
        "tag",
        "envoy",
        _student_url("/tags"),
        lambda ctx: {"tag": f"fair-{NEXT()}"},
        stored=_tags,
        normalise=lambda name, value: value.strip().lower(),
    ),
    FormCase(
        "merge",
        "coordinator",
        _student_url("/merge"),
        lambda ctx: {"other_id": "999999"},
        success=(422,),  # no such student: refused at the field
    ),
    FormCase(
        "reassign",
        "coordinator",
        _student_url("/owner"),
        lambda ctx: {"owner_id": str(ctx.people["envoy2"].id)},
        stored=lambda ctx, sent: {
            "owner_id": str(db.session.get(Student, ctx.student.id).owner_id)
        },
    ),
    FormCase(
        "held referral reply",
        "envoy",
        lambda ctx: f"/jobs/replies/{Factory().held_reply(ctx.people, ctx.student).id}",
        lambda ctx: {"decision": "confirm"},
    ),
    FormCase(
        "data request",
        None,
        lambda ctx: "/my-data/",
        lambda ctx: {
            "kind": "EXPORT",
            "email": f"Student{NEXT()}@Example.org",
            "message": "Please send my data",
        },
        typed={"message": 2000},
        stored=lambda ctx, sent: {
            "message": db.session.scalar(
                sa.select(DataRequest.message).order_by(DataRequest.id.desc()).limit(1)
            )
        },
    ),
]


# --- rows the other forms act on (each made once per test) ----------------------


def _once(ctx: Ctx, key: str, make: Callable[[], object]) -> object:
    if key not in ctx.data:
        ctx.data[key] = make()
    return ctx.data[key]


def _opening_id(ctx: Ctx) -> int:
    return _once(ctx, "opening", lambda: Factory().opening_of(ctx.people).id)


def _pending_opening_id(ctx: Ctx) -> int:
    def make() -> int:
        employer_id = ctx.people["employer"].employer_id
        return Factory().opening(employer_id, status=OpeningStatus.PENDING).id

    return _once(ctx, "pending", make)


def _referral_url(ctx: Ctx) -> str:
    def make() -> str:
        return "/r/" + referrals.sign(Factory().push(ctx.people))

    return _once(ctx, "referral", make)


def _policy_id(ctx: Ctx) -> int:
    return _once(ctx, "policy", lambda: Factory().policy_of().id)


def _policy_url(ctx: Ctx) -> str:
    def make() -> str:
        return "/p/" + policy_page.sign(Factory().policy_push(ctx.people))

    return _once(ctx, "policy link", make)


def _latest_policy_version(ctx: Ctx, sent: dict) -> dict:
    policy = db.session.scalar(sa.select(Policy).order_by(Policy.id.desc()).limit(1))
    latest = policy.latest
    return {"title_en": latest.title_en, "summary_en": latest.summary_en}


def _token_url(prefix: str, purpose: str) -> Callable[[Ctx], str]:
    """A fresh link each time: choosing a password uses the previous one up."""

    def url(ctx: Ctx) -> str:
        user = db.session.get(User, ctx.people["envoy2"].id)
        return prefix + auth_services.make_token(user, purpose)

    return url


def _saved_view_id(ctx: Ctx) -> int:
    def make() -> int:
        owner = db.session.get(User, ctx.people["coordinator"].id)
        view = pipeline_services.save_view(owner, "Mine", PipelineFilter())
        db.session.commit()
        return view.id

    return _once(ctx, "view", make)


IMPORT_CSV = "Name,University,Degree\nLi Lei,University of Manchester,PhD\n".encode()


def _import_id(ctx: Ctx) -> int:
    def make() -> int:
        owner = db.session.get(User, ctx.people["coordinator"].id)
        options = {
            "owner_id": ctx.people["envoy"].id,
            "scope": "EMPLOYERS",
            "method": "FORM",
            "notice_language": "en",
            "on_duplicate": "skip",
        }
        job = imports.start_import(owner, "students.csv", IMPORT_CSV, options)
        db.session.commit()
        return job.id

    return _once(ctx, "import", make)


def _outbox_id(ctx: Ctx) -> int:
    def make() -> int:
        user = db.session.get(User, ctx.people["envoy"].id)
        row = outbox.ensure_row(DigestKind.ENVOY, user, "2026-W48")
        db.session.commit()
        return row.id

    return _once(ctx, "outbox", make)


def _task_id(ctx: Ctx) -> int:
    def make() -> int:
        task = Task(
            kind=TaskKind.OTHER,
            title="Call back",
            student_id=ctx.student.id,
            assignee_id=ctx.people["envoy"].id,
        )
        db.session.add(task)
        db.session.commit()
        return task.id

    return _once(ctx, "task", make)


def _opening_fields(ctx: Ctx) -> dict:
    return opening_form_data(ctx.people)


def _employer_fields(ctx: Ctx) -> dict:
    return {
        "name_en": f"Qingdao Marine {NEXT()}",
        "name_zh": f"青岛海洋{NEXT()}",
        "kind": "PRIVATE",
        "industry": "marine_materials",
        "contact_name": "Zhao Min",
        "contact_email": "hr@example.org",
        "contact_phone": "+86 532 8000 1000",
        "digest_subscribed": "y",
        "locale": "zh_Hans",
    }


def _upload_fields(ctx: Ctx) -> dict:
    return {
        "file": (io.BytesIO(IMPORT_CSV), "students.csv"),
        "owner_id": str(ctx.people["envoy"].id),
        "scope": "EMPLOYERS",
        "method": "FORM",
        "notice_language": "en",
        "on_duplicate": "skip",
    }


def _password_fields(ctx: Ctx) -> dict:
    return {"password": "a long new password", "confirm": "a long new password"}


ANY_ANSWER = (200, 302, 400, 404, 409, 413, 422, 429)

FORMS += [
    FormCase(
        "role change",
        "admin",
        lambda ctx: f"/admin/users/{ctx.people['envoy2'].id}/role",
        lambda ctx: {
            "role": "ENVOY",
            "version": str(db.session.get(User, ctx.people["envoy2"].id).version),
        },
    ),
    FormCase(
        "set password",
        None,
        _token_url("/auth/invitation/", auth_services.INVITE),
        _password_fields,
    ),
    FormCase(
        "reset password",
        None,
        _token_url("/auth/reset/", auth_services.RESET),
        _password_fields,
    ),
    FormCase(
        "language switch",
        None,
        lambda ctx: "/language",
        lambda ctx: {"language": "zh_Hans", "next": "/settings"},
    ),
    FormCase(
        "opening create",
        "coordinator",
        lambda ctx: "/jobs/new",
        _opening_fields,
        typed={"title_en": 200, "location": 120, "description_en": 5000},
        stored=_latest(JobOpening, "title_en", "location", "description_en"),
        text=plain_text,
    ),
    FormCase(
        "opening edit",
        "coordinator",
        lambda ctx: f"/jobs/{_opening_id(ctx)}/edit",
        lambda ctx: {
            **_opening_fields(ctx),
            "version": str(db.session.get(JobOpening, _opening_id(ctx)).version),
        },
        typed={"title_zh": 200},
        text=plain_text,
    ),
    FormCase(
        "opening approve",
        "coordinator",
        lambda ctx: f"/jobs/{_pending_opening_id(ctx)}/approve",
        lambda ctx: {},
    ),
    FormCase(
        "opening reject",
        "coordinator",
        lambda ctx: f"/jobs/{_pending_opening_id(ctx)}/reject",
        lambda ctx: {"reason": "Add the salary range"},
        text=plain_text,
    ),
    FormCase(
        "opening close",
        "coordinator",
        lambda ctx: f"/jobs/{_opening_id(ctx)}/close",
        lambda ctx: {},
    ),
    FormCase(
        "push",
        "envoy",
        lambda ctx: f"/jobs/{_opening_id(ctx)}/push",
        lambda ctx: {},
    ),
    FormCase(
        "candidate interest",
        "employer",
        lambda ctx: f"/jobs/{_opening_id(ctx)}/candidates/{ctx.student.id}/interest",
        lambda ctx: {},
        success=ANY_ANSWER,  # whether the student is a candidate is not the point
    ),
    FormCase(
        "employer organisation create",
        "coordinator",
        lambda ctx: "/jobs/employers/new",
        _employer_fields,
        # Names must be unique, so only the contact person is generated.
        typed={"contact_name": 120},
        stored=_latest(Employer, "contact_name"),
        text=plain_text,
    ),
    FormCase(
        "employer organisation edit",
        "coordinator",
        lambda ctx: f"/jobs/employers/{ctx.people['employer'].employer_id}",
        lambda ctx: {
            **_employer_fields(ctx),
            "version": str(
                db.session.get(Employer, ctx.people["employer"].employer_id).version
            ),
        },
        typed={"name_zh": 200},
        text=plain_text,
    ),
    FormCase(
        "public reply",
        None,
        _referral_url,
        lambda ctx: {
            "name": "Li Lei",
            "email": f"li{NEXT()}@example.org",
            "wechat_id": f"lilei_{NEXT()}",
            "university_id": str(ctx.student.university_id),
            "programme": "MSc Marine Engineering",
            "field": "MARINE",
            "degree": "MASTER",
            "expected_graduation": "2027-06",
            "consent": "y",
        },
        typed={"name": 120, "programme": 200},
        text=plain_text,
    ),
    FormCase(
        "user deactivate",
        "coordinator",
        lambda ctx: f"/network/users/{ctx.people['envoy2'].id}/deactivate",
        lambda ctx: {},
    ),
    FormCase(
        "user activate",
        "coordinator",
        lambda ctx: f"/network/users/{ctx.people['envoy2'].id}/activate",
        lambda ctx: {},
    ),
    FormCase(
        "user invite",
        "coordinator",
        lambda ctx: f"/network/users/{ctx.people['envoy2'].id}/invite",
        lambda ctx: {},
    ),
    FormCase(
        "employer user edit",
        "coordinator",
        lambda ctx: f"/network/employer-users/{ctx.people['employer'].id}",
        lambda ctx: {
            **_employer_user_fields(ctx),
            "email": ctx.people["employer"].email,
            "version": str(db.session.get(User, ctx.people["employer"].id).version),
        },
        typed={"full_name": 120},
    ),
    FormCase(
        "pipeline move",
        "coordinator",
        lambda ctx: f"/pipeline/students/{ctx.student.id}/move",
        lambda ctx: {"stage": "CONTACTED", "reason": "", "filter": "degree=MASTER"},
    ),
    FormCase(
        "pipeline bulk",
        "coordinator",
        lambda ctx: "/pipeline/bulk",
        lambda ctx: {
            "target": "selected",
            "action": "add_tag",
            "tag": f"fair-{NEXT()}",
            "ids": [str(ctx.student.id)],
            "filter": "",
            "expected": "1",
        },
    ),
    FormCase(
        "saved view create",
        "coordinator",
        lambda ctx: "/pipeline/views",
        lambda ctx: {"name": f"PhDs {NEXT()}", "filter": "degree=PHD"},
        typed={"name": 100},
    ),
    FormCase(
        "saved view delete",
        "coordinator",
        lambda ctx: f"/pipeline/views/{_saved_view_id(ctx)}/delete",
        lambda ctx: {},
        success=(302, 404),  # deleted by the first valid example
    ),
    FormCase(
        "import upload",
        "coordinator",
        lambda ctx: "/pipeline/import",
        _upload_fields,
    ),
    FormCase(
        "import mapping",
        "coordinator",
        lambda ctx: f"/pipeline/import/{_import_id(ctx)}/mapping",
        lambda ctx: {"map_name_latin": "0", "map_university": "1", "map_degree": "2"},
    ),
    FormCase(
        "import confirm",
        "coordinator",
        lambda ctx: f"/pipeline/import/{_import_id(ctx)}/confirm",
        lambda ctx: {},
        success=(302, 409, 422),  # not previewed yet, or already confirmed
    ),
    FormCase(
        "digest send",
        "coordinator",
        lambda ctx: "/digests/send",
        lambda ctx: {"recipient": str(ctx.people["envoy"].id), "week": "2026-W48"},
    ),
    FormCase(
        "digest retry",
        "coordinator",
        lambda ctx: f"/digests/outbox/{_outbox_id(ctx)}/retry",
        lambda ctx: {},
    ),
    FormCase(
        "push to a student",
        "envoy",
        lambda ctx: f"/jobs/pushes/{Factory().push(ctx.people).id}/students",
        lambda ctx: {"student_id": str(ctx.student.id), "note": "Sent at the fair"},
        typed={"note": 500},
        text=plain_text,
    ),
    FormCase(
        "digest retry failed",
        "coordinator",
        lambda ctx: "/digests/outbox/retry-failed",
        lambda ctx: {"week": "2026-W48"},
    ),
    FormCase(
        "scheduler test mail",
        "admin",
        lambda ctx: "/admin/scheduler/test-mail",
        lambda ctx: {},
    ),
    FormCase(
        "unsubscribe",
        None,
        lambda ctx: (
            "/unsubscribe/" + subscriptions.unsubscribe_token(ctx.people["envoy2"])
        ),
        lambda ctx: {},
    ),
    FormCase(
        "erasure",
        "coordinator",
        _privacy_url("/erase"),
        lambda ctx: {"confirm": "y"},
        success=(302, 404),  # erased by the first valid example
    ),
    FormCase(
        "retention keep",
        "coordinator",
        lambda ctx: f"/privacy-admin/retention/{ctx.student.id}/keep",
        lambda ctx: {},
    ),
    FormCase(
        "retention purge",
        "coordinator",
        lambda ctx: "/privacy-admin/retention/purge",
        lambda ctx: {"student_id": [str(ctx.student.id)], "confirm": "y"},
        success=(302, 422),  # purges only students flagged for retention
    ),
    FormCase(
        "task done",
        "envoy",
        lambda ctx: f"/tasks/{_task_id(ctx)}/done",
        lambda ctx: {},
    ),
    FormCase(
        "duplicate check",
        "envoy",
        lambda ctx: "/students/duplicates",
        lambda ctx: _student_fields(ctx),
        success=(200,),
    ),
    FormCase(
        "walk-in at the door",
        "envoy",
        lambda ctx: f"/events/{hosted_event(ctx.people['envoy']).id}/walk-in",
        lambda ctx: {
            **_student_fields(ctx),
            **walk_in_data(ctx.student.university_id),
            "email": f"walk{NEXT()}@example.org",
            "how_met": "At the door",
        },
        typed={"name_latin": 120, "programme": 200, "how_met": 500},
        stored=_stored_walk_in,
    ),
    FormCase(
        "check-in tap",
        "envoy",
        lambda ctx: (
            f"/events/{hosted_event(ctx.people['envoy']).id}/door/"
            f"{registrant_of(hosted_event(ctx.people['envoy'])).id}"
        ),
        lambda ctx: {},
    ),
    FormCase(
        "fair registration",
        "employer",
        lambda ctx: f"/events/{fair_of(ctx.people['coordinator']).id}/fair/register",
        lambda ctx: {
            "staff": "Zhang Min",
            "note": "Two tables, please",
            "idempotency_key": uuid.uuid4().hex,
        },
        typed={"note": 2000},
        success=(302, 200),  # the first valid example registers; then it is shown
    ),
    FormCase(
        "fair decision",
        "coordinator",
        lambda ctx: (
            f"/events/fair-registrations/{booth_of(ctx.people, approved=False).id}"
            "/decide"
        ),
        lambda ctx: {"decision": "approve"},
    ),
    FormCase(
        "booth meeting",
        "employer",
        lambda ctx: (
            f"/events/fair-registrations/{booth_of(ctx.people).id}/booth/"
            + str(
                attended_registrant(
                    fair_of(ctx.people["coordinator"]), ctx.people["coordinator"]
                ).id
            )
        ),
        lambda ctx: {"interest": "HIGH", "opening_id": ""},
    ),
    FormCase(
        "booth meeting by code",
        "employer",
        lambda ctx: f"/events/fair-registrations/{booth_of(ctx.people).id}/booth/code",
        lambda ctx: {
            "code": _booth_code(ctx),
            "interest": "MEDIUM",
            "opening_id": "",
        },
    ),
    FormCase(
        "host cancels a registrant",
        "envoy",
        lambda ctx: (
            f"/events/{hosted_event(ctx.people['envoy']).id}/registrants/cancel"
        ),
        lambda ctx: {
            "registration_id": str(registrant_of(hosted_event(ctx.people["envoy"])).id)
        },
    ),
    FormCase(
        "fair wishes",
        None,
        lambda ctx: wishes_path(ctx.people),
        lambda ctx: {"employers": [str(booth_of(ctx.people).id)]},
    ),
    FormCase(
        "tag remove",
        "envoy",
        _student_url("/tags/fair-2026/remove"),
        lambda ctx: {},
    ),
    FormCase(
        "consent withdraw",
        "envoy",
        _student_url("/consent/withdraw"),
        lambda ctx: {},
    ),
]

FORMS += [
    FormCase(
        "policy create",
        "coordinator",
        lambda ctx: "/policies/new",
        lambda ctx: policy_form(),
        typed={"title_en": 200, "summary_en": 500},
        stored=_latest_policy_version,
        text=plain_text,
    ),
    FormCase(
        "policy edit",
        "coordinator",
        lambda ctx: f"/policies/{_policy_id(ctx)}/edit",
        lambda ctx: policy_form(
            version=str(db.session.get(Policy, _policy_id(ctx)).version)
        ),
        typed={"title_zh": 200, "body_en": 2000},
        text=plain_text,
        success=(302, 409),
    ),
    FormCase(
        "policy publish",
        "coordinator",
        lambda ctx: f"/policies/{_policy_id(ctx)}/publish",
        lambda ctx: {},
    ),
    FormCase(
        "policy expire",
        "coordinator",
        lambda ctx: f"/policies/{_policy_id(ctx)}/expire",
        lambda ctx: {},
    ),
    FormCase(
        "policy push",
        "envoy",
        lambda ctx: f"/policies/{_policy_id(ctx)}/push",
        lambda ctx: {},
    ),
    FormCase(
        "policy question",
        None,
        _policy_url,
        lambda ctx: {
            "name": "Han Mei",
            "email": f"han{NEXT()}@example.org",
            "degree": "PHD",
            "field": "MATERIALS",
            "expected_graduation": "2027-06",
            "question": "Is the subsidy paid monthly?",
            "consent": "y",
        },
        typed={"name": 120, "question": 2000},
        text=plain_text,
        success=(302, 410),
    ),
]


FILES_CSV = (
    "Name,Email,University,Degree,Step,Date\n"
    "Li Lei,li.lei@example.org,University of Manchester,PhD,Stored,2026-03-02\n"
).encode()


def _file_import_id(ctx: Ctx) -> int:
    def make() -> int:
        from flask import current_app

        from envoycrm.personnel_files import imports as file_imports

        owner = db.session.get(User, ctx.people["coordinator"].id)
        # Column names are matched in the reader's language: a request's.
        with current_app.test_request_context():
            job = file_imports.start(owner, "pilot.csv", FILES_CSV)
        db.session.commit()
        return job.id

    return _once(ctx, "file import", make)


def _file_id(ctx: Ctx) -> int:
    """The test student's personnel file (opened once)."""
    return Factory().personnel_file(ctx.student, ctx.people["coordinator"]).id


def _file_version(ctx: Ctx) -> str:
    return str(db.session.get(PersonnelFile, _file_id(ctx)).version)


FORMS += [
    FormCase(
        "personnel file, new student",
        "coordinator",
        lambda ctx: "/files/open",
        lambda ctx: {
            **_student_fields(ctx),
            "step_on": "2026-11-02",
            "locale": "zh_Hans",
            "storage_ref": "B-02-07",
            "required": ["PASSPORT", "TRANSCRIPTS"],
            "received": ["PASSPORT"],
            "notes": "Brought by her father.",
        },
        typed={"storage_ref": 60, "notes": 2000},
    ),
    FormCase(
        "personnel file, known student",
        "coordinator",
        lambda ctx: f"/files/open/{ctx.student.id}",
        lambda ctx: {"step_on": "2026-11-02", "locale": "en", "storage_ref": "C-1"},
        typed={"storage_ref": 60},
    ),
    FormCase(
        "personnel file step",
        "coordinator",
        lambda ctx: f"/files/{_file_id(ctx)}/step",
        lambda ctx: {
            "step": "RETURNED",
            "step_on": "2026-11-20",
            "notes": "Collected in person.",
            "version": _file_version(ctx),
        },
        typed={"notes": 2000},
        success=(302, 422),  # a file returned once takes no further step
    ),
    FormCase(
        "personnel file details",
        "coordinator",
        lambda ctx: f"/files/{_file_id(ctx)}/details",
        lambda ctx: {
            "storage_ref": "A-03-12",
            "locale": "en",
            "required": ["PASSPORT"],
            "received": [],
            "version": _file_version(ctx),
        },
        typed={"storage_ref": 60},
        stored=lambda ctx, sent: {
            "storage_ref": db.session.get(PersonnelFile, _file_id(ctx)).storage_ref
            or ""
        },
    ),
    FormCase(
        "personnel file bulk step",
        "coordinator",
        lambda ctx: "/files/bulk",
        lambda ctx: {
            "target": "selected",
            "ids": [str(_file_id(ctx))],
            "step": "FILE_RECEIVED",
            "step_on": "2026-11-20",
            "notes": "Arrived by post.",
        },
        typed={"notes": 2000},
    ),
    FormCase(
        "personnel files import upload",
        "coordinator",
        lambda ctx: "/files/import",
        lambda ctx: {"file": (io.BytesIO(FILES_CSV), "pilot.csv")},
    ),
    FormCase(
        "personnel files import confirm",
        "coordinator",
        lambda ctx: f"/files/import/{_file_import_id(ctx)}/confirm",
        lambda ctx: {},
    ),
    FormCase(
        "personnel file new link",
        None,
        lambda ctx: "/file-status/",
        lambda ctx: {"email": "nobody@example.org"},
        success=(302, 429),
    ),
]


def _event_id(ctx: Ctx) -> int:
    return _once(ctx, "event", lambda: Factory().event_of(ctx.people).id)


def _event_edit_fields(ctx: Ctx) -> dict:
    event = db.session.get(Event, _event_id(ctx))
    return {**event_form_data(), "version": str(event.version)}


def _held_registration_id(ctx: Ctx) -> int:
    return _once(
        ctx,
        "held-registration",
        lambda: Factory().held_registration(ctx.people, ctx.student).id,
    )


def _registration_url(ctx: Ctx) -> str:
    def make() -> str:
        from envoycrm.events import tokens

        return "/e/" + tokens.public_token_of_link(Factory().event_link(ctx.people))

    return _once(ctx, "registration-url", make)


def _cancel_url(ctx: Ctx) -> str:
    def make() -> str:
        from envoycrm.events import tokens

        registration = Factory().registration(Factory().event_of(ctx.people))
        return "/e/cancel/" + tokens.sign(registration.token, tokens.CANCEL)

    return _once(ctx, "cancel-url", make)


FORMS += [
    FormCase(
        "event create",
        "coordinator",
        lambda ctx: "/events/new",
        lambda ctx: event_form_data(kind="TALENT_FAIR"),
        typed={"title_en": 200, "title_zh": 200, "place": 300, "description_en": 5000},
        stored=_latest(Event, "title_en", "title_zh", "place", "description_en"),
        text=plain_text,
    ),
    FormCase(
        "event edit",
        "coordinator",
        lambda ctx: f"/events/{_event_id(ctx)}/edit",
        _event_edit_fields,
        typed={"title_en": 200, "description_zh": 5000},
        text=plain_text,
    ),
    FormCase(
        "event status",
        "coordinator",
        lambda ctx: f"/events/{_event_id(ctx)}/status",
        lambda ctx: {"status": "CLOSED"},
    ),
    FormCase(
        "event cancel",
        "coordinator",
        lambda ctx: f"/events/{_event_id(ctx)}/cancel",
        lambda ctx: {},
    ),
    FormCase(
        "event link",
        "envoy",
        lambda ctx: f"/events/{_event_id(ctx)}/link",
        lambda ctx: {},
    ),
    FormCase(
        "event invitation",
        "envoy",
        lambda ctx: f"/events/{_event_id(ctx)}/invitations",
        lambda ctx: {"student_id": str(ctx.student.id), "note": "Sent on WeChat"},
        typed={"note": 500},
        text=plain_text,
    ),
    FormCase(
        "held event registration",
        "envoy",
        lambda ctx: f"/events/registrations/{_held_registration_id(ctx)}/held",
        lambda ctx: {"decision": "confirm"},
    ),
    FormCase(
        "event registration",
        None,
        _registration_url,
        lambda ctx: registration_form_data(email=f"reg{NEXT()}@example.org"),
        typed={"programme": 200, "university_typed": 200},
        text=plain_text,
    ),
    FormCase(
        "event registration cancel",
        None,
        _cancel_url,
        lambda ctx: {},
    ),
]


def _tour_application(ctx: Ctx) -> EventRegistration:
    def make() -> int:
        tour = Factory().event(ctx.people["coordinator"], kind=EventKind.STUDY_TOUR)
        return register(tour, ctx.student).id

    return db.session.get(EventRegistration, _once(ctx, "tour-application", make))


def _tour_move(ctx: Ctx) -> dict:
    """Select the application, or put it back: a valid move either way."""
    application = _tour_application(ctx)
    selected = application.tour_status is TourStatus.SELECTED
    return {
        "to": "APPLIED" if selected else "SELECTED",
        "applications": f"{application.id}:{application.version}",
    }


FORMS += [
    FormCase(
        "study tour applications",
        "coordinator",
        lambda ctx: f"/events/{_tour_application(ctx).event_id}/applications",
        _tour_move,
    ),
]


# POST routes the registry leaves out, and why.
def _booth_code(ctx: Ctx) -> str:
    """The booth code of someone who came to the fair."""
    from envoycrm.events import tokens

    coordinator = ctx.people["coordinator"]
    return tokens.booth_code(attended_registrant(fair_of(coordinator), coordinator))


NOT_FORMS = {
    "auth.logout": "no field but the CSRF token; signing out ends the run's session",
    "main.sign_out_everywhere": (
        "a valid send ends the run's session; its refusals are tested in "
        "tests/auth/test_sessions.py"
    ),
}


# --- the property ------------------------------------------------------------------


def _submission(draw, case: FormCase, ctx: Ctx) -> tuple[dict, bool]:
    """A valid submission with generated text, or a valid one made hostile."""
    data = case.valid(ctx)
    if draw(st.booleans()):
        for name, max_length in case.typed.items():
            data[name] = draw(case.text.filter(lambda s, m=max_length: len(s) <= m))
        return data, True
    # A form may also get a field it does not know (a button form has none).
    names = [*sorted(data), "extra"]
    for name in draw(st.lists(st.sampled_from(names), min_size=1, unique=True)):
        value = draw(hostile_field)
        if value is None:
            data.pop(name, None)
        else:
            data[name] = value
    return data, False


def _check_response(case: FormCase, response, sent: dict) -> None:
    status = response.status_code
    html = response.get_data(as_text=True)
    assert status < 500, f"{case.name}: {status}"
    if status == 422:
        assert '-error"' in html or "form-errors" in html, (
            f"{case.name}: {status} without a message at a field\n{sent}"
        )
    elif 400 <= status < 500:
        # Not about one field (a missing row, a stale link, a limit): the
        # error page says what happened.
        assert "<h1>" in html, f"{case.name}: {status} without a message\n{sent}"
    for markup in MARKUP[:3]:
        assert markup not in html, f"{case.name}: markup echoed raw"


@pytest.mark.parametrize("case", FORMS, ids=[case.name for case in FORMS])
def test_form_survives_hostile_input_and_round_trips_valid_input(
    app, people, student, case
):
    app.config["DATA_REQUESTS_PER_HOUR"] = 10_000
    app.config["REFERRAL_REPLY_LIMIT"] = 10_000
    client = app.test_client()
    if case.role:
        assert sign_in(client, people[case.role].email).status_code == 302
    ctx = Ctx(people=people, student=student, client=client)
    TRIED[case.name] = 0

    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,
        suppress_health_check=[
            HealthCheck.function_scoped_fixture,
            HealthCheck.too_slow,
            HealthCheck.filter_too_much,
            HealthCheck.data_too_large,
        ],
    )
    @given(st.data())
    def submit(data_strategy):
        TRIED[case.name] += 1
        sent, is_valid = _submission(data_strategy.draw, case, ctx)
        # Like a browser: the token, and a creating form's fresh key.
        payload = {
            "csrf_token": csrf_token(client),
            "idempotency_key": uuid.uuid4().hex,
        }
        payload.update({k: v for k, v in sent.items() if k != "csrf_token"})
        files = any(isinstance(v, tuple) for v in payload.values())
        response = client.post(
            case.url(ctx),
            data=payload,
            content_type="multipart/form-data" if files else None,
        )
        db.session.rollback()  # read what other sessions committed
        _check_response(case, response, sent)
        if is_valid:
            assert response.status_code in case.success, (
                f"{case.name}: valid data refused ({response.status_code})\n{sent}\n"
                + response.get_data(as_text=True)[-3000:]
            )
            if case.stored:
                stored = case.stored(ctx, sent)
                for name in stored:
                    expected = case.normalise(name, str(sent[name]))
                    assert stored[name] == expected, (case.name, name, sent[name])

    submit()
    print(f"\n{case.name}: {TRIED[case.name]} generated submissions")
    assert TRIED[case.name] >= EXAMPLES


def test_registry_covers_the_forms_the_issue_names():
    names = {case.name for case in FORMS}
    assert {
        "sign-in",
        "forgot password",
        "settings",
        "envoy create",
        "envoy edit",
        "employer user create",
        "quick log",
        "student edit",
        "interaction",
        "intention",
        "consent",
        "stage",
        "tag",
        "merge",
        "reassign",
        "data request",
    } <= names


def test_every_post_route_is_in_the_registry_or_left_out_with_a_reason(
    app, people, student
):
    ctx = Ctx(people=people, student=student, client=app.test_client())
    adapter = app.url_map.bind("localhost")
    covered = {adapter.match(case.url(ctx), method="POST")[0] for case in FORMS}
    posts = {
        rule.endpoint
        for rule in app.url_map.iter_rules()
        if "POST" in (rule.methods or ())
    }
    assert posts - covered - set(NOT_FORMS) == set()
    assert covered & set(NOT_FORMS) == set()
    assert len(FORMS) >= 50


NOT_ALLOWED = "This field contains characters that are not allowed."
ERROR_AT_FIELD = re.compile(r'<p class="error" id="([\w-]+)-error"[^>]*>([^<]*)</p>')
FORM_ERROR = re.compile(r"<p>([^<:]+): ([^<]*)</p>")


@pytest.mark.parametrize("case", FORMS, ids=[case.name for case in FORMS])
def test_every_422_names_the_field_it_is_about(app, people, student, case):
    """A control character in any one field is refused there, or named."""
    client = app.test_client()
    if case.role:
        assert sign_in(client, people[case.role].email).status_code == 302
    ctx = Ctx(people=people, student=student, client=client)
    for name in sorted(case.valid(ctx)):
        data = case.valid(ctx)
        data[name] = "a\x00b"
        data["csrf_token"] = csrf_token(client)
        files = any(isinstance(v, tuple) for v in data.values())
        response = client.post(
            case.url(ctx),
            data=data,
            content_type="multipart/form-data" if files else None,
        )
        db.session.rollback()
        if response.status_code != 422:
            continue
        html = response.get_data(as_text=True)
        if NOT_ALLOWED not in html:
            # Refused for what the value means (no file, nothing ticked): an
            # error at this field, or the form's own message, says so.
            fields = [field for field, _ in ERROR_AT_FIELD.findall(html)]
            assert any(name in field for field in fields) or "form-errors" in html, (
                f"{case.name}: 422 for {name} shows no message"
            )
            continue
        at_field = [
            field
            for field, message in ERROR_AT_FIELD.findall(html)
            if NOT_ALLOWED in message
        ]
        named = [
            label
            for label, message in FORM_ERROR.findall(html)
            if message == NOT_ALLOWED
        ]
        assert at_field or named, f"{case.name}: 422 for {name} names no field"
        assert all(name in field for field in at_field), (case.name, name, at_field)
