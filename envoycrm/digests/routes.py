"""Coordinators' digest pages, and the public unsubscribe link."""

from flask import (
    abort,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import force_locale, ngettext
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from envoycrm import audit
from envoycrm.access import public, staff
from envoycrm.extensions import csrf, db
from envoycrm.htmx import is_fragment_request
from envoycrm.labels import label
from envoycrm.models import DigestKind, OutboxMessage, OutboxStatus, User
from envoycrm.params import enum_arg, id_arg, page_arg, parse_id, period_arg
from envoycrm.pickers import Entry

from . import bp, outbox, render, subscriptions, unsubscribe_bp
from .forms import (
    DigestChoiceForm,
    RetryFailedForm,
    RowActionForm,
    SendNowForm,
    UnsubscribeForm,
)
from .periods import BadPeriod, monday_of
from .services import outbox_query, this_week

PREVIEW_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)
OUTCOMES = {
    OutboxStatus.SENT: ("success", _l("The digest was sent.")),
    OutboxStatus.PENDING: (
        "error",
        _l("The mail server did not accept the digest yet; it will be retried."),
    ),
    OutboxStatus.FAILED: ("error", _l("The digest could not be sent.")),
    OutboxStatus.SKIPPED: (
        "info",
        _l("Not sent: the recipient is unsubscribed or there is nothing to report."),
    ),
}


def _recipient_entries() -> list[Entry]:
    """Everyone who could receive a digest, by role, for the picker."""
    entries: list[Entry] = []
    for kind in DigestKind:
        users = db.session.scalars(
            subscriptions.candidates(kind).order_by(User.role, User.full_name)
        ).all()
        entries.extend(
            Entry(user.id, f"{user.full_name} <{user.email}>", label(user.role))
            for user in users
        )
    return entries


def _choice_form(formdata) -> DigestChoiceForm:
    form = DigestChoiceForm(formdata=formdata)
    form.recipient.set_entries(_recipient_entries())
    return form


@bp.route("/")
@staff
def index():
    """Preview any recipient's digest for any week, as they would read it."""
    form = _choice_form(request.args if request.args else None)
    if not request.args:
        form.week.data = this_week()
        return render_template("digests/index.html", form=form, preview=None)
    if not form.validate():
        return render_template("digests/index.html", form=form, preview=None), 422
    user = db.get_or_404(User, form.recipient.data)
    kind = subscriptions.kind_for(user)
    preview = render.compose(kind, user, form.week.data)
    audit.record("digest.preview", "user", user.id, period=form.week.data)
    db.session.commit()
    send_form = SendNowForm(formdata=None, recipient=user.id, week=form.week.data)
    return render_template(
        "digests/index.html",
        form=form,
        preview=preview,
        recipient=user,
        kind=kind,
        subscribed=subscriptions.is_subscribed(user),
        send_form=send_form,
    )


@bp.route("/preview.html")
@staff
def preview_html():
    """The HTML body of a preview, shown in a sandboxed frame on the page."""
    user = db.session.get(User, id_arg("recipient") or 0)
    week = request.args.get("week", "")
    if user is None or user.role is None:
        abort(404)
    try:
        monday_of(week)
    except BadPeriod:
        abort(404)
    composed = render.compose(subscriptions.kind_for(user), user, week)
    response = make_response(composed.html)
    # The mail's inlined styles need 'unsafe-inline', here and nowhere else;
    # the frame is sandboxed and the page may only be framed by our own pages.
    response.headers["Content-Security-Policy"] = PREVIEW_POLICY
    response.headers["X-Frame-Options"] = "SAMEORIGIN"
    return response


@bp.route("/send", methods=["POST"])
@staff
def send_now():
    """Send one recipient's digest for one week now (once: never a second time)."""
    form = SendNowForm()
    user = None
    recipient_id = parse_id(form.recipient.data or "")
    if form.validate_on_submit() and recipient_id is not None:
        user = db.session.get(User, recipient_id)
    week = form.week.data or ""
    try:
        monday_of(week)
    except BadPeriod:
        week = None
    if user is None or week is None or user.role is None:
        flash(_("Choose a recipient and a week first."), "error")
        return redirect(url_for("digests.index"))
    kind = subscriptions.kind_for(user)
    row = outbox.ensure_row(kind, user, week)
    if row.status is OutboxStatus.SENT:
        flash(_("This digest was already sent; it is never sent twice."), "info")
        return redirect(url_for("digests.outbox_list"))
    status = outbox.send_now(row)
    audit.record("digest.send_now", "outbox", row.id)
    db.session.commit()
    _flash_outcome(status)
    return redirect(url_for("digests.outbox_list"))


def _flash_outcome(status: OutboxStatus | None) -> None:
    if status is None:
        flash(_("Another process is sending this digest right now."), "info")
        return
    category, message = OUTCOMES[status]
    flash(str(message), category)


@bp.route("/outbox")
@staff
def outbox_list():
    """Every digest in the outbox with its status, attempts and last error."""
    status = enum_arg(OutboxStatus, "status")
    kind = enum_arg(DigestKind, "kind")
    period = period_arg()
    page = db.paginate(
        outbox_query(status, kind, period),
        page=page_arg(),
        per_page=50,
        error_out=False,
    )
    template = (
        "digests/_outbox_rows.html" if is_fragment_request() else "digests/outbox.html"
    )
    return render_template(
        template,
        page=page,
        status=status,
        kind=kind,
        period=period,
        statuses=list(OutboxStatus),
        kinds=list(DigestKind),
        action_form=RowActionForm(),
        retry_failed_form=RetryFailedForm(formdata=None, week=this_week()),
        this_week=this_week(),
        monday_of=monday_of,
    )


@bp.route("/outbox/retry-failed", methods=["POST"])
@staff
def retry_failed():
    """Queue every failed digest of one week again; the next pass sends them."""
    form = RetryFailedForm()
    if not form.validate_on_submit():
        flash(_("Choose a week such as 2026-W48."), "error")
        return redirect(url_for("digests.outbox_list"))
    count = outbox.requeue_failed(form.week.data)
    audit.record("digest.retry_failed", "outbox", None, period=form.week.data)
    db.session.commit()
    flash(
        ngettext(
            "%(num)s failed digest will be sent again within a quarter of an hour.",
            "%(num)s failed digests will be sent again within a quarter of an hour.",
            count,
        ),
        "success" if count else "info",
    )
    return redirect(url_for("digests.outbox_list", status=OutboxStatus.FAILED.name))


@bp.route("/outbox/<id:row_id>/retry", methods=["POST"])
@staff
def retry(row_id: int):
    """Send a failed (or waiting) digest again now."""
    row = db.session.get(OutboxMessage, row_id)
    if row is None:
        abort(404)
    form = RowActionForm()
    if not form.validate_on_submit():
        abort(400)
    if row.status not in (OutboxStatus.FAILED, OutboxStatus.PENDING):
        flash(_("Only a failed or waiting digest can be retried."), "error")
        return redirect(url_for("digests.outbox_list"))
    status = outbox.send_now(row)
    audit.record("digest.retry", "outbox", row_id)
    db.session.commit()
    _flash_outcome(status)
    return redirect(url_for("digests.outbox_list"))


# --- unsubscribe (public, by signed link) ------------------------------------------


def _user_or_404(token: str) -> User:
    user = subscriptions.user_from_token(token)
    if user is None:
        abort(404)
    return user


@unsubscribe_bp.route("/<token>", methods=["GET"])
@public
def confirm(token: str):
    """Ask before unsubscribing; a GET (a link scanner, a preview) changes nothing."""
    user = _user_or_404(token)
    # The page answers the digest, so it speaks the digest's language.
    with force_locale(render.recipient_locale(user)):
        return render_template(
            "digests/unsubscribe.html",
            form=UnsubscribeForm(),
            token=token,
            email=user.email,
            subscribed=user.digest_subscribed,
        )


@unsubscribe_bp.route("/<token>", methods=["POST"])
@public
@csrf.exempt
def one_click(token: str):
    """Unsubscribe: the page's button, or a mail client's RFC 8058 one-click POST.

    No sign-in and no CSRF token: the signed token names the recipient, and
    the worst a forged request could do is stop a newsletter.
    """
    user = _user_or_404(token)
    if subscriptions.unsubscribe(user):
        db.session.commit()
    with force_locale(render.recipient_locale(user)):
        if request.form.get("List-Unsubscribe") == "One-Click":
            return render_template("digests/unsubscribed.html", email=user.email)
        flash(_("You will receive no more digests."), "success")
    return redirect(url_for("unsubscribe.confirm", token=token))
