"""The coordinators' pages of the personnel-file service."""

from urllib.parse import parse_qs, urlencode

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError
from wtforms import SelectChoice

from envoycrm import audit
from envoycrm.access import staff
from envoycrm.editing import refuse_stale_edit
from envoycrm.extensions import db
from envoycrm.htmx import is_fragment_request
from envoycrm.i18n import bureau_today, locale_tag, user_today
from envoycrm.idempotency import idempotent, remember
from envoycrm.labels import label
from envoycrm.models import FileStep, PersonnelFile, Role, Student, User
from envoycrm.network.services import university_choices
from envoycrm.params import enum_arg, flag_arg, id_arg, page_arg, text_arg

from . import bp, queue, services
from .forms import (
    BulkStepForm,
    DetailsForm,
    OpenFileForm,
    ServiceStudentFileForm,
    StepForm,
)


def _filters_from(args) -> queue.QueueFilter:
    """The queue's filter from query-string arguments; nonsense is ignored."""
    return queue.QueueFilter(
        step=enum_arg(FileStep, "step", args),
        overdue=flag_arg("overdue", args),
        handler_id=id_arg("handler", args),
        storage=text_arg("storage", 60, args),
    )


def _handler_choices() -> list[SelectChoice]:
    users = db.session.scalars(
        select(User)
        .where(User.role.in_((Role.COORDINATOR, Role.ADMIN)))
        .order_by(User.full_name)
    ).all()
    return [SelectChoice(str(u.id), u.full_name) for u in users]


def _queue_page(filters: queue.QueueFilter, form: BulkStepForm | None, status=200):
    today = bureau_today()
    days = current_app.config["FILE_SERVICE_DAYS"]
    page = db.paginate(
        queue.queue_query(filters, days, today),
        page=page_arg(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    if form is None:
        form = BulkStepForm(formdata=None, filter=_query_string(filters))
        form.step_on.data = user_today()
    form.expected.data = page.total
    template = "files/_queue_rows.html" if is_fragment_request() else "files/queue.html"
    body = render_template(
        template,
        page=page,
        filters=filters,
        form=form,
        today=today,
        days_waited=queue.days_waited,
        is_overdue=lambda f: queue.is_overdue(f, days, today),
        service_days=days,
        handlers=_handler_choices(),
        steps=list(FileStep),
    )
    # Recorded after rendering: the commit expires the rows shown.
    audit.record_list_view(
        "file.queue", filters.as_args(), page.total or 0, len(page.items), "file"
    )
    db.session.commit()
    return body, status


def _query_string(filters: queue.QueueFilter) -> str:
    return urlencode(filters.as_args())


@bp.route("/")
@staff
def index():
    """Files waiting for their next step, the longest waiting first."""
    return _queue_page(_filters_from(request.args), None)


@bp.route("/bulk", methods=["POST"])
@staff
def bulk():
    """Move the selected files, or exactly the filtered ones, to a step."""
    form = BulkStepForm()
    parsed = {k: v[0] for k, v in parse_qs(form.filter.data or "").items()}
    filters = _filters_from(parsed)
    if not form.validate_on_submit():
        return _queue_page(filters, form, 422)
    today = bureau_today()
    days = current_app.config["FILE_SERVICE_DAYS"]
    query = queue.queue_query(filters, days, today)
    if form.target.data == "selected":
        files = db.session.scalars(
            select(PersonnelFile).where(PersonnelFile.id.in_(form.ids.data))
        ).all()
    else:
        files = db.session.scalars(query).all()
        if form.expected.data is not None and len(files) != form.expected.data:
            form.form_errors.append(
                _(
                    "The filter now matches %(actual)s files, not the %(expected)s "
                    "you saw. Nothing was changed; check the list and try again.",
                    actual=len(files),
                    expected=form.expected.data,
                )
            )
            return _queue_page(filters, form, 409)
    moved = services.bulk_change_step(
        files,
        form.step.data,
        current_user,
        on=form.step_on.data,
        notes=form.notes.data or "",
    )
    db.session.commit()
    flash(ngettext("%(num)s file moved.", "%(num)s files moved.", moved), "success")
    args: dict = filters.as_args()
    return redirect(url_for("files.index", **args))


def _load(file_id: int) -> PersonnelFile:
    file = db.session.scalar(
        select(PersonnelFile)
        .where(PersonnelFile.id == file_id)
        .options(
            selectinload(PersonnelFile.student),
            selectinload(PersonnelFile.events),
            selectinload(PersonnelFile.handler),
        )
    )
    if file is None:
        abort(404)
    return file


def _file_page(file: PersonnelFile, status=200, step_form=None, details_form=None):
    if step_form is None:
        step_form = StepForm(formdata=None, obj=file)
        step_form.step.data = None
        step_form.step_on.data = user_today()
    if details_form is None:
        details_form = DetailsForm(formdata=None, obj=file)
        details_form.required.data = list(file.documents)
        details_form.received.data = [d.name for d in file.received_documents]
    step_form.step.choices = [
        SelectChoice("", _("— choose —")),
        *(SelectChoice(s.name, label(s)) for s in file.step.next_steps()),
    ]
    days = current_app.config["FILE_SERVICE_DAYS"]
    today = bureau_today()
    return (
        render_template(
            "files/show.html",
            file=file,
            student=file.student,
            step_form=step_form,
            details_form=details_form,
            days_waited=queue.days_waited(file, today),
            overdue=queue.is_overdue(file, days, today),
            service_days=queue.service_days(days, file.step),
        ),
        status,
    )


@bp.route("/<id:file_id>")
@staff
def show(file_id: int):
    """A file: its steps with dates, handlers and staff notes; its checklist."""
    file = _load(file_id)
    page = _file_page(file)  # before the commit, which expires what it shows
    audit.record("file.view", "student", file.student_id, file_id=file.id)
    db.session.commit()
    return page


@bp.route("/<id:file_id>/step", methods=["POST"])
@staff
def step(file_id: int):
    """Record the file's next step; the student is mailed about it."""
    file = _load(file_id)
    form = StepForm()
    form.step.choices = [SelectChoice(s.name, s.name) for s in FileStep]
    if not form.validate_on_submit():
        return _file_page(file, 422, step_form=form)
    if form.version.data != file.version:
        return refuse_stale_edit(
            form,
            PersonnelFile,
            file.id,
            lambda current: _file_page(current, 409, step_form=form)[0],
        )
    try:
        services.change_step(
            file,
            form.step.data,
            current_user,
            on=form.step_on.data,
            notes=form.notes.data or "",
            transfer_to=form.transfer_to.data,
        )
        db.session.commit()
    except services.StepRefused:
        form.step.errors = [_("This step cannot follow the file's current one.")]
        return _file_page(file, 422, step_form=form)
    except StaleDataError:
        return refuse_stale_edit(
            form,
            PersonnelFile,
            file_id,
            lambda current: _file_page(current, 409, step_form=form)[0],
        )
    flash(_("Step recorded; the student will be told by email."), "success")
    return redirect(url_for("files.show", file_id=file.id))


@bp.route("/<id:file_id>/details", methods=["POST"])
@staff
def details(file_id: int):
    """Save the storage reference, the checklist and the mail language."""
    file = _load(file_id)
    form = DetailsForm()
    if not form.validate_on_submit():
        return _file_page(file, 422, details_form=form)
    if form.version.data != file.version:
        return refuse_stale_edit(
            form,
            PersonnelFile,
            file.id,
            lambda current: _file_page(current, 409, details_form=form)[0],
        )
    try:
        services.update_details(
            file,
            storage_ref=form.storage_ref.data,
            documents=form.documents(),
            locale=form.locale.data,
        )
        db.session.commit()
    except StaleDataError:
        return refuse_stale_edit(
            form,
            PersonnelFile,
            file_id,
            lambda current: _file_page(current, 409, details_form=form)[0],
        )
    flash(_("Saved."), "success")
    return redirect(url_for("files.show", file_id=file.id))


@bp.route("/open", methods=["GET", "POST"])
@staff
@idempotent
def open_new():
    """Open a file for someone who comes to the bureau only for it."""
    form = ServiceStudentFileForm()
    form.university_id.choices = university_choices(locale_tag())
    if request.method == "GET":
        form.step_on.data = user_today()
        return render_template("files/open.html", form=form, student=None)
    if not form.validate_on_submit():
        return render_template("files/open.html", form=form, student=None), 422
    student = services.service_student(current_user, form.data, form.locale.data)
    file = _open(student, form)
    return redirect(url_for("files.show", file_id=file.id))


def _open(student: Student, form) -> PersonnelFile:
    file = services.open_file(
        student,
        current_user,
        on=form.step_on.data,
        locale=form.locale.data,
        documents=form.documents(),
        storage_ref=form.storage_ref.data,
        notes=form.notes.data or "",
    )
    remember(form, url_for("files.show", file_id=file.id), "student", student.id)
    db.session.commit()
    flash(_("File opened; the student's status link is on its way."), "success")
    return file


@bp.route("/open/<id:student_id>", methods=["GET", "POST"])
@staff
@idempotent
def open_for(student_id: int):
    """Open a file for a student already in EnvoyCRM."""
    student = db.get_or_404(Student, student_id)
    existing = services.file_of(student.id)
    if existing is not None:
        return redirect(url_for("files.show", file_id=existing.id))
    form = OpenFileForm()
    if request.method == "GET":
        form.step_on.data = user_today()
        return render_template("files/open.html", form=form, student=student)
    if not form.validate_on_submit():
        return render_template("files/open.html", form=form, student=student), 422
    file = _open(student, form)
    return redirect(url_for("files.show", file_id=file.id))
