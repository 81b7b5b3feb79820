"""The students list and the envoy home."""

from datetime import UTC, date, datetime, timedelta

from envoycrm.extensions import db
from envoycrm.models.users import DegreeLevel
from envoycrm.students import queries, services

# --- lists and home -------------------------------------------------------


def test_list_search_filters_sort_and_pages_work_without_javascript(
    client, login_as, factory, people
):
    for n in range(30):
        factory.student(
            people["envoy"],
            name_latin=f"Zhou Student{n:02d}",
            degree=DegreeLevel.PHD if n % 3 == 0 else DegreeLevel.MASTER,
        )
    login_as("envoy")
    page = client.get("/students/?q=zhou&degree=PHD&sort=name").get_data(as_text=True)
    assert "10 students" in page
    assert page.index("Zhou Student00") < page.index("Zhou Student03")
    all_pages = client.get("/students/?sort=name").get_data(as_text=True)
    assert "Page 1 of 2" in all_pages and "?page=2&amp;sort=name" in all_pages
    second = client.get("/students/?sort=name&page=2").get_data(as_text=True)
    assert "Zhou Student29" in second


def test_active_search_answers_htmx_with_rows_only(client, login_as, factory, people):
    factory.student(people["envoy"], name_latin="Findable Person")
    login_as("envoy")
    body = client.get("/students/?q=findable", headers={"HX-Request": "true"}).get_data(
        as_text=True
    )
    assert "<html" not in body and "Findable Person" in body


def test_follow_ups_and_numbers_on_the_envoy_home(client, login_as, factory, people):
    due = factory.student(people["envoy"], name_latin="Due Today")
    due.follow_up_on = date.today()
    quiet = factory.student(people["envoy"], name_latin="Long Quiet")
    quiet.last_activity_at = datetime.now(UTC) - timedelta(days=45)
    quiet.last_activity_on = quiet.last_activity_at.date()
    db.session.commit()
    factory.student(people["envoy"], name_latin="Recently Met")
    login_as("envoy")
    page = client.get("/").get_data(as_text=True)
    followups = page.split("Waiting for a follow-up")[1]
    assert "Due Today" in followups and "Long Quiet" in followups
    assert "Recently Met" not in followups


def test_week_starts_on_monday_in_the_envoys_time_zone():
    # Monday 2026-11-23 00:30 in Auckland is Sunday 11:30 UTC.
    now = datetime(2026, 11, 22, 11, 30, tzinfo=UTC)
    week, month = queries.week_and_month_start(now, "Pacific/Auckland")
    assert week == datetime(2026, 11, 22, 11, 0, tzinfo=UTC)
    assert month == datetime(2026, 10, 31, 11, 0, tzinfo=UTC)


def test_privacy_notice_in_both_languages(client):
    en = client.get("/privacy/en").get_data(as_text=True)
    zh = client.get("/privacy/zh_Hans").get_data(as_text=True)
    assert services.NOTICE_VERSION in en and "withdraw your consent" in en
    assert "撤回授权同意" in zh
    assert (
        client.get("/privacy", headers={"Accept-Language": "zh-CN"})
        .headers["Location"]
        .endswith("/privacy/zh_Hans")
    )
