"""Dashboards: every figure equals a count made independently from the rows."""

import re
import secrets
from collections import Counter
from datetime import date, timedelta

from sqlalchemy import select

from envoycrm.dashboards import services as dashboard_services
from envoycrm.extensions import db
from envoycrm.models import (
    EnvoyStatus,
    FieldOfStudy,
    Interaction,
    InteractionKind,
    InterestSource,
    JobInterest,
    JobOpening,
    OpeningStatus,
    Push,
    Sector,
    Stage,
    Student,
    User,
    utcnow,
)
from envoycrm.models.users import DegreeLevel
from envoycrm.pipeline.filters import PipelineFilter
from envoycrm.students import services as student_services

PIPELINE = [
    Stage.CONTACTED,
    Stage.INTERESTED,
    Stage.MATCHED,
    Stage.IN_PROCESS,
    Stage.OFFER,
    Stage.RETURNED,
]


def _table(html: str, table_id: str) -> list[list[str]]:
    body = re.search(rf'<table class="list" id="{table_id}">(.*?)</table>', html, re.S)
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", body.group(1), re.S)
    return [
        [
            re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)
        ]
        for row in rows[1:]
    ]


def _number(text: str) -> int:
    return int(text.replace(",", "") or 0)


def _scenario(factory, people, cohort):
    coordinator = people["coordinator"]
    moves = {"wang": Stage.OFFER, "li": Stage.MATCHED, "chen": Stage.RETURNED}
    for key, stage in moves.items():
        student_services.move_stage(cohort[key], coordinator, stage)
    student_services.move_stage(cohort["zhao"], coordinator, Stage.CLOSED, "Stayed")
    returned = factory.user(
        people["envoy"].role,
        university=people["envoy"].envoy_profile.university,
        status=EnvoyStatus.RETURNED,
    )
    factory.student(returned, name_latin="Returned Owner Student")
    employer = people["employer"].employer
    opening = JobOpening(
        employer_id=employer.id,
        title_en="Marine materials engineer",
        title_zh="海洋材料工程师",
        sector=Sector.NEW_MATERIALS,
        field=FieldOfStudy.MATERIALS,
        min_degree=DegreeLevel.MASTER,
        salary_min=150_000,
        salary_max=250_000,
        deadline=date(2027, 3, 1),
        status=OpeningStatus.OPEN,
    )
    db.session.add(opening)
    db.session.flush()
    push = Push(
        opening_id=opening.id, envoy_id=people["envoy"].id, token=secrets.token_hex(8)
    )
    db.session.add(push)
    db.session.flush()
    for key in ("wang", "li", "chen"):
        db.session.add(
            JobInterest(
                student_id=cohort[key].id,
                opening_id=opening.id,
                push_id=push.id,
                source=InterestSource.REFERRAL,
            )
        )
    now = utcnow()
    for weeks_ago in (0, 1, 1, 3, 30):
        db.session.add(
            Interaction(
                student_id=cohort["wang"].id,
                author_id=people["envoy"].id,
                kind=InteractionKind.CHAT,
                occurred_on=(now - timedelta(weeks=weeks_ago)).date(),
            )
        )
    db.session.commit()


def test_dashboard_figures_equal_counts_from_the_database(
    client, coordinator, factory, people, cohort
):
    _scenario(factory, people, cohort)
    html = client.get("/dashboards/").get_data(as_text=True)
    students = db.session.scalars(select(Student)).all()

    # Funnel: students at each stage or further along; closed apart.
    now_at = Counter(s.stage for s in students)
    funnel = {row[0]: row for row in _table(html, "funnel-table")}
    for index, stage in enumerate(PIPELINE):
        reached = sum(now_at[s] for s in PIPELINE[index:])
        label = stage.value.replace("_", " ").capitalize()
        row = funnel[label]
        assert _number(row[1]) == now_at[stage], stage
        assert _number(row[2]) == reached, stage
    assert _number(funnel["Closed"][1]) == now_at[Stage.CLOSED] == 1
    assert funnel["Interested"][3] == "60.0%"  # 3 of the 5 contacted went on

    # Coverage by country: students and envoys.
    countries = {row[0]: row for row in _table(html, "country-table")}
    student_countries = Counter(s.university.country_code for s in students)
    envoys = db.session.scalars(select(User).where(User.envoy_profile.has())).all()
    envoy_countries = Counter(e.envoy_profile.university.country_code for e in envoys)
    assert _number(countries["United Kingdom"][1]) == student_countries["GB"]
    assert _number(countries["United Kingdom"][2]) == envoy_countries["GB"]
    assert _number(countries["New Zealand"][1]) == student_countries["NZ"]
    assert _number(countries["New Zealand"][2]) == envoy_countries["NZ"]

    # Top envoys: students owned.
    owners = Counter(s.owner.full_name for s in students)
    for row in _table(html, "envoy-table"):
        assert _number(row[1]) == owners[row[0]]

    # Weekly activity: interactions this week and last, by Monday weeks.
    week = _table(html, "activity-table")
    assert len(week) == 26
    interactions = db.session.scalars(select(Interaction)).all()
    start = dashboard_services.week_start(utcnow())
    in_week = Counter(
        (i.occurred_on - (start - timedelta(weeks=25)).date()).days // 7
        for i in interactions
    )
    assert [_number(r[1]) for r in week] == [in_week[i] for i in range(26)]
    assert sum(_number(r[2]) for r in week) == sum(
        1 for s in students if s.created_at >= start - timedelta(weeks=25)
    )

    # Openings with the most replies.
    assert _table(html, "opening-table")[0][2] == "3"

    # The headline: the share of envoys who returned.
    returned = sum(1 for e in envoys if e.envoy_profile.status is EnvoyStatus.RETURNED)
    assert returned == 1 and len(envoys) == 3
    assert re.search(r'id="returned-share">33.3%<', html)


def test_filters_apply_to_the_dashboard(client, coordinator, factory, people, cohort):
    _scenario(factory, people, cohort)
    html = client.get("/dashboards/?country=NZ").get_data(as_text=True)
    funnel = {row[0]: row for row in _table(html, "funnel-table")}
    assert _number(funnel["Contacted"][2]) == 2  # Chen (returned) and Sun
    assert _number(funnel["Returned"][1]) == 1
    assert [row[0] for row in _table(html, "country-table")] == ["New Zealand"]
    assert re.search(r'id="returned-share">0.0%<', html)
    figures = dashboard_services.build(PipelineFilter(country="NZ"))
    assert figures.total == 2


def test_charts_are_accessible_svg_with_titles(client, coordinator, cohort):
    html = client.get("/dashboards/").get_data(as_text=True)
    svgs = re.findall(r"<svg[^>]*>", html)
    assert len(svgs) >= 5
    for tag in svgs:
        if 'class="chart"' in tag:
            assert 'role="img"' in tag and "aria-labelledby=" in tag
    assert '<title id="funnel-chart-title">Pipeline funnel</title>' in html
    assert "<details>" not in html  # each chart's table is shown beside it


def test_the_dashboard_runs_a_bounded_number_of_queries(
    client, coordinator, factory, people, cohort, max_queries
):
    with max_queries(40) as first:
        assert b"Pipeline funnel" in client.get("/dashboards/").data
    for n in range(10):
        factory.student(people["envoy2"], name_latin=f"More{n} Student")
    with max_queries(first.count):
        assert b"Pipeline funnel" in client.get("/dashboards/").data


def test_the_running_week_is_marked_partial_not_drawn_as_a_drop(
    client, coordinator, cohort
):
    """The weekly chart draws the current week apart (dotted, over a shaded
    band, labelled "so far"), and its table row says so."""
    html = client.get("/dashboards/").get_data(as_text=True)
    assert 'class="chart-partial"' in html
    assert html.count("chart-line-partial") == 2  # one per series
    assert "This week so far" in html
    rows = re.findall(r"<tr( data-partial)?><th scope=\"row\">([^<]*)", html)
    assert [bool(flag) for flag, _day in rows].count(True) == 1
    assert rows[-1][0] == " data-partial"
    assert "(this week so far)" in html


def test_a_partial_week_is_left_out_of_the_complete_line():
    from envoycrm.dashboards.charts import line_chart

    chart = line_chart(
        [("Interactions", "series-a", [10, 20, 2])],
        ["a", "b", "c"],
        last_is_partial=True,
    )
    (series,) = chart.series
    assert len(series.points.split()) == 2  # a and b only
    assert series.partial.split()[0] == series.points.split()[-1]
    assert chart.partial_from == 75.0
    whole = line_chart([("Interactions", "series-a", [10, 20, 2])], ["a", "b", "c"])
    assert whole.partial_from is None and whole.series[0].partial == ""


def test_chart_text_is_at_least_12_px_and_never_scaled(client, coordinator, cohort):
    """Chart text is sized in CSS pixels and the charts have no view box that
    would shrink it in a narrow card; every chart has its table beside it."""
    from pathlib import Path

    import envoycrm

    css = (Path(envoycrm.__file__).parent / "static/css/app.css").read_text()
    sizes = re.findall(r"svg\.chart \.chart-label[^{]*\{[^}]*font-size: (\d+)px", css)
    assert sizes and all(int(size) >= 12 for size in sizes)
    html = client.get("/dashboards/").get_data(as_text=True)
    charts = re.findall(r'<svg class="chart"[^>]*>', html)
    assert len(charts) >= 5
    assert not any("viewBox" in tag for tag in charts)
    for table in ("funnel", "activity", "country", "university", "envoy", "opening"):
        # Each table scrolls in a region a keyboard can reach and scroll.
        assert re.search(
            rf'<div class="chart-data" role="region" aria-label="[^"]+" tabindex="0">'
            rf'\s*<table class="list" id="{table}-table">',
            html,
        )
