"""Views for coordinators: envoys, employer staff and employer organisations."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from envoycrm.access import get_scoped_or_404, staff
from envoycrm.database import STALE
from envoycrm.editing import refuse_stale_edit
from envoycrm.extensions import db
from envoycrm.htmx import is_fragment_request
from envoycrm.i18n import locale_tag
from envoycrm.idempotency import idempotent, remember
from envoycrm.models import Country, EmployerKind, EnvoyStatus, Role, User
from envoycrm.network import bp, services
from envoycrm.network.forms import (
    EmployerUserForm,
    EnvoyForm,
    NewEmployerUserForm,
    NewEnvoyForm,
)
from envoycrm.params import (
    country_arg,
    enum_arg,
    flag_arg,
    id_arg,
    page_arg,
    text_arg,
)


def _list_page(full: str, fragment: str, **context):
    """One template for the page and its htmx-refreshed rows."""
    template = fragment if is_fragment_request() else full
    return render_template(template, **context)


def _form_data(form) -> dict:
    """The submitted values of a form, without the CSRF token and buttons."""
    skip = {"csrf_token", "submit", "version", "idempotency_key"}
    return {
        name: field.data for name, field in form._fields.items() if name not in skip
    }


def _save(form, template: str, save, success_message: str, **context):
    """Run ``save`` for a valid form; answer errors and conflicts at the field."""
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template(template, form=form, **context), status
    try:
        user = save(_form_data(form), form.version.data)
        if "idempotency_key" in form:  # a new account: sent twice, made once
            remember(form, _page_of(user), "user", user.id)
        db.session.commit()
    except services.EmailTaken:
        db.session.rollback()
        form.email.errors.append(_("Another account already uses this email."))
        return render_template(template, form=form, **context), 422
    except STALE:
        return refuse_stale_edit(
            form,
            User,
            context["user"].id,
            lambda current: render_template(
                template, form=form, conflict=current, **context
            ),
        )
    flash(success_message, "success")
    return redirect(_page_of(user))


# --- envoys ----------------------------------------------------------------


@bp.route("/envoys")
@staff
def envoys():
    """The envoy list with search, status and country filters."""
    filters = services.EnvoyFilter(
        q=text_arg("q"),
        status=enum_arg(EnvoyStatus, "status"),
        country=country_arg(),
        include_inactive=flag_arg("inactive"),
    )
    page = db.paginate(
        services.envoy_query(filters),
        page=page_arg(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    countries = db.session.scalars(db.select(Country.code)).all()
    return _list_page(
        "network/envoys.html",
        "network/_envoy_rows.html",
        page=page,
        filters=filters,
        statuses=list(EnvoyStatus),
        countries=countries,
    )


def _envoy_form(form_class: type[EnvoyForm] = EnvoyForm) -> EnvoyForm:
    form = form_class()
    form.university_id.choices = services.university_choices(locale_tag())
    return form


@bp.route("/envoys/new", methods=["GET", "POST"])
@staff
@idempotent
def envoy_new():
    """Create an envoy and send the invitation."""
    form = _envoy_form(NewEnvoyForm)
    if request.method == "GET":
        form.status.data = EnvoyStatus.ACTIVE

    def save(data, _version):
        user = services.create_envoy(data)
        if not services.invite(user):
            flash(
                _("The invitation email could not be sent; resend it later."), "error"
            )
        return user

    return _save(form, "network/envoy_form.html", save, _("Envoy saved and invited."))


def _load_envoy(user_id: int) -> User:
    user = get_scoped_or_404(User, user_id)
    if user.role is not Role.ENVOY or user.envoy_profile is None:
        abort(404)
    return user


@bp.route("/envoys/<id:user_id>", methods=["GET", "POST"])
@staff
def envoy_edit(user_id: int):
    """Edit an envoy; a concurrent save is detected, not overwritten."""
    user = _load_envoy(user_id)
    profile = user.envoy_profile
    form = _envoy_form()
    if request.method == "GET":
        form.process(obj=user)
        for name in services.ENVOY_FIELDS:
            getattr(form, name).data = getattr(profile, name)
    return _save(
        form,
        "network/envoy_form.html",
        lambda data, version: (services.update_envoy(user, data, version), user)[1],
        _("Envoy saved."),
        user=user,
    )


# --- employer staff ----------------------------------------------------------


@bp.route("/employer-users")
@staff
def employer_users():
    """Employer staff accounts, searchable."""
    q = text_arg("q")
    page = db.paginate(
        services.employer_user_query(q, flag_arg("inactive")),
        page=page_arg(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return _list_page(
        "network/employer_users.html",
        "network/_employer_user_rows.html",
        page=page,
        q=q,
    )


def _employer_user_form(
    form_class: type[EmployerUserForm] = EmployerUserForm,
) -> EmployerUserForm:
    form = form_class()
    form.employer_id.choices = services.employer_choices(locale_tag())
    return form


@bp.route("/employer-users/new", methods=["GET", "POST"])
@staff
@idempotent
def employer_user_new():
    """Create an employer staff account and send the invitation."""
    form = _employer_user_form(NewEmployerUserForm)
    if request.method == "GET" and id_arg("employer") is not None:
        form.employer_id.data = id_arg("employer")

    def save(data, _version):
        user = services.create_employer_user(data)
        if not services.invite(user):
            flash(
                _("The invitation email could not be sent; resend it later."), "error"
            )
        return user

    return _save(
        form,
        "network/employer_user_form.html",
        save,
        _("Employer user saved and invited."),
    )


@bp.route("/employer-users/<id:user_id>", methods=["GET", "POST"])
@staff
def employer_user_edit(user_id: int):
    """Edit an employer staff account."""
    user = get_scoped_or_404(User, user_id)
    if user.role is not Role.EMPLOYER:
        abort(404)
    form = _employer_user_form()
    if request.method == "GET":
        form.process(obj=user)
    return _save(
        form,
        "network/employer_user_form.html",
        lambda data, version: (
            services.update_employer_user(user, data, version),
            user,
        )[1],
        _("Employer user saved."),
        user=user,
    )


@bp.route("/employers")
@staff
def employers():
    """Employer organisations by kind, searchable."""
    q = text_arg("q")
    kind = enum_arg(EmployerKind, "kind")
    page = db.paginate(
        services.employer_query(q, kind),
        page=page_arg(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    return _list_page(
        "network/employers.html",
        "network/_employer_rows.html",
        page=page,
        q=q,
        kind=kind,
        kinds=list(EmployerKind),
    )


# --- account actions shared by envoys and employer staff ------------------------


def _managed_user(user_id: int) -> User:
    user = get_scoped_or_404(User, user_id)
    if user.role not in (Role.ENVOY, Role.EMPLOYER):
        abort(404)
    return user


def _page_of(user: User) -> str:
    endpoint = ".envoy_edit" if user.role is Role.ENVOY else ".employer_user_edit"
    return url_for(endpoint, user_id=user.id)


def _back_to(user: User):
    return redirect(_page_of(user))


def _set_active(user_id: int, active: bool):
    user = _managed_user(user_id)
    services.set_active(user, active)
    db.session.commit()
    if active:
        flash(_("%(name)s is active again.", name=user.full_name), "success")
    else:
        flash(_("%(name)s is deactivated.", name=user.full_name), "success")
    return _back_to(user)


@bp.route("/users/<id:user_id>/deactivate", methods=["POST"])
@staff
def user_deactivate(user_id: int):
    """Deactivate an account; the person is signed out at once."""
    return _set_active(user_id, False)


@bp.route("/users/<id:user_id>/activate", methods=["POST"])
@staff
def user_activate(user_id: int):
    """Reactivate an account."""
    return _set_active(user_id, True)


@bp.route("/users/<id:user_id>/invite", methods=["POST"])
@staff
def user_invite(user_id: int):
    """Send the invitation email again."""
    user = _managed_user(user_id)
    if services.invite(user):
        flash(_("Invitation sent to %(email)s.", email=user.email), "success")
    else:
        flash(_("The invitation email could not be sent; try again later."), "error")
    db.session.commit()
    return _back_to(user)
