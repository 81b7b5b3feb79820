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

import uuid
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest
import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from envoycrm.extensions import db
from envoycrm.models import (
    DataRequest,
    IdempotencyKey,
    Intention,
    Interaction,
    Student,
    User,
)
from tests.conftest import Factory, csrf_token, sign_in

EXAMPLES = 200
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
    factory: Factory
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


def _student_url(suffix: str) -> Callable[[Ctx], str]:
    return lambda ctx: f"/students/{ctx.student.id}{suffix}"


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
        lambda ctx: (
            f"/jobs/replies/{ctx.factory.held_reply(ctx.people, ctx.student).id}"
        ),
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


# --- the property ------------------------------------------------------------------


def _submission(draw, case: FormCase, ctx: Ctx) -> tuple[dict, bool]:
    """A valid submission with generated text, or a valid one made hostile."""
    data = case.valid(ctx)
    if draw(st.booleans()):
        for name, max_length in case.typed.items():
            data[name] = draw(human_text.filter(lambda s, m=max_length: len(s) <= m))
        return data, True
    names = sorted(data)
    for name in draw(st.lists(st.sampled_from(names), min_size=1, unique=True)):
        value = draw(hostile_field)
        if value is None:
            data.pop(name)
        else:
            data[name] = value
    return data, False


def _check_response(case: FormCase, response, sent: dict) -> None:
    status = response.status_code
    html = response.get_data(as_text=True)
    assert status < 500, f"{case.name}: {status}"
    if 400 <= status < 500:
        assert '-error"' in html or "form-errors" in html, (
            f"{case.name}: {status} without a message at a field\n{sent}"
        )
    for markup in MARKUP[:3]:
        assert markup not in html, f"{case.name}: markup echoed raw"


@pytest.mark.parametrize("case", FORMS, ids=[case.name for case in FORMS])
def test_form_survives_hostile_input_and_round_trips_valid_input(
    app, factory, people, student, case
):
    app.config["DATA_REQUESTS_PER_HOUR"] = 10_000
    client = app.test_client()
    if case.role:
        assert sign_in(client, people[case.role].email).status_code == 302
    ctx = Ctx(people=people, student=student, client=client, factory=factory)
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
        response = client.post(case.url(ctx), data=payload)
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
