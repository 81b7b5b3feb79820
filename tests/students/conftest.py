"""Fixtures and helpers of the envoy workspace tests."""

import re

import pytest
from sqlalchemy import func, select

from envoycrm.extensions import db
from tests.conftest import csrf_token

HOSTILE = "<div hx-get=/x hx-trigger=load>Mallory</div>"
KEY_PATTERN = re.compile(r'name="idempotency_key" type="hidden" value="([0-9a-f]{32})"')


def count_rows(model) -> int:
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


def envoy_university(people):
    return people["envoy"].envoy_profile.university_id


def inline_edit(client, student, **changes):
    """Open the student's inline edit form as htmx does and save it with the
    version it carries; returns the answer to the save."""
    from tests.conftest import post

    htmx = {"HX-Request": "true"}
    form = client.get(f"/students/{student.id}/edit", headers=htmx)
    version = re.search(
        r'name="version" type="hidden" value="(\d+)"', form.get_data(as_text=True)
    ).group(1)
    data = {
        "version": version,
        "name_latin": "Wang Wei",
        "name_hanzi": "王伟",
        "university_id": str(student.university_id),
        "programme": "PhD Materials",
        "field": "MATERIALS",
        "degree": "PHD",
        "expected_graduation": "2028-07",
        **changes,
    }
    return post(client, f"/students/{student.id}/edit", data, headers=htmx)
