"""Who may qualify for a policy, with the reasons in words."""

from datetime import date, timedelta

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from envoycrm.extensions import db
from envoycrm.models import (
    AmountKind,
    CityTie,
    DegreeLevel,
    FieldOfStudy,
    IntentionLevel,
    PolicyCategory,
    PolicyStatus,
    Stage,
    Student,
    utcnow,
)
from envoycrm.policies import eligibility
from envoycrm.policies.eligibility import Profile, judge

TODAY = date(2026, 12, 4)


@pytest.fixture
def talent(factory):
    """A published research-funding policy: PhD, materials or marine science,
    graduated at most 2 years ago, at most 35 years old, working in the city."""
    return factory.policy(
        PolicyCategory.RESEARCH_FUNDING,
        title_en="Young talent research grant",
        title_zh="青年人才科研资助",
        amount_kind=AmountKind.ONE_OFF,
        amount=200_000,
        min_degree=DegreeLevel.PHD,
        fields=["MATERIALS", "MARINE"],
        max_years_since_graduation=2,
        max_age=35,
        city_tie=CityTie.WORK,
        valid_from=TODAY - timedelta(days=100),
        valid_to=TODAY + timedelta(days=300),
    ).latest


@pytest.fixture(autouse=True)
def _request(app):
    """Reasons are lazy strings: they need a request to be read."""
    with app.test_request_context(headers={"Accept-Language": "en"}):
        yield


def _explain(fit) -> str:
    with force_locale("en"):
        return fit.explanation()


def test_a_materials_phd_graduating_next_year_may_qualify_with_age_to_ask(app, talent):
    profile = Profile(
        DegreeLevel.PHD,
        FieldOfStudy.MATERIALS,
        graduation=date(2027, 6, 30),
        works_in_city=True,
    )
    fit = judge(profile, talent, TODAY)
    assert fit.qualifies and not fit.certain
    assert _explain(fit) == (
        "PhD ✓, Materials science ✓, graduates 2027 — within 2 years ✓, and "
        "works for an employer in the city ✓; age unknown — ask (at most 35)"
    )


@pytest.mark.parametrize(
    ("born", "reason", "qualifies", "certain"),
    [
        (1995, "age 31 — at most 35 ✓", True, True),
        (1991, "age 35 — at most 35 ✓", True, True),
        # 35 or 36 on this day, by the birthday we do not know.
        (1990, "age 35 or 36 — ask (at most 35)", True, False),
        (1989, "age 36, over 35 ✗", False, False),
        (None, "age unknown — ask (at most 35)", True, False),
    ],
)
def test_age_from_the_year_of_birth_is_met_refused_or_asked(
    app, talent, born, reason, qualifies, certain
):
    profile = Profile(
        DegreeLevel.PHD,
        FieldOfStudy.MATERIALS,
        graduation=date(2027, 6, 30),
        birth_year=born,
        works_in_city=True,
    )
    fit = judge(profile, talent, TODAY)
    assert reason in _explain(fit)
    assert (fit.qualifies, fit.certain) == (qualifies, certain)


def test_a_students_year_of_birth_decides_the_age_limit(app, factory, people):
    factory.policy(title_en="Under 30", min_degree=None, max_age=30)
    student = factory.student(people["envoy"], degree=DegreeLevel.MASTER)
    student.birth_year = date.today().year - 25
    db.session.commit()
    found = eligibility.for_student(student, date.today())
    assert [a.version.title_en for a in found] == ["Under 30"]
    assert found[0].fit.certain
    student.birth_year = date.today().year - 40
    db.session.commit()
    assert eligibility.for_student(student, date.today()) == []


def test_a_master_is_below_the_minimum_degree(app, talent):
    fit = judge(Profile(DegreeLevel.MASTER, FieldOfStudy.MATERIALS), talent, TODAY)
    assert not fit.qualifies
    assert "Master, below PhD ✗" in _explain(fit)


def test_a_field_outside_the_list_does_not_qualify(app, talent):
    fit = judge(Profile(DegreeLevel.PHD, FieldOfStudy.LAW), talent, TODAY)
    assert not fit.qualifies
    assert "Law is not among the fields ✗" in _explain(fit)


def test_unknown_graduation_and_plans_are_asked_not_refused(app, talent):
    fit = judge(Profile(DegreeLevel.POSTDOC, FieldOfStudy.MARINE), talent, TODAY)
    assert fit.qualifies and not fit.certain
    text = _explain(fit)
    assert "graduation date unknown — ask" in text
    assert "job in the city unknown — ask" in text
    assert "age unknown — ask" in text


def test_graduated_too_long_ago_does_not_qualify(app, talent):
    profile = Profile(
        DegreeLevel.PHD, FieldOfStudy.MATERIALS, graduation=date(2022, 7, 1)
    )
    fit = judge(profile, talent, TODAY)
    assert not fit.qualifies
    assert "graduated 2022 — more than 2 years ago ✗" in _explain(fit)


def test_not_coming_back_rules_out_a_policy_tied_to_the_city(app, talent):
    profile = Profile(DegreeLevel.PHD, FieldOfStudy.MATERIALS, not_coming=True)
    assert not judge(profile, talent, TODAY).qualifies


def test_either_working_or_founding_is_enough(app, factory):
    version = factory.policy(
        PolicyCategory.START_UP, city_tie=CityTie.WORK_OR_FOUND, min_degree=None
    ).latest
    founder = Profile(DegreeLevel.MASTER, FieldOfStudy.COMPUTING, founds_in_city=True)
    fit = judge(founder, version, TODAY)
    assert fit.certain
    assert _explain(fit) == "founds a company in the city ✓"
    unsure = judge(Profile(DegreeLevel.MASTER, FieldOfStudy.COMPUTING), version, TODAY)
    assert "job or company in the city unknown — ask" in _explain(unsure)


def test_returned_long_ago_does_not_qualify_but_still_abroad_does(app, factory):
    version = factory.policy(returned_within_years=3, min_degree=None).latest
    abroad = judge(Profile(DegreeLevel.MASTER, FieldOfStudy.LAW), version, TODAY)
    assert abroad.certain
    back_long_ago = Profile(
        DegreeLevel.MASTER, FieldOfStudy.LAW, returned_on=date(2020, 1, 1)
    )
    fit = judge(back_long_ago, version, TODAY)
    assert not fit.qualifies
    assert "returned more than 3 years ago ✗" in _explain(fit)


def test_reasons_read_in_chinese(app, talent):
    profile = Profile(
        DegreeLevel.PHD, FieldOfStudy.MATERIALS, graduation=date(2027, 6, 30)
    )
    with force_locale("zh_Hans"):
        text = judge(profile, talent, TODAY).explanation()
    assert "博士 ✓" in text and "2027" in text


def test_an_expired_version_is_never_offered_as_current(app, factory):
    today = date.today()
    old = factory.policy(
        title_en="Old subsidy",
        valid_from=today - timedelta(days=400),
        valid_to=today - timedelta(days=1),
    )
    expired = factory.policy(title_en="Expired policy", status=PolicyStatus.EXPIRED)
    draft = factory.policy(title_en="Draft policy", status=PolicyStatus.DRAFT)
    live = factory.policy(title_en="Live subsidy")
    current = {v.policy_id for v in eligibility.current_versions(today)}
    assert current == {live.id}
    assert old.current_on(today) is None
    assert expired.current_on(today) is None and draft.current_on(today) is None
    profile = Profile(DegreeLevel.PHD, FieldOfStudy.MATERIALS)
    offered = {a.version.policy_id for a in eligibility.applicable(profile, today)}
    assert offered == {live.id}


def test_a_newer_version_out_of_its_dates_leaves_the_older_in_force(app, factory):
    from envoycrm.policies import services

    today = date.today()
    policy = factory.policy(title_en="Version one")
    data = {name: getattr(policy.latest, name) for name in services.VERSION_FIELDS}
    data.update(title_en="Version two", valid_from=today + timedelta(days=30))
    services.add_version(policy, None, policy.category, data)
    db.session.commit()
    assert policy.latest.title_en == "Version two"
    assert policy.current_on(today).title_en == "Version one"
    assert policy.current_on(today + timedelta(days=31)).title_en == "Version two"


def test_student_page_list_uses_the_students_record(app, factory, people):
    factory.policy(title_en="For materials PhDs", min_degree=DegreeLevel.PHD)
    factory.policy(title_en="For postdocs", min_degree=DegreeLevel.POSTDOC)
    student = factory.student(
        people["envoy"], degree=DegreeLevel.PHD, field=FieldOfStudy.MATERIALS
    )
    found = eligibility.for_student(student, date.today())
    assert [a.version.title_en for a in found] == ["For materials PhDs"]


def test_reach_in_sql_counts_exactly_the_students_python_does_not_rule_out(
    app, factory, people
):
    today = date.today()
    versions = [
        factory.policy(min_degree=DegreeLevel.PHD).latest,
        factory.policy(fields=["MATERIALS"], min_degree=None).latest,
        factory.policy(max_years_since_graduation=1, min_degree=None).latest,
        factory.policy(city_tie=CityTie.WORK, min_degree=None).latest,
        factory.policy(returned_within_years=1, min_degree=None).latest,
        factory.policy(max_age=30, min_degree=None).latest,
    ]
    shapes = [
        (DegreeLevel.PHD, FieldOfStudy.MATERIALS, today + timedelta(days=200)),
        (DegreeLevel.MASTER, FieldOfStudy.MATERIALS, today - timedelta(days=800)),
        (DegreeLevel.BACHELOR, FieldOfStudy.LAW, None),
        (DegreeLevel.POSTDOC, FieldOfStudy.MARINE, today - timedelta(days=100)),
    ]
    for degree, field, graduation in shapes:
        factory.student(
            people["envoy"],
            degree=degree,
            field=field,
            expected_graduation=graduation,
        )
    students = db.session.scalars(select(Student)).all()
    students[1].intention_level = IntentionLevel.NOT_RETURNING
    students[2].stage = Stage.RETURNED
    students[2].stage_changed_at = utcnow() - timedelta(days=900)
    students[3].consent_scope = None  # not counted at all
    # Over 30 for sure, 30 or 31 (asked), and unknown (students[3]).
    students[0].birth_year = today.year - 32
    students[1].birth_year = today.year - 31
    students[2].birth_year = today.year - 25
    db.session.commit()
    counts = eligibility.reach(versions, today)
    for version in versions:
        expected = 0
        for student in students:
            if student.consent_scope is None:
                continue
            profile = eligibility.student_profile(student, None)
            if judge(profile, version, today).qualifies:
                expected += 1
        assert counts[version.policy_id] == expected, version.policy_id
    assert any(counts.values())
