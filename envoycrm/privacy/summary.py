"""The readable summary of a data-subject export: tables and columns named in
the reader's language, enumerations by their labels, times in their zone."""

import json
from datetime import date, datetime

from flask_babel import lazy_gettext as _l

from envoycrm.i18n import format_day, format_moment
from envoycrm.labels import LABELS, label

TABLES = {
    "students": _l("Profile"),
    "consents": _l("Consents"),
    "interactions": _l("Meetings and notes"),
    "intentions": _l("Intentions"),
    "stage_changes": _l("Stage moves"),
    "student_tags": _l("Tags"),
    "student_search_tokens": _l("Search index"),
    "job_interests": _l("Interest in openings"),
    "employer_interests": _l("Employers' interest"),
    "tasks": _l("Tasks"),
    "digest_mentions": _l("Digest mentions"),
    "outbox_messages": _l("Digests that named the student"),
    "idempotency_keys": _l("Form submissions"),
    "data_requests": _l("Data requests"),
    "audit_events": _l("Audit trail"),
    "personnel_files": _l("Personnel file"),
    "file_step_events": _l("Steps of the file"),
    "file_notices": _l("Mails about the personnel file"),
}

COLUMNS = {
    "id": _l("Number"),
    "name_latin": _l("Name in Latin letters"),
    "name_hanzi": _l("Name in Chinese characters"),
    "email": _l("Email"),
    "wechat_id": _l("WeChat ID"),
    "phone": _l("Phone"),
    "programme": _l("Programme"),
    "university_name_typed": _l("University as typed"),
    "field": _l("Field of study"),
    "degree": _l("Degree"),
    "expected_graduation": _l("Expected graduation"),
    "birth_year": _l("Year of birth"),
    "how_met": _l("Where you met"),
    "stage": _l("Stage"),
    "intention_level": _l("Intention"),
    "level": _l("Intention"),
    "consent_scope": _l("Consent"),
    "scope": _l("Consent"),
    "method": _l("Consent given"),
    "notice_version": _l("Notice version"),
    "notice_language": _l("Privacy notice shown in"),
    "kind": _l("Kind"),
    "notes": _l("Notes"),
    "occurred_on": _l("Date"),
    "recorded_at": _l("Recorded"),
    "created_at": _l("Created"),
    "updated_at": _l("Updated"),
    "withdrawn_at": _l("Withdrawn"),
    "changed_at": _l("Changed"),
    "from_stage": _l("From"),
    "to_stage": _l("To"),
    "reason": _l("Reason"),
    "tag": _l("Tag"),
    "token": _l("Tag"),
    "target_sectors": _l("Target sectors"),
    "preferred_roles": _l("Preferred roles"),
    "earliest_start": _l("Earliest start"),
    "salary_expectation": _l("Salary expectation (CNY per year)"),
    "startup_interest": _l("Interested in founding a start-up"),
    "action": _l("Action"),
    "details": _l("Details"),
    "title": _l("Task"),
    "subject": _l("Subject"),
    "status": _l("Status"),
    "period": _l("Week"),
    "step": _l("Step"),
    "step_on": _l("Date"),
    "storage_ref": _l("Storage reference"),
    "transfer_to": _l("Transferred to"),
    "documents": _l("Documents the file needs"),
    "locale": _l("Language"),
    "recipient_email": _l("Email"),
    "sent_at": _l("Sent"),
}

_ENUM_BY_NAME = {(type(member).__name__, member.name): member for member in LABELS}


def _cell(column: str, value) -> str:
    """One value as a person reads it."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return str(_l("Yes")) if value else str(_l("No"))
    if isinstance(value, str):
        for (_cls, name), member in _ENUM_BY_NAME.items():
            if name == value and column in COLUMNS:
                return label(member)
        if len(value) >= 10 and value[4] == "-" and value[7] == "-":
            try:
                moment = datetime.fromisoformat(value)
            except ValueError:
                return value
            if len(value) == 10:
                return format_day(date.fromisoformat(value))
            return format_moment(moment)
        return value
    if isinstance(value, list):
        return ", ".join(_cell(column, item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False)
    return str(value)


def summary_sections(export: dict) -> list[tuple]:
    """(table, title, [(column, heading)], rows of formatted cells) per table."""
    sections = []
    for table, rows in export.items():
        columns = [c for c in (rows[0].keys() if rows else []) if not c.endswith("_id")]
        headings = [(c, str(COLUMNS.get(c, c.replace("_", " ")))) for c in columns]
        cells = [[_cell(c, row.get(c)) for c in columns] for row in rows]
        sections.append((table, str(TABLES.get(table, table)), headings, cells))
    return sections
