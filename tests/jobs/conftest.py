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


def opening_form_data(people, **changes) -> dict:
    """A complete, valid new-opening form for the test employer."""
    return {
        "employer_id": str(people["employer"].employer_id),
        "title_en": "Marine engineer",
        "title_zh": "海洋工程师",
        "description_en": "Ships",
        "sector": "MARINE_ECONOMY",
        "field": "MARINE",
        "min_degree": "MASTER",
        "salary_min": "100000",
        "salary_max": "200000",
        "headcount": "2",
        "location": "Qingdao",
        "deadline": "2099-01-01",
        **changes,
    }
