"""The public pages behind an event's registration link, and cancelling.

No sign-in. The pages are light (the referral pages' template: the
stylesheet, no script), speak the visitor's language with a switch, and
never show the envoy's contact details or who else registered. Abuse is
held off by a per-IP rate limit counted in the database, a honeypot, size
limits and signed tokens.
"""

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from envoycrm import audit, ratelimit
from envoycrm.access import public
from envoycrm.events import public_bp as bp
from envoycrm.events import tokens
from envoycrm.events.forms import CancelRegistrationForm, RegistrationForm
from envoycrm.events.registration import (
    cancel_registration,
    registration_open,
)
from envoycrm.events.registration import (
    register as register_person,
)
from envoycrm.events.services import count_view
from envoycrm.events.times import when
from envoycrm.extensions import db
from envoycrm.i18n import LANG_COOKIE, locale_tag, normalise_locale
from envoycrm.jobs.referrals import consent_scope
from envoycrm.models import RegistrationStatus, utcnow
from envoycrm.network.services import university_choices
from envoycrm.students.forms import UNLISTED_UNIVERSITY
from envoycrm.students.services import NOTICE_VERSION

# The form has ten short fields: anything larger is not a person typing.
MAX_REGISTRATION_BYTES = 16 * 1024


def _page(template: str, status: int = 200, **context):
    return render_template(f"events/public/{template}", **context), status


def _invalid():
    return _page(
        "message.html",
        404,
        title=_("Link not valid"),
        message=_("This link is not valid. Check that it was copied whole."),
    )


def _form(link) -> RegistrationForm:
    form = RegistrationForm()
    form.university_id.choices = [
        *university_choices(locale_tag()),
        SelectChoice(UNLISTED_UNIVERSITY, _("Not in the list")),
    ]
    if request.method == "GET" and link is not None:
        profile = link.envoy.envoy_profile
        if profile is not None:
            form.university_id.data = profile.university_id
    return form


def _render_form(event, form, token: str, status: int = 200):
    # The visitor's zone is unknown: times are shown in the event's own.
    return _page(
        "register.html",
        status,
        event=event,
        when=when(event, event.time_zone),
        form=form,
        token=token,
        open_now=registration_open(event, utcnow()),
        notice_version=NOTICE_VERSION,
        privacy_lang=locale_tag(),
        switch_endpoint="event_public.register",
    )


@bp.route("/<token>")
@public
def register_page(token: str):
    """The event and its registration form; a visit counts as a view of the link."""
    found = tokens.resolve(token)
    if found is None:
        return _invalid()
    event, link = found
    chosen = normalise_locale(request.args.get("lang"))
    if chosen:
        response = redirect(url_for("event_public.register", token=token))
        response.set_cookie(
            LANG_COOKIE, chosen, max_age=365 * 24 * 3600, samesite="Lax", httponly=True
        )
        return response
    if link is not None:
        count_view(link)
        db.session.commit()
    return _render_form(event, _form(link), token)


def _ip_key() -> str:
    return f"event-ip:{request.remote_addr or 'unknown'}"


@bp.route("/<token>", methods=["POST"])
@public
def register(token: str):
    """Take a registration, credited to the envoy whose link it came through."""
    found = tokens.resolve(token)
    if found is None:
        return _invalid()
    event, link = found
    if (request.content_length or 0) > MAX_REGISTRATION_BYTES:
        return _page(
            "message.html",
            413,
            title=_("Too large"),
            message=_("What you sent is too large."),
        )
    config = current_app.config
    limit = ratelimit.Limit(
        _ip_key(), config["REFERRAL_REPLY_LIMIT"], config["REFERRAL_REPLY_WINDOW"]
    )
    if ratelimit.take(limit) is None:
        return _page(
            "message.html",
            429,
            title=_("Too many registrations"),
            message=_(
                "Too many registrations came from your network in the last hour. "
                "Please try again later."
            ),
        )
    form = _form(link)
    if not registration_open(event, utcnow()):
        return _render_form(event, form, token, 410)
    if not form.validate_on_submit():
        return _render_form(event, form, token, 422)
    if form.website.data:
        # The honeypot was filled: a bot. Answer as if all went well.
        return redirect(url_for("event_public.thanks", token=token))
    data = {name: f.data for name, f in form._fields.items()}
    data["consent_scope"] = consent_scope(form.share_with_employers.data)
    data["notice_version"] = NOTICE_VERSION
    audit.omit_client_address()
    register_person(event, data, link, locale_tag())
    db.session.commit()
    return redirect(url_for("event_public.thanks", token=token))


@bp.route("/<token>/thanks")
@public
def thanks(token: str):
    """The same answer whoever registered: the mail says the rest."""
    found = tokens.resolve(token)
    if found is None:
        return _invalid()
    return _page("thanks.html", event=found[0], token=token)


@bp.route("/cancel/<token>", methods=["GET", "POST"])
@public
def cancel(token: str):
    """The registrant cancels through the signed link in their mail.

    The link shows a button: mail scanners open links, and must not cancel.
    """
    registration = tokens.registration_for(token, tokens.CANCEL)
    if registration is None:
        return _invalid()
    form = CancelRegistrationForm()
    event = registration.event
    active = registration.status in (
        RegistrationStatus.REGISTERED,
        RegistrationStatus.WAITLISTED,
    )
    if request.method == "POST" and (not active or form.validate_on_submit()):
        if active:
            audit.omit_client_address()
            cancel_registration(registration)
            db.session.commit()
        # Cancelled now or before: the page says so.
        return redirect(url_for("event_public.cancel", token=token))
    if registration.status is RegistrationStatus.CANCELLED:
        return _page("cancelled.html", event=event)
    return _page(
        "cancel.html",
        422 if request.method == "POST" and active else 200,
        event=event,
        when=when(event, event.time_zone),
        registration=registration,
        active=active,
        form=form,
        token=token,
    )
