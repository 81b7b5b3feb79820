"""Helpers of the network tests."""


def envoy_form_data(university_id, **overrides):
    """A complete, valid envoy form for a new envoy at ``university_id``."""
    data = {
        "full_name": "Zhao Lei",
        "email": "zhao.lei@example.org",
        "locale": "zh_Hans",
        "timezone": "Europe/London",
        "university_id": str(university_id),
        "programme": "MSc Ocean Engineering",
        "degree": "MASTER",
        "expected_graduation": "2027-06-30",
        "recruited_on": "2025-10-01",
        "status": "ACTIVE",
    }
    data.update(overrides)
    return data
