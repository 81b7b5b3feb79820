"""Exporting the filtered students to CSV and XLSX, streamed.

Rows are read with ``yield_per`` in partitions, so memory does not grow with
the number of students. CSV is written row by row into the response (UTF-8
with a BOM, so Excel shows Chinese text intact). XLSX is written as it is
sent too (``xlsx_stream``): the header row leaves before the first query.
"""

import csv
import io
import re
from collections.abc import Iterator
from datetime import date, datetime

from flask_babel import gettext as _
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import select

from envoycrm.extensions import db
from envoycrm.labels import label
from envoycrm.models import Student, StudentTag, University, User, utcnow
from envoycrm.pipeline.filters import PipelineFilter, apply_filter
from envoycrm.pipeline.xlsx_stream import stream_workbook
from envoycrm.students.queries import order_by_sort

PARTITION = 1000
# Text that a spreadsheet would run as a formula (CSV/formula injection).
# Formula starts, also after spaces and in full width (some Excel locales).
_FORMULA = re.compile(r"^\s*[=+\-@\t\r＝＋－＠]")
_PHONE = re.compile(r"^\+[0-9 ()\-]+$")
_TOKEN = re.compile(r"^[a-z0-9]{4,32}$")


def headers() -> list[str]:
    """Column titles in the viewer's language."""
    return [
        _("Number"),
        _("Name in Latin letters"),
        _("Name in Chinese characters"),
        _("Email"),
        _("WeChat ID"),
        _("Phone"),
        _("University"),
        _("Country or region"),
        _("Programme"),
        _("Field of study"),
        _("Degree"),
        _("Expected graduation"),
        _("Year of birth"),
        _("Stage"),
        _("Days in stage"),
        _("Intention"),
        _("Envoy"),
        _("Tags"),
        _("Consent"),
        _("Latest activity"),
    ]


def _rows_query(filters: PipelineFilter, ids: list[int] | None):
    query = (
        select(
            Student.id,
            Student.name_latin,
            Student.name_hanzi,
            Student.email,
            Student.wechat_id,
            Student.phone,
            University.name_en,
            University.name_zh,
            University.country_code,
            Student.university_name_typed,
            Student.programme,
            Student.field,
            Student.degree,
            Student.expected_graduation,
            Student.birth_year,
            Student.stage,
            Student.stage_changed_at,
            Student.intention_level,
            User.full_name,
            Student.consent_scope,
            Student.last_activity_on,
        )
        # Outer: a student whose typed university is not mapped yet is kept.
        .outerjoin(University, University.id == Student.university_id)
        .join(User, User.id == Student.owner_id)
    )
    query = apply_filter(query, filters)
    if ids is not None:
        query = query.where(Student.id.in_(ids))
    return order_by_sort(query, filters.sort).execution_options(yield_per=PARTITION)


def export_rows(
    filters: PipelineFilter, locale: str, ids: list[int] | None = None
) -> Iterator[list]:
    """Every filtered student as a list of cell values, partition by partition."""
    from envoycrm.i18n import country_name

    now = utcnow()
    zh = locale.startswith("zh")
    countries: dict[str, str] = {}
    result = db.session.execute(_rows_query(filters, ids))
    for partition in result.partitions(PARTITION):
        tags: dict[int, list[str]] = {}
        for student_id, tag in db.session.execute(
            select(StudentTag.student_id, StudentTag.tag)
            .where(StudentTag.student_id.in_([row.id for row in partition]))
            .order_by(StudentTag.tag)
        ):
            tags.setdefault(student_id, []).append(tag)
        for row in partition:
            code = row.country_code
            if code and code not in countries:
                countries[code] = country_name(code)
            yield [
                row.id,
                row.name_latin or "",
                row.name_hanzi or "",
                row.email or "",
                row.wechat_id or "",
                row.phone or "",
                (row.name_zh if zh else row.name_en) or row.university_name_typed,
                countries.get(code, ""),
                row.programme or "",
                label(row.field),
                label(row.degree),
                row.expected_graduation or "",
                row.birth_year or "",
                label(row.stage),
                max(0, (now - row.stage_changed_at).days),
                label(row.intention_level),
                row.full_name,
                ", ".join(tags.get(row.id, [])),
                label(row.consent_scope),
                row.last_activity_on,
            ]


def safe_text(value):
    """Text a spreadsheet shows as text: no formulas, no illegal characters.

    A date becomes its ISO form ("2027-06-01"), the same in every locale.
    """
    if isinstance(value, date):
        return value.isoformat()
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    if _FORMULA.match(value) and not _PHONE.match(value):
        return "'" + value
    return value


def csv_stream(rows: Iterator[list]) -> Iterator[bytes]:
    """CSV bytes: a UTF-8 BOM, the header, then one line per row."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers())
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    for row in rows:
        buffer.seek(0)
        buffer.truncate()
        writer.writerow([safe_text(value) for value in row])
        yield buffer.getvalue().encode("utf-8")


XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def xlsx_stream(
    rows: Iterator[list],
    header: list[str] | None = None,
    sheet_title: str | None = None,
) -> Iterator[bytes]:
    """XLSX bytes, streamed as the rows come (see ``xlsx_stream.stream_workbook``).

    The students' export by default; another export names its own header
    and sheet.
    """
    return stream_workbook(
        sheet_title or _("Students"),
        header if header is not None else headers(),
        rows,
    )


def export_filename(extension: str, now: datetime | None = None) -> str:
    """``students-20261123-1000.csv``."""
    return f"students-{(now or utcnow()):%Y%m%d-%H%M}.{extension}"


def export_token(value: str | None) -> str | None:
    """The export link's token, echoed in a cookie, if it is a plain short token."""
    return value if value and _TOKEN.match(value) else None
