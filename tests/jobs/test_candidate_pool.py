"""The candidate pool reads every opening's new candidates in one query."""

from datetime import timedelta

import pytest

from envoycrm.digests.periods import Window
from envoycrm.extensions import db
from envoycrm.jobs import new_candidates
from envoycrm.jobs.matching import candidate_query
from envoycrm.jobs.new_candidates import CandidatePool
from envoycrm.models import DegreeLevel, FieldOfStudy, Student, utcnow


@pytest.fixture
def openings(factory, people):
    employer_id = people["employer"].employer_id
    materials = factory.opening(employer_id)  # materials, master or above
    biology = factory.opening(
        employer_id, field=FieldOfStudy.BIOLOGY, min_degree=DegreeLevel.PHD
    )
    for field, degree in [
        (FieldOfStudy.MATERIALS, DegreeLevel.MASTER),
        (FieldOfStudy.MATERIALS, DegreeLevel.BACHELOR),
        (FieldOfStudy.MATERIALS, DegreeLevel.PHD),
        (FieldOfStudy.BIOLOGY, DegreeLevel.PHD),
        (FieldOfStudy.BIOLOGY, DegreeLevel.MASTER),
        (FieldOfStudy.CHEMISTRY, DegreeLevel.PHD),
    ]:
        factory.student(people["envoy"], field=field, degree=degree)
    return [materials, biology]


def _window() -> Window:
    now = utcnow()
    return Window(period="", zone="UTC", start=now - timedelta(days=1), end=now)


def _alone(opening, window, limit) -> list[int]:
    """The candidates of ``opening`` read by themselves, newest first."""
    return list(
        db.session.scalars(
            candidate_query(opening, employer_view=True, created_since=window.start)
            .with_only_columns(Student.id)
            .where(Student.created_at < window.end)
            .order_by(Student.created_at.desc(), Student.id.desc())
            .limit(limit)
        )
    )


@pytest.mark.parametrize("limit", [200, 1])
def test_one_read_finds_for_each_opening_what_it_would_find_alone(
    openings, monkeypatch, max_queries, limit
):
    """With room for all, one query (and one for intentions) serves both
    openings; in a week too busy for the cap, each is read alone instead."""
    monkeypatch.setattr(new_candidates, "CANDIDATE_SCAN_LIMIT", limit)
    window = _window()
    pool = CandidatePool()
    try:
        pool.load(openings, window)
        with max_queries(0):
            found = {
                opening.id: [s.id for s, _ in pool.candidates(opening, window)]
                for opening in openings
            }
    finally:
        pool.close()
    for opening in openings:
        assert found[opening.id] == _alone(opening, window, limit)
    assert len(found[openings[0].id]) == min(limit, 2)  # master, PhD in materials
    assert len(found[openings[1].id]) == 1  # the PhD in biology
