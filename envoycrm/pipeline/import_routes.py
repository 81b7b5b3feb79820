"""Views of the student import: upload, map columns, preview, confirm."""

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
from flask_login import current_user
from sqlalchemy import select

from envoycrm import audit
from envoycrm.access import staff
from envoycrm.extensions import db
from envoycrm.i18n import locale_tag
from envoycrm.idempotency import idempotent, remember
from envoycrm.labels import label
from envoycrm.models import ConsentMethod, ConsentScope, ImportJob, ImportStatus, User
from envoycrm.pipeline import bp, imports
from envoycrm.pipeline.forms import ConfirmForm, UploadForm, mapping_form_class
from envoycrm.students.forms import envoy_choices


def _own_job(import_id: int) -> ImportJob:
    """An import the current coordinator started; anyone else's is a 404."""
    job = imports.own_job(import_id, current_user)
    if job is None:
        abort(404)
    return job


def _file_gone(job: ImportJob):
    """The answer for an import whose file is no longer kept, else None."""
    if job.content is not None:
        return None
    flash(_("This file is no longer kept. Upload it again to import it."), "error")
    return redirect(url_for("pipeline.import_upload"))


def _upload_form() -> UploadForm:
    form = UploadForm()
    form.owner_id.choices = envoy_choices()
    if not form.is_submitted():
        form.notice_language.data = locale_tag()
    return form


@bp.route("/import", methods=["GET", "POST"])
@staff
@idempotent
def import_upload():
    """Step 1: upload a CSV or XLSX file and say what the import states."""
    form = _upload_form()
    recent = [
        job
        for job in db.session.scalars(
            select(ImportJob)
            .where(ImportJob.created_by_id == current_user.id)
            .order_by(ImportJob.created_at.desc(), ImportJob.id.desc())
            .limit(10)
        )
        if job.options.get("kind") is None
    ]
    if not form.validate_on_submit():
        status = 422 if form.is_submitted() else 200
        return render_template(
            "pipeline/import_upload.html", form=form, recent=recent
        ), status
    upload = form.file.data
    content = upload.stream.read(imports.MAX_BYTES + 1)
    options = {
        "owner_id": form.owner_id.data,
        "scope": form.scope.data.name,
        "method": form.method.data.name,
        "notice_language": form.notice_language.data,
        "on_duplicate": form.on_duplicate.data,
    }
    try:
        job = imports.start_import(
            current_user, upload.filename or "upload", content, options
        )
    except imports.ImportFileError as problem:
        db.session.rollback()
        form.file.errors = [*form.file.errors, str(problem)]
        return render_template(
            "pipeline/import_upload.html", form=form, recent=recent
        ), 422
    mapping = url_for("pipeline.import_mapping", import_id=job.id)
    remember(form, mapping, "import_job", job.id)
    db.session.commit()
    return redirect(mapping)


REQUIRED = ("university", "degree")


@bp.errorhandler(imports.ImportFileError)
def unreadable_import(problem: imports.ImportFileError):
    """A kept file the import cannot read again (its limits changed since it
    was uploaded): say why on the upload page, never a 500."""
    db.session.rollback()
    flash(str(problem), "error")
    return redirect(url_for("pipeline.import_upload"))


def _chosen(form) -> dict[str, int]:
    """The mapping the form holds: field → column index (choices are checked)."""
    mapping = {}
    for name in imports.FIELDS:
        value = getattr(form, f"map_{name}").data
        if isinstance(value, str) and value.isascii() and value.isdigit():
            mapping[name] = int(value)
    return mapping


@bp.route("/import/<id:import_id>/mapping", methods=["GET", "POST"])
@staff
def import_mapping(import_id: int):
    """Step 2: map columns to fields (remembered), then validate every row."""
    job = _own_job(import_id)
    if job.status is ImportStatus.CONFIRMED:
        return redirect(url_for("pipeline.import_preview", import_id=job.id))
    if gone := _file_gone(job):
        return gone
    headers = job.preview.get("headers", [])
    labels = imports.field_labels()
    form = mapping_form_class(labels, headers)()
    if not form.is_submitted():
        mapping = (
            job.mapping
            or imports.remembered_mapping(current_user, headers)
            or imports.guess_mapping(headers)
        )
        for name in imports.FIELDS:
            index = mapping.get(name)
            getattr(form, f"map_{name}").data = "" if index is None else str(index)
    if form.validate_on_submit():
        mapping = _chosen(form)
        valid = True
        for name in REQUIRED:
            if name not in mapping:
                getattr(form, f"map_{name}").errors = [_("Choose the column.")]
                valid = False
        if "name_latin" not in mapping and "name_hanzi" not in mapping:
            form.map_name_latin.errors = [
                _("Choose a column for the name in Latin letters or in Chinese.")
            ]
            valid = False
        if valid:
            imports.remember_mapping(current_user, headers, mapping)
            imports.preview_import(job, mapping, job.options["on_duplicate"])
            db.session.commit()
            return redirect(url_for("pipeline.import_preview", import_id=job.id))
    status = 422 if form.is_submitted() else 200
    chosen = set(_chosen(form).values())
    unmapped = [
        (header, labels[field])
        for index, header in enumerate(headers)
        if index not in chosen and (field := imports.recognise(header))
    ]
    samples = imports.load_table(job).rows[:3]
    audit.record("import.mapping_view", "import_job", job.id, shown=len(samples))
    db.session.commit()
    return (
        render_template(
            "pipeline/import_mapping.html",
            job=job,
            form=form,
            headers=headers,
            labels=labels,
            samples=samples,
            unmapped=unmapped,
        ),
        status,
    )


@bp.route("/import/<id:import_id>")
@staff
def import_preview(import_id: int):
    """Step 3: what would be written, row by row; nothing is written yet."""
    job = _own_job(import_id)
    if job.status is ImportStatus.UPLOADED:
        return redirect(url_for("pipeline.import_mapping", import_id=job.id))
    if job.status is not ImportStatus.CONFIRMED and (gone := _file_gone(job)):
        return gone
    rows = job.preview.get("rows", [])
    problems = [r for r in rows if r["status"] != "new"][: imports.PREVIEW_SHOWN]
    fresh = [r for r in rows if r["status"] == "new"][:20]
    audit.record(
        "import.preview_view", "import_job", job.id, shown=len(problems) + len(fresh)
    )
    db.session.commit()
    columns = job.preview.get("columns", [])
    return render_template(
        "pipeline/import_preview.html",
        job=job,
        columns=columns,
        warnings=imports.column_warnings(columns),
        counts=job.preview.get("counts", {}),
        problems=problems,
        fresh=fresh,
        labels=imports.field_labels(),
        form=ConfirmForm(formdata=None),
        owner=db.session.get(User, int(job.options["owner_id"])),
        scope_label=label(ConsentScope[job.options["scope"]]),
        method_label=label(ConsentMethod[job.options["method"]]),
    )


@bp.route("/import/<id:import_id>/confirm", methods=["POST"])
@staff
@idempotent
def import_confirm(import_id: int):
    """Write exactly the good rows, in chunks; a second submit does nothing."""
    job = _own_job(import_id)
    if gone := _file_gone(job):
        return gone
    preview = url_for("pipeline.import_preview", import_id=job.id)
    form = ConfirmForm()
    if not form.validate_on_submit() or job.status is not ImportStatus.PREVIEWED:
        if job.status is ImportStatus.CONFIRMED:
            flash(_("This file was already imported."), "info")
        else:
            flash(_("Map the columns and check the preview first."), "error")
        return redirect(preview)
    # The key is committed with the import's claim (the import commits in
    # chunks), so a repeat of this form is answered before anything runs.
    remember(form, preview, "import_job", job.id)
    try:
        written = imports.confirm_import(job, current_user)
    except imports.AlreadyConfirmed:
        flash(_("This file was already imported."), "info")
        return redirect(url_for("pipeline.import_preview", import_id=job.id))
    flash(
        _("%(num)s students imported.", num=written),
        "success",
    )
    return redirect(url_for("pipeline.import_preview", import_id=job.id))


@bp.route("/import/<id:import_id>/errors.csv")
@staff
def import_errors(import_id: int):
    """The rows that cannot be imported and why, as CSV."""
    job = _own_job(import_id)
    if job.status is ImportStatus.UPLOADED:
        abort(404)
    if gone := _file_gone(job):
        return gone
    audit.record(
        "import.errors_download",
        "import_job",
        job.id,
        rows=job.preview.get("counts", {}).get("error", 0),
    )
    db.session.commit()
    response = Response(
        stream_with_context(imports.error_report(job)),
        mimetype="text/csv; charset=utf-8",
    )
    response.headers["Content-Disposition"] = (
        f'attachment; filename="import-{job.id}-errors.csv"'
    )
    return response
