"""The envoy workspace: quick log, consent, duplicates, the student page, lists."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlalchemy import func, select

from envoycrm.access import PUBLIC, SIGNED_IN, access_of
from envoycrm.extensions import db
from envoycrm.models import (
    AuditEvent,
    Consent,
    ConsentScope,
    Intention,
    IntentionLevel,
    Interaction,
    Role,
    Stage,
    StageChange,
    Student,
    StudentTag,
)
from envoycrm.models.users import DegreeLevel
from envoycrm.students import queries, services
from envoycrm.students.names import name_key
from tests.conftest import csrf_token, post, sign_in

HOSTILE = "<div hx-get=/x hx-trigger=load>Mallory</div>"
KEY_PATTERN = re.compile(r'name="idempotency_key" type="hidden" value="([0-9a-f]{32})"')


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def quick_log_data(client, uni: int, **overrides) -> dict:
    """A complete quick-log submission, with a fresh key read from the form."""
    page = client.get("/").get_data(as_text=True)
    key = KEY_PATTERN.search(page).group(1)
    data = {
        "csrf_token": csrf_token(client),
        "idempotency_key": key,
        "name_latin": "Li Hua",
        "name_hanzi": "李华",
        "university_id": str(uni),
        "programme": "MSc Marine Biology",
        "field": "MARINE",
        "degree": "MASTER",
        "expected_graduation": "2027-06",
        "email": "li.hua@students.example.org",
        "wechat_id": "lihua_2027",
        "phone": "+44 7700 900123",
        "met_kind": "EVENT",
        "met_on": "2026-11-20",
        "how_met": "CSSA welcome evening",
        "notes": "Asked about the housing subsidy.",
        "consent_scope": "EMPLOYERS",
        "consent_method": "IN_PERSON",
        "notice_language": "zh_Hans",
    }
    data.update(overrides)
    return data


@pytest.fixture
def envoy_client(client, login_as):
    """The client signed in as the first envoy."""
    login_as("envoy")
    return client


def _university(people):
    return people["envoy"].envoy_profile.university_id


# --- quick log -----------------------------------------------------------------


def test_envoy_home_has_the_quick_log_with_the_envoys_university(envoy_client, people):
    page = envoy_client.get("/").get_data(as_text=True)
    assert "Log a student and a meeting" in page
    uni = _university(people)
    assert (
        f'<option selected value="{uni}">' in page or f'value="{uni}" selected' in page
    )


def test_quick_log_saves_student_consent_and_first_meeting_in_one_submit(
    envoy_client, people
):
    response = envoy_client.post(
        "/students/quick-log", data=quick_log_data(envoy_client, _university(people))
    )
    assert response.status_code == 302
    student = db.session.scalar(select(Student))
    assert student.owner_id == people["envoy"].id
    assert student.email == "li.hua@students.example.org"
    assert student.name_key == "hua li"
    assert student.stage is Stage.CONTACTED
    assert student.expected_graduation == date(2027, 6, 1)
    consent = db.session.scalar(select(Consent))
    assert consent.scope is ConsentScope.EMPLOYERS
    assert consent.notice_version == services.NOTICE_VERSION
    assert consent.notice_language == "zh_Hans"
    assert consent.recorded_by_id == people["envoy"].id
    assert consent.recorded_at.tzinfo is not None
    meeting = db.session.scalar(select(Interaction))
    assert meeting.notes == "Asked about the housing subsidy."
    assert _count(StageChange) == 1
    home = envoy_client.get("/").get_data(as_text=True)
    assert "Li Hua 李华 is saved with the first meeting." in home


def test_saving_without_consent_is_refused_at_the_field(envoy_client, people):
    data = quick_log_data(envoy_client, _university(people))
    del data["consent_scope"]
    response = envoy_client.post("/students/quick-log", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="consent_scope-error"' in page
    assert 'value="li.hua@students.example.org"' in page  # kept
    assert _count(Student) == 0


def test_a_double_submit_creates_one_student(envoy_client, people):
    data = quick_log_data(envoy_client, _university(people))
    first = envoy_client.post("/students/quick-log", data=data)
    second = envoy_client.post("/students/quick-log", data=data)
    assert first.status_code == 302 and second.status_code == 302
    assert _count(Student) == 1 and _count(Interaction) == 1 and _count(Consent) == 1
    student = db.session.scalar(select(Student))
    assert student is not None
    assert second.headers["Location"] == first.headers["Location"]  # where it led


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("name_latin", "x" * 121),
        ("name_hanzi", "not chinese"),
        ("email", "not-an-email"),
        ("wechat_id", "1 bad id"),
        ("phone", "call me"),
        ("expected_graduation", "2027-13"),
        ("met_on", "2026-02-30"),
        ("met_on", "1066-10-14"),
        ("degree", "WIZARD"),
        ("field", "ALCHEMY"),
        ("university_id", "abc"),
        ("notes", "x" * 4001),
        ("programme", "Bad\x00Programme"),
        ("consent_method", "TELEPATHY"),
    ],
)
def test_bad_input_is_answered_at_the_field_and_the_rest_is_kept(
    envoy_client, people, field, value
):
    data = quick_log_data(envoy_client, _university(people), **{field: value})
    response = envoy_client.post("/students/quick-log", data=data)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'id="{field}-error"' in page
    assert 'value="CSSA welcome evening"' in page
    assert _count(Student) == 0


def test_a_student_needs_at_least_one_form_of_the_name(envoy_client, people):
    data = quick_log_data(
        envoy_client, _university(people), name_latin="", name_hanzi=""
    )
    response = envoy_client.post("/students/quick-log", data=data)
    assert response.status_code == 422
    assert "Enter the name in Latin letters, Chinese characters or both." in (
        response.get_data(as_text=True)
    )


def test_markup_in_a_name_is_shown_escaped(envoy_client, people):
    data = quick_log_data(envoy_client, _university(people), name_latin=HOSTILE)
    assert envoy_client.post("/students/quick-log", data=data).status_code == 302
    student = db.session.scalar(select(Student))
    page = envoy_client.get(f"/students/{student.id}").get_data(as_text=True)
    assert HOSTILE not in page
    assert "&lt;div hx-get=/x hx-trigger=load&gt;Mallory&lt;/div&gt;" in page


# --- duplicates --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("latin", "hanzi"), [(None, "王伟"), ("Wang Wei", None), ("Wei Wang", None)]
)
def test_hanzi_and_pinyin_in_either_order_have_one_key(latin, hanzi):
    assert name_key(latin, hanzi) == "wang wei"


def test_similar_names_at_the_same_university_are_flagged(factory, people):
    first = factory.student(people["envoy"], name_latin=None, name_hanzi="王伟")
    for latin in ("Wang Wei", "Wei WANG"):
        other = factory.student(
            people["envoy2"],
            name_latin=latin,
            email=None,
            university_id=first.university_id,
            expected_graduation=date(2030, 1, 1),
        )
        assert other.possible_duplicate_of_id == first.id


def test_similar_names_elsewhere_and_another_year_are_not_flagged(factory, people):
    factory.student(
        people["envoy"], name_hanzi="王伟", expected_graduation=date(2027, 6, 1)
    )
    other = factory.student(
        people["envoy2"],
        name_latin="Wang Wei",
        expected_graduation=date(2029, 6, 1),
    )
    assert other.possible_duplicate_of_id is None


def test_same_graduation_year_counts_as_context(factory, people):
    first = factory.student(people["envoy"], name_hanzi="王伟")
    other = factory.student(people["envoy2"], name_latin="Wei Wang")
    assert other.possible_duplicate_of_id == first.id  # both 2027, other universities


def test_exact_email_or_wechat_always_match(factory, people):
    first = factory.student(people["envoy"], email="a@x.org", wechat_id="wxid_abc")
    by_email = factory.student(
        people["envoy2"], name_latin="Zhang San", email="A@X.org"
    )
    by_wechat = factory.student(
        people["envoy2"], name_latin="Li Si", email=None, wechat_id="WXID_abc"
    )
    assert by_email.possible_duplicate_of_id == first.id
    assert by_wechat.possible_duplicate_of_id == first.id


def test_duplicate_check_never_reveals_another_envoys_student(
    client, login_as, factory, people
):
    factory.student(
        people["envoy"],
        name_hanzi="王伟",
        email="wang.wei@x.org",
        phone="+44 1234 567890",
    )
    login_as("envoy2")
    response = post(
        client,
        "/students/duplicates",
        {"name_latin": "Wang Wei", "email": "wang.wei@x.org"},
        headers={"HX-Request": "true"},
    )
    page = response.get_data(as_text=True)
    assert "may already be known to the network" in page
    assert "王伟" not in page and "wang.wei@x.org" not in page
    assert "/students/" not in page and "Manchester" not in page


def test_duplicate_check_shows_the_envoys_own_student(
    client, login_as, factory, people
):
    own = factory.student(people["envoy"], name_hanzi="王伟")
    login_as("envoy")
    response = post(
        client,
        "/students/duplicates",
        {"name_latin": "Wei Wang", "university_id": str(own.university_id)},
    )
    page = response.get_data(as_text=True)
    assert f"/students/{own.id}" in page
    assert "may already be known" not in page


def test_coordinator_merges_two_records_keeping_all_history(
    client, login_as, factory, people
):
    keep = factory.student(
        people["envoy"], name_latin=None, name_hanzi="王伟", wechat_id=None
    )
    other = factory.student(
        people["envoy2"], name_latin="Wang Wei", email=None, wechat_id="wangwei88"
    )
    services.record_intention(other, people["envoy2"], {"level": IntentionLevel.LIKELY})
    services.add_tag(other, "phd-track")
    db.session.commit()
    before = {m: _count(m) for m in (Interaction, Intention, Consent, StageChange)}
    login_as("coordinator")
    page = client.get(f"/students/{other.id}").get_data(as_text=True)
    assert f'value="{keep.id}"' in page  # the merge form offers the flagged record
    response = post(client, f"/students/{keep.id}/merge", {"other_id": str(other.id)})
    assert response.status_code == 302
    assert db.session.get(Student, other.id) is None
    after = {m: _count(m) for m in (Interaction, Intention, Consent, StageChange)}
    assert after == before
    merged = db.session.get(Student, keep.id)
    assert merged.wechat_id == "wangwei88" and merged.name_latin == "Wang Wei"
    assert merged.intention_level is IntentionLevel.LIKELY
    assert [t.tag for t in merged.tags] == ["phd-track"]
    assert (
        db.session.scalar(select(func.count()).where(Interaction.student_id == keep.id))
        == 2
    )


def test_envoys_cannot_merge(client, login_as, factory, people):
    a = factory.student(people["envoy"])
    b = factory.student(people["envoy"])
    login_as("envoy")
    assert (
        post(client, f"/students/{a.id}/merge", {"other_id": b.id}).status_code == 403
    )


# --- row-level permission -------------------------------------------------------------


def test_envoy_b_gets_404_for_every_url_of_envoy_as_student(
    app, client, login_as, student
):
    login_as("envoy2")
    rules = [
        r
        for r in app.url_map.iter_rules()
        if "student_id" in r.arguments and r.arguments <= {"student_id", "tag"}
    ]
    assert len(rules) >= 10
    for rule in rules:
        url = rule.rule.replace("<int:student_id>", str(student.id)).replace(
            "<tag>", "fair-2026"
        )
        for headers in ({}, {"HX-Request": "true"}):
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                data = {"csrf_token": csrf_token(client)} if method == "POST" else None
                response = client.open(url, method=method, data=data, headers=headers)
                # Routes envoys may use answer 404 (not yours); staff-only
                # routes are refused by the role gate before any lookup.
                with app.test_request_context():
                    allowed = access_of(rule.endpoint)
                envoy_may = allowed in (PUBLIC, SIGNED_IN) or Role.ENVOY in allowed
                expected = 404 if envoy_may else 403
                assert response.status_code == expected, (method, url, headers)
                assert "Wang Wei" not in response.get_data(as_text=True)


def test_envoys_list_shows_only_their_own_students(client, login_as, factory, people):
    factory.student(people["envoy"], name_latin="Own Student")
    factory.student(people["envoy2"], name_latin="Someone Else")
    login_as("envoy")
    page = client.get("/students/").get_data(as_text=True)
    assert "Own Student" in page and "Someone Else" not in page


def test_coordinator_sees_all_and_reassigns(client, login_as, factory, people):
    s = factory.student(people["envoy"], name_latin="Own Student")
    login_as("coordinator")
    page = client.get("/students/").get_data(as_text=True)
    assert "Own Student" in page
    response = post(
        client, f"/students/{s.id}/owner", {"owner_id": people["envoy2"].id}
    )
    assert response.status_code == 302
    db.session.refresh(s)
    assert s.owner_id == people["envoy2"].id


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
    assert _count(Intention) == 2
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
    assert _count(StudentTag) == 0


def test_inline_edit_saves_with_the_current_version(envoy_client, student):
    form = envoy_client.get(
        f"/students/{student.id}/edit", headers={"HX-Request": "true"}
    ).get_data(as_text=True)
    assert "<html" not in form
    version = re.search(r'name="version" type="hidden" value="(\d+)"', form).group(1)
    response = post(
        envoy_client,
        f"/students/{student.id}/edit",
        {
            "version": version,
            "name_latin": "Wang Wei",
            "name_hanzi": "王伟",
            "university_id": str(student.university_id),
            "programme": "PhD Materials",
            "field": "MATERIALS",
            "degree": "PHD",
            "expected_graduation": "2028-07",
        },
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    assert "PhD Materials" in response.get_data(as_text=True)
    db.session.refresh(student)
    assert student.programme == "PhD Materials"


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


# --- lists and home -------------------------------------------------------


def test_list_search_filters_sort_and_pages_work_without_javascript(
    client, login_as, factory, people
):
    for n in range(30):
        factory.student(
            people["envoy"],
            name_latin=f"Zhou Student{n:02d}",
            degree=DegreeLevel.PHD if n % 3 == 0 else DegreeLevel.MASTER,
        )
    login_as("envoy")
    page = client.get("/students/?q=zhou&degree=PHD&sort=name").get_data(as_text=True)
    assert "10 students" in page
    assert page.index("Zhou Student00") < page.index("Zhou Student03")
    all_pages = client.get("/students/?sort=name").get_data(as_text=True)
    assert "Page 1 of 2" in all_pages and "?page=2&amp;sort=name" in all_pages
    second = client.get("/students/?sort=name&page=2").get_data(as_text=True)
    assert "Zhou Student29" in second


def test_active_search_answers_htmx_with_rows_only(client, login_as, factory, people):
    factory.student(people["envoy"], name_latin="Findable Person")
    login_as("envoy")
    body = client.get("/students/?q=findable", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "<html" not in body and "Findable Person" in body


def test_follow_ups_and_numbers_on_the_envoy_home(client, login_as, factory, people):
    due = factory.student(people["envoy"], name_latin="Due Today")
    due.follow_up_on = date.today()
    quiet = factory.student(people["envoy"], name_latin="Long Quiet")
    quiet.last_activity_at = datetime.now(UTC) - timedelta(days=45)
    quiet.last_activity_on = quiet.last_activity_at.date()
    db.session.commit()
    factory.student(people["envoy"], name_latin="Recently Met")
    login_as("envoy")
    page = client.get("/").get_data(as_text=True)
    followups = page.split("Waiting for a follow-up")[1]
    assert "Due Today" in followups and "Long Quiet" in followups
    assert "Recently Met" not in followups


def test_week_starts_on_monday_in_the_envoys_time_zone():
    # Monday 2026-11-23 00:30 in Auckland is Sunday 11:30 UTC.
    now = datetime(2026, 11, 22, 11, 30, tzinfo=UTC)
    week, month = queries.week_and_month_start(now, "Pacific/Auckland")
    assert week == datetime(2026, 11, 22, 11, 0, tzinfo=UTC)
    assert month == datetime(2026, 10, 31, 11, 0, tzinfo=UTC)


def test_privacy_notice_in_both_languages(client):
    en = client.get("/privacy/en").get_data(as_text=True)
    zh = client.get("/privacy/zh_Hans").get_data(as_text=True)
    assert services.NOTICE_VERSION in en and "withdraw your consent" in en
    assert "撤回授权同意" in zh
    assert (
        client.get("/privacy", headers={"Accept-Language": "zh-CN"})
        .headers["Location"]
        .endswith("/privacy/zh_Hans")
    )


def test_a_merge_keeps_job_interests_tasks_and_moves_reassigned_tasks(
    client, login_as, factory, people
):
    from envoycrm.models import InterestSource, JobInterest, Task, TaskKind

    keep = factory.student(people["envoy"], name_hanzi="王伟", wechat_id=None)
    other = factory.student(people["envoy2"], name_latin="Wang Wei", email=None)
    first = factory.opening(people["employer"].employer_id)
    second = factory.opening(people["employer"].employer_id)
    for student, opening in ((keep, first), (other, first), (other, second)):
        db.session.add(
            JobInterest(
                student_id=student.id,
                opening_id=opening.id,
                source=InterestSource.ENVOY,
            )
        )
    db.session.add(
        Task(
            kind=TaskKind.OTHER,
            title="Call back",
            student_id=other.id,
            assignee_id=people["envoy2"].id,
        )
    )
    db.session.commit()
    services.merge(keep, other)
    db.session.commit()
    interests = db.session.scalars(
        select(JobInterest.opening_id).where(JobInterest.student_id == keep.id)
    ).all()
    assert sorted(interests) == sorted([first.id, second.id])
    task = db.session.scalar(select(Task))
    assert task.student_id == keep.id
    # Reassigning hands the open task to the new envoy.
    services.reassign(keep, people["coordinator"])
    db.session.commit()
    db.session.refresh(task)
    assert task.assignee_id == people["envoy2"].id  # not the old owner's task
    services.reassign(keep, people["envoy2"])
    db.session.commit()
    services.reassign(keep, people["envoy"])
    db.session.commit()
    db.session.refresh(task)
    assert task.assignee_id == people["envoy"].id


def test_the_duplicate_check_is_limited_per_user_with_a_clear_message(
    app, client, login_as, factory, people
):
    factory.student(people["envoy"], email="wang.wei@x.org")
    app.config.update(DUPLICATE_CHECK_LIMIT=3, DUPLICATE_CHECK_WINDOW=600)
    login_as("envoy2")
    probe = {"name_latin": "Wang Wei", "email": "wang.wei@x.org"}
    fragment = {"HX-Request": "true"}
    for _ in range(3):
        answer = post(client, "/students/duplicates", probe, headers=fragment)
        assert answer.status_code == 200
        assert "may already be known" in answer.get_data(as_text=True)

    refused = post(client, "/students/duplicates", probe, headers=fragment)

    text = refused.get_data(as_text=True)
    assert refused.status_code == 429
    assert "Too many duplicate checks" in text
    assert "may already be known" not in text
    # Another user's checks are counted apart.
    other = app.test_client()
    sign_in(other, people["envoy"].email)
    assert post(other, "/students/duplicates", probe).status_code == 200
