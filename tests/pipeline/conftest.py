"""Fixtures for the coordinators' pipeline: a signed-in coordinator, students."""

from datetime import date

import pytest

from envoycrm.models import DegreeLevel, FieldOfStudy


@pytest.fixture
def coordinator(client, login_as):
    """The client signed in as a coordinator; returns the coordinator."""
    return login_as("coordinator")


@pytest.fixture
def cohort(factory, people):
    """Five students: three PhDs in Manchester (GB), two masters in Auckland (NZ)."""
    envoy, envoy2 = people["envoy"], people["envoy2"]
    return {
        "wang": factory.student(
            envoy,
            name_latin="Wang Wei",
            name_hanzi="王伟",
            degree=DegreeLevel.PHD,
            field=FieldOfStudy.MATERIALS,
            expected_graduation=date(2027, 6, 1),
        ),
        "li": factory.student(
            envoy,
            name_latin="Li Na",
            name_hanzi="李娜",
            degree=DegreeLevel.PHD,
            field=FieldOfStudy.MARINE,
            expected_graduation=date(2027, 9, 1),
        ),
        "zhao": factory.student(
            envoy,
            name_latin="Zhao Lei",
            name_hanzi="赵磊",
            degree=DegreeLevel.PHD,
            field=FieldOfStudy.MATERIALS,
            expected_graduation=date(2028, 6, 1),
        ),
        "chen": factory.student(
            envoy2,
            name_latin="Chen Jing",
            name_hanzi="陈静",
            degree=DegreeLevel.MASTER,
            field=FieldOfStudy.COMPUTING,
            expected_graduation=date(2027, 6, 1),
        ),
        "sun": factory.student(
            envoy2,
            name_latin="Sun Yu",
            name_hanzi="孙雨",
            degree=DegreeLevel.MASTER,
            field=FieldOfStudy.MATERIALS,
            expected_graduation=date(2027, 6, 1),
        ),
    }
