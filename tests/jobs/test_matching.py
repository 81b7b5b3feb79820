"""Matching students to openings: a table of cases, their order and their words."""

from datetime import date
from types import SimpleNamespace

import pytest

from envoycrm.jobs import matching
from envoycrm.models import DegreeLevel, FieldOfStudy, Sector

OPENING = SimpleNamespace(
    field=FieldOfStudy.MATERIALS,
    sector=Sector.NEW_MATERIALS,
    min_degree=DegreeLevel.MASTER,
    deadline=date(2027, 7, 31),
    salary_min=150_000,
    salary_max=250_000,
)


def student(field=FieldOfStudy.MATERIALS, degree=DegreeLevel.PHD, graduation=None):
    return SimpleNamespace(field=field, degree=degree, expected_graduation=graduation)


def intention(sectors=(), start=None, salary=None):
    return SimpleNamespace(
        target_sectors=list(sectors), earliest_start=start, salary_expectation=salary
    )


# (name, student, intention, score, explanation) — listed best first.
CASES = [
    (
        "everything fits",
        student(),
        intention(["NEW_MATERIALS"], date(2027, 6, 1), 180_000),
        100,
        "field matches, degree meets the minimum, aims for this sector, "
        "available before the deadline, and expects CN¥180,000 within "
        "CN¥150,000–CN¥250,000",
    ),
    (
        "asks for more than the range",
        student(),
        intention(["NEW_MATERIALS"], date(2027, 6, 1), 300_000),
        90,
        "field matches, degree meets the minimum, aims for this sector, "
        "available before the deadline, and expects CN¥300,000, above CN¥250,000",
    ),
    (
        "free only after the deadline, graduation counts when no start given",
        student(graduation=date(2027, 12, 1)),
        intention(["NEW_MATERIALS"], None, 120_000),
        85,
        "field matches, degree meets the minimum, aims for this sector, "
        "and expects CN¥120,000, below CN¥150,000–CN¥250,000",
    ),
    (
        "other sector, no intention details",
        student(graduation=date(2027, 6, 1)),
        intention(["FINANCE"]),
        65,
        "field matches, degree meets the minimum, and available before the deadline",
    ),
    (
        "no intention at all",
        student(degree=DegreeLevel.MASTER),
        None,
        50,
        "field matches and degree meets the minimum",
    ),
    (
        "other field but aims for the sector",
        student(field=FieldOfStudy.CHEMISTRY),
        intention(["NEW_MATERIALS"]),
        45,
        "degree meets the minimum and aims for this sector",
    ),
    (
        "degree below the minimum never matches",
        student(degree=DegreeLevel.BACHELOR),
        intention(["NEW_MATERIALS"], date(2027, 1, 1), 150_000),
        0,
        "field matches, degree below the minimum, aims for this sector, "
        "available before the deadline, and expects CN¥150,000 within "
        "CN¥150,000–CN¥250,000",
    ),
]


@pytest.mark.parametrize(
    ("name", "who", "stated", "expected_score", "words"),
    CASES,
    ids=[case[0] for case in CASES],
)
def test_each_case_scores_and_explains(app, name, who, stated, expected_score, words):
    with app.test_request_context(headers={"Accept-Language": "en"}):
        result = matching.score(who, stated, OPENING)
        assert result.score == expected_score
        assert result.explanation() == words
        assert result.qualifies is (expected_score > 0)
        points = matching.points(
            who.degree,
            who.field,
            set(stated.target_sectors) if stated else set(),
            (stated.earliest_start if stated else None) or who.expected_graduation,
            stated.salary_expectation if stated else None,
            OPENING,
        )
        assert points == expected_score  # the bulk scorer agrees


def test_the_cases_come_out_in_the_expected_order(app):
    with app.test_request_context():
        ranked = sorted(
            CASES,
            key=lambda case: -matching.score(case[1], case[2], OPENING).score,
        )
    assert [case[0] for case in ranked] == [case[0] for case in CASES]


def test_the_explanation_is_in_the_viewers_language(app):
    with app.test_request_context(headers={"Accept-Language": "zh-CN"}):
        result = matching.score(student(), intention(salary=180_000), OPENING)
        assert "¥180,000" in result.explanation()


@pytest.mark.parametrize("language", ["zh-CN", "zh-TW"])
def test_chinese_reasons_are_listed_without_ascii_commas(app, language):
    with app.test_request_context(headers={"Accept-Language": language}):
        result = matching.score(student(graduation=date(2027, 6, 1)), None, OPENING)
        words = result.explanation()
    assert ", " not in words
    # CLDR's Chinese list: an enumeration comma between, 和 before the last.
    assert words.count("、") == 1 and "和" in words


def test_all_matches_ranks_every_open_openings_candidates(factory, people, opening):

    best = factory.student(people["envoy"], degree=DegreeLevel.PHD)
    factory.intention(
        best, target_sectors=["NEW_MATERIALS"], salary_expectation=200_000
    )
    plain = factory.student(people["envoy"])
    factory.student(people["envoy"], degree=DegreeLevel.BACHELOR)  # below minimum
    factory.student(people["envoy"], field=FieldOfStudy.LAW)  # other field
    matches = matching.all_matches(date.today(), top=10, chunk=2)
    ranked = [student_id for _score, student_id in matches[opening.id]]
    assert ranked == [best.id, plain.id]


def test_all_matches_keeps_the_same_best_scores_as_scoring_every_pair(
    app, factory, people, opening
):

    plans = [
        (["NEW_MATERIALS"], date(2020, 1, 1), 100_000),
        (["NEW_MATERIALS"], None, 900_000),
        (["FINANCE"], date(2020, 1, 1), 100_000),
        ([], None, None),
        (["NEW_MATERIALS"], date(2099, 1, 1), None),
        (["FINANCE"], date(2099, 1, 1), 100_000),
    ]
    students = []
    for sectors, start, salary in plans:
        student = factory.student(people["envoy"], degree=DegreeLevel.PHD)
        factory.intention(
            student,
            target_sectors=sectors,
            earliest_start=start,
            salary_expectation=salary,
        )
        students.append(student)
    intentions = matching.latest_intentions([s.id for s in students])
    with app.test_request_context():
        brute = sorted(
            (matching.score(s, intentions.get(s.id), opening).score for s in students),
            reverse=True,
        )
    for top in (1, 3, 6):
        kept = matching.all_matches(date.today(), top=top)[opening.id]
        assert [score for score, _id in kept] == brute[:top]
