"""An opening's location in both languages: entered, stored, shown in the
reader's language, and in the demo data."""

from sqlalchemy import select

from envoycrm.demo.jobs import load_jobs
from envoycrm.demo.loader import LoadReport
from envoycrm.extensions import db
from envoycrm.jobs import referrals
from envoycrm.jobs.services import push_opening
from envoycrm.models import JobOpening
from tests.conftest import post
from tests.jobs.test_openings import opening_data


def test_an_opening_is_posted_with_its_location_in_both_languages(
    client, login_as, people
):
    login_as("employer")
    page = client.get("/jobs/new").get_data(as_text=True)
    assert "Location in English" in page and "Location in Chinese" in page
    response = post(client, "/jobs/new", opening_data(location_zh="青岛市崂山区"))
    assert response.status_code == 302
    opening = db.session.scalar(select(JobOpening))
    assert opening.location == "Qingdao, Laoshan"
    assert opening.location_zh == "青岛市崂山区"


def test_the_location_is_shown_in_the_readers_language(
    app, client, login_as, people, factory
):
    opening = factory.opening(
        people["employer"].employer_id,
        location="Qingdao, Laoshan",
        location_zh="青岛市崂山区",
    )
    push = push_opening(people["envoy"], opening)
    db.session.commit()
    link = f"/r/{referrals.sign(push)}"
    english = client.get(link, headers={"Accept-Language": "en"})
    assert "Qingdao, Laoshan" in english.get_data(as_text=True)
    assert "青岛市崂山区" not in english.get_data(as_text=True)
    chinese = app.test_client().get(link, headers={"Accept-Language": "zh-CN"})
    assert "青岛市崂山区" in chinese.get_data(as_text=True)
    assert "Qingdao, Laoshan" not in chinese.get_data(as_text=True)


def test_a_location_in_one_language_only_is_shown_in_every_language(
    app, factory, people
):
    opening = factory.opening(people["employer"].employer_id, location="Qingdao")
    assert opening.location_for("zh_Hans") == "Qingdao"
    assert opening.location_for("en") == "Qingdao"


def test_demo_openings_have_a_location_in_both_languages(factory, people):
    load_jobs(LoadReport())
    missing = db.session.scalar(
        select(JobOpening.id).where(
            (JobOpening.location == "") | (JobOpening.location_zh == "")
        )
    )
    assert missing is None
    sample = db.session.scalar(select(JobOpening).limit(1))
    assert sample.location_zh.startswith("青岛市")
