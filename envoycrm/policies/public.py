"""The public policy page behind an envoy's link, its question form, and the
public policy checker.

No sign-in. Like the referral page (``jobs.public``): a light template of
its own (the stylesheet, no script), the visitor's language with a switch,
nothing about the envoy or any student; a per-IP rate limit counted in the
database, a honeypot field, size limits and signed tokens. The checker is a
GET form: it answers from the policies in force and stores nothing; only a
question, with consent, stores the asker's details.
"""

from flask import current_app, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_wtf import FlaskForm
from sqlalchemy import select

from envoycrm import audit, ratelimit, sharing
from envoycrm.access import public
from envoycrm.extensions import db
from envoycrm.i18n import bureau_today, language_switch, locale_tag
from envoycrm.models import PolicyPush
from envoycrm.policies import eligibility, questions
from envoycrm.policies import public_bp as bp
from envoycrm.policies.forms import CheckerForm, QuestionForm
from envoycrm.students.services import NOTICE_VERSION

SALT = "envoycrm.policy-link"
# The question form has a few short fields and one question.
MAX_QUESTION_BYTES = 16 * 1024


def sign(push: PolicyPush) -> str:
    """The signed token that goes into the push's link."""
    return sharing.sign(push.token, SALT)


def push_for(signed: str) -> PolicyPush | None:
    """The push behind a signed token; None when forged, altered or unknown."""
    token = sharing.unsign(signed, SALT)
    if token is None:
        return None
    return db.session.scalar(select(PolicyPush).where(PolicyPush.token == token))


def _page(template: str, status: int = 200, **context):
    return render_template(f"policy_page/{template}", **context), status


def _invalid():
    return render_template("referral/invalid.html"), 404


def _policy_page(push, version, form, token: str, status=200):
    return _page(
        "policy.html",
        status,
        push=push,
        version=version,
        form=form,
        token=token,
        notice_version=NOTICE_VERSION,
        privacy_lang=locale_tag(),
    )


@bp.route("/<token>")
@public
def policy(token: str):
    """The policy an envoy shared; each visit counts as a view of the push."""
    push = push_for(token)
    if push is None:
        return _invalid()
    switched = language_switch("policy_page.policy", token=token)
    if switched is not None:
        return switched
    version = push.policy.current_on(bureau_today())
    if version is None:
        return _page("gone.html", 410, token=token)
    sharing.count_view(PolicyPush, push.id)
    db.session.commit()
    return _policy_page(push, version, QuestionForm(), token)


def _too_many():
    return _page(
        "message.html",
        429,
        title=_("Too many questions"),
        message=_(
            "Too many questions came from your network in the last hour. "
            "Please try again later."
        ),
    )


@bp.route("/<token>", methods=["POST"])
@public
def ask(token: str):
    """A question about the policy, with the asker's details and consent."""
    push = push_for(token)
    if push is None:
        return _invalid()
    version = push.policy.current_on(bureau_today())
    if version is None:
        return _page("gone.html", 410, token=token)
    if (request.content_length or 0) > MAX_QUESTION_BYTES:
        return _page(
            "message.html",
            413,
            title=_("Too large"),
            message=_("What you sent is too large."),
        )
    config = current_app.config
    limit = ratelimit.Limit(
        f"policy-question-ip:{request.remote_addr or 'unknown'}",
        config["REFERRAL_REPLY_LIMIT"],
        config["REFERRAL_REPLY_WINDOW"],
    )
    if ratelimit.take(limit) is None:
        return _too_many()
    form = QuestionForm()
    if not form.validate_on_submit():
        return _policy_page(push, version, form, token, 422)
    if form.website.data:
        # The honeypot was filled: a bot. Answer as if all went well.
        return redirect(url_for("policy_page.thanks", token=token))
    audit.omit_client_address()
    data = {name: f.data for name, f in form._fields.items()}
    questions.record_question(push, data, locale_tag())
    db.session.commit()
    return redirect(url_for("policy_page.thanks", token=token))


@bp.route("/<token>/thanks")
@public
def thanks(token: str):
    """The same thank-you whether the person was new or already known."""
    push = push_for(token)
    if push is None:
        return _invalid()
    return _page("thanks.html", version=push.policy.latest, token=token)


def _profile(form: CheckerForm) -> eligibility.Profile:
    plan = form.plan.data
    return eligibility.Profile(
        degree=form.degree.data,
        field=form.field.data,
        graduation=form.expected_graduation.data,
        birth_year=form.birth_year.data,
        works_in_city=True if plan in ("work", "both") else None,
        founds_in_city=True if plan in ("found", "both") else None,
    )


def _give_own_ids(form: FlaskForm, prefix: str) -> None:
    """Prefix the ids (not the names) of ``form``'s fields, so a second form
    on the page asking some of the same questions repeats no id."""
    for item in form:
        item.id = f"{prefix}{item.id}"
        item.label.field_id = item.id


@bp.route("/check")
@public
def checker():
    """The public checker: which policies may apply, with their sums.

    A GET form that stores nothing: neither the answers nor the visitor.
    Reached through an envoy's policy link (``via``), the answer ends with
    that policy's "ask a question" form, the answers filled in: details
    are stored only if the visitor sends it, with consent.
    """
    via = request.args.get("via", "")
    push = push_for(via) if via else None
    token = via if push is not None else None
    values = {"via": token} if token else {}
    switched = language_switch("policy_page.checker", **values)
    if switched is not None:
        return switched
    form = CheckerForm(request.args)
    found = None
    form_to_ask = None
    status = 200
    if "degree" in request.args:
        if form.validate():
            today = bureau_today()
            found = eligibility.applicable(_profile(form), today)
            if push is not None and push.policy.current_on(today) is not None:
                form_to_ask = QuestionForm(
                    formdata=None,
                    degree=form.degree.data,
                    field=form.field.data,
                    expected_graduation=form.expected_graduation.data,
                    birth_year=form.birth_year.data,
                )
                _give_own_ids(form_to_ask, "ask-")
        else:
            status = 422
    return _page(
        "checker.html",
        status,
        form=form,
        found=found,
        token=token,
        form_to_ask=form_to_ask,
        notice_version=NOTICE_VERSION,
        privacy_lang=locale_tag(),
    )
