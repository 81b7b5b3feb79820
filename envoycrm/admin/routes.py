"""Views for administrators: accounts and roles."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import func, or_
from wtforms import SubmitField

from envoycrm import audit, mail
from envoycrm.access import roles
from envoycrm.admin import bp
from envoycrm.database import STALE, check_version
from envoycrm.digests.health import scheduler_health, send_test_mail
from envoycrm.digests.periods import monday_of
from envoycrm.digests.services import this_week
from envoycrm.editing import refuse_stale_edit
from envoycrm.extensions import db
from envoycrm.forms import Form, VersionedForm, enum_select
from envoycrm.htmx import is_fragment_request
from envoycrm.main import needs
from envoycrm.models import Role, User
from envoycrm.params import choice_arg, enum_arg, page_arg, text_arg


class TestMailForm(Form):
    """The "send a test mail to me" button."""

    submit = SubmitField(_l("Send a test mail to me"))


class RoleForm(VersionedForm):
    """Change the role of an account."""

    role = enum_select(_l("Role"), Role)
    submit = SubmitField(_l("Change role"))


@bp.route("/users")
@roles(Role.ADMIN)
def users():
    """Every account, filterable by role and state (invited, deactivated)."""
    q = text_arg("q")
    role = enum_arg(Role, "role")
    state = choice_arg(needs.ACCOUNT_STATES, "state")
    query = needs.accounts_in_state(state).order_by(User.role, User.full_name)
    if role is not None:
        query = query.where(User.role == role)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(
            or_(
                func.lower(User.full_name).like(like), func.lower(User.email).like(like)
            )
        )
    page = db.paginate(
        query,
        page=page_arg(),
        per_page=current_app.config["PAGE_SIZE"],
        error_out=False,
    )
    template = "admin/_user_rows.html" if is_fragment_request() else "admin/users.html"
    return render_template(
        template, page=page, q=q, role=role, roles=list(Role), state=state
    )


@bp.route("/users/<id:user_id>/role", methods=["GET", "POST"])
@roles(Role.ADMIN)
def user_role(user_id: int):
    """Change an account's role; an admin cannot demote themself."""
    user = db.session.get(User, user_id)
    if user is None:
        abort(404)
    form = RoleForm(obj=user)
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("admin/user_role.html", form=form, user=user), status
    if user.id == current_user.id and form.role.data is not Role.ADMIN:
        form.role.errors.append(_("You cannot remove your own administrator role."))
        return render_template("admin/user_role.html", form=form, user=user), 422
    if form.role.data is Role.EMPLOYER and user.employer_id is None:
        form.role.errors.append(
            _("Create employer staff from the employer users page instead.")
        )
        return render_template("admin/user_role.html", form=form, user=user), 422
    if form.role.data is Role.ENVOY and user.envoy_profile is None:
        form.role.errors.append(_("Create envoys from the envoys page instead."))
        return render_template("admin/user_role.html", form=form, user=user), 422
    old = user.role
    try:
        check_version(user, form.version.data)
        user.role = form.role.data
        audit.record("user.role", "user", user.id, old=old.value, new=user.role.value)
        db.session.commit()
    except STALE:
        return refuse_stale_edit(
            form,
            User,
            user_id,
            lambda current: render_template(
                "admin/user_role.html", form=form, user=current
            ),
        )
    flash(_("The role of %(name)s is changed.", name=user.full_name), "success")
    return redirect(url_for("admin.users"))


@bp.route("/scheduler")
@roles(Role.ADMIN)
def scheduler():
    """Is the scheduler alive, when does each job run, did this week's digests go?"""
    return render_template(
        "admin/scheduler.html",
        health=scheduler_health(this_week()),
        form=TestMailForm(),
        monday_of=monday_of,
    )


@bp.route("/scheduler/test-mail", methods=["POST"])
@roles(Role.ADMIN)
def scheduler_test_mail():
    """Send a test mail to the signed-in admin and show what the server said."""
    form = TestMailForm()
    if not form.validate_on_submit():
        abort(400)
    try:
        answer = send_test_mail(current_user)
    except mail.MailError as exc:
        flash(
            _(
                "The test mail to %(email)s was refused: %(answer)s",
                email=current_user.email,
                answer=str(exc),
            ),
            "error",
        )
    else:
        flash(
            _(
                "The test mail to %(email)s was accepted: %(answer)s",
                email=current_user.email,
                answer=answer,
            ),
            "success",
        )
    audit.record("mail.test", "user", current_user.id)
    db.session.commit()
    return redirect(url_for("admin.scheduler"))
