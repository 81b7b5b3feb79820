"""Views of the personal-data area: audit search, export, erasure, retention,
and the public request form."""

import json
from datetime import date

from flask import (
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from envoycrm import audit, ratelimit
from envoycrm.access import get_scoped_or_404, public, staff
from envoycrm.extensions import db
from envoycrm.htmx import is_fragment_request
from envoycrm.i18n import locale_tag
from envoycrm.models import Student
from envoycrm.params import id_arg, page_arg, parse_ids, text_arg
from envoycrm.privacy import (
    audit_search,
    audit_words,
    bp,
    public_bp,
    requests,
    rights,
    summary,
)
from envoycrm.privacy.forms import ConfirmForm, DataRequestForm
from envoycrm.privacy.retention import flagged_students, keep_student, purge_flagged

AUDIT_PAGE_SIZE = 50


def _date_arg(name: str) -> date | None:
    """An ISO date from the query string, or None when absent or malformed."""
    value = text_arg(name, 10)
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


@bp.route("/audit")
@staff
def audit_log():
    """Search the audit trail by actor, action, record and date range."""
    filters = audit_search.AuditFilter(
        actor=text_arg("actor", 100),
        action=text_arg("action", 60),
        record_type=text_arg("record_type", 60),
        record_id=id_arg("record_id"),
        since=_date_arg("since"),
        until=_date_arg("until"),
    )
    page = db.paginate(
        audit_search.audit_query(filters),
        page=page_arg(),
        per_page=AUDIT_PAGE_SIZE,
        error_out=False,
        max_per_page=AUDIT_PAGE_SIZE,
    )
    template = (
        "privacy/_audit_rows.html" if is_fragment_request() else "privacy/audit.html"
    )
    names = audit_words.load_names(page.items)
    locale = locale_tag()
    return render_template(
        template,
        page=page,
        filters=filters,
        sentences={
            event.id: audit_words.describe(event, names, locale) for event in page.items
        },
    )


def _student(student_id: int) -> Student:
    return get_scoped_or_404(Student, student_id)


@bp.route("/students/<id:student_id>/export")
@staff
def student_export(student_id: int):
    """A readable, printable summary of everything held about one student."""
    student = _student(student_id)
    export = rights.export_student(student)
    rights.record_export(student, "html")
    db.session.commit()
    return render_template(
        "privacy/export.html",
        student=student,
        sections=summary.summary_sections(export),
        generated=date.today(),
    )


@bp.route("/students/<id:student_id>/export.json")
@staff
def student_export_json(student_id: int):
    """Everything held about one student, as a JSON download."""
    student = _student(student_id)
    export = rights.export_student(student)
    rights.record_export(student, "json")
    db.session.commit()
    body = json.dumps(export, ensure_ascii=False, indent=2, sort_keys=True)
    return Response(
        body,
        mimetype="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="student-{student.id}.json"'
        },
    )


@bp.route("/students/<id:student_id>/erase", methods=["GET", "POST"])
@staff
def student_erase(student_id: int):
    """Erase one student's personal data, after an explicit confirmation."""
    student = _student(student_id)
    form = ConfirmForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("privacy/erase.html", student=student, form=form), status
    rights.erase_student(student, current_user)
    db.session.commit()
    flash(_("The student's personal data is erased."), "success")
    return redirect(url_for("students.index"))


@bp.route("/retention")
@staff
def retention():
    """Students flagged for having no activity in the retention period."""
    page = db.paginate(
        flagged_students(), page=page_arg(), per_page=50, error_out=False
    )
    return render_template(
        "privacy/retention.html",
        page=page,
        form=ConfirmForm(formdata=None),
        days=current_app.config["RETENTION_DAYS"],
    )


@bp.route("/retention/purge", methods=["POST"])
@staff
def retention_purge():
    """Erase the ticked flagged students once the coordinator confirms."""
    form = ConfirmForm()
    ids = parse_ids(request.form.getlist("student_id"), limit=200)
    if not ids:
        form.form_errors.append(_("Tick the students to purge."))
    if not form.validate_on_submit() or not ids:
        page = db.paginate(flagged_students(), page=1, per_page=50, error_out=False)
        return render_template(
            "privacy/retention.html",
            page=page,
            form=form,
            days=current_app.config["RETENTION_DAYS"],
            ticked=set(ids),
        ), 422
    purged = purge_flagged(ids, current_user)
    db.session.commit()
    flash(
        ngettext("%(num)s student purged.", "%(num)s students purged.", purged),
        "success",
    )
    return redirect(url_for("privacy.retention"))


@bp.route("/retention/<id:student_id>/keep", methods=["POST"])
@staff
def retention_keep(student_id: int):
    """Keep a flagged student: the flag is cleared and the clock restarts."""
    student = _student(student_id)
    keep_student(student)
    db.session.commit()
    flash(_("The student is kept."), "success")
    return redirect(url_for("privacy.retention"))


# --- public: a student's request ---------------------------------------------


def _no_store(response_and_status):
    """Pages that echo what a visitor typed must not be cached anywhere."""
    body, status = response_and_status
    response = current_app.make_response((body, status))
    response.headers["Cache-Control"] = "no-store"
    return response


@public_bp.route("/", methods=["GET", "POST"])
@public
def request_form():
    """Ask for a copy of one's data or its erasure, by email."""
    form = DataRequestForm()
    if request.method == "GET":
        return _no_store((render_template("privacy/request.html", form=form), 200))
    if not form.validate_on_submit():
        return _no_store((render_template("privacy/request.html", form=form), 422))
    key = f"data-request-ip:{request.remote_addr}"
    limit = current_app.config["DATA_REQUESTS_PER_HOUR"]
    if ratelimit.take(ratelimit.Limit(key, limit, ratelimit.HOUR)) is None:
        form.form_errors.append(
            _("Too many requests from your network. Please try again in an hour.")
        )
        return _no_store((render_template("privacy/request.html", form=form), 429))
    if not form.website.data:  # a filled honeypot is a bot: store nothing
        audit.omit_client_address()
        requests.create_data_request(
            form.kind.data, form.email.data, form.message.data or "", date.today()
        )
    db.session.commit()
    flash(
        _(
            "Your request is received. We will answer by email within one month, "
            "after checking that the address is yours."
        ),
        "success",
    )
    return redirect(url_for("data_requests.request_form"))
