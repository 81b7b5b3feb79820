"""Importing the pilot's personnel files from a spreadsheet.

The student import's machinery does the work (``pipeline/imports.py``): the
same reader (CSV or XLSX, streamed, with its limits), the same row checks
for the student's own fields, the same preview kept in an ``ImportJob``
(so erasure and the retention of uploaded files cover it too), the same
error report and the same one-time claim on confirming. This module adds
the file's own columns (step, its date, storage, missing documents,
language) and what confirming writes: a file per row, for the student the
email names, or for a new service-only student.
"""

import re
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import select

from envoycrm.extensions import db
from envoycrm.forms import EARLIEST_DATE, LATEST_DATE, NOT_ONE_LINE
from envoycrm.i18n import normalise_locale
from envoycrm.models import (
    FileDocument,
    FileStep,
    ImportJob,
    PersonnelFile,
    Student,
    User,
)
from envoycrm.pipeline import imports

from . import services
from .forms import USUAL_DOCUMENTS

KIND = "files"
# The file's own columns, beside the student's; longest value each may hold.
FILE_FIELDS = {
    "step": 100,
    "step_on": 30,
    "storage_ref": 60,
    "missing": 500,
    "locale": 20,
}
STUDENT_FIELDS = (
    "name_latin",
    "name_hanzi",
    "email",
    "wechat_id",
    "phone",
    "university",
    "programme",
    "field",
    "degree",
    "expected_graduation",
    "birth_year",
)
_ALIASES = {
    "step": {"step", "status", "步骤", "状态", "办理状态"},
    "step_on": {"step on", "date", "step date", "日期", "办理日期"},
    "storage_ref": {"storage", "storage ref", "storage reference", "存放编号", "库位"},
    "missing": {"missing", "missing documents", "缺少材料", "缺件"},
    "locale": {"language", "locale", "语言"},
}


def field_labels() -> dict[str, str]:
    """Every column this import takes, named in the viewer's language."""
    labels = {k: v for k, v in imports.field_labels().items() if k in STUDENT_FIELDS}
    labels.update(
        step=_("Step"),
        step_on=_("Date"),
        storage_ref=_("Storage reference"),
        missing=_("Missing documents"),
        locale=_("Language"),
    )
    return labels


def guess_mapping(headers: list[str]) -> dict[str, int]:
    """The student columns as the student import names them, then the file's."""
    mapping = {
        name: index
        for name, index in imports.guess_mapping(headers).items()
        if name in STUDENT_FIELDS
    }
    labels = field_labels()
    for index, header in enumerate(headers):
        key = re.sub(r"[_\-\s]+", " ", header.strip().lower().rstrip(":："))
        for name in FILE_FIELDS:
            known = _ALIASES[name] | {name.replace("_", " "), labels[name].lower()}
            if name not in mapping and key in known:
                mapping[name] = index
    return mapping


class FileRowChecker:
    """The student import's checks for the student, then the file's own."""

    def __init__(self) -> None:
        self.student = imports.StudentRowChecker("skip")
        self.steps = imports.enum_lookup(FileStep)
        self.documents = imports.enum_lookup(FileDocument)

    def row(self, line: int, raw: dict[str, str]) -> dict:
        """One row: the student's values and errors, and the file's."""
        result = self.student.row(
            line, {k: v for k, v in raw.items() if k in STUDENT_FIELDS}
        )
        errors, values = result["errors"], result["values"]
        for name, limit in FILE_FIELDS.items():
            text = raw.get(name, "")
            if len(text) > limit:
                errors[name] = _("Longer than %(max)s characters.", max=limit)
            elif NOT_ONE_LINE.search(text):
                errors[name] = _("Contains a line break or a control character.")
        get = lambda name: raw.get(name, "") if name not in errors else ""  # noqa: E731
        step = self.steps.get(get("step").lower())
        if step is None and "step" not in errors:
            errors["step"] = _("Unknown step: %(name)s.", name=get("step"))
        values["step"] = step.name if step else None
        values["step_on"] = None
        try:
            day = imports.parse_date(get("step_on"))
            if not EARLIEST_DATE <= day <= LATEST_DATE:
                raise ValueError(day)
            values["step_on"] = day.isoformat()
        except ValueError:
            errors.setdefault(
                "step_on", _("Not a real date: %(value)s.", value=get("step_on"))
            )
        values["storage_ref"] = get("storage_ref") or None
        missing = []
        for name in re.split(r"[,;、，；]", get("missing")):
            if not name.strip():
                continue
            document = self.documents.get(name.strip().lower())
            if document is None:
                errors["missing"] = _("Unknown document: %(name)s.", name=name.strip())
                break
            missing.append(document.name)
        values["missing"] = missing
        locale = get("locale")
        values["locale"] = normalise_locale(locale) or "zh_Hans"
        if locale and normalise_locale(locale) is None:
            errors["locale"] = _("Give the language: zh_Hans, zh_Hant or en.")
        return result


def match_students(results: list[dict]) -> None:
    """A row's email finds its student: a student with a file is skipped, one
    without gets the file (``update``); anyone else is a new student."""
    emails = {r["values"]["email"] for r in results if r["values"]["email"]}
    known: dict[str, tuple[int, bool]] = {}
    if emails:
        rows = select(Student.id, Student.email, PersonnelFile.id).outerjoin(
            PersonnelFile, PersonnelFile.student_id == Student.id
        )
        for sid, email, file_id in db.session.execute(
            rows.where(Student.email.in_(emails))
        ):
            if email:
                known.setdefault(email, (sid, file_id is not None))
    for result in results:
        match = known.get(result["values"]["email"])
        result["match"] = match[0] if match else None
        if result["errors"]:
            result["status"] = "error"
        elif match is None:
            result["status"] = "new"
        else:
            result["status"] = "skip" if match[1] else "update"


def start(actor: User, filename: str, content: bytes) -> ImportJob:
    """Keep the file, map its columns by their names and check every row.

    Writes only the job. ``imports.ImportFileError`` when it is unreadable.
    """
    job = imports.start_import(actor, filename, content, {"kind": KIND})
    headers = job.preview["headers"]
    mapping = guess_mapping(headers)
    imports.preview_import(job, mapping, "skip", FileRowChecker(), match_students)
    return job


def missing_columns(job: ImportJob) -> list[str]:
    """The labels of the columns the file must have but does not."""
    needed = ("university", "degree", "email", "step", "step_on")
    labels = field_labels()
    return [labels[name] for name in needed if name not in job.mapping]


def confirm(job: ImportJob, actor: User) -> int:
    """Open a file for each good row; returns how many were opened.

    Claims the job once (``imports.claim_for_confirm``, which commits); the
    files are flushed here and committed by the caller.
    """
    imports.claim_for_confirm(job)
    opened = 0
    for row in job.preview["rows"]:
        if row["status"] not in ("new", "update"):
            continue
        values = row["values"]
        if row["status"] == "update":
            student = db.session.get(Student, row["match"])
            if student is None or services.file_of(student.id) is not None:
                continue  # erased, or given a file, since the preview
        else:
            profile = imports.model_values(values)
            student = services.service_student(actor, profile, values["locale"])
        documents = dict.fromkeys(USUAL_DOCUMENTS, True)
        documents.update(dict.fromkeys(values["missing"], False))
        services.open_file(
            student,
            actor,
            on=date.fromisoformat(values["step_on"]),
            locale=values["locale"],
            documents=documents,
            storage_ref=values["storage_ref"],
            step=FileStep[values["step"]],
        )
        opened += 1
    job.rows_written = opened
    job.rows_done = len(job.preview["rows"])
    return opened
