"""Views of the personnel files' import: upload and check, preview, confirm."""

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user

from envoycrm import audit
from envoycrm.access import staff
from envoycrm.extensions import db
from envoycrm.idempotency import idempotent, remember
from envoycrm.models import ImportJob, ImportStatus
from envoycrm.pipeline import imports as student_imports
from envoycrm.pipeline.forms import ConfirmForm, FileUploadForm

from . import bp
from . import imports as file_imports


def _own_job(import_id: int) -> ImportJob:
    """A file import the current coordinator started; anything else is a 404."""
    job = student_imports.own_job(import_id, current_user, file_imports.KIND)
    if job is None:
        abort(404)
    return job


@bp.route("/import", methods=["GET", "POST"])
@staff
@idempotent
def import_upload():
    """Upload the pilot's sheet; every row is checked, nothing is written."""
    form = FileUploadForm()
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template("files/import.html", form=form), status
    upload = form.file.data
    content = upload.stream.read(student_imports.MAX_BYTES + 1)
    try:
        job = file_imports.start(current_user, upload.filename or "upload", content)
    except student_imports.ImportFileError as problem:
        db.session.rollback()
        form.file.errors = [*form.file.errors, str(problem)]
        return render_template("files/import.html", form=form), 422
    preview = url_for("files.import_preview", import_id=job.id)
    remember(form, preview, "import_job", job.id)
    db.session.commit()
    return redirect(preview)


@bp.route("/import/<id:import_id>")
@staff
def import_preview(import_id: int):
    """What the import would open, row by row; nothing is written yet."""
    job = _own_job(import_id)
    rows = job.preview.get("rows", [])
    problems = [r for r in rows if r["status"] in ("error", "skip")][
        : student_imports.PREVIEW_SHOWN
    ]
    audit.record("import.preview_view", "import_job", job.id, shown=len(problems))
    db.session.commit()
    columns = job.preview.get("columns", [])
    return render_template(
        "files/import_preview.html",
        job=job,
        columns=columns,
        warnings=student_imports.column_warnings(columns, file_imports.field_labels()),
        counts=job.preview.get("counts", {}),
        problems=problems,
        labels=file_imports.field_labels(),
        missing=file_imports.missing_columns(job),
        form=ConfirmForm(formdata=None),
    )


@bp.route("/import/<id:import_id>/confirm", methods=["POST"])
@staff
@idempotent
def import_confirm(import_id: int):
    """Open a file for every good row; a second submit does nothing."""
    job = _own_job(import_id)
    preview = url_for("files.import_preview", import_id=job.id)
    form = ConfirmForm()
    if (
        not form.validate_on_submit()
        or job.status is not ImportStatus.PREVIEWED
        or file_imports.missing_columns(job)
    ):
        flash(_("Check the preview first."), "error")
        return redirect(preview)
    remember(form, preview, "import_job", job.id)
    try:
        opened = file_imports.confirm(job, current_user)
    except student_imports.AlreadyConfirmed:
        flash(_("This file was already imported."), "info")
        return redirect(preview)
    audit.record("import", "import_job", job.id, kind="files", rows=opened)
    db.session.commit()
    flash(ngettext("%(num)s file opened.", "%(num)s files opened.", opened), "success")
    return redirect(preview)


@bp.route("/import/<id:import_id>/errors.csv")
@staff
def import_errors(import_id: int):
    """The rows that cannot be imported and why, as CSV."""
    job = _own_job(import_id)
    if job.content is None:
        abort(404)
    audit.record("import.errors_download", "import_job", job.id)
    db.session.commit()
    response = Response(
        stream_with_context(
            student_imports.error_report(job, file_imports.field_labels())
        ),
        mimetype="text/csv; charset=utf-8",
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="files-import-{job.id}-errors.csv"'
    )
    return response
