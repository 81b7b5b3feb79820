"""Importing students from a CSV or XLSX file, in three steps.

1. *Upload*: the file is checked (size, that it is a spreadsheet at all) and
   kept in an ``ImportJob`` row with the import's options (consent scope and
   method, the envoy who will own the students, update or skip duplicates).
2. *Map and preview*: the coordinator maps columns to fields (the mapping is
   remembered per coordinator and header layout in ``ImportMapping``); every
   row is validated and compared with existing students by email and WeChat
   ID. The result is stored in the job. Nothing is written to the students.
3. *Confirm*: exactly the good rows are written, chunk by chunk, each new
   student with a consent as the import states it.

Everything runs synchronously inside the request, in chunks of ``CHUNK``
rows whose progress is stored in the job (``rows_done``); 10,000 rows take a
few seconds.
"""

import csv
import hashlib
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any, Protocol, TypeVar

from email_validator import EmailNotValidError, validate_email
from flask_babel import gettext as _
from flask_babel import ngettext
from sqlalchemy import or_, select, update

from envoycrm import audit
from envoycrm.auth.services import normalise_email
from envoycrm.database import rows_changed
from envoycrm.extensions import db
from envoycrm.forms import (
    EARLIEST_BIRTH_YEAR,
    EARLIEST_DATE,
    LATEST_BIRTH_YEAR,
    LATEST_DATE,
    NOT_ONE_LINE,
)
from envoycrm.i18n import LANGUAGE_NAMES, format_number
from envoycrm.labels import LABELS
from envoycrm.models import (
    ConsentMethod,
    ConsentScope,
    DegreeLevel,
    FieldOfStudy,
    ImportJob,
    ImportMapping,
    ImportStatus,
    Student,
    StudentTag,
    University,
    User,
    utcnow,
)
from envoycrm.pipeline import xlsx
from envoycrm.pipeline.exports import safe_text
from envoycrm.students.duplicates import normalise_wechat
from envoycrm.students.forms import PHONE, TAG, WECHAT_ID
from envoycrm.students.names import name_key
from envoycrm.students.services import create_student

MAX_BYTES = 5 * 1024 * 1024
MAX_ROWS = 20_000
MAX_COLUMNS = 60
# What a file may hold, blank rows and ignored columns included, checked as
# it is read: a sheet declaring a million rows is refused at its first line.
LIMITS = xlsx.Limits(
    rows=MAX_ROWS + 1_000,
    columns=MAX_COLUMNS,
    cells=300_000,
    sheet_columns=1_000,
)
MAX_CELL = 500  # characters in any cell, whatever it is mapped to
CHUNK = 500
PREVIEW_SHOWN = 200  # rows listed on the preview page (all are validated)

# Field → longest value the column can store.
FIELD_LIMITS = {
    "name_latin": 120,
    "name_hanzi": 60,
    "email": 254,
    "wechat_id": 40,
    "phone": 40,
    "university": 200,
    "programme": 200,
    "field": 100,
    "degree": 100,
    "expected_graduation": 30,
    "birth_year": 20,
    "how_met": 500,
    "tags": 200,
}
FIELDS = tuple(FIELD_LIMITS)
PROFILE_FIELDS = (
    "name_latin",
    "name_hanzi",
    "email",
    "wechat_id",
    "phone",
    "programme",
    "field",
    "degree",
    "expected_graduation",
    "birth_year",
    "how_met",
)


class ImportFileError(ValueError):
    """The upload is not a spreadsheet this import can read; ``str`` says why."""


def field_labels() -> dict[str, str]:
    """Each importable field's name in the viewer's language."""
    return {
        "name_latin": _("Name in Latin letters"),
        "name_hanzi": _("Name in Chinese characters"),
        "email": _("Email"),
        "wechat_id": _("WeChat ID"),
        "phone": _("Phone"),
        "university": _("University"),
        "programme": _("Programme"),
        "field": _("Field of study"),
        "degree": _("Degree"),
        "expected_graduation": _("Expected graduation"),
        "birth_year": _("Year of birth"),
        "how_met": _("How you met"),
        "tags": _("Tags"),
    }


# --- reading files ------------------------------------------------------------------


@dataclass
class Table:
    """A spreadsheet's header row and data rows, as text."""

    headers: list[str]
    rows: list[list[str]]


def _read_xlsx(content: bytes) -> Iterator[list[str]]:
    try:
        yield from xlsx.read_rows(content, LIMITS)
    except xlsx.SheetError as exc:
        raise ImportFileError(str(exc)) from exc


def _decode(content: bytes) -> str:
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return content.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ImportFileError(
        _("This file is not text in UTF-8 or GB18030; save it as CSV UTF-8.")
    )


def _read_csv(content: bytes) -> Iterator[list[str]]:
    if b"\x00" in content[:8192]:
        raise ImportFileError(_("This file is not a spreadsheet: upload CSV or XLSX."))
    text = _decode(content)
    try:
        dialect = csv.Sniffer().sniff(text[:8192], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    lines = cells = 0
    try:
        for values in csv.reader(io.StringIO(text, newline=""), dialect):
            lines += 1
            cells += len(values)
            if lines > LIMITS.rows:
                raise ImportFileError(
                    _(
                        "The file has more than %(max)s lines, blank ones "
                        "included; delete the empty lines or split it.",
                        max=format_number(LIMITS.rows),
                    )
                )
            if cells > LIMITS.cells:
                raise ImportFileError(
                    _(
                        "The file has more than %(max)s cells; split it into "
                        "smaller files.",
                        max=format_number(LIMITS.cells),
                    )
                )
            yield [v.strip() for v in values[:MAX_COLUMNS]]
    except csv.Error as exc:
        raise ImportFileError(
            _("This CSV file is malformed (%(problem)s).", problem=str(exc))
        ) from exc


def read_table(filename: str, content: bytes) -> Table:
    """The file's header and rows; ``ImportFileError`` for anything else."""
    extension = filename.rsplit(".", 1)[-1].lower() if "." in filename else ""
    if extension not in ("csv", "xlsx", "txt"):
        raise ImportFileError(_("Upload a CSV or Excel (.xlsx) file."))
    if not content:
        raise ImportFileError(_("The file is empty."))
    if len(content) > MAX_BYTES:
        raise ImportFileError(
            _("The file is larger than %(size)s MB.", size=MAX_BYTES // 1024 // 1024)
        )
    is_zip = content.startswith(b"PK\x03\x04")
    if extension == "xlsx" and not is_zip:
        raise ImportFileError(_("This file is not a readable Excel workbook (.xlsx)."))
    lines = _read_xlsx(content) if is_zip else _read_csv(content)
    headers: list[str] | None = None
    rows: list[list[str]] = []
    for values in lines:
        if headers is None:
            if any(values):
                headers = values
            continue
        if not any(values):
            continue
        if len(rows) >= MAX_ROWS:
            raise ImportFileError(
                _("The file has more than %(rows)s rows; split it.", rows=MAX_ROWS)
            )
        rows.append(values)
    if not headers or sum(1 for h in headers if h) < 2:
        raise ImportFileError(
            _("The file has no header row with at least two named columns.")
        )
    return Table(headers=headers, rows=rows)


def header_signature(headers: list[str]) -> str:
    """A fingerprint of the header layout, to remember its mapping."""
    joined = "\x1f".join(h.strip().lower() for h in headers)
    return hashlib.sha256(joined.encode("utf-8")).hexdigest()


# Header names a column is recognised by, beside the field's own name and its
# label in each language; compared after ``_header_key``.
_ALIASES = {
    "name_latin": {
        "name",
        "name latin",
        "name (latin)",
        "full name",
        "english name",
        "pinyin",
        "pinyin name",
        "拼音",
        "英文名",
        "姓名拼音",
    },
    "name_hanzi": {
        "name hanzi",
        "chinese name",
        "中文名",
        "中文名字",
        "姓名",
        "中文姓名",
    },
    "email": {"email", "e mail", "mail", "email address", "邮箱", "电子邮件", "电邮"},
    "wechat_id": {"wechat", "wechat id", "weixin", "微信", "微信号", "微信id"},
    "phone": {
        "phone",
        "phone number",
        "mobile",
        "mobile phone",
        "telephone",
        "电话",
        "电话号码",
        "手机",
        "手机号",
        "手机号码",
    },
    "university": {
        "university",
        "school",
        "institution",
        "大学",
        "学校",
        "院校",
        "就读学校",
    },
    "programme": {"programme", "program", "course", "major", "专业", "专业名称"},
    "field": {"field", "field of study", "subject", "学科", "领域", "学科领域"},
    "degree": {"degree", "degree level", "level", "学位", "学历", "学位层次"},
    "expected_graduation": {
        "expected graduation",
        "expected graduation date",
        "graduation",
        "graduation date",
        "graduating",
        "毕业时间",
        "预计毕业",
        "预计毕业时间",
        "毕业日期",
        "预计毕业日期",
        "毕业",
    },
    "birth_year": {
        "birth year",
        "year of birth",
        "born",
        "date of birth",
        "birth date",
        "birthday",
        "dob",
        "出生年份",
        "出生年",
        "出生年月",
        "出生日期",
        "生日",
    },
    "how_met": {"how met", "how we met", "source", "来源", "认识方式", "渠道"},
    "tags": {"tags", "tag", "标签"},
}


def _header_key(header: str) -> str:
    """A header compared loosely: case, ``_``/``-``, spaces and a colon ignored."""
    key = re.sub(r"[_\-\s]+", " ", header.strip().lower().rstrip(":："))
    return key.strip()


def recognise(header: str) -> str | None:
    """The field a header names (English, Chinese or the field's name), or None."""
    key = _header_key(header)
    if not key:
        return None
    with_labels = {name: _header_key(text) for name, text in field_labels().items()}
    for target in FIELDS:
        names = _ALIASES[target] | {_header_key(target), with_labels[target]}
        if key in names:
            return target
    return None


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """A first mapping from header names: the first column naming each field."""
    mapping: dict[str, int] = {}
    for index, header in enumerate(headers):
        target = recognise(header)
        if target is not None and target not in mapping:
            mapping[target] = index
    return mapping


def remembered_mapping(owner: User, headers: list[str]) -> dict[str, int] | None:
    """The mapping this coordinator used last time for this header layout."""
    saved = db.session.scalar(
        select(ImportMapping).where(
            ImportMapping.owner_id == owner.id,
            ImportMapping.header_signature == header_signature(headers),
        )
    )
    if saved is None:
        return None
    return {k: int(v) for k, v in saved.mapping.items() if k in FIELDS}


def remember_mapping(owner: User, headers: list[str], mapping: dict[str, int]) -> None:
    """Keep the mapping for the next file with the same header layout."""
    signature = header_signature(headers)
    saved = db.session.scalar(
        select(ImportMapping).where(
            ImportMapping.owner_id == owner.id,
            ImportMapping.header_signature == signature,
        )
    )
    if saved is None:
        saved = ImportMapping(owner_id=owner.id, header_signature=signature)
        db.session.add(saved)
    saved.mapping = dict(mapping)


# --- the job ------------------------------------------------------------------------


def start_import(
    owner: User, filename: str, content: bytes, options: dict
) -> ImportJob:
    """Check the file and keep it with the import's options; nothing else is written."""
    table = read_table(filename, content)
    job = ImportJob(
        created_by_id=owner.id,
        filename=filename[:255],
        content=content,
        status=ImportStatus.UPLOADED,
        options=options,
        mapping={},
        preview={"headers": table.headers},
        rows_total=len(table.rows),
    )
    db.session.add(job)
    db.session.flush()
    return job


def own_job(import_id: int, user: User, kind: str | None = None) -> ImportJob | None:
    """An import of ``kind`` that ``user`` started, or None.

    ``kind`` None is the student import; another import sharing the table
    (the personnel files') names itself in the job's options.
    """
    job = db.session.scalar(
        select(ImportJob).where(
            ImportJob.id == import_id, ImportJob.created_by_id == user.id
        )
    )
    if job is None or job.options.get("kind") != kind:
        return None
    return job


def load_table(job: ImportJob) -> Table:
    """The job's file, read again."""
    return read_table(job.filename, job.content or b"")


# --- validation ---------------------------------------------------------------------


E = TypeVar("E", bound=Enum)


def enum_lookup(enum_cls: type[E]) -> dict[str, E]:
    """Names, values and labels (English and Chinese) of an enum, lower-cased."""
    from flask_babel import force_locale

    lookup: dict[str, E] = {}
    for member in enum_cls:
        lookup[member.name.lower()] = member
        lookup[member.value.lower()] = member
        for locale in LANGUAGE_NAMES:
            with force_locale(locale):
                lookup[str(LABELS.get(member, member.value)).lower()] = member
    return lookup


def parse_date(text: str) -> date:
    """``2027-06-30``, ``2027/6/30``, ``2027年6月30日``, ``2027-06`` or
    ``2027年6月`` (a month alone is its first day)."""
    text = text.replace("年", "-").replace("月", "-").replace("日", "").strip("- ")
    match = re.fullmatch(r"(\d{4})[-/.](\d{1,2})(?:[-/.](\d{1,2}))?", text)
    if not match:
        raise ValueError(text)
    year, month, day = match.group(1), match.group(2), match.group(3) or "1"
    return date(int(year), int(month), int(day))


def parse_birth_year(text: str) -> int | None:
    """The year of ``1996``, ``1996年`` or a whole date of birth (only the
    year is kept); None when it is none of these or not a plausible year."""
    match = re.fullmatch(r"(\d{4})\s*年?", text.strip())
    if match:
        year = int(match.group(1))
    else:
        try:
            year = parse_date(text).year
        except ValueError:
            return None
    return year if EARLIEST_BIRTH_YEAR <= year <= LATEST_BIRTH_YEAR else None


class StudentRowChecker:
    """Validates rows against the database, loaded once per import."""

    def __init__(self, on_duplicate: str):
        self.on_duplicate = on_duplicate
        self.universities: dict[str, int] = {}
        for uid, name_en, name_zh in db.session.execute(
            select(University.id, University.name_en, University.name_zh)
        ):
            self.universities[name_en.strip().lower()] = uid
            self.universities[name_zh.strip().lower()] = uid
        self.fields = enum_lookup(FieldOfStudy)
        self.degrees = enum_lookup(DegreeLevel)
        self.seen_email: dict[str, int] = {}
        self.seen_wechat: dict[str, int] = {}
        self.labels = field_labels()

    def row(self, line: int, raw: dict[str, str]) -> dict:
        """One row: cleaned values and errors keyed by field."""
        errors: dict[str, str] = {}
        values: dict[str, Any] = {}
        for name, text in raw.items():
            if len(text) > min(FIELD_LIMITS[name], MAX_CELL):
                errors[name] = _(
                    "Longer than %(max)s characters.",
                    max=min(FIELD_LIMITS[name], MAX_CELL),
                )
            elif NOT_ONE_LINE.search(text):
                # Every imported field is a one-line field of the forms.
                errors[name] = _("Contains a line break or a control character.")
        get = lambda name: raw.get(name, "") if name not in errors else ""  # noqa: E731
        for name in ("name_latin", "name_hanzi", "programme", "how_met", "phone"):
            values[name] = get(name) or None
        if not (values["name_latin"] or values["name_hanzi"]) and not (
            {"name_latin", "name_hanzi"} & set(errors)
        ):
            errors["name_latin"] = _("Give the name in Latin letters or Chinese.")
        if values["phone"] and not PHONE.match(values["phone"]):
            errors["phone"] = _("Not a phone number.")
        email = get("email")
        values["email"] = None
        if email:
            try:
                validate_email(email, check_deliverability=False)
                values["email"] = normalise_email(email)
            except EmailNotValidError:
                errors["email"] = _("Not a valid email address.")
        wechat = get("wechat_id")
        values["wechat_id"] = None
        if wechat:
            if WECHAT_ID.match(wechat):
                values["wechat_id"] = normalise_wechat(wechat)
            else:
                errors["wechat_id"] = _("Not a valid WeChat ID.")
        university = get("university")
        values["university_id"] = self.universities.get(university.lower())
        if "university" not in errors and values["university_id"] is None:
            errors["university"] = (
                _("Unknown university: %(name)s.", name=university)
                if university
                else _("The university is missing.")
            )
        field_text = get("field")
        field = (
            self.fields.get(field_text.lower()) if field_text else FieldOfStudy.OTHER
        )
        if field is None and "field" not in errors:
            errors["field"] = _("Unknown field of study: %(name)s.", name=field_text)
        values["field"] = field.name if field else None
        degree = self.degrees.get(get("degree").lower())
        if degree is None and "degree" not in errors:
            errors["degree"] = _("Give the degree: bachelor, master, PhD or postdoc.")
        values["degree"] = degree.name if degree else None
        graduation = get("expected_graduation")
        values["expected_graduation"] = None
        if graduation:
            try:
                day = parse_date(graduation)
                if not EARLIEST_DATE <= day <= LATEST_DATE:
                    raise ValueError(graduation)
                values["expected_graduation"] = day.isoformat()
            except ValueError:
                errors["expected_graduation"] = _(
                    "Not a real date: %(value)s.", value=graduation
                )
        born = get("birth_year")
        values["birth_year"] = None
        if born:
            year = parse_birth_year(born)
            if year is None:
                errors["birth_year"] = _(
                    "Give the year of birth from %(start)s to %(end)s.",
                    start=EARLIEST_BIRTH_YEAR,
                    end=LATEST_BIRTH_YEAR,
                )
            values["birth_year"] = year
        tags = [t.strip() for t in get("tags").split(",") if t.strip()]
        if any(not TAG.match(t) for t in tags):
            errors["tags"] = _("Tags are single words of letters, digits, - or _.")
            tags = []
        values["tags"] = sorted(set(tags))
        duplicate = self._in_file_duplicate(line, values)
        if duplicate:
            errors.setdefault("email", duplicate)
        return {"line": line, "values": values, "errors": errors}

    def _in_file_duplicate(self, line: int, values: dict) -> str | None:
        for key, seen in (("email", self.seen_email), ("wechat_id", self.seen_wechat)):
            value = values.get(key)
            if not value:
                continue
            if value in seen:
                return _(
                    "The same person as line %(line)s of this file.", line=seen[value]
                )
            seen[value] = line
        return None


class RowChecker(Protocol):
    """Checks one row of an import: ``{"line", "values", "errors"}``."""

    def row(self, line: int, raw: dict[str, str]) -> dict: ...


def preview_import(
    job: ImportJob,
    mapping: dict[str, int],
    on_duplicate: str,
    validator: RowChecker | None = None,
    match: Callable[[list[dict]], None] | None = None,
) -> dict:
    """Validate every row and find duplicates; store the result in the job.

    ``validator`` and ``match`` are the student import's unless another
    import (the personnel files) gives its own: ``match`` sets each checked
    row's ``status`` (new, update, skip or error) and ``match``. Writes only
    the job (and nothing about students). Returns the counts.
    """
    table = load_table(job)
    validator = validator or StudentRowChecker(on_duplicate)
    if match is None:

        def match(results: list[dict]) -> None:
            _match_existing(results, on_duplicate)

    checked = []
    job.rows_done = 0
    for start in range(0, len(table.rows), CHUNK):
        chunk = table.rows[start : start + CHUNK]
        results = []
        for offset, cells in enumerate(chunk):
            raw = {
                name: (cells[index] if index < len(cells) else "")
                for name, index in mapping.items()
            }
            results.append(validator.row(start + offset + 2, raw))
        match(results)
        checked.extend(results)
        job.rows_done = start + len(chunk)
    counts = dict.fromkeys(("new", "update", "skip", "error"), 0)
    for result in checked:
        counts[result["status"]] += 1
    job.mapping = {k: int(v) for k, v in mapping.items()}
    job.options = {**job.options, "on_duplicate": on_duplicate}
    job.preview = {
        "headers": table.headers,
        "rows": checked,
        "counts": counts,
        "columns": column_report(table, mapping, checked),
    }
    job.rows_total = len(checked)
    job.status = ImportStatus.PREVIEWED
    return counts


def column_report(table: Table, mapping: dict[str, int], checked: list[dict]) -> list:
    """Per column of the file: the field it goes to, or the field its header
    names when it is left unmapped; how many cells hold a value; and how many
    of those will be stored (the rows written, new or updated). The rest are
    dropped: the whole column when it is not mapped, else the values of rows
    that are skipped or have errors.
    """
    field_of = {index: name for name, index in mapping.items()}
    written = [r["status"] in ("new", "update") for r in checked]
    report = []
    for index, header in enumerate(table.headers):
        filled = [index < len(cells) and bool(cells[index]) for cells in table.rows]
        field = field_of.get(index)
        stored = sum(1 for f, w in zip(filled, written, strict=True) if f and w)
        report.append(
            {
                "index": index,
                "header": header,
                "field": field,
                "recognised": None if field else recognise(header),
                "values": sum(filled),
                "stored": stored if field else 0,
            }
        )
    return report


def column_warnings(
    columns: list[dict], labels: dict[str, str] | None = None
) -> list[str]:
    """What the coordinator should know before confirming: a column whose
    header names a field but is not imported, and values that will be dropped.
    ``labels`` names the fields (the student import's by default)."""
    labels = {**field_labels(), **(labels or {})}
    warnings = []
    for column in columns:
        header = column["header"] or _("Column %(n)s", n=column["index"] + 1)
        dropped = column["values"] - column["stored"]
        if column["field"] is None and column["recognised"]:
            warnings.append(
                ngettext(
                    "The column “%(column)s” looks like %(field)s but is not "
                    "imported: its %(num)s value will be dropped.",
                    "The column “%(column)s” looks like %(field)s but is not "
                    "imported: its %(num)s values will be dropped.",
                    column["values"],
                    column=header,
                    field=labels[column["recognised"]],
                )
            )
        elif column["field"] is None and column["values"]:
            warnings.append(
                ngettext(
                    "The column “%(column)s” is not imported: its %(num)s value "
                    "will be dropped.",
                    "The column “%(column)s” is not imported: its %(num)s values "
                    "will be dropped.",
                    column["values"],
                    column=header,
                )
            )
        elif column["field"] is not None and dropped:
            warnings.append(
                _(
                    "%(field)s: %(num)s of %(total)s values will not be stored "
                    "(their rows are skipped or have errors).",
                    field=labels[column["field"]],
                    num=dropped,
                    total=column["values"],
                )
            )
    return warnings


def _match_existing(results: list[dict], on_duplicate: str) -> None:
    """Mark rows whose email or WeChat ID is already known (one query per chunk)."""
    emails = {r["values"]["email"] for r in results if r["values"]["email"]}
    wechats = {r["values"]["wechat_id"] for r in results if r["values"]["wechat_id"]}
    by_email: dict[str, int] = {}
    by_wechat: dict[str, int] = {}
    if emails or wechats:
        conditions = []
        if emails:
            conditions.append(Student.email.in_(emails))
        if wechats:
            conditions.append(Student.wechat_id.in_(wechats))
        for sid, email, wechat in db.session.execute(
            select(Student.id, Student.email, Student.wechat_id)
            .where(or_(*conditions))
            .order_by(Student.id)
        ):
            if email:
                by_email.setdefault(email, sid)
            if wechat:
                by_wechat.setdefault(wechat, sid)
    for result in results:
        values = result["values"]
        match = by_email.get(values["email"]) or by_wechat.get(values["wechat_id"])
        result["match"] = match
        if result["errors"]:
            result["status"] = "error"
        elif match:
            result["status"] = "update" if on_duplicate == "update" else "skip"
        else:
            result["status"] = "new"


# --- confirming ---------------------------------------------------------------------


class AlreadyConfirmed(Exception):
    """The import was confirmed before (a double submit)."""


def claim_for_confirm(job: ImportJob) -> None:
    """Take a previewed job for writing, or raise ``AlreadyConfirmed``.

    A conditional UPDATE, so that a double submit, or two coordinators,
    cannot import the same file twice. Commits the claim.
    """
    claimed = rows_changed(
        db.session.execute(
            update(ImportJob)
            .where(ImportJob.id == job.id, ImportJob.status == ImportStatus.PREVIEWED)
            .values(status=ImportStatus.CONFIRMED, confirmed_at=utcnow(), rows_done=0)
        )
    )
    if claimed != 1:
        db.session.rollback()
        raise AlreadyConfirmed
    db.session.commit()


def confirm_import(job: ImportJob, actor: User) -> int:
    """Write exactly the good rows; returns how many students were written.

    Commits the claim (``claim_for_confirm``), then each chunk of rows
    (rolling back only a chunk that fails).
    """
    claim_for_confirm(job)
    options = job.options
    owner_id = int(options["owner_id"])
    scope = ConsentScope[options["scope"]]
    method = ConsentMethod[options["method"]]
    language = options.get("notice_language", "zh_Hans")
    rows = [r for r in job.preview["rows"] if r["status"] in ("new", "update")]
    written = done = 0
    try:
        for start in range(0, len(rows), CHUNK):
            chunk = rows[start : start + CHUNK]
            now = utcnow()
            updates = {r["match"]: r for r in chunk if r["status"] == "update"}
            existing = {}
            if updates:
                existing = {
                    s.id: s
                    for s in db.session.scalars(
                        select(Student).where(Student.id.in_(list(updates)))
                    )
                }
            new_students = []
            for row in chunk:
                values = model_values(row["values"])
                tags = row["values"]["tags"]
                if row["status"] == "update":
                    student = existing.get(row["match"])
                    if student is None:
                        continue  # merged or erased since the preview
                    _update_student(student, values, tags)
                    written += 1
                    continue
                new_students.append(
                    create_student(
                        owner_id=owner_id,
                        actor_id=actor.id,
                        profile=values,
                        consent_scope=scope,
                        consent_method=method,
                        notice_language=language,
                        now=now,
                        tags=tags,
                    )
                )
            # The preview matched every row against existing students already.
            db.session.flush()
            written += len(new_students)
            done += len(chunk)
            db.session.execute(
                update(ImportJob)
                .where(ImportJob.id == job.id)
                .values(rows_done=done, rows_written=written)
            )
            db.session.commit()
    except Exception:
        db.session.rollback()
        db.session.execute(
            update(ImportJob)
            .where(ImportJob.id == job.id)
            .values(status=ImportStatus.FAILED)
        )
        db.session.commit()
        raise
    audit.record(
        "import",
        "import_job",
        job.id,
        actor_id=actor.id,
        rows=written,
        skipped=job.preview["counts"]["skip"],
        errors=job.preview["counts"]["error"],
    )
    db.session.commit()
    return written


def model_values(values: dict) -> dict:
    """Stored values from a previewed row."""
    graduation = values["expected_graduation"]
    return {
        "name_latin": values["name_latin"],
        "name_hanzi": values["name_hanzi"],
        "email": values["email"],
        "wechat_id": values["wechat_id"],
        "phone": values["phone"],
        "university_id": values["university_id"],
        "programme": values["programme"],
        "field": FieldOfStudy[values["field"]],
        "degree": DegreeLevel[values["degree"]],
        "expected_graduation": date.fromisoformat(graduation) if graduation else None,
        # A preview made before the column existed has no year of birth.
        "birth_year": values.get("birth_year"),
        "how_met": values["how_met"],
    }


def _update_student(student: Student, values: dict, tags: list[str]) -> None:
    """Fill in what the file gives; empty cells leave the record as it is."""
    for name, value in values.items():
        if value is not None and getattr(student, name) != value:
            setattr(student, name, value)
    student.name_key = name_key(student.name_latin, student.name_hanzi)
    have = {t.tag for t in student.tags}
    for tag in tags:
        if tag not in have:
            student.tags.append(StudentTag(tag=tag))


def error_report(
    job: ImportJob, labels: dict[str, str] | None = None
) -> Iterator[bytes]:
    """The rows that were not imported and why, as CSV with a BOM.

    ``labels`` names the fields (the student import's by default).
    """
    labels = labels or field_labels()
    headers = job.preview.get("headers", [])
    table = load_table(job)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    # The uploaded cells go back out: neutralise anything a spreadsheet runs.
    writer.writerow([_("Line"), _("Problems"), *map(safe_text, headers)])
    yield ("\ufeff" + buffer.getvalue()).encode("utf-8")
    for result in job.preview.get("rows", []):
        if result["status"] != "error":
            continue
        buffer.seek(0)
        buffer.truncate()
        problems = "; ".join(
            f"{labels.get(name, name)}: {message}"
            for name, message in result["errors"].items()
        )
        cells = (
            table.rows[result["line"] - 2]
            if result["line"] - 2 < len(table.rows)
            else []
        )
        writer.writerow([result["line"], problems, *map(safe_text, cells)])
        yield buffer.getvalue().encode("utf-8")
