"""The board, moving cards without JavaScript, filters in the URL, saved views."""

import re

from sqlalchemy import func, select

from envoycrm.extensions import db
from envoycrm.models import AuditEvent, SavedView, Stage, StageChange, Student
from envoycrm.pipeline.filters import PipelineFilter
from tests.conftest import post, sign_in


def _column_count(html: str, stage: str) -> int:
    match = re.search(
        rf'id="column-head-{stage}".*?class="column-count">([\d,]+)<', html, re.S
    )
    return int(match.group(1).replace(",", ""))


def test_board_shows_a_column_per_stage_with_counts_and_cards(
    client, coordinator, cohort
):
    html = client.get("/pipeline/").get_data(as_text=True)
    for stage in Stage:
        assert f'id="column-head-{stage.name}"' in html
    assert _column_count(html, "CONTACTED") == 5
    assert _column_count(html, "OFFER") == 0
    assert "Wang Wei 王伟" in html
    assert "University of Manchester" in html and "Materials science" in html
    assert "0 days" in html


def test_a_column_shows_a_bounded_number_of_cards_and_a_more_link(
    client, coordinator, factory, people, monkeypatch
):
    from envoycrm.pipeline import services

    monkeypatch.setattr(services, "CARDS_PER_COLUMN", 2)
    monkeypatch.setattr(services.board, "__defaults__", (2,))
    for n in range(4):
        factory.student(people["envoy"], name_latin=f"Many{n} Person")
    html = client.get("/pipeline/").get_data(as_text=True)
    assert html.count('class="board-card"') == 2
    assert _column_count(html, "CONTACTED") == 4
    assert "2 more in this stage" in html
    assert 'href="/pipeline/list?stage=CONTACTED">2 more in this stage' in html


def test_moving_a_card_without_javascript_redirects_back_to_the_filtered_board(
    client, coordinator, cohort
):
    wang = cohort["wang"]
    response = post(
        client,
        f"/pipeline/students/{wang.id}/move",
        {"stage": "MATCHED", "filter": "country=GB&degree=PHD"},
    )
    assert response.status_code == 302
    assert response.headers["Location"] == "/pipeline/?country=GB&degree=PHD"
    html = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Wang Wei 王伟 moved to Matched." in html
    assert _column_count(html, "MATCHED") == 1
    assert _column_count(html, "CONTACTED") == 2  # the other two GB PhDs
    change = db.session.scalar(
        select(StageChange).where(StageChange.to_stage == Stage.MATCHED)
    )
    assert change.student_id == wang.id
    assert change.from_stage is Stage.CONTACTED
    assert change.changed_by_id == coordinator.id
    page = client.get(f"/students/{wang.id}").get_data(as_text=True)
    assert "Stage: Contacted → Matched" in page


def test_closing_without_a_reason_is_refused_at_the_field(client, coordinator, cohort):
    wang = cohort["wang"]
    response = post(client, f"/pipeline/students/{wang.id}/move", {"stage": "CLOSED"})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert f'id="move-reason-{wang.id}-error"' in html
    assert "Say why the student is closed." in html
    db.session.expire_all()
    assert db.session.get(Student, wang.id).stage is Stage.CONTACTED


def test_htmx_move_answers_the_card_and_every_count_out_of_band(
    client, coordinator, cohort
):
    wang = cohort["wang"]
    response = post(
        client,
        f"/pipeline/students/{wang.id}/move",
        {"stage": "OFFER", "filter": ""},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'hx-swap-oob="afterbegin:#cards-OFFER"' in html
    for stage in Stage:
        assert f'id="column-head-{stage.name}" hx-swap-oob="true"' in html
    assert _column_count(html, "OFFER") == 1
    assert _column_count(html, "CONTACTED") == 4
    assert len(html.encode()) < 15_000


def test_an_htmx_move_with_bad_input_answers_the_card_with_the_error(
    client, coordinator, cohort
):
    wang = cohort["wang"]
    response = post(
        client,
        f"/pipeline/students/{wang.id}/move",
        {"stage": "NOT_A_STAGE"},
        headers={"HX-Request": "true"},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith(
        f'<li class="board-card card-open" id="card-{wang.id}"'
    )
    assert f'id="move-stage-{wang.id}-error"' in html


def test_filters_round_trip_through_the_url(client, coordinator, cohort):
    url = "/pipeline/?country=GB&degree=PHD&field=MATERIALS&graduation_year=2027"
    html = client.get(url).get_data(as_text=True)
    assert _column_count(html, "CONTACTED") == 1  # only Wang Wei
    assert "Wang Wei" in html and "Zhao Lei" not in html and "Chen Jing" not in html
    assert '<option value="GB" selected>' in html
    assert '<option value="PHD" selected>' in html
    assert 'name="graduation_year" type="number" min="1991" max="2099"' in html
    assert 'value="2027"' in html
    parsed = PipelineFilter.from_args(url.split("?", 1)[1])
    assert PipelineFilter.from_args(parsed.query_string) == parsed
    assert parsed.query_string == (
        "country=GB&field=MATERIALS&degree=PHD&graduation_year=2027"
    )


def test_malformed_filters_are_ignored_rather_than_failing(client, coordinator, cohort):
    response = client.get(
        "/pipeline/?country=Narnia&university=x&envoy=-1&degree=WIZARD"
        "&graduation_year=99999&stage_age=abc&tag=%00bad"
    )
    assert response.status_code == 200
    assert _column_count(response.get_data(as_text=True), "CONTACTED") == 5


def test_stage_age_filter_keeps_students_long_in_their_stage(
    client, coordinator, cohort
):
    from datetime import timedelta

    from envoycrm.models import utcnow

    old = cohort["li"]
    db.session.execute(
        Student.__table__.update()
        .where(Student.id == old.id)
        .values(stage_changed_at=utcnow() - timedelta(days=40))
    )
    db.session.commit()
    html = client.get("/pipeline/?stage_age=30").get_data(as_text=True)
    assert _column_count(html, "CONTACTED") == 1
    assert "Li Na" in html and "40 days" in html


def test_a_saved_view_restores_its_filter(client, coordinator, cohort):
    response = post(
        client,
        "/pipeline/views",
        {"name": "GB PhDs", "filter": "country=GB&degree=PHD&sort=name"},
    )
    assert response.status_code == 302
    view = db.session.scalar(select(SavedView))
    assert view.owner_id == coordinator.id
    assert view.query == "country=GB&degree=PHD&sort=name"
    board = client.get("/pipeline/").get_data(as_text=True)
    assert "GB PhDs" in board
    opened = client.get(f"/pipeline/views/{view.id}")
    assert opened.status_code == 302
    assert opened.headers["Location"] == "/pipeline/?country=GB&degree=PHD&sort=name"
    html = client.get(opened.headers["Location"]).get_data(as_text=True)
    assert _column_count(html, "CONTACTED") == 3


def test_saving_a_view_without_a_name_is_refused_at_the_field(
    client, coordinator, cohort
):
    response = post(client, "/pipeline/views", {"name": "  ", "filter": "country=GB"})
    assert response.status_code == 422
    assert 'id="name-error"' in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count(SavedView.id))) == 0


def test_another_coordinators_saved_view_is_not_found(
    client, app, coordinator, people, factory
):
    other = factory.user(coordinator.role, "other.coordinator@example.org")
    view = SavedView(owner_id=other.id, name="Theirs", query="country=GB")
    db.session.add(view)
    db.session.commit()
    assert client.get(f"/pipeline/views/{view.id}").status_code == 404
    assert post(client, f"/pipeline/views/{view.id}/delete").status_code == 404
    assert "Theirs" not in client.get("/pipeline/").get_data(as_text=True)


def test_deleting_a_saved_view(client, coordinator):
    post(client, "/pipeline/views", {"name": "Mine", "filter": "degree=PHD"})
    view = db.session.scalar(select(SavedView))
    assert post(client, f"/pipeline/views/{view.id}/delete").status_code == 302
    assert db.session.scalar(select(func.count(SavedView.id))) == 0


def test_envoys_and_employers_cannot_use_the_board(app, people, cohort):
    wang = cohort["wang"]
    for role in ("envoy", "employer"):
        client = app.test_client()
        sign_in(client, people[role].email)
        assert client.get("/pipeline/").status_code == 403
        response = post(
            client, f"/pipeline/students/{wang.id}/move", {"stage": "OFFER"}
        )
        assert response.status_code == 403
    db.session.expire_all()
    assert db.session.get(Student, wang.id).stage is Stage.CONTACTED
    assert not db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "student.stage")
    )


def test_column_counts_under_a_country_filter_equal_a_direct_count(
    client, login_as, factory, people
):
    from sqlalchemy import func, select
    from werkzeug.datastructures import MultiDict

    from envoycrm.extensions import db
    from envoycrm.models import Stage, Student, University
    from envoycrm.pipeline.filters import PipelineFilter
    from envoycrm.pipeline.services import stage_counts
    from envoycrm.students.services import move_stage

    nz = people["envoy2"]
    for n in range(5):
        s = factory.student(people["envoy"], name_latin=f"Gb Student{n}")
        if n % 2:
            move_stage(s, people["envoy"], Stage.INTERESTED)
    for n in range(3):
        factory.student(nz, name_latin=f"Nz Student{n}")
    db.session.commit()
    counts = stage_counts(PipelineFilter.from_args(MultiDict({"country": "GB"})))
    expected = dict(
        db.session.execute(
            select(Student.stage, func.count())
            .join(University, University.id == Student.university_id)
            .where(University.country_code == "GB")
            .group_by(Student.stage)
        ).all()
    )
    assert {k: v for k, v in counts.items() if v} == expected
    assert counts[Stage.CONTACTED] == 3 and counts[Stage.INTERESTED] == 2


def test_a_cards_move_menu_without_javascript_is_a_page_with_the_move_form(
    client, coordinator, cohort, people
):
    wang, envoy = cohort["wang"], people["envoy"].id
    board = client.get(f"/pipeline/?envoy={envoy}").get_data(as_text=True)
    menu_link = f"/pipeline/students/{wang.id}/move?filter=envoy%3D{envoy}"
    assert f'href="{menu_link}"' in board
    response = client.get(menu_link)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "<html" in html
    assert f'action="/pipeline/students/{wang.id}/move"' in html
    assert f'id="move-stage-{wang.id}"' in html
    assert f'name="filter" value="envoy={envoy}"' in html
    response = post(
        client,
        f"/pipeline/students/{wang.id}/move",
        {"stage": "OFFER", "filter": f"envoy={envoy}"},
    )
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/pipeline/?envoy={envoy}")


def test_a_cards_move_menu_under_htmx_is_the_card_with_its_form_open(
    client, coordinator, cohort
):
    wang = cohort["wang"]
    board = client.get("/pipeline/").get_data(as_text=True)
    assert f'id="move-stage-{wang.id}"' not in board  # the menu is folded
    response = client.get(
        f"/pipeline/students/{wang.id}/move", headers={"HX-Request": "true"}
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.lstrip().startswith(
        f'<li class="board-card card-open" id="card-{wang.id}"'
    )
    assert "<html" not in html
    assert f'id="move-stage-{wang.id}"' in html and "autofocus" in html
    viewed = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "pipeline.move_menu_view")
    )
    assert viewed.record_id == wang.id


def test_another_envoys_student_has_no_move_menu_for_an_envoy(app, people, cohort):
    client = app.test_client()
    sign_in(client, people["envoy"].email)
    response = client.get(f"/pipeline/students/{cohort['wang'].id}/move")
    assert response.status_code == 403


def test_returned_and_closed_columns_show_their_count_and_a_link_not_cards(
    client, coordinator, cohort
):
    for student in (cohort["wang"], cohort["li"]):
        student.stage = Stage.RETURNED
    db.session.commit()
    html = client.get("/pipeline/").get_data(as_text=True)
    assert _column_count(html, "RETURNED") == 2
    assert 'id="cards-RETURNED"' not in html
    assert f'id="card-{cohort["wang"].id}"' not in html
    assert 'href="/pipeline/list?stage=RETURNED">See them in the list' in html


def test_filters_beyond_the_compact_row_are_folded_away_unless_applied(
    client, coordinator, cohort
):
    html = client.get("/pipeline/").get_data(as_text=True)
    assert '<details class="more-filters">' in html
    html = client.get("/pipeline/?tag=vip").get_data(as_text=True)
    assert '<details class="more-filters" open>' in html


def test_saved_views_are_in_a_menu_that_opens_on_an_error(client, coordinator):
    html = client.get("/pipeline/").get_data(as_text=True)
    assert '<details class="menu saved-views">' in html
    response = post(client, "/pipeline/views", {"name": "", "filter": ""})
    assert response.status_code == 422
    assert '<details class="menu saved-views" open>' in response.get_data(as_text=True)


def test_list_pages_do_not_reload_each_row_after_recording_the_view(
    client, coordinator, factory, people, max_queries
):
    """Recording that a list was viewed commits before the page renders; the
    rows read stay loaded, so 25 rows cost what 3 rows cost."""
    urls = ("/pipeline/list", "/pipeline/", "/students/")

    def counts() -> list[int]:
        found = []
        for url in urls:
            client.get(url)  # the view is recorded once a minute: warm it
            with max_queries(200) as counter:
                assert client.get(url).status_code == 200
            found.append(counter.count)
        return found

    for n in range(3):
        factory.student(people["envoy"], name_latin=f"Few{n} Person")
    few = counts()
    for n in range(22):
        factory.student(people["envoy2"], name_latin=f"More{n} Person")
    assert counts() == few
