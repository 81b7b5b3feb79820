"""Fixtures of the jobs tests."""

import pytest

from tests.jobs.factories import make_opening


@pytest.fixture
def opening(people):
    """An open materials opening of the test employer's organisation."""
    return make_opening(people["employer"].employer_id)


@pytest.fixture
def other_opening(factory):
    """An open opening of another employer."""
    employer = factory.employer("Other Harbour Co.")
    return make_opening(employer.id, title_en="Harbour Engineer", title_zh="港口工程师")
