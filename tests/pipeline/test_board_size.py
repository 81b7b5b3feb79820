"""The board's weight at demo scale: the HTML stays within its budget.

The demo's reference data (every university, 150 envoys, the staff) fills the
filter's choices, and every column holds more students than it shows, so the
page is as large as a coordinator's board gets at demo scale.
"""

from datetime import timedelta

import pytest
from sqlalchemy import select

from envoycrm.demo import loader
from envoycrm.extensions import db
from envoycrm.models import (
    DegreeLevel,
    FieldOfStudy,
    Role,
    Stage,
    User,
    utcnow,
)
from envoycrm.pipeline import services


@pytest.fixture
def demo_board(factory, people):
    """The demo's universities and envoys, and full columns on the board."""
    report = loader.LoadReport()
    universities = loader._load_geography(report)
    loader._load_envoys(report, "not-a-password-hash", universities)
    db.session.commit()
    envoys = db.session.scalars(
        select(User).where(User.role == Role.ENVOY).order_by(User.id)
    ).all()
    per_stage = services.CARDS_PER_COLUMN + 3
    now = utcnow()
    n = 0
    for stage in Stage:
        for _ in range(per_stage):
            envoy = envoys[n % len(envoys)]
            student = factory.student(
                envoy,
                name_latin=f"Ouyang Xiaoming{n}",
                name_hanzi="欧阳晓明",
                degree=DegreeLevel.PHD,
                field=FieldOfStudy.MARINE,
            )
            student.stage = stage
            student.stage_changed_at = now - timedelta(days=30 + n)
            if stage is Stage.CLOSED:
                student.closed_reason = "Took a job elsewhere"
            n += 1
    db.session.commit()
    return envoys


@pytest.mark.parametrize("language", ["en", "zh-CN"])
def test_the_board_at_demo_scale_stays_within_its_html_budget(
    client, coordinator, demo_board, language
):
    response = client.get("/pipeline/", headers={"Accept-Language": language})
    assert response.status_code == 200
    size = len(response.get_data())
    assert size <= services.BOARD_HTML_BUDGET, f"board is {size} bytes"
