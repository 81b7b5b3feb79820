"""Importing students from CSV and XLSX: map, preview, confirm, error report."""

import csv
import io
import re

import pytest
from openpyxl import Workbook
from sqlalchemy import func, select

from envoycrm.extensions import db
from envoycrm.models import (
    AuditEvent,
    Consent,
    ConsentMethod,
    ConsentScope,
    ImportJob,
    ImportMapping,
    ImportStatus,
    Stage,
    Student,
)
from tests.conftest import post, sign_in

HEADER = [
    "Name",
    "Chinese name",
    "Email",
    "WeChat",
    "University",
    "Degree",
    "Field",
    "Graduation",
    "Tags",
]


def _rows() -> list[list[str]]:
    """Three good rows, four bad ones and two duplicates of known students."""
    manchester, auckland = "University of Manchester", "奥克兰大学"
    return [
        [
            "Zhang Min",
            "张敏",
            "zhang.min@uni.example.org",
            "zhangmin_01",
            manchester,
            "PhD",
            "Materials science",
            "2027-06-30",
            "fair-2026",
        ],
        [
            "Liu Yang",
            "刘洋",
            "liu.yang@uni.example.org",
            "",
            auckland,
            "master",
            "COMPUTING",
            "2027-06",
            "",
        ],
        ["", "黄丽", "", "huangli_nz", auckland, "硕士", "", "", ""],
        # bad email
        ["Bad Email", "", "not-an-email", "", manchester, "PhD", "", "", ""],
        # impossible date
        [
            "Bad Date",
            "",
            "bad.date@uni.example.org",
            "",
            manchester,
            "PhD",
            "",
            "2027-02-30",
            "",
        ],
        # unknown university
        [
            "Nowhere Person",
            "",
            "nowhere@uni.example.org",
            "",
            "University of Atlantis",
            "PhD",
            "",
            "",
            "",
        ],
        # oversized cell
        ["X" * 600, "", "long@uni.example.org", "", manchester, "PhD", "", "", ""],
        # duplicates of known students: by email and by WeChat ID
        [
            "Wang Wei",
            "王伟",
            "WANG.WEI@uni.example.org",
            "",
            manchester,
            "PhD",
            "",
            "",
            "",
        ],
        ["Chen Jing", "陈静", "", "ChenJing_NZ", auckland, "Master", "", "", ""],
    ]


def _csv_bytes(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


@pytest.fixture
def known(factory, people):
    """Two students already in the CRM, one matched by email, one by WeChat ID."""
    return [
        factory.student(
            people["envoy"], name_latin="Wang Wei", email="wang.wei@uni.example.org"
        ),
        factory.student(
            people["envoy2"],
            name_latin="Chen Jing",
            email=None,
            wechat_id="chenjing_nz",
        ),
    ]


def _upload(client, people, content, filename="students.csv", **extra):
    data = {
        "file": (io.BytesIO(content), filename),
        "owner_id": str(people["envoy"].id),
        "scope": "EMPLOYERS",
        "method": "FORM",
        "notice_language": "zh_Hans",
        "on_duplicate": "skip",
        **extra,
    }
    return post(client, "/pipeline/import", data, content_type="multipart/form-data")


def _job_id(response) -> int:
    return int(re.search(r"/import/(\d+)/mapping", response.headers["Location"])[1])


def _students() -> int:
    return db.session.scalar(select(func.count(Student.id)))


def _map_and_preview(client, job_id):
    page = client.get(f"/pipeline/import/{job_id}/mapping").get_data(as_text=True)
    # The guessed mapping is preselected; submit it as the browser would.
    data = {}
    for name, value in re.findall(
        r'<select[^>]*name="(map_\w+)"[^>]*>.*?'
        r'(?:<option selected value="(\d*)"|</select>)',
        page,
        re.S,
    ):
        data[name] = value
    return post(client, f"/pipeline/import/{job_id}/mapping", data), data


def test_import_previews_good_bad_and_duplicate_rows_and_writes_only_on_confirm(
    client, coordinator, people, known
):
    before = _students()
    response = _upload(client, people, _csv_bytes(_rows()))
    assert response.status_code == 302
    job_id = _job_id(response)
    assert _students() == before

    preview, mapping = _map_and_preview(client, job_id)
    assert mapping["map_name_latin"] == "0" and mapping["map_university"] == "4"
    assert preview.status_code == 302
    html = client.get(f"/pipeline/import/{job_id}").get_data(as_text=True)
    assert re.search(r'id="count-new">3<', html)
    assert re.search(r'id="count-skip">2<', html)
    assert re.search(r'id="count-error">4<', html)
    assert "Not a valid email address." in html
    assert "Not a real date: 2027-02-30." in html
    assert "Unknown university: University of Atlantis." in html
    assert "Longer than 120 characters." in html
    assert "Download the error report (CSV)" in html
    # Nothing is written before the coordinator confirms.
    assert _students() == before
    assert db.session.get(ImportJob, job_id).status is ImportStatus.PREVIEWED

    confirmed = post(client, f"/pipeline/import/{job_id}/confirm")
    assert confirmed.status_code == 302
    db.session.expire_all()
    assert _students() == before + 3
    imported = db.session.scalars(
        select(Student).where(Student.id.not_in([k.id for k in known]))
    ).all()
    assert {(s.name_latin, s.name_hanzi) for s in imported} == {
        ("Zhang Min", "张敏"),
        ("Liu Yang", "刘洋"),
        (None, "黄丽"),
    }
    for student in imported:
        assert student.owner_id == people["envoy"].id
        assert student.stage is Stage.CONTACTED
        assert student.consent_scope is ConsentScope.EMPLOYERS
        consent = db.session.scalar(
            select(Consent).where(Consent.student_id == student.id)
        )
        assert consent.scope is ConsentScope.EMPLOYERS
        assert consent.method is ConsentMethod.FORM
        assert consent.notice_language == "zh_Hans"
        assert consent.recorded_by_id == coordinator.id
    zhang = next(s for s in imported if s.name_latin == "Zhang Min")
    assert zhang.expected_graduation.isoformat() == "2027-06-30"
    assert [t.tag for t in zhang.tags] == ["fair-2026"]
    huang = next(s for s in imported if s.name_hanzi == "黄丽")
    assert huang.degree.name == "MASTER" and huang.wechat_id == "huangli_nz"
    # Skipped duplicates are untouched.
    db.session.refresh(known[0])
    assert known[0].name_hanzi is None
    job = db.session.get(ImportJob, job_id)
    assert job.status is ImportStatus.CONFIRMED and job.rows_written == 3
    event = db.session.scalar(select(AuditEvent).where(AuditEvent.action == "import"))
    assert event.details["rows"] == 3 and event.details["errors"] == 4

    # A second confirmation (double submit) writes nothing more.
    post(client, f"/pipeline/import/{job_id}/confirm")
    assert _students() == before + 3


def test_the_error_report_lists_the_bad_rows_and_why(
    client, coordinator, people, known
):
    job_id = _job_id(_upload(client, people, _csv_bytes(_rows())))
    _map_and_preview(client, job_id)
    response = client.get(f"/pipeline/import/{job_id}/errors.csv")
    body = response.get_data()
    assert body.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0][:3] == ["Line", "Problems", "Name"]
    assert [row[0] for row in rows[1:]] == ["5", "6", "7", "8"]
    assert "Email: Not a valid email address." in rows[1][1]
    assert "Expected graduation: Not a real date" in rows[2][1]
    assert "University: Unknown university" in rows[3][1]
    assert rows[3][6] == "University of Atlantis"


def test_duplicates_can_update_the_known_students(client, coordinator, people, known):
    job_id = _job_id(
        _upload(client, people, _csv_bytes(_rows()), on_duplicate="update")
    )
    _map_and_preview(client, job_id)
    html = client.get(f"/pipeline/import/{job_id}").get_data(as_text=True)
    assert re.search(r'id="count-update">2<', html)
    before = _students()
    post(client, f"/pipeline/import/{job_id}/confirm")
    db.session.expire_all()
    assert _students() == before + 3
    wang = db.session.get(Student, known[0].id)
    assert wang.name_hanzi == "王伟"
    assert wang.owner_id == people["envoy"].id


def test_duplicates_inside_the_file_are_reported(client, coordinator, people):
    rows = _rows()[:1] * 2
    job_id = _job_id(_upload(client, people, _csv_bytes(rows)))
    _map_and_preview(client, job_id)
    html = client.get(f"/pipeline/import/{job_id}").get_data(as_text=True)
    assert "The same person as line 2 of this file." in html
    assert re.search(r'id="count-new">1<', html)


def test_the_mapping_is_remembered_for_the_same_header_layout(
    client, coordinator, people
):
    header = ["Full name (pinyin)", "Uni", "Level"]
    content = "\n".join(
        [",".join(header), "Zhang Min,University of Manchester,PhD"]
    ).encode()
    job_id = _job_id(_upload(client, people, content))
    response = post(
        client,
        f"/pipeline/import/{job_id}/mapping",
        {"map_name_latin": "0", "map_university": "1", "map_degree": "2"},
    )
    assert response.status_code == 302
    saved = db.session.scalar(select(ImportMapping))
    assert saved.owner_id == coordinator.id
    assert saved.mapping == {"name_latin": 0, "university": 1, "degree": 2}
    second = _job_id(_upload(client, people, content))
    page = client.get(f"/pipeline/import/{second}/mapping").get_data(as_text=True)
    assert re.search(
        r'name="map_university"[^>]*>.*?<option selected value="1"', page, re.S
    )


def test_a_mapping_without_the_university_is_refused_at_the_field(
    client, coordinator, people
):
    job_id = _job_id(_upload(client, people, _csv_bytes(_rows())))
    response = post(
        client, f"/pipeline/import/{job_id}/mapping", {"map_name_latin": "0"}
    )
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="map_university-error"' in html and "Choose the column." in html
    assert db.session.get(ImportJob, job_id).status is ImportStatus.UPLOADED


def test_xlsx_files_import_too(client, coordinator, people):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in _rows()[:3]:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    job_id = _job_id(_upload(client, people, buffer.getvalue(), "students.xlsx"))
    _map_and_preview(client, job_id)
    post(client, f"/pipeline/import/{job_id}/confirm")
    names = set(db.session.scalars(select(Student.name_hanzi)))
    assert names == {"张敏", "刘洋", "黄丽"}


@pytest.mark.parametrize(
    ("content", "filename", "message"),
    [
        (
            b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
            "photo.csv",
            "This file is not a spreadsheet",
        ),
        (b"%PDF-1.7\n", "report.pdf", "Upload a CSV or Excel (.xlsx) file."),
        (
            b"PK\x03\x04garbage-not-a-zip",
            "broken.xlsx",
            "not a readable Excel workbook",
        ),
        (b"just one column\nand nothing else\n", "notes.csv", "no header row"),
        (b"", "empty.csv", "The file is empty."),
        (
            b"name,email\n\xff\xfe\xfa\xfb,x\n",
            "mixed.csv",
            "not text in UTF-8 or GB18030",
        ),
    ],
)
def test_files_that_are_not_spreadsheets_get_a_clear_message(
    client, coordinator, people, content, filename, message
):
    response = _upload(client, people, content, filename)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'id="file-error"' in html
    assert message in html
    assert db.session.scalar(select(func.count(ImportJob.id))) == 0


def test_an_oversized_file_is_refused(client, coordinator, people, monkeypatch):
    from envoycrm.pipeline import imports

    monkeypatch.setattr(imports, "MAX_BYTES", 100)
    response = _upload(client, people, _csv_bytes(_rows()))
    assert response.status_code == 422
    assert "The file is larger than" in response.get_data(as_text=True)


def test_another_coordinators_import_is_not_found(client, app, people, factory):
    sign_in(client, people["admin"].email)
    job_id = _job_id(_upload(client, people, _csv_bytes(_rows())))
    other = app.test_client()
    sign_in(other, people["coordinator"].email)
    assert other.get(f"/pipeline/import/{job_id}/mapping").status_code == 404
    assert post(other, f"/pipeline/import/{job_id}/confirm").status_code == 404
    assert other.get(f"/pipeline/import/{job_id}/errors.csv").status_code == 404


def test_envoys_and_employers_cannot_import(app, people):
    for role in ("envoy", "employer"):
        client = app.test_client()
        sign_in(client, people[role].email)
        assert client.get("/pipeline/import").status_code == 403
        assert _upload(client, people, _csv_bytes(_rows())).status_code == 403
    assert db.session.scalar(select(func.count(ImportJob.id))) == 0


def test_the_mapping_preview_and_error_report_of_an_import_are_audited(
    client, coordinator, people, known
):
    from envoycrm.models import AuditEvent

    job_id = _job_id(_upload(client, people, _csv_bytes(_rows())))
    _map_and_preview(client, job_id)
    client.get(f"/pipeline/import/{job_id}")
    client.get(f"/pipeline/import/{job_id}/errors.csv").get_data()

    db.session.expire_all()
    events = db.session.scalars(
        select(AuditEvent)
        .where(AuditEvent.record_type == "import_job", AuditEvent.record_id == job_id)
        .order_by(AuditEvent.id)
    ).all()
    actions = [e.action for e in events]
    assert actions == [
        "import.mapping_view",
        "import.preview_view",
        "import.errors_download",
    ]
    assert all(e.actor_id == coordinator.id for e in events)
    assert events[0].details == {"shown": 3}
    assert events[2].details == {"rows": 4}


def test_an_import_file_and_its_rows_are_forgotten_after_their_keeping_time(
    app, client, coordinator, people, known
):
    from datetime import timedelta

    from envoycrm import scheduler
    from envoycrm.models import ImportJob

    job_id = _job_id(_upload(client, people, _csv_bytes(_rows())))
    _map_and_preview(client, job_id)
    job = db.session.get(ImportJob, job_id)
    counts = dict(job.preview["counts"])
    keep = timedelta(hours=app.config["IMPORT_FILE_KEEP_HOURS"])

    # Still being worked on: kept.
    scheduler.run_job(app, "forget-import-files", job.created_at + keep / 2)
    db.session.expire_all()
    assert db.session.get(ImportJob, job_id).content is not None

    record = scheduler.run_job(app, "forget-import-files", job.created_at + keep * 2)

    assert record.ok is True and record.detail == "forgot 1"
    db.session.expire_all()
    job = db.session.get(ImportJob, job_id)
    assert job.content is None
    assert job.preview == {"counts": counts}  # no row of anyone's data
    # Its pages say so instead of failing.
    for path in ("mapping", "", "errors.csv"):
        url = f"/pipeline/import/{job_id}/{path}".rstrip("/")
        answer = client.get(url)
        assert answer.status_code == 302, url
        assert answer.headers["Location"].endswith("/pipeline/import")
    page = client.get("/pipeline/import").get_data(as_text=True)
    assert "This file is no longer kept" in page


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("expected_graduation", "expected_graduation"),
        ("Expected graduation date", "expected_graduation"),
        ("毕业时间", "expected_graduation"),
        ("预计毕业", "expected_graduation"),
        ("预计毕业时间：", "expected_graduation"),
        ("E-mail", "email"),
        ("邮箱", "email"),
        ("微信号", "wechat_id"),
        ("手机号码", "phone"),
        ("就读学校", "university"),
        ("学位", "degree"),
        ("Major", "programme"),
        ("姓名", "name_hanzi"),
        ("English name", "name_latin"),
        ("出生年份", "birth_year"),
        ("出生年月", "birth_year"),
        ("Year of birth", "birth_year"),
        ("birth_year", "birth_year"),
    ],
)
def test_columns_are_mapped_by_header_aliases_in_english_and_chinese(
    app, header, field
):
    from envoycrm.pipeline.imports import guess_mapping

    with app.test_request_context():
        assert guess_mapping(["Notes", header]) == {field: 1}


def _graduation_file(header: str) -> bytes:
    return "\n".join(
        [
            f"Name,University,Degree,Notes,{header}",
            "Zhang Min,University of Manchester,PhD,met at fair,2027-06-30",
            "Liu Yang,University of Manchester,Master,,2027年6月",
            "Bad Row,University of Atlantis,PhD,,2028-01",
        ]
    ).encode()


def test_a_chinese_graduation_column_is_mapped_and_its_dates_are_stored(
    client, coordinator, people
):
    job_id = _job_id(_upload(client, people, _graduation_file("预计毕业")))
    response, data = _map_and_preview(client, job_id)
    assert data["map_expected_graduation"] == "4"
    assert response.status_code == 302
    html = client.get(f"/pipeline/import/{job_id}").get_data(as_text=True)
    # Per column, how many values will be stored: the bad row's are not.
    assert re.search(
        r'<th scope="row">预计毕业</th>.*?<td>3</td>\s*'
        r'<td data-stored="expected_graduation">2</td>',
        html,
        re.S,
    )
    assert "Expected graduation: 1 of 3 values will not be stored" in html
    assert "The column “Notes” is not imported: its 1 value will" in html
    post(client, f"/pipeline/import/{job_id}/confirm", _confirm_key(client, job_id))
    graduations = db.session.scalars(
        select(Student.expected_graduation).order_by(Student.id)
    ).all()
    assert [d.isoformat() for d in graduations] == ["2027-06-30", "2027-06-01"]


def _confirm_key(client, job_id) -> dict:
    page = client.get(f"/pipeline/import/{job_id}").get_data(as_text=True)
    key = re.search(r'name="idempotency_key" value="([^"]+)"', page)
    return {"idempotency_key": key[1]} if key else {}


def test_a_recognisable_column_left_unmapped_is_warned_about(
    client, coordinator, people
):
    job_id = _job_id(_upload(client, people, _graduation_file("毕业时间")))
    response = post(
        client,
        f"/pipeline/import/{job_id}/mapping",
        {"map_name_latin": "0", "map_university": "1", "map_degree": "2"},
    )
    assert response.status_code == 302
    page = client.get(f"/pipeline/import/{job_id}/mapping").get_data(as_text=True)
    assert "“毕业时间” looks like Expected graduation." in page
    html = client.get(f"/pipeline/import/{job_id}").get_data(as_text=True)
    assert (
        "The column “毕业时间” looks like Expected graduation but is not imported: "
        "its 3 values will be dropped." in html
    )
    assert '<td data-stored="">0</td>' in html


def test_a_chinese_birth_year_column_stores_the_year_and_refuses_the_implausible(
    client, coordinator, people
):
    content = "\n".join(
        [
            "Name,University,Degree,出生年月",
            "Zhang Min,University of Manchester,PhD,1996年3月",
            "Liu Yang,University of Manchester,Master,1999",
            "Too Young,University of Manchester,PhD,2024",
        ]
    ).encode()
    job_id = _job_id(_upload(client, people, content))
    response, data = _map_and_preview(client, job_id)
    assert data["map_birth_year"] == "3"
    html = client.get(f"/pipeline/import/{job_id}").get_data(as_text=True)
    assert "Give the year of birth from 1940 to 2015." in html
    post(client, f"/pipeline/import/{job_id}/confirm", _confirm_key(client, job_id))
    years = db.session.scalars(select(Student.birth_year).order_by(Student.id)).all()
    assert years == [1996, 1999]
