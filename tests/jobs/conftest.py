"""Fixtures of the jobs tests."""

import pytest


@pytest.fixture
def opening(factory, people):
    """An open materials opening of the test employer's organisation."""
    return factory.opening(people["employer"].employer_id)


@pytest.fixture
def other_opening(factory):
    """An open opening of another employer."""
    employer = factory.employer("Other Harbour Co.")
    return factory.opening(
        employer.id, title_en="Harbour Engineer", title_zh="港口工程师"
    )
