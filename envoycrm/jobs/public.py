"""The public page behind a referral link, and the "I'm interested" form.

No sign-in. The page is light (its own template: the stylesheet, no
script), speaks the visitor's language with a switch, and never shows the
envoy's contact details or anything about a student. Abuse is held off by
a per-IP rate limit counted in the database, a honeypot field, size limits
and signed tokens.
"""

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from wtforms import SelectChoice

from envoycrm import audit, ratelimit
from envoycrm.access import public
from envoycrm.extensions import db
from envoycrm.i18n import bureau_today, language_switch, locale_tag
from envoycrm.jobs import referral_bp as bp
from envoycrm.jobs import referrals
from envoycrm.jobs.forms import ReplyForm
from envoycrm.network.services import university_choices
from envoycrm.students.forms import UNLISTED_UNIVERSITY
from envoycrm.students.services import NOTICE_VERSION

# Replies allowed per IP address in the window (a person replies a few times).
# The form has nine short fields: anything larger is not a person typing.
MAX_REPLY_BYTES = 16 * 1024


def _page(template: str, status: int = 200, **context):
    return render_template(f"referral/{template}", **context), status


def _invalid():
    return _page("invalid.html", 404)


def _closed(push):
    return _page("closed.html", 410, opening=push.opening)


def _form(push) -> ReplyForm:
    form = ReplyForm()
    form.university_id.choices = [
        *university_choices(locale_tag()),
        SelectChoice(UNLISTED_UNIVERSITY, _("Not in the list")),
    ]
    if request.method == "GET":
        form.field.data = push.opening.field
        form.degree.data = push.opening.min_degree
        envoy_profile = push.envoy.envoy_profile
        if envoy_profile is not None:
            form.university_id.data = envoy_profile.university_id
    return form


def _render_form(push, form, token: str, status=200):
    return _page(
        "opening.html",
        status,
        push=push,
        opening=push.opening,
        form=form,
        token=token,
        notice_version=NOTICE_VERSION,
        privacy_lang=locale_tag(),
    )


@bp.route("/<token>")
@public
def opening(token: str):
    """The opening an envoy shared; each visit counts as a view of the push."""
    push = referrals.push_for(token)
    if push is None:
        return _invalid()
    switched = language_switch("referral.opening", token=token)
    if switched is not None:
        return switched
    if not referrals.still_open(push, bureau_today()):
        return _closed(push)
    referrals.count_view(push)
    db.session.commit()
    return _render_form(push, _form(push), token)


def _ip_key() -> str:
    return f"reply-ip:{request.remote_addr or 'unknown'}"


@bp.route("/<token>", methods=["POST"])
@public
def reply(token: str):
    """Take an "I'm interested" reply and credit it to the envoy's push."""
    push = referrals.push_for(token)
    if push is None:
        return _invalid()
    if not referrals.still_open(push, bureau_today()):
        return _closed(push)
    if (request.content_length or 0) > MAX_REPLY_BYTES:
        return _page(
            "message.html",
            413,
            title=_("Too large"),
            message=_("What you sent is too large."),
        )
    config = current_app.config
    limit = config["REFERRAL_REPLY_LIMIT"]
    window = config["REFERRAL_REPLY_WINDOW"]
    if ratelimit.take(ratelimit.Limit(_ip_key(), limit, window)) is None:
        return _page(
            "message.html",
            429,
            title=_("Too many replies"),
            message=_(
                "Too many replies came from your network in the last hour. "
                "Please try again later."
            ),
        )
    form = _form(push)
    if not form.validate_on_submit():
        return _render_form(push, form, token, 422)
    if form.website.data:
        # The honeypot was filled: a bot. Answer as if all went well.
        return redirect(url_for("referral.thanks", token=token))
    data = {name: f.data for name, f in form._fields.items()}
    audit.omit_client_address()
    data["consent_scope"] = referrals.consent_scope(form.share_with_employers.data)
    referrals.record_reply(push, data, locale_tag())
    db.session.commit()
    return redirect(url_for("referral.thanks", token=token))


@bp.route("/<token>/thanks")
@public
def thanks(token: str):
    """The same thank-you whether the person was new or already known."""
    push = referrals.push_for(token)
    if push is None:
        return _invalid()
    return _page("thanks.html", opening=push.opening, token=token)
