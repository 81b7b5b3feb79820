"""Home pages, language switch and personal settings."""

from datetime import date

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from envoycrm import audit, i18n
from envoycrm.access import public, signed_in
from envoycrm.auth import session as sessions
from envoycrm.digests import subscriptions
from envoycrm.digests.periods import Window
from envoycrm.extensions import db
from envoycrm.i18n import LANG_COOKIE
from envoycrm.jobs.new_candidates import employer_news
from envoycrm.main import bp, needs, services
from envoycrm.main.forms import LanguageForm, SettingsForm, SignOutEverywhereForm
from envoycrm.models import JobOpening, Role, utcnow
from envoycrm.security import safe_next
from envoycrm.students.home import quick_log_form, render_envoy_home
from envoycrm.students.services import NOTICE_VERSION


@bp.route("/")
@signed_in
def home():
    """Each role's home page."""
    user = current_user
    if user.role is Role.ENVOY:
        return render_envoy_home(quick_log_form(user))
    if user.role is Role.EMPLOYER:
        return render_template(
            "main/home_employer.html",
            employer=user.employer,
            news=employer_news(
                user.employer_id, Window.since_last_due(utcnow(), user.timezone)
            ),
            pending=needs.count(
                needs.awaiting_approval().where(
                    JobOpening.employer_id == user.employer_id
                )
            ),
        )
    envoys = services.envoy_counts_by_status()
    return render_template(
        "main/home_staff.html",
        needs=needs.bureau_needs(utcnow()),
        admin=needs.admin_needs() if user.role is Role.ADMIN else None,
        returned_share=services.returned_share(envoys),
        today=date.today(),
        follow_up_kinds=needs.kinds_arg(),
        data_request_kinds=needs.kinds_arg(needs.DATA_REQUEST_TASKS),
        stuck_days=needs.STUCK_DAYS,
    )


@bp.route("/language", methods=["POST"])
@public
def switch_language():
    """Remember the chosen language and reload the page the user was on."""
    form = LanguageForm()
    target = safe_next(request.form.get("next"), url_for("main.home"))
    if not form.validate_on_submit():
        flash(_("That language is not available."), "error")
        return redirect(target)
    chosen = i18n.normalise_locale(form.language.data) or "en"
    if current_user.is_authenticated:
        current_user.locale = chosen
        db.session.commit()
    response = redirect(target)
    response.set_cookie(
        LANG_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
    )
    return response


@bp.route("/settings", methods=["GET", "POST"])
@signed_in
def settings():
    """A user's own language and time zone."""
    form = _settings_form(posted=request.method == "POST")
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return _render_settings(form, SignOutEverywhereForm(formdata=None), status)
    current_user.locale = form.locale.data
    current_user.timezone = form.timezone.data
    subscriptions.set_subscription(
        current_user, form.digest_subscribed.data, actor_id=current_user.id
    )
    audit.record(
        "user.settings", "user", current_user.id, fields=["locale", "timezone"]
    )
    db.session.commit()
    flash(_("Your settings are saved."), "success")
    response = redirect(url_for("main.settings"))
    response.set_cookie(
        LANG_COOKIE,
        form.locale.data,
        max_age=365 * 24 * 3600,
        samesite="Lax",
        httponly=True,
    )
    return response


def _settings_form(posted: bool) -> SettingsForm:
    """The settings form: with the posted values, or with what is in force."""
    if posted:
        form = SettingsForm(obj=current_user)
    else:
        form = SettingsForm(obj=current_user, formdata=None)
        form.locale.data = i18n.normalise_locale(current_user.locale) or str(
            i18n.select_locale()
        )
        # Envoys opt in to their digest: the checkbox shows what is in force.
        form.digest_subscribed.data = subscriptions.is_subscribed(current_user)
    return form


def _render_settings(form: SettingsForm, everywhere: SignOutEverywhereForm, status):
    """The settings page: the settings form, the user's sessions, sign-out."""
    return render_template(
        "main/settings.html",
        form=form,
        everywhere=everywhere,
        sessions=sessions.active_sessions(current_user),
        is_current=sessions.is_current,
    ), status


@bp.route("/settings/sign-out-everywhere", methods=["POST"])
@signed_in
def sign_out_everywhere():
    """End every session of the user, this one included; the cookies die too."""
    everywhere = SignOutEverywhereForm()
    if not everywhere.validate_on_submit():
        return _render_settings(_settings_form(posted=False), everywhere, 422)
    sessions.revoke_all_sessions(current_user)
    audit.record("auth.logout_everywhere", "user", current_user.id)
    db.session.commit()
    sessions.sign_out()
    flash(_("You are signed out on every device."), "info")
    return redirect(url_for("auth.login"))


@bp.route("/privacy")
@public
def privacy_default():
    """The privacy notice in the visitor's language."""
    lang = str(i18n.select_locale())
    return redirect(url_for("main.privacy", lang=lang))


@bp.route("/privacy/<any(zh_Hans, zh_Hant, en):lang>")
@public
def privacy(lang: str):
    """The privacy notice students are shown, in each UI language."""
    return render_template("privacy/notice.html", lang=lang, version=NOTICE_VERSION)
