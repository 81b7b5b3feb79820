"""Views of the envoy workspace: quick log, lists, the student page."""

from flask import (
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from markupsafe import Markup, escape
from sqlalchemy.orm import selectinload
from wtforms import SelectChoice

from envoycrm import audit, ratelimit
from envoycrm.access import get_scoped_or_404, roles, scoped, staff
from envoycrm.database import STALE, commit_keeping_loaded
from envoycrm.editing import refuse_stale_edit
from envoycrm.extensions import db
from envoycrm.htmx import is_fragment_request
from envoycrm.i18n import locale_tag, select_timezone, user_today
from envoycrm.idempotency import idempotent, relocate, remember
from envoycrm.models import (
    FieldOfStudy,
    IntentionLevel,
    Role,
    Stage,
    Student,
    User,
)
from envoycrm.models.users import DegreeLevel
from envoycrm.network.services import university_choices
from envoycrm.pagination import paginate_capped
from envoycrm.params import page_arg
from envoycrm.personnel_files.services import file_of
from envoycrm.students import bp, queries, services
from envoycrm.students.duplicates import Probe, find_duplicates, split_by_visibility
from envoycrm.students.forms import (
    UNLISTED_UNIVERSITY,
    ConsentForm,
    IntentionForm,
    InteractionForm,
    MergeForm,
    QuickLogForm,
    ReassignForm,
    StageForm,
    StudentEditForm,
    TagForm,
    envoy_choices,
)
from envoycrm.students.home import quick_log_form, render_envoy_home

WORKSPACE = (Role.ENVOY, Role.COORDINATOR)


@bp.route("/quick-log", methods=["POST"])
@roles(Role.ENVOY)
@idempotent
def quick_log():
    """Save a new student, their consent and the first meeting in one submit."""
    form = quick_log_form(current_user)
    if not form.validate_on_submit():
        return render_envoy_home(form, 422)
    data = {name: f.data for name, f in form._fields.items()}
    student = services.log_student(current_user, data, form.notice_language.data)
    # Home again, ready for the next student, with links to this one.
    home = url_for("main.home", saved=student.id)
    remember(form, home, "student", student.id)
    db.session.commit()
    flash(
        _("%(name)s is saved with the first meeting.", name=student.display_name),
        "success",
    )
    if student.possible_duplicate_of_id:
        flash(
            _(
                "This student may already be known to the network; "
                "a coordinator will merge the records."
            ),
            "info",
        )
    return redirect(home)


def _duplicate_checks_exhausted() -> bool:
    """Count one duplicate check for the user; True once over their limit.

    The check tells whether an email or WeChat ID is known anywhere in the
    network, so nobody may ask it an unlimited number of times.
    """
    config = current_app.config
    key = f"duplicate-check:{current_user.id}"
    limit, window = config["DUPLICATE_CHECK_LIMIT"], config["DUPLICATE_CHECK_WINDOW"]
    return ratelimit.take(ratelimit.Limit(key, limit, window)) is None


@bp.route("/duplicates", methods=["POST"])
@roles(*WORKSPACE)
def duplicates():
    """Possible duplicates of what is being typed (htmx, debounced)."""
    if _duplicate_checks_exhausted():
        return render_template("students/_duplicates.html", limited=True), 429
    form = QuickLogForm()
    form.university_id.choices = university_choices(locale_tag())
    form.validate()  # parses what it can; errors are not shown here
    probe = Probe(
        name_latin=form.name_latin.data,
        name_hanzi=form.name_hanzi.data,
        email=form.email.data if not form.email.errors else None,
        wechat_id=form.wechat_id.data if not form.wechat_id.errors else None,
        university_id=form.university_id.data
        if not form.university_id.errors
        else None,
        expected_graduation=(
            form.expected_graduation.data
            if not form.expected_graduation.errors
            else None
        ),
    )
    visible, hidden = split_by_visibility(find_duplicates(probe), current_user)
    return render_template("students/_duplicates.html", matches=visible, hidden=hidden)


@bp.route("/")
@roles(*WORKSPACE)
def index():
    """My students (all students for coordinators): search, filter, sort, pages."""
    filters = queries.StudentFilter.from_args(request.args)
    query = queries.student_query(scoped(Student), filters)
    page = paginate_capped(
        query,
        page=page_arg(),
        per_page=current_app.config["PAGE_SIZE"],
        cap=current_app.config["LIST_COUNT_CAP"],
    )
    audit.record_list_view(
        "students.list",
        {**filters.as_args(), "page": page.page},
        page.total,
        len(page.items),
    )
    commit_keeping_loaded(db.session)
    template = "students/_rows.html" if is_fragment_request() else "students/index.html"
    return render_template(
        template,
        page=page,
        filters=filters,
        stages=list(Stage),
        intentions=list(IntentionLevel),
        fields=list(FieldOfStudy),
        degrees=list(DegreeLevel),
        sorts=queries.sort_choices(queries.StudentFilter.SORTS),
    )


def _load(student_id: int) -> Student:
    """A student the current user may see, or 404 (never 403)."""
    return get_scoped_or_404(Student, student_id)


def _student_page(
    student: Student, status: int = 200, new_entry: str | None = None, **forms
):
    """The student page with every form, some possibly carrying errors.

    ``new_entry`` names the timeline entry a change just made (see
    ``_entry_id``): it takes the focus once swapped in.
    """
    forms.setdefault("interaction_form", InteractionForm(formdata=None))
    if forms["interaction_form"].occurred_on.data is None:
        forms["interaction_form"].occurred_on.data = user_today()
    forms.setdefault("intention_form", IntentionForm(formdata=None))
    forms.setdefault("consent_form", ConsentForm(formdata=None))
    forms.setdefault("stage_form", StageForm(formdata=None, stage=student.stage))
    forms.setdefault("tag_form", TagForm(formdata=None))
    if current_user.is_staff:
        reassign = forms.setdefault(
            "reassign_form", ReassignForm(formdata=None, owner_id=student.owner_id)
        )
        reassign.owner_id.choices = envoy_choices()
        forms.setdefault("merge_form", MergeForm(formdata=None))
    if "personnel_file" not in forms and not is_fragment_request():
        forms["personnel_file"] = file_of(student.id)
    duplicate_of = None
    if current_user.is_staff and student.possible_duplicate_of_id:
        duplicate_of = db.session.get(Student, student.possible_duplicate_of_id)
        if duplicate_of is not None and forms["merge_form"].other_id.data is None:
            forms["merge_form"].other_id.data = duplicate_of.id
    template = (
        "students/_activity.html" if is_fragment_request() else "students/show.html"
    )
    return (
        render_template(
            template,
            student=student,
            timeline=queries.timeline(student, select_timezone()),
            intention=queries.current_intention(student),
            duplicate_of=duplicate_of,
            new_entry=new_entry,
            **forms,
        ),
        status,
    )


@bp.route("/<id:student_id>")
@roles(*WORKSPACE)
def show(student_id: int):
    """A student's page: profile, consent, stage, intention and timeline."""
    student = db.session.scalar(
        scoped(Student)
        .where(Student.id == student_id)
        .options(
            selectinload(Student.university),
            selectinload(Student.tags),
            selectinload(Student.consents),
            selectinload(Student.owner),
        )
    )
    if student is None:
        abort(404)
    audit.record("student.view", "student", student.id)
    # The view's audit rows are committed once the page is rendered: a commit
    # before would expire the student and load it all again to render it.
    if is_fragment_request():
        page = render_template("students/_profile.html", student=student)
    else:
        personnel_file = file_of(student.id)
        if personnel_file is not None:
            audit.record("file.view", "student", student.id, file_id=personnel_file.id)
        page = _student_page(student, personnel_file=personnel_file)
    db.session.commit()
    return page


def _edit_form(student: Student, blank: bool = False) -> StudentEditForm:
    """The edit form: from the record (``blank``) or from the submitted data."""
    form = StudentEditForm(formdata=None, obj=student) if blank else StudentEditForm()
    form.university_id.choices = university_choices(locale_tag())
    if student.university_id is None:
        # A university typed in a public reply: kept until someone maps it.
        typed = _(
            "typed: %(name)s, not mapped", name=student.university_name_typed or ""
        )
        form.university_id.choices.insert(0, SelectChoice(UNLISTED_UNIVERSITY, typed))
        if blank:
            form.university_id.data = UNLISTED_UNIVERSITY
    return form


@bp.route("/<id:student_id>/edit", methods=["GET", "POST"])
@roles(*WORKSPACE)
def edit(student_id: int):
    """Edit the profile inline; a concurrent edit is refused with both versions."""
    student = _load(student_id)
    if request.method == "GET":
        form = _edit_form(student, blank=True)
        audit.record("student.edit_view", "student", student.id)
        db.session.commit()
        return _edit_response(student, form)
    form = _edit_form(student)
    if not form.validate_on_submit():
        return _edit_response(student, form, 422)
    data = {name: f.data for name, f in form._fields.items()}
    try:
        services.update_profile(student, data, form.version.data, current_user)
        db.session.commit()
    except STALE:
        return refuse_stale_edit(
            form,
            Student,
            student_id,
            lambda current: _edit_response(current, form, conflict=current)[0],
        )
    flash(_("Changes saved."), "success")
    if is_fragment_request():
        return render_template("students/_profile.html", student=student)
    return redirect(url_for("students.show", student_id=student.id))


def _edit_response(student, form, status=200, conflict=None):
    template = "students/_edit.html" if is_fragment_request() else "students/edit.html"
    return render_template(
        template, student=student, form=form, conflict=conflict
    ), status


def _entry_id(kind: str, row) -> str:
    """The HTML id of a timeline entry (``templates/students/_activity.html``)."""
    return f"entry-{kind}-{row.id}"


def _after_change(student: Student, message: str, created_by=None, new_entry=None):
    """Answer a successful change: the activity panel for htmx, else a redirect.

    ``created_by`` is the form of a change that creates something: its key is
    remembered with the change, so sending it again changes nothing.
    ``new_entry`` is the (kind, row) of the timeline entry it made, where the
    reader goes next.
    """
    if created_by is not None:
        remember(
            created_by,
            url_for("students.show", student_id=student.id),
            "student",
            student.id,
        )
    db.session.commit()
    flash(message, "success")
    if is_fragment_request():
        db.session.expire(student)
        entry = _entry_id(*new_entry) if new_entry else None  # it has its id now
        return _student_page(student, new_entry=entry)
    # No anchor: a repeated send answers with the remembered address, which
    # must be the same as this one (idempotency.remember above).
    return redirect(url_for("students.show", student_id=student.id))


@bp.route("/<id:student_id>/interactions", methods=["POST"])
@roles(*WORKSPACE)
@idempotent
def add_interaction(student_id: int):
    """Add a meeting, chat, call, email or event note to the timeline."""
    student = _load(student_id)
    form = InteractionForm()
    if not form.validate_on_submit():
        return _student_page(student, 422, interaction_form=form)
    interaction = services.add_interaction(
        student, current_user, form.kind.data, form.occurred_on.data, form.notes.data
    )
    return _after_change(
        student,
        _("Added to the timeline."),
        created_by=form,
        new_entry=("interaction", interaction),
    )


@bp.route("/<id:student_id>/intentions", methods=["POST"])
@roles(*WORKSPACE)
@idempotent
def add_intention(student_id: int):
    """Record a new intention; the history stays."""
    student = _load(student_id)
    form = IntentionForm()
    if not form.validate_on_submit():
        return _student_page(student, 422, intention_form=form)
    intention = services.record_intention(student, current_user, form.data)
    return _after_change(
        student,
        _("Intention recorded."),
        created_by=form,
        new_entry=("intention", intention),
    )


@bp.route("/<id:student_id>/consent", methods=["POST"])
@roles(*WORKSPACE)
@idempotent
def record_consent(student_id: int):
    """Record new consent (replacing the one in force)."""
    student = _load(student_id)
    form = ConsentForm()
    if not form.validate_on_submit():
        return _student_page(student, 422, consent_form=form)
    services.record_consent(
        student,
        current_user,
        form.scope.data,
        form.method.data,
        form.notice_language.data,
    )
    return _after_change(student, _("Consent recorded."), created_by=form)


@bp.route("/<id:student_id>/consent/withdraw", methods=["POST"])
@roles(*WORKSPACE)
def withdraw_consent(student_id: int):
    """Withdraw consent: effective at once."""
    student = _load(student_id)
    if not services.withdraw_consent(student, current_user):
        flash(_("There is no consent in force to withdraw."), "info")
    return _after_change(student, _("Consent withdrawn. It takes effect at once."))


@bp.route("/<id:student_id>/stage", methods=["POST"])
@roles(*WORKSPACE)
def move_stage(student_id: int):
    """Move the student to another pipeline stage."""
    student = _load(student_id)
    form = StageForm()
    if not form.validate_on_submit():
        return _student_page(student, 422, stage_form=form)
    services.move_stage(student, current_user, form.stage.data, form.reason.data)
    return _after_change(student, _("Stage changed."))


@bp.route("/<id:student_id>/tags", methods=["POST"])
@roles(*WORKSPACE)
def add_tag(student_id: int):
    """Add a tag."""
    student = _load(student_id)
    form = TagForm()
    if not form.validate_on_submit():
        return _student_page(student, 422, tag_form=form)
    services.add_tag(student, form.tag.data)
    return _after_change(student, _("Tag added."))


@bp.route("/<id:student_id>/tags/<tag>/remove", methods=["POST"])
@roles(*WORKSPACE)
def remove_tag(student_id: int, tag: str):
    """Remove a tag."""
    student = _load(student_id)
    services.remove_tag(student, tag)
    return _after_change(student, _("Tag removed."))


@bp.route("/<id:student_id>/owner", methods=["POST"])
@staff
def reassign(student_id: int):
    """Give the student to another envoy (coordinators)."""
    student = _load(student_id)
    form = ReassignForm()
    form.owner_id.choices = envoy_choices()
    if not form.validate_on_submit():
        return _student_page(student, 422, reassign_form=form)
    services.reassign(student, db.get_or_404(User, form.owner_id.data))
    return _after_change(student, _("The student has a new envoy."))


@bp.route("/<id:student_id>/merge", methods=["POST"])
@staff
def merge(student_id: int):
    """Merge another record into this one, keeping all history (coordinators)."""
    student = _load(student_id)
    form = MergeForm()
    if form.validate_on_submit():
        other = db.session.get(Student, form.other_id.data)
        if other is None or other.id == student.id:
            form.other_id.errors.append(_("Enter the number of another student."))
        else:
            merged_page = url_for("students.show", student_id=other.id)
            services.merge(student, other)
            # A form sent again after the merge leads to the kept record.
            relocate(merged_page, url_for("students.show", student_id=student.id))
            return _after_change(student, _("The records are merged."))
    return _student_page(student, 422, merge_form=form)


@bp.app_template_global()
def university_of(student: Student) -> Markup:
    """A student's university in the reader's language; one typed in a public
    reply and not yet mapped to a known one says so, for a coordinator to map
    from the edit form. (A function, not a macro: every list row shows one.)"""
    if student.university is not None:
        return escape(student.university.name_for(locale_tag()))
    if student.university_name_typed:
        return Markup('<span class="unmapped">%s</span>') % _(
            "typed: %(name)s, not mapped", name=student.university_name_typed
        )
    return Markup("")
