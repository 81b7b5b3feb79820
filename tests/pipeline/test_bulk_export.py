"""Bulk actions on a selection or the whole filter, and exports to CSV and XLSX."""

import csv
import io
import re

from openpyxl import load_workbook
from sqlalchemy import func, select

from envoycrm.extensions import db
from envoycrm.models import AuditEvent, Role, Stage, StageChange, Student, StudentTag
from envoycrm.students import services as student_services
from tests.conftest import post, sign_in

GB_PHDS = "country=GB&degree=PHD"


def _stages() -> dict[str, Stage]:
    db.session.expire_all()
    return {s.name_latin: s.stage for s in db.session.scalars(select(Student))}


def test_list_view_shows_the_filter_sorted_and_paginated(client, coordinator, cohort):
    html = client.get("/pipeline/list?degree=MASTER&sort=name").get_data(as_text=True)
    assert "2 students" in html
    assert html.index("Chen Jing") < html.index("Sun Yu")
    assert "Wang Wei" not in html


def test_bulk_move_of_the_filtered_set_moves_exactly_that_set(
    client, coordinator, cohort
):
    response = post(
        client,
        "/pipeline/bulk",
        {
            "target": "filter",
            "confirm": "y",
            "action": "move",
            "stage": "INTERESTED",
            "filter": GB_PHDS,
            "expected": "3",
            # A ticked row outside the filter must not matter for "the filter".
            "ids": [str(cohort["chen"].id)],
        },
    )
    assert response.status_code == 302
    assert response.headers["Location"] == f"/pipeline/list?{GB_PHDS}"
    assert _stages() == {
        "Wang Wei": Stage.INTERESTED,
        "Li Na": Stage.INTERESTED,
        "Zhao Lei": Stage.INTERESTED,
        "Chen Jing": Stage.CONTACTED,
        "Sun Yu": Stage.CONTACTED,
    }
    moved = set(
        db.session.scalars(
            select(StageChange.student_id).where(
                StageChange.to_stage == Stage.INTERESTED
            )
        )
    )
    assert moved == {cohort[k].id for k in ("wang", "li", "zhao")}
    audit = db.session.scalar(
        select(AuditEvent).where(AuditEvent.action == "pipeline.bulk")
    )
    assert audit.details["rows"] == 3 and audit.actor_id == coordinator.id


def test_bulk_on_a_filter_that_changed_since_it_was_shown_changes_nothing(
    client, coordinator, cohort
):
    response = post(
        client,
        "/pipeline/bulk",
        {
            "target": "filter",
            "confirm": "y",
            "action": "move",
            "stage": "MATCHED",
            "filter": GB_PHDS,
            "expected": "2",
        },
    )
    assert response.status_code == 409
    assert "The filter now matches 3 students, not the 2" in response.get_data(
        as_text=True
    )
    assert set(_stages().values()) == {Stage.CONTACTED}


def test_bulk_on_a_selection_ignores_ids_outside_the_filter(
    client, coordinator, cohort
):
    response = post(
        client,
        "/pipeline/bulk",
        {
            "target": "selected",
            "action": "move",
            "stage": "MATCHED",
            "filter": GB_PHDS,
            "ids": [str(cohort["wang"].id), str(cohort["chen"].id)],
        },
    )
    assert response.status_code == 302
    stages = _stages()
    assert stages["Wang Wei"] is Stage.MATCHED
    assert stages["Chen Jing"] is Stage.CONTACTED
    assert stages["Li Na"] is Stage.CONTACTED


def test_bulk_with_nothing_selected_or_no_stage_is_refused_at_the_fields(
    client, coordinator, cohort
):
    response = post(
        client,
        "/pipeline/bulk",
        {"target": "selected", "action": "move", "filter": GB_PHDS},
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Select at least one student, or apply to the filter." in html
    assert "Choose the stage." in html
    closing = post(
        client,
        "/pipeline/bulk",
        {
            "target": "filter",
            "confirm": "y",
            "action": "move",
            "stage": "CLOSED",
            "expected": "5",
        },
    )
    assert closing.status_code == 422
    assert "Say why the students are closed." in closing.get_data(as_text=True)
    assert set(_stages().values()) == {Stage.CONTACTED}


def test_bulk_assign_and_tags(client, coordinator, cohort, people):
    envoy2 = people["envoy2"]
    post(
        client,
        "/pipeline/bulk",
        {
            "target": "filter",
            "confirm": "y",
            "action": "assign",
            "envoy": str(envoy2.id),
            "filter": GB_PHDS,
            "expected": "3",
        },
    )
    db.session.expire_all()
    owners = {s.name_latin: s.owner_id for s in db.session.scalars(select(Student))}
    assert owners["Wang Wei"] == owners["Li Na"] == owners["Zhao Lei"] == envoy2.id
    post(
        client,
        "/pipeline/bulk",
        {
            "target": "filter",
            "confirm": "y",
            "action": "add_tag",
            "tag": "fair-2026",
            "expected": "5",
        },
    )
    assert db.session.scalar(select(db.func.count(StudentTag.id))) == 5
    post(
        client,
        "/pipeline/bulk",
        {
            "target": "selected",
            "action": "remove_tag",
            "tag": "fair-2026",
            "ids": [str(cohort["sun"].id)],
        },
    )
    tagged = set(db.session.scalars(select(StudentTag.student_id)))
    assert cohort["sun"].id not in tagged and len(tagged) == 4


def test_xlsx_export_has_the_filtered_rows_with_chinese_intact_and_is_audited(
    client, coordinator, cohort
):
    response = client.get(f"/pipeline/export.xlsx?{GB_PHDS}")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    workbook = load_workbook(io.BytesIO(response.get_data()), read_only=True)
    rows = list(workbook.worksheets[0].iter_rows(values_only=True))
    assert rows[0][:3] == (
        "Number",
        "Name in Latin letters",
        "Name in Chinese characters",
    )
    names = {(row[1], row[2]) for row in rows[1:]}
    assert names == {("Wang Wei", "王伟"), ("Li Na", "李娜"), ("Zhao Lei", "赵磊")}
    assert {row[6] for row in rows[1:]} == {"University of Manchester"}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.actor_id == coordinator.id
    assert event.details["filter"] == GB_PHDS
    assert event.details["rows"] == 3
    assert event.details["format"] == "xlsx"


def test_csv_export_is_utf8_with_a_bom_and_audited(client, coordinator, cohort):
    response = client.get("/pipeline/export.csv?degree=MASTER")
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert {row[2] for row in rows[1:]} == {"陈静", "孙雨"}
    assert len(rows) == 3
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.details == {
        "filter": "degree=MASTER",
        "format": "csv",
        "rows": 2,
        "selection": None,
    }


def test_exports_never_carry_formulas(client, coordinator, factory, people):
    student = factory.student(people["envoy"], name_latin="=HYPERLINK(1)")
    student_services.update_profile(
        student,
        {
            **{f: getattr(student, f) for f in student_services.PROFILE_FIELDS},
            "programme": "@SUM(A1)",
            "phone": "+44 7700 900123",
        },
        student.version,
        people["coordinator"],
    )
    db.session.commit()
    rows = list(
        csv.reader(
            io.StringIO(
                client.get("/pipeline/export.csv").get_data().decode("utf-8-sig")
            )
        )
    )
    assert rows[1][1] == "'=HYPERLINK(1)"
    assert rows[1][8] == "'@SUM(A1)"
    assert rows[1][5] == "+44 7700 900123"
    workbook = load_workbook(io.BytesIO(client.get("/pipeline/export.xlsx").get_data()))
    cell = workbook.worksheets[0]["B2"]
    assert cell.value == "=HYPERLINK(1)" and cell.data_type == "s"


def test_bulk_export_of_a_selection_streams_only_those_rows(
    client, coordinator, cohort
):
    response = post(
        client,
        "/pipeline/bulk",
        {
            "target": "selected",
            "action": "export_csv",
            "ids": [str(cohort["li"].id), str(cohort["sun"].id)],
        },
    )
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert {row[1] for row in rows[1:]} == {"Li Na", "Sun Yu"}
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
    assert event.details["rows"] == 2 and event.details["selection"] == 2


def test_envoys_and_employers_cannot_export(app, people, cohort):
    for role in ("envoy", "envoy2", "employer"):
        client = app.test_client()
        sign_in(client, people[role].email)
        for url in ("/pipeline/export.csv", "/pipeline/export.xlsx"):
            response = client.get(url)
            assert response.status_code == 403
            assert b"Wang Wei" not in response.get_data()
    assert (
        db.session.scalar(select(AuditEvent).where(AuditEvent.action == "export"))
        is None
    )


def test_formula_cells_are_neutralised_in_exports_and_error_reports():
    from envoycrm.pipeline.exports import safe_text

    for value in ("=1+1", " =HYPERLINK(1)", "＝SUM(A1)", "@cmd", "-2+3"):
        assert safe_text(value).startswith("'"), value
    assert safe_text("+44 7700 900123") == "+44 7700 900123"
    assert safe_text("Wang Wei") == "Wang Wei"


def test_bulk_on_the_whole_filter_needs_its_count_confirmed(
    client, coordinator, cohort
):
    html = client.get("/pipeline/list").get_data(as_text=True)
    assert "All 5 students matching this filter" in html
    assert "The change applies to 5 students" in html
    data = {"target": "filter", "action": "move", "stage": "OFFER", "expected": "5"}
    response = post(client, "/pipeline/bulk", data)
    assert response.status_code == 422
    assert "Confirm that every student matching the filter changes." in (
        response.get_data(as_text=True)
    )
    assert (
        db.session.scalar(
            select(func.count(Student.id)).where(Student.stage == Stage.OFFER)
        )
        == 0
    )
    response = post(client, "/pipeline/bulk", {**data, "confirm": "y"})
    assert response.status_code == 302
    db.session.expire_all()
    assert (
        db.session.scalar(
            select(func.count(Student.id)).where(Student.stage == Stage.OFFER)
        )
        == 5
    )


def test_bulk_shows_each_actions_fields_apart_and_ignores_the_others(
    client, coordinator, cohort
):
    html = client.get("/pipeline/list").get_data(as_text=True)
    for action in ("move", "assign", "tag"):
        assert f'class="form-row bulk-fields" data-for="{action}"' in html
    chosen = re.search(r'<input([^>]*)name="action"([^>]*)value="move"', html)
    assert chosen and "checked" in chosen.group(0)
    # A bad tag typed before choosing "move" does not block the move.
    wang = cohort["wang"]
    response = post(
        client,
        "/pipeline/bulk",
        {
            "target": "selected",
            "ids": [str(wang.id)],
            "action": "move",
            "stage": "OFFER",
            "tag": "not a tag!",
        },
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert db.session.get(Student, wang.id).stage is Stage.OFFER


def test_a_new_york_envoys_dates_export_as_the_same_dates_to_a_shanghai_coordinator(
    client, coordinator, factory, people
):
    """XLSX holds real date cells, CSV ISO dates: 3 Dec stays 3 Dec, although
    noon in New York is already 4 Dec in Shanghai."""
    from datetime import date, datetime

    assert coordinator.timezone == "Asia/Shanghai"
    envoy = factory.user(
        Role.ENVOY,
        "ny@example.org",
        timezone="America/New_York",
        university=people["envoy"].envoy_profile.university,
    )
    factory.student(
        envoy,
        name_latin="Met In New York",
        met_on=date(2026, 12, 3),
        expected_graduation=date(2027, 6, 1),
        birth_year=1996,
    )
    envoy_filter = f"envoy={envoy.id}"

    response = client.get(f"/pipeline/export.xlsx?{envoy_filter}")
    sheet = load_workbook(io.BytesIO(response.get_data())).worksheets[0]
    header = [cell.value for cell in sheet[1]]
    row = sheet[2]
    graduation = row[header.index("Expected graduation")]
    activity = row[header.index("Latest activity")]
    assert row[header.index("Year of birth")].value == 1996
    for cell, day in ((graduation, date(2027, 6, 1)), (activity, date(2026, 12, 3))):
        assert cell.is_date and cell.data_type == "d"
        assert cell.number_format == "yyyy-mm-dd"
        assert isinstance(cell.value, datetime)
        assert cell.value.date() == day and cell.value.time().hour == 0

    response = client.get(f"/pipeline/export.csv?{envoy_filter}")
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    header, values = rows[0], rows[1]
    assert values[header.index("Expected graduation")] == "2027-06-01"
    assert values[header.index("Latest activity")] == "2026-12-03"
    assert values[header.index("Year of birth")] == "1996"


def test_the_xlsx_export_sends_its_first_bytes_before_reading_any_row():
    """The workbook streams: the first block leaves before the rows are read,
    and the finished file opens with its header, text, numbers and dates."""
    from datetime import date

    from envoycrm.pipeline.xlsx_stream import stream_workbook

    read: list[int] = []

    def rows():
        for n in range(3):
            read.append(n)
            yield [n, f"=text {n}", date(2027, 6, n + 1)]

    blocks = stream_workbook(
        "Students: [all]", ["Number", "Name", "Graduation"], rows()
    )
    first = next(blocks)
    assert first.startswith(b"PK") and read == []
    content = first + b"".join(blocks)
    assert read == [0, 1, 2]
    workbook = load_workbook(io.BytesIO(content))
    sheet = workbook.worksheets[0]
    assert sheet.title == "Students   all "
    values = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert values[0] == ["Number", "Name", "Graduation"]
    assert values[2][:2] == [1, "=text 1"] and sheet["B3"].data_type == "s"
    assert sheet["C3"].is_date and sheet["C3"].value.date() == date(2027, 6, 2)


def test_the_xlsx_export_memory_does_not_grow_with_rows():
    """Peak Python memory for 5,000 and 40,000 rows of distinct text is the
    same to within a few hundred KB: nothing per row is kept."""
    import tracemalloc

    from envoycrm.pipeline.xlsx_stream import stream_workbook

    def peak(count: int) -> int:
        rows = (
            [n, f"Student {n}", f"s{n}@uni.example.org", "王伟"] for n in range(count)
        )
        tracemalloc.start()
        size = sum(len(block) for block in stream_workbook("S", ["a"] * 4, rows))
        _current, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        assert size > count  # written, compressed
        return top

    small, large = peak(5_000), peak(40_000)
    assert large < small + 512 * 1024, (small, large)
    assert large < 4 * 1024 * 1024


def test_an_export_link_token_comes_back_as_a_cookie_when_the_download_starts(
    client, coordinator, cohort
):
    """The link's script shows "working" until this cookie arrives; a token
    that is not a plain short word is not echoed."""
    response = client.get("/pipeline/export.csv?degree=MASTER&export_token=ab12cd34")
    assert "export_started=ab12cd34" in response.headers["Set-Cookie"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig"))))
    assert len(rows) == 3
    response = client.get("/pipeline/export.xlsx?export_token=%3Cscript%3E")
    assert "Set-Cookie" not in response.headers or "export_started" not in str(
        response.headers.getlist("Set-Cookie")
    )


def test_the_export_links_say_what_they_do_while_working(client, coordinator, cohort):
    """Board and list share the export links, each with its busy label."""
    for url in ("/pipeline/", "/pipeline/list"):
        html = client.get(url).get_data(as_text=True)
        assert html.count("data-export ") == 2
        assert "Preparing the Excel file…" in html and "data-export-status" in html
