"""Views for signing in and out, password reset and invitations."""

from flask import (
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user

from envoycrm import audit
from envoycrm.access import public
from envoycrm.auth import bp, services
from envoycrm.auth.forms import ForgotPasswordForm, LoginForm, SetPasswordForm
from envoycrm.auth.session import revoke_session, sign_in, sign_out
from envoycrm.extensions import db
from envoycrm.i18n import prefer_locale
from envoycrm.mail import MailError
from envoycrm.security import safe_next, verify_password


@bp.route("/login", methods=["GET", "POST"])
@public
def login():
    """Sign in with email and password; throttled per account and per address."""
    if current_user.is_authenticated:
        return redirect(url_for("main.home"))
    form = LoginForm()
    if request.method == "GET":
        form.next.data = request.args.get("next", "")
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/login.html", form=form), status

    email, ip = form.email.data, request.remote_addr
    attempt = services.start_attempt(email, ip)
    if attempt is None:
        form.form_errors.append(
            _("Too many failed attempts. Wait a few minutes and try again.")
        )
        return render_template("auth/login.html", form=form), 429

    user = services.find_user_by_email(email)
    # Checked whoever asks, so that every refusal costs the same Argon2 work.
    password_ok = verify_password(user, form.password.data)
    if user is not None and not user.active and password_ok:
        # Only the account's owner learns it is deactivated, and whom to ask.
        audit.record("auth.login_deactivated", "user", user.id, actor_id=None)
        db.session.commit()
        form.form_errors.append(_deactivated_message())
        return render_template("auth/login.html", form=form), 403
    if user is None or not user.active or not password_ok:
        audit.record(
            "auth.login_failed", "user", user.id if user else None, actor_id=None
        )
        db.session.commit()
        form.form_errors.append(_("Email or password is incorrect."))
        return render_template("auth/login.html", form=form), 422

    services.attempt_succeeded(email, ip, attempt)
    # A fresh session on sign-in: nothing from before survives (fixation).
    session.clear()
    sign_in(user, remember=form.remember.data)
    session.permanent = True
    audit.record("auth.login", "user", user.id, actor_id=user.id)
    db.session.commit()
    return redirect(safe_next(form.next.data, url_for("main.home")))


def _deactivated_message() -> str:
    """Tell a deactivated user whom to contact (``ACCOUNT_HELP_CONTACT``)."""
    contact = current_app.config["ACCOUNT_HELP_CONTACT"]
    if contact:
        return _(
            "This account is deactivated. To use EnvoyCRM again, contact %(contact)s.",
            contact=contact,
        )
    return _(
        "This account is deactivated. To use EnvoyCRM again, ask your "
        "coordinator or an administrator."
    )


@bp.route("/logout", methods=["POST"])
@public
def logout():
    """Sign out: the server ends the session, so no copy of its cookies works."""
    if current_user.is_authenticated:
        revoke_session(current_user.session_key)
        audit.record("auth.logout", "user", current_user.id)
        db.session.commit()
    sign_out()
    flash(_("You are signed out."), "info")
    response = redirect(url_for("auth.login"))
    # Tell the page script to drop any unsent form drafts kept in the tab.
    response.set_cookie("envoycrm_signed_out", "1", max_age=60, samesite="Lax")
    return response


@bp.route("/forgot", methods=["GET", "POST"])
@public
def forgot_password():
    """Ask for a reset link; the answer never says whether the email is known."""
    form = ForgotPasswordForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template("auth/forgot.html", form=form), status
    if not services.may_request_reset(form.email.data, request.remote_addr):
        form.form_errors.append(
            _(
                "Too many password reset requests for this address or from "
                "your network. Please try again later."
            )
        )
        return render_template("auth/forgot.html", form=form), 429
    user = services.find_user_by_email(form.email.data)
    if user is not None and user.active:
        try:
            services.send_password_reset(user)
        except MailError:
            current_app.logger.exception("password reset mail failed")
        audit.record("auth.reset_requested", "user", user.id, actor_id=user.id)
        db.session.commit()
    flash(
        _("If that address belongs to an account, a reset link is on its way."),
        "info",
    )
    return redirect(url_for("auth.login"))


def _choose_password(token: str, purpose: str, template: str):
    """Shared flow of the reset and invitation links."""
    user = services.user_for_token(token, purpose)
    if user is None:
        return render_template("auth/link_invalid.html"), 404
    prefer_locale(user.locale)
    form = SetPasswordForm()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template(template, form=form, user=user), status
    services.set_password(user, form.password.data)
    audit.record(f"auth.password_set.{purpose}", "user", user.id, actor_id=user.id)
    session.clear()
    sign_in(user, remember=False)  # after set_password ended every other session
    session.permanent = True
    db.session.commit()
    flash(_("Your password is saved. Welcome!"), "success")
    return redirect(url_for("main.home"))


@bp.route("/reset/<token>", methods=["GET", "POST"])
@public
def reset_password(token: str):
    """Choose a new password through a reset link."""
    return _choose_password(token, services.RESET, "auth/reset.html")


@bp.route("/invitation/<token>", methods=["GET", "POST"])
@public
def set_password(token: str):
    """Accept an invitation by choosing a password."""
    return _choose_password(token, services.INVITE, "auth/invitation.html")
