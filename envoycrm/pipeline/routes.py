"""Views of the coordinators' pipeline: board, list, bulk, saved views, export."""

from flask import (
    Response,
    abort,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from envoycrm import audit, cache
from envoycrm.access import get_scoped_or_404, staff
from envoycrm.database import commit_keeping_loaded
from envoycrm.extensions import db
from envoycrm.htmx import is_fragment_request
from envoycrm.i18n import locale_tag
from envoycrm.idempotency import idempotent, remember
from envoycrm.labels import label
from envoycrm.main import needs
from envoycrm.models import (
    Stage,
    Student,
    User,
    utcnow,
)
from envoycrm.pagination import CappedPage
from envoycrm.params import flag_arg, page_arg
from envoycrm.pipeline import bp, exports, services
from envoycrm.pipeline.filters import (
    PipelineFilter,
    apply_filter,
    by_kept_counts,
    count_by_stage,
    count_filtered,
    filter_choices,
    filter_countries,
)
from envoycrm.pipeline.forms import BulkForm, MoveForm, SavedViewForm
from envoycrm.students.forms import envoy_choices
from envoycrm.students.queries import order_by_sort

LIST_PAGE_SIZE = 50
# Envoy activity: a page of a network's 150 envoys, sorted across all of them.
ENVOYS_PER_PAGE = 50


def current_filter() -> PipelineFilter:
    """The filter in the query string."""
    return PipelineFilter.from_args(request.args)


def _board_page(filters: PipelineFilter, status: int = 200, **extra):
    columns = services.board(filters)
    audit.record_list_view(
        "pipeline.board",
        filters.as_args(),
        sum(column.count for column in columns),
        sum(len(column.cards) for column in columns),
    )
    commit_keeping_loaded(db.session)
    return (
        render_template(
            "pipeline/board.html",
            filters=filters,
            columns=columns,
            now=utcnow(),
            views=services.saved_views(current_user),
            view_form=SavedViewForm(formdata=None, filter=filters.query_string),
            move_form=MoveForm(formdata=None),
            days_in_stage=services.days_in_stage,
            **filter_choices(),
            **extra,
        ),
        status,
    )


@bp.route("/")
@staff
def board():
    """The board: one column per stage, counts, the students longest in each."""
    return _board_page(current_filter())


def _card_menu(student: Student, form: MoveForm, filters: PipelineFilter, status=200):
    """One card with its move menu open: the fragment, or a page of its own."""
    template = "pipeline/_card.html" if is_fragment_request() else "pipeline/move.html"
    return (
        render_template(
            template,
            student=student,
            form=form,
            menu=True,
            filters=filters,
            now=utcnow(),
            days_in_stage=services.days_in_stage,
            stages_all=list(Stage),
        ),
        status,
    )


@bp.route("/students/<id:student_id>/move", methods=["GET", "POST"])
@staff
def move(student_id: int):
    """Move one card; htmx gets the card swapped and the counts out of band.

    A GET answers the card's move menu: under htmx the card with the menu
    open, without JavaScript a small page holding the same form.
    """
    student = get_scoped_or_404(Student, student_id)
    if request.method == "GET":
        filters = PipelineFilter.from_args(request.args.get("filter", ""))
        form = MoveForm(formdata=None, filter=filters.query_string)
        audit.record("pipeline.move_menu_view", "student", student.id)
        db.session.commit()
        return _card_menu(student, form, filters)
    form = MoveForm()
    filters = PipelineFilter.from_args(form.filter.data or "")
    if not form.validate_on_submit():
        if is_fragment_request():
            return _card_menu(student, form, filters, 422)
        return _board_page(filters, 422, error_form=form, error_student=student.id)
    old_stage = student.stage
    services.move_student(student, current_user, form.stage.data, form.reason.data)
    db.session.commit()
    message = _(
        "%(name)s moved to %(stage)s.",
        name=student.display_name,
        stage=label(student.stage),
    )
    if not is_fragment_request():
        flash(message, "success")
        return redirect(url_for("pipeline.board", **filters.as_args()))
    db.session.refresh(student)
    visible = db.session.scalar(
        apply_filter(select(Student.id), filters).where(Student.id == student.id)
    )
    return render_template(
        "pipeline/_moved.html",
        student=student,
        old_stage=old_stage,
        show_card=visible is not None and student.stage not in services.SUMMARY_STAGES,
        counts=services.stage_counts(filters),
        summary_stages=services.SUMMARY_STAGES,
        filters=filters,
        message=message,
        form=MoveForm(formdata=None),
        stages_all=list(Stage),
        now=utcnow(),
        days_in_stage=services.days_in_stage,
    )


@bp.route("/list")
@staff
def student_list():
    """The same filter as a sortable, paginated list with bulk actions."""
    filters = current_filter()
    page = _paginate(filters, page_arg())
    audit.record_list_view(
        "pipeline.list",
        {**filters.as_args(), "page": page.page},
        page.total or 0,
        len(page.items),
    )
    commit_keeping_loaded(db.session)
    return _list_page(filters, page)


def _paginate(filters: PipelineFilter, number: int):
    """One page of the list; its total from the kept counts when they cover
    the filter, so a page does not count 200,000 students each time."""
    query = order_by_sort(apply_filter(select(Student), filters), filters.sort)
    kept = by_kept_counts(filters)
    page = db.paginate(
        query.options(*_list_options()),
        page=number,
        per_page=LIST_PAGE_SIZE,
        error_out=False,
        count=not kept,
    )
    if kept:
        page.total = sum(count_by_stage(filters).values())
    return page


def _list_options():
    from sqlalchemy.orm import selectinload

    return (selectinload(Student.university), selectinload(Student.owner))


def _list_page(filters, page, form: BulkForm | None = None, status: int = 200):
    if form is None:
        form = BulkForm(formdata=None, filter=filters.query_string)
        form.expected.data = page.total
    choices = filter_choices()
    form.envoy.choices = [SelectChoice("", _("Choose an envoy")), *choices["envoys"]]
    template = (
        "pipeline/_list_rows.html" if is_fragment_request() else "pipeline/list.html"
    )
    return (
        render_template(
            template,
            filters=filters,
            page=page,
            form=form,
            now=utcnow(),
            days_in_stage=services.days_in_stage,
            **choices,
        ),
        status,
    )


@bp.route("/bulk", methods=["POST"])
@staff
def bulk():
    """Apply an action to the selection or to exactly the filtered set."""
    form = BulkForm()
    form.envoy.choices = [SelectChoice("", ""), *envoy_choices()]
    filters = PipelineFilter.from_args(form.filter.data or "")
    if not form.validate_on_submit():
        return _bulk_invalid(filters, form)
    selected = form.ids.data if form.target.data == "selected" else None
    try:
        ids = services.target_ids(filters, selected, form.expected.data)
    except services.FilterChanged as mismatch:
        form.form_errors.append(
            _(
                "The filter now matches %(actual)s students, not the %(expected)s "
                "you saw. Nothing was changed; check the list and try again.",
                actual=mismatch.actual,
                expected=mismatch.expected,
            )
        )
        return _bulk_invalid(filters, form, 409)
    if form.action.data in ("export_csv", "export_xlsx"):
        extension = "csv" if form.action.data == "export_csv" else "xlsx"
        return _export(filters, extension, ids)
    envoy = db.session.get(User, form.envoy.data) if form.envoy.data else None
    changed = services.bulk_apply(
        ids,
        current_user,
        form.action.data,
        stage=form.stage.data,
        reason=form.reason.data,
        envoy=envoy,
        tag=form.tag.data,
    )
    flash(
        ngettext("%(num)s student changed.", "%(num)s students changed.", changed),
        "success",
    )
    return redirect(url_for("pipeline.student_list", **filters.as_args()))


def _bulk_invalid(filters: PipelineFilter, form: BulkForm, status: int = 422):
    page = _paginate(filters, 1)
    form.expected.data = page.total
    return _list_page(filters, page, form, status)


# --- saved views -----------------------------------------------------------------


@bp.route("/views", methods=["POST"])
@staff
@idempotent
def save_view():
    """Save the current filter under a name."""
    form = SavedViewForm()
    filters = PipelineFilter.from_args(form.filter.data or "")
    if not form.validate_on_submit():
        return _board_page(filters, 422, view_form_errors=form)
    view = services.save_view(current_user, form.name.data, filters)
    board = url_for("pipeline.board", **filters.as_args())
    db.session.flush()  # the view's id, for its key
    remember(form, board, "saved_view", view.id)
    db.session.commit()
    flash(_("View “%(name)s” saved.", name=form.name.data), "success")
    return redirect(board)


@bp.route("/views/<id:saved_view_id>")
@staff
def open_view(saved_view_id: int):
    """Open a saved view: the board with its filter in the URL."""
    view = services.own_view(current_user, saved_view_id)
    if view is None:
        abort(404)
    filters = PipelineFilter.from_args(view.query)
    return redirect(url_for("pipeline.board", **filters.as_args()))


@bp.route("/views/<id:saved_view_id>/delete", methods=["POST"])
@staff
def delete_view(saved_view_id: int):
    """Delete one of the coordinator's saved views."""
    view = services.own_view(current_user, saved_view_id)
    if view is None:
        abort(404)
    db.session.delete(view)
    db.session.commit()
    flash(_("View “%(name)s” deleted.", name=view.name), "success")
    return redirect(url_for("pipeline.board"))


# --- export -----------------------------------------------------------------------


def _export(filters: PipelineFilter, extension: str, ids: list[int] | None = None):
    """Stream the filtered students (or the selection among them), audited."""
    query = count_filtered(filters)
    if ids is not None:
        query = query.where(Student.id.in_(ids))
    rows = db.session.scalar(query)
    audit.record(
        "export",
        "student",
        None,
        filter=filters.query_string,
        format=extension,
        rows=rows,
        selection=len(ids) if ids is not None else None,
    )
    db.session.commit()
    locale = locale_tag()
    stream = exports.export_rows(filters, locale, ids)
    if extension == "csv":
        body = exports.csv_stream(stream)
        mimetype = "text/csv; charset=utf-8"
    else:
        body = exports.xlsx_stream(stream)
        mimetype = exports.XLSX_MIMETYPE
    response = Response(stream_with_context(body), mimetype=mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{exports.export_filename(extension)}"'
    )
    response.headers["X-Export-Rows"] = str(rows)
    token = exports.export_token(request.args.get("export_token"))
    if token:
        # Read by the export link's script: the download has started.
        response.set_cookie(
            "export_started",
            token,
            max_age=120,
            samesite="Lax",
            secure=request.is_secure,
        )
    return response


@bp.route("/export.csv")
@staff
def export_csv():
    """The current filter as CSV (UTF-8 with BOM), streamed."""
    return _export(current_filter(), "csv")


@bp.route("/export.xlsx")
@staff
def export_xlsx():
    """The current filter as an Excel workbook, streamed."""
    return _export(current_filter(), "xlsx")


# --- envoys -------------------------------------------------------------------------


@bp.route("/envoys")
@staff
def envoys():
    """Each envoy's activity; no activity in 30 days is highlighted.

    ``?quiet=1`` keeps only the envoys the home page and the bureau digest
    count as quiet for 30 days (``needs.quiet_envoys``), read fresh.
    """
    filters = current_filter()
    quiet = flag_arg("quiet")
    # A fresh list each time: the cached one is shared and sorted below.
    cached_rows, computed_at = cache.cached(
        ("envoy-activity", filters.query_string),
        lambda: services.envoy_activity(filters),
    )
    rows = list(cached_rows)
    if quiet:
        quiet_ids = needs.quiet_envoy_ids(utcnow())
        rows = [row for row in rows if row.user.id in quiet_ids]
    sort = request.args.get("sort", "")
    if sort == "inactive":
        rows.sort(key=lambda r: (r.last_activity is not None, r.last_activity or 0))
    elif sort in ("students", "meetings", "pushes", "replies"):
        rows.sort(key=lambda r: getattr(r, sort), reverse=True)
    # Sorted across every envoy, shown a page at a time.
    page = page_arg()
    start = (page - 1) * ENVOYS_PER_PAGE
    shown = CappedPage(
        rows[start : start + ENVOYS_PER_PAGE], page, ENVOYS_PER_PAGE, len(rows), False
    )
    return render_template(
        "pipeline/envoys.html",
        page=shown,
        page_args={
            **filters.as_args(sort=False),
            "sort": sort or None,
            "quiet": "1" if quiet else None,
        },
        filters=filters,
        now=utcnow(),
        computed_at=computed_at,
        sort=sort,
        quiet=quiet,
        statuses=services.status_counts(),
        countries=filter_countries(),
    )


from envoycrm.pipeline import import_routes  # noqa: E402, F401
