"""Importing the pilot's personnel files: preview and check, then confirm."""

import io
import re

import sqlalchemy as sa
from openpyxl import Workbook

from envoycrm.extensions import db
from envoycrm.models import FileNotice, FileStep, ImportJob, PersonnelFile, Student
from tests.conftest import post

HEADERS = [
    "姓名",
    "Name",
    "Email",
    "University",
    "Degree",
    "Field",
    "步骤",
    "办理日期",
    "存放编号",
    "缺少材料",
    "Language",
]


def _sheet(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(HEADERS)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def _pilot_rows(university: str, known_email: str):
    return [
        [
            "李娜",
            "Li Na",
            "li.na@example.org",
            university,
            "PhD",
            "Materials",
            "已入库保管",
            "2026-03-02",
            "A-01-03",
            "",
            "zh_Hans",
        ],
        [
            "张伟",
            "Zhang Wei",
            "zhang.wei@example.org",
            university,
            "Master",
            "Marine",
            "File received",
            "2026年10月8日",
            "A-01-04",
            "Copy of passport、成绩单",
            "en",
        ],
        # A known student (the envoy's): gets the file, keeps the record.
        [
            "王伟",
            "Wang Wei",
            known_email,
            university,
            "Master",
            "Materials",
            "CHECKED",
            "2026-11-02",
            "B-02-01",
            "",
            "",
        ],
        # The bad row: a step nobody knows and a date that does not exist.
        [
            "陈静",
            "Chen Jing",
            "chen.jing@example.org",
            university,
            "Master",
            "Materials",
            "Lost in the post",
            "2026-02-30",
            "",
            "",
            "",
        ],
    ]


def _upload(client, content: bytes):
    return post(
        client,
        "/files/import",
        {"file": (io.BytesIO(content), "pilot.xlsx")},
        content_type="multipart/form-data",
    )


def test_pilot_sheet_with_one_bad_row_previews_then_opens_the_good_ones(
    client, login_as, factory, people, student
):
    university = factory.university("University of Leeds", "利兹大学")
    login_as("coordinator")
    response = _upload(client, _sheet(_pilot_rows(university.name_en, student.email)))
    assert response.status_code == 302
    preview_url = response.headers["Location"]
    assert db.session.scalar(sa.select(sa.func.count(PersonnelFile.id))) == 0
    page = client.get(preview_url).get_data(as_text=True)
    assert re.search(r'id="count-new">2<', page)
    assert re.search(r'id="count-update">1<', page)
    assert re.search(r'id="count-error">1<', page)
    assert "Unknown step: Lost in the post." in page
    assert "Not a real date: 2026-02-30." in page
    job_id = int(preview_url.rsplit("/", 1)[1])
    errors = client.get(f"/files/import/{job_id}/errors.csv").get_data(as_text=True)
    assert "Chen Jing" in errors and "Li Na" not in errors

    confirm = post(client, f"/files/import/{job_id}/confirm")
    assert confirm.status_code == 302
    again = post(client, f"/files/import/{job_id}/confirm")
    assert again.status_code == 302
    files = {
        f.student.name_latin: f
        for f in db.session.scalars(sa.select(PersonnelFile)).all()
    }
    assert set(files) == {"Li Na", "Zhang Wei", "Wang Wei"}
    assert files["Li Na"].step is FileStep.STORED
    assert files["Zhang Wei"].locale == "en"
    assert [d.name for d in files["Zhang Wei"].missing_documents] == [
        "PASSPORT",
        "TRANSCRIPTS",
    ]
    assert files["Wang Wei"].student_id == student.id
    assert files["Wang Wei"].student.owner_id == people["envoy"].id
    assert files["Li Na"].student.owner_id == people["coordinator"].id
    assert (
        db.session.scalar(
            sa.select(sa.func.count(Student.id)).where(
                Student.name_latin == "Chen Jing"
            )
        )
        == 0
    )
    # Each opened file mails its student the status link, once.
    assert db.session.scalar(sa.select(sa.func.count(FileNotice.id))) == 3


def test_the_student_import_pages_do_not_open_a_file_import(
    client, login_as, factory, student
):
    university = factory.university("University of Leeds", "利兹大学")
    login_as("coordinator")
    response = _upload(client, _sheet(_pilot_rows(university.name_en, student.email)))
    job_id = db.session.scalar(sa.select(sa.func.max(ImportJob.id)))
    assert response.status_code == 302
    assert client.get(f"/pipeline/import/{job_id}").status_code == 404
    assert client.get(f"/pipeline/import/{job_id}/mapping").status_code == 404


def test_a_sheet_without_the_step_column_cannot_be_confirmed(
    client, login_as, factory, student
):
    university = factory.university("University of Leeds", "利兹大学")
    book = Workbook()
    book.active.append(["Name", "Email", "University", "Degree"])
    book.active.append(["Li Na", "li.na@example.org", university.name_en, "PhD"])
    buffer = io.BytesIO()
    book.save(buffer)
    login_as("coordinator")
    preview_url = _upload(client, buffer.getvalue()).headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert "The file has no column for" in page
    job_id = int(preview_url.rsplit("/", 1)[1])
    post(client, f"/files/import/{job_id}/confirm")
    assert db.session.scalar(sa.select(sa.func.count(PersonnelFile.id))) == 0


def test_the_pilot_sheets_chinese_columns_are_read_and_dropped_ones_named(
    client, login_as, factory, student
):
    university = factory.university("University of Leeds", "利兹大学")
    book = Workbook()
    book.active.append(
        ["姓名", "邮箱", "就读学校", "学历", "步骤", "办理日期"]
        + ["出生年份", "预计毕业", "来源", "备注"]
    )
    book.active.append(
        ["李娜", "li.na@example.org", university.name_zh, "博士", "已入库保管"]
        + ["2026-03-02", "1994", "2027年6月", "校友会", "加急"]
    )
    buffer = io.BytesIO()
    book.save(buffer)
    login_as("coordinator")
    preview_url = _upload(client, buffer.getvalue()).headers["Location"]
    page = client.get(preview_url).get_data(as_text=True)
    assert re.search(r'id="count-new">1<', page)
    # A column the student import knows but this one does not take, and one
    # nobody knows: both said to be dropped, with how many values.
    assert (
        "The column “来源” looks like How you met but is not imported: "
        "its 1 value will be dropped." in page
    )
    assert "The column “备注” is not imported: its 1 value will be dropped." in page
    job_id = int(preview_url.rsplit("/", 1)[1])
    post(client, f"/files/import/{job_id}/confirm")
    opened = db.session.scalar(sa.select(PersonnelFile)).student
    assert (opened.name_hanzi, opened.birth_year) == ("李娜", 1994)
    assert opened.expected_graduation.isoformat() == "2027-06-01"
