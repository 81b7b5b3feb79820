"""Views of the jobs area: openings, approval, pushes, matching, employer portal."""

from flask import (
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from envoycrm import audit, sharing
from envoycrm.access import get_scoped_or_404, roles, scoped, staff
from envoycrm.database import STALE, commit_keeping_loaded
from envoycrm.editing import refuse_stale_edit
from envoycrm.errors import render_error
from envoycrm.extensions import db
from envoycrm.forms import IdempotentForm
from envoycrm.htmx import is_fragment_request
from envoycrm.i18n import bureau_today, format_cny, format_day, locale_tag
from envoycrm.idempotency import idempotent, remember
from envoycrm.jobs import bp, candidates, referrals, services
from envoycrm.jobs.forms import (
    EmployerForm,
    NewEmployerForm,
    NewOpeningForm,
    OpeningForm,
    PushToStudentForm,
    RejectForm,
)
from envoycrm.models import (
    Employer,
    EmployerKind,
    FieldOfStudy,
    JobOpening,
    OpeningStatus,
    Push,
    Role,
    Sector,
    Student,
)
from envoycrm.models.users import DegreeLevel
from envoycrm.pagination import CappedPage
from envoycrm.params import enum_arg, int_arg, page_arg, text_arg
from envoycrm.urls import absolute_url

BROWSE = (Role.ENVOY, Role.COORDINATOR, Role.EMPLOYER)
AUTHORS = (Role.COORDINATOR, Role.EMPLOYER)


def _filters() -> services.OpeningFilter:
    return services.OpeningFilter(
        q=text_arg("q"),
        sector=enum_arg(Sector, "sector"),
        field=enum_arg(FieldOfStudy, "field"),
        degree=enum_arg(DegreeLevel, "degree"),
        kind=enum_arg(EmployerKind, "kind"),
        status=enum_arg(OpeningStatus, "status"),
        salary=int_arg("salary", 0, 9_999_999),
    )


@bp.route("/")
@roles(*BROWSE)
def index():
    """Openings the user may see: filters and search as you type."""
    filters = _filters()
    today = bureau_today()
    query = services.opening_query(scoped(JobOpening), filters, today)
    page = db.paginate(
        query,
        page=page_arg(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    template = "jobs/_rows.html" if is_fragment_request() else "jobs/index.html"
    return render_template(
        template,
        page=page,
        filters=filters,
        today=today,
        sectors=list(Sector),
        fields=list(FieldOfStudy),
        degrees=list(DegreeLevel),
        kinds=list(EmployerKind),
        statuses=list(OpeningStatus),
    )


def _load(opening_id: int) -> JobOpening:
    return get_scoped_or_404(JobOpening, opening_id)


@bp.route("/<id:opening_id>")
@roles(*BROWSE)
def show(opening_id: int):
    """One opening in the viewer's language, the other language a click away."""
    opening = _load(opening_id)
    return _show_page(opening)


def _show_page(opening: JobOpening, status: int = 200, reject_form=None):
    context = {"opening": opening, "today": bureau_today()}
    if current_user.is_staff:
        context["matches"] = candidates.matching_students(opening)
        context["reject_form"] = reject_form or RejectForm(formdata=None)
    elif current_user.role is Role.EMPLOYER:
        page = candidates.employer_candidates(opening, bureau_today(), page_arg())
        context["matches"] = page.items
        context["candidate_page"] = page
        context["interested"] = candidates.interested_student_ids(opening)
        context["candidates_hidden"] = not candidates.employer_sees_candidates(
            opening, bureau_today()
        )
    elif current_user.role is Role.ENVOY:
        context["push"] = db.session.scalar(
            scoped(Push).where(Push.opening_id == opening.id)
        )
    matches = context.get("matches")
    if isinstance(matches, list) and matches:
        shown = context.get("candidate_page")
        audit.record_list_view(
            "opening.candidates",
            {"page": shown.page} if isinstance(shown, CappedPage) else {},
            shown.total if isinstance(shown, CappedPage) else len(matches),
            len(matches),
            "job_opening",
            opening.id,
        )
        commit_keeping_loaded(db.session)
    return render_template("jobs/show.html", **context), status


def _opening_form(opening: JobOpening | None = None) -> OpeningForm:
    form_class = OpeningForm if opening else NewOpeningForm
    form = form_class(
        creating=opening is None,
        previous_deadline=opening.deadline if opening else None,
        obj=opening if request.method == "GET" else None,
    )
    form.employer_id.choices = services.employer_choices(locale_tag())
    return form


def _employer_for(form: OpeningForm) -> int | None:
    """Employer staff always post for their own organisation."""
    if current_user.role is Role.EMPLOYER:
        return current_user.employer_id
    if (
        form.employer_id.data is None
        or db.session.get(Employer, form.employer_id.data) is None
    ):
        form.employer_id.errors = [*form.employer_id.errors, _("Choose the employer.")]
        return None
    return form.employer_id.data


@bp.route("/new", methods=["GET", "POST"])
@roles(*AUTHORS)
@idempotent
def new():
    """Post an opening: employer staff's waits for approval, staff's is open."""
    if current_user.role is Role.EMPLOYER and current_user.employer_id is None:
        abort(404)
    form = _opening_form()
    if request.method == "GET":
        return render_template("jobs/form.html", form=form, opening=None)
    valid = form.validate_on_submit()
    employer_id = _employer_for(form)
    if not valid or employer_id is None:
        return render_template("jobs/form.html", form=form, opening=None), 422
    opening = services.create_opening(current_user, form.data, employer_id)
    remember(
        form,
        url_for("jobs.show", opening_id=opening.id),
        "job_opening",
        opening.id,
    )
    db.session.commit()
    if opening.status is OpeningStatus.PENDING:
        flash(
            _("Opening saved. It is published once the bureau approves it."), "success"
        )
    else:
        flash(_("Opening saved and open."), "success")
    return redirect(url_for("jobs.show", opening_id=opening.id))


@bp.route("/<id:opening_id>/edit", methods=["GET", "POST"])
@roles(*AUTHORS)
def edit(opening_id: int):
    """Edit an opening; an employer's change to an open one needs approval again."""
    opening = _load(opening_id)
    if opening.status is OpeningStatus.CLOSED:
        flash(_("A closed opening cannot be edited."), "info")
        return redirect(url_for("jobs.show", opening_id=opening.id))
    form = _opening_form(opening)
    if request.method == "GET":
        form.employer_id.data = opening.employer_id
        return render_template("jobs/form.html", form=form, opening=opening)
    valid = form.validate_on_submit()
    if current_user.is_staff and valid and _employer_for(form) is None:
        valid = False
    if not valid:
        return render_template("jobs/form.html", form=form, opening=opening), 422
    try:
        services.update_opening(opening, form.data, form.version.data, current_user)
        if current_user.is_staff:
            opening.employer_id = form.employer_id.data
        db.session.commit()
    except STALE:
        return refuse_stale_edit(
            form,
            JobOpening,
            opening_id,
            lambda current: render_template(
                "jobs/form.html", form=form, opening=current, conflict=True
            ),
        )
    flash(_("Changes saved."), "success")
    return redirect(url_for("jobs.show", opening_id=opening.id))


def _status_step(opening_id: int, step, message: str):
    opening = _load(opening_id)
    try:
        step(opening)
        db.session.commit()
        flash(message, "success")
    except services.WrongStatus:
        db.session.rollback()
        flash(_("This opening cannot take that step in its current status."), "error")
    return redirect(url_for("jobs.show", opening_id=opening_id))


@bp.route("/<id:opening_id>/approve", methods=["POST"])
@staff
def approve(opening_id: int):
    """Approve a pending opening: it is open to envoys."""
    return _status_step(
        opening_id,
        lambda o: services.approve_opening(o, current_user, bureau_today()),
        _("Opening approved and open."),
    )


@bp.route("/<id:opening_id>/reject", methods=["POST"])
@staff
def reject(opening_id: int):
    """Send a pending opening back to its employer, with the reason."""
    opening = _load(opening_id)
    form = RejectForm()
    # Only a pending opening shows the form; any other cannot be sent back.
    if opening.status is OpeningStatus.PENDING and not form.validate_on_submit():
        return _show_page(opening, 422, reject_form=form)
    return _status_step(
        opening_id,
        lambda o: services.reject_opening(o, current_user, form.reason.data),
        _("Opening sent back to the employer."),
    )


@bp.route("/<id:opening_id>/close", methods=["POST"])
@staff
def close(opening_id: int):
    """Close an opening now."""
    return _status_step(
        opening_id,
        lambda o: services.close_opening(o, current_user),
        _("Opening closed."),
    )


# --- pushes ---------------------------------------------------------------------------


@bp.route("/<id:opening_id>/push", methods=["POST"])
@roles(Role.ENVOY)
@idempotent
def push(opening_id: int):
    """Get (or make) the envoy's personal link for this opening."""
    opening = _load(opening_id)
    form = IdempotentForm()
    if not form.validate_on_submit():
        return _button_refused(form)
    if not services.is_accepting(opening, bureau_today()):
        flash(_("This opening no longer takes replies."), "error")
        return redirect(url_for("jobs.show", opening_id=opening.id))
    try:
        push = services.push_opening(current_user, opening)
        remember(form, url_for("jobs.push_show", push_id=push.id), "push", push.id)
        db.session.commit()
    except IntegrityError:  # a double click raced the first one
        db.session.rollback()
        push = services.push_opening(current_user, opening)
    return redirect(url_for("jobs.push_show", push_id=push.id))


def _button_refused(form: IdempotentForm):
    """A button's form arrived without its key (or CSRF token): say why, 422."""
    errors = [error for field in form for error in field.errors]
    return render_error(422, errors[0] if errors else None)


def _referral_url(push: Push) -> str:
    return absolute_url("referral.opening", token=referrals.sign(push))


def share_message(push: Push, link: str) -> str:
    """A ready-to-paste bilingual message for WeChat or email.

    The city is named once: an employer whose name already says Qingdao
    ("青岛海洋生物产业集团") is not placed "in Qingdao" again.
    """
    opening = push.opening
    parts = []
    for locale in ("zh_Hans", "en"):
        with force_locale(locale):
            employer = opening.employer.name_for(locale)
            values = {
                "employer": employer,
                "title": opening.title_for(locale),
                "low": format_cny(opening.salary_min),
                "high": format_cny(opening.salary_max),
                "deadline": format_day(opening.deadline, "long"),
                "link": link,
            }
            if _("Qingdao").casefold() in employer.casefold():
                text = _(
                    "%(employer)s is hiring: %(title)s, "
                    "%(low)s–%(high)s a year, apply by %(deadline)s. "
                    "Tell us you are interested here: %(link)s",
                    **values,
                )
            else:
                text = _(
                    "%(employer)s in Qingdao is hiring: %(title)s, "
                    "%(low)s–%(high)s a year, apply by %(deadline)s. "
                    "Tell us you are interested here: %(link)s",
                    **values,
                )
            parts.append(text)
    return "\n\n".join(parts)


@bp.route("/pushes")
@roles(Role.ENVOY)
def pushes():
    """The envoy's pushes with their views and replies."""
    return render_template("jobs/pushes.html", rows=services.pushes_of(current_user))


def _push_to_student_form() -> PushToStudentForm:
    form = PushToStudentForm()
    form.student_id.choices = [
        (s.id, s.display_name) for s in services.students_to_push_to(current_user)
    ]
    return form


def _push_page(push: Push, form: PushToStudentForm, status: int = 200):
    link = _referral_url(push)
    page = render_template(
        "jobs/push.html",
        push=push,
        link=link,
        message=share_message(push, link),
        replies=services.replies_of(push),
        student_form=form,
    )
    return page, status


@bp.route("/pushes/<id:push_id>")
@roles(Role.ENVOY)
def push_show(push_id: int):
    """One push: the link, its QR code, the message and the replies so far."""
    push = get_scoped_or_404(Push, push_id)
    return _push_page(push, _push_to_student_form())


@bp.route("/pushes/<id:push_id>/students", methods=["POST"])
@roles(Role.ENVOY)
@idempotent
def push_to_student(push_id: int):
    """Send the pushed opening to one of the envoy's students, on their timeline."""
    push = get_scoped_or_404(Push, push_id)
    form = _push_to_student_form()
    if not form.validate_on_submit():
        return _push_page(push, form, 422)
    student = get_scoped_or_404(Student, form.student_id.data)
    services.push_to_student(
        push, student, current_user, form.note.data or "", locale_tag()
    )
    here = url_for("jobs.push_show", push_id=push.id)
    # Keyed to the student, so erasing the student takes the key along.
    remember(form, here, "student", student.id)
    db.session.commit()
    flash(_("Recorded on %(name)s's timeline.", name=student.display_name), "success")
    return redirect(here)


# One view, two rules: url_for(..., kind="png") builds the PNG's address.
@bp.route("/pushes/<id:push_id>/qr.png", defaults={"kind": "png"})
@bp.route("/pushes/<id:push_id>/qr.svg", defaults={"kind": "svg"})
@roles(Role.ENVOY)
def push_qr(push_id: int, kind: str):
    """The push's QR code as an SVG image, or a PNG for WeChat and chat apps."""
    push = get_scoped_or_404(Push, push_id)
    return sharing.qr_response(
        _referral_url(push),
        kind,
        f"referral-{push.id}",
        request.args.get("download") == "1",
    )


# --- matching from the student's side ---------------------------------------------


@bp.route("/for-student/<id:student_id>")
@roles(Role.ENVOY, Role.COORDINATOR)
def for_student(student_id: int):
    """Openings worth pushing to this student (a fragment of the student page)."""
    student = get_scoped_or_404(Student, student_id)
    matches = candidates.openings_for_student(student, bureau_today())
    template = (
        "jobs/_for_student.html" if is_fragment_request() else "jobs/for_student.html"
    )
    return render_template(template, student=student, matches=matches)


# --- employer portal: candidates ----------------------------------------------------


def _candidates_hidden():
    """A clear refusal: this opening shows no candidates (yet, or any more)."""
    return make_response(
        render_error(
            403,
            _(
                "Candidates are shown only for openings the bureau has approved, "
                "while they are open."
            ),
        )
    )


def _candidate(opening_id: int, student_id: int):
    opening = _load(opening_id)
    if not candidates.employer_sees_candidates(opening, bureau_today()):
        abort(_candidates_hidden())
    candidate = candidates.employer_candidate(opening, student_id, bureau_today())
    if candidate is None:
        abort(404)
    return opening, candidate


@bp.route("/<id:opening_id>/candidates/<id:student_id>")
@roles(Role.EMPLOYER)
def candidate(opening_id: int, student_id: int):
    """A consenting candidate, with only the fields they agreed to share."""
    opening, found = _candidate(opening_id, student_id)
    audit.record("candidate.view", "student", found.student.id, opening_id=opening.id)
    db.session.commit()
    return render_template(
        "jobs/candidate.html",
        opening=opening,
        candidate=found,
        interested=found.student.id in candidates.interested_student_ids(opening),
    )


@bp.route("/<id:opening_id>/candidates/<id:student_id>/interest", methods=["POST"])
@roles(Role.EMPLOYER)
@idempotent
def candidate_interest(opening_id: int, student_id: int):
    """ "Interested in this candidate": the bureau and the envoy follow up."""
    opening, found = _candidate(opening_id, student_id)
    here = url_for("jobs.candidate", opening_id=opening_id, student_id=student_id)
    form = IdempotentForm()
    if not form.validate_on_submit():
        return _button_refused(form)
    try:
        _interest, created = candidates.express_interest(
            current_user, opening, found.student, bureau_today()
        )
        # Keyed to the student, so erasing the student takes the key along.
        remember(form, here, "student", found.student.id)
        db.session.commit()
    except candidates.CandidatesHidden:  # closed between the check and now
        db.session.rollback()
        return _candidates_hidden()
    except IntegrityError:  # a double click raced the first one
        db.session.rollback()
        created = False
    if created:
        flash(_("Thank you. The bureau will put you in touch."), "success")
    else:
        flash(_("You already said you are interested in this candidate."), "info")
    return redirect(here)


# --- employer organisations (coordinators) -------------------------------------------


def _employer_save(employer: Employer | None):
    form_class = EmployerForm if employer else NewEmployerForm
    form = form_class(obj=employer if request.method == "GET" else None)
    template = "jobs/employer_form.html"
    if request.method == "GET":
        if employer is None:
            form.locale.data = "zh_Hans"
        return render_template(template, form=form, employer=employer)
    if not form.validate_on_submit():
        return render_template(template, form=form, employer=employer), 422
    data = {name: f.data for name, f in form._fields.items()}
    try:
        saved = services.save_employer(employer, data, form.version.data)
        if employer is None:
            remember(
                form,
                url_for("jobs.employer_edit", employer_id=saved.id),
                "employer",
                saved.id,
            )
        db.session.commit()
    except STALE:
        if employer is None:  # a new organisation has no version to lose
            raise
        return refuse_stale_edit(
            form,
            Employer,
            employer.id,
            lambda current: render_template(
                template, form=form, employer=current, conflict=current
            ),
        )
    except (services.NameTaken, IntegrityError) as exc:
        db.session.rollback()
        name = exc.field if isinstance(exc, services.NameTaken) else "name_en"
        getattr(form, name).errors.append(_("Another employer already has this name."))
        return render_template(template, form=form, employer=employer), 422
    flash(_("Employer saved."), "success")
    return redirect(url_for("jobs.employer_edit", employer_id=saved.id))


@bp.route("/employers/new", methods=["GET", "POST"])
@staff
@idempotent
def employer_new():
    """Add an employer organisation."""
    return _employer_save(None)


@bp.route("/employers/<id:employer_id>", methods=["GET", "POST"])
@staff
def employer_edit(employer_id: int):
    """Edit an employer organisation."""
    return _employer_save(get_scoped_or_404(Employer, employer_id))


@bp.app_template_global()
def opening_other_language(opening: JobOpening) -> str:
    """The locale that is not the viewer's: the "other language" of an opening."""
    return "en" if locale_tag().startswith("zh") else "zh_Hans"
