"""The student's own status page, behind a signed link; no account.

It shows the file's current step, the dates of its steps and the documents
still missing, nothing else: no staff notes, no handler, no other student.
A forged or replaced link answers 404. Anyone may ask for a new link by
email; the answer is the same whether or not the address is known, and the
link goes only to the address the bureau holds.
"""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _

from envoycrm import audit, ratelimit
from envoycrm.access import public
from envoycrm.extensions import db
from envoycrm.i18n import switched_language
from envoycrm.models import FileStep

from . import notices, status_bp
from .forms import LinkRequestForm


def _no_store(body: str, status: int):
    """A page about one person, or echoing what they typed: never cached."""
    response = current_app.make_response((body, status))
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _request_page(form: LinkRequestForm, status: int = 200):
    return _no_store(render_template("files/status_request.html", form=form), status)


@status_bp.route("/", methods=["GET", "POST"])
@public
def request_link():
    """Ask for a new status link, sent to the address the bureau holds."""
    form = LinkRequestForm()
    if request.method == "GET":
        return _request_page(form)
    if not form.validate_on_submit():
        return _request_page(form, 422)
    limit = current_app.config["FILE_LINK_REQUESTS_PER_HOUR"]
    address = ratelimit.Limit(
        f"file-link-ip:{request.remote_addr}", limit * 4, ratelimit.HOUR
    )
    if ratelimit.take(address) is None:
        form.form_errors.append(
            _("Too many requests from your network. Please try again in an hour.")
        )
        return _request_page(form, 429)
    email = form.email.data.strip().lower()
    # Past the limit for one address nothing is sent, and the answer is the
    # same: a stranger cannot flood a student's inbox or learn anything.
    per_email = ratelimit.Limit(f"file-link-email:{email}", limit, ratelimit.HOUR)
    if not form.website.data and ratelimit.take(per_email) is not None:
        audit.omit_client_address()
        notices.request_new_link(email)
    db.session.commit()
    flash(
        _(
            "If the bureau keeps a file for this address, a new link is on its way "
            "there. Older links no longer work."
        ),
        "success",
    )
    return redirect(url_for("file_status.request_link"))


@status_bp.route("/<token>")
@public
def show(token: str):
    """Where the student's file stands: steps, dates, missing documents."""
    file = notices.file_for(token)
    if file is None:
        return _no_store(render_template("files/status_invalid.html"), 404)
    if switched := switched_language(url_for("file_status.show", token=token)):
        return switched
    reached = {event.step: event.step_on for event in file.events}
    page = _no_store(
        render_template(
            "files/status.html",
            file=file,
            token=token,
            reached=reached,
            steps=_path(file.step),
            form=LinkRequestForm(formdata=None),
        ),
        200,
    )
    audit.omit_client_address()
    audit.record("file.status_view", "student", file.student_id, file_id=file.id)
    db.session.commit()
    return page


def _path(current: FileStep) -> list[FileStep]:
    """The steps to show: the usual road, ending where this file ended."""
    road: list[FileStep] = [s for s in FileStep if s is not FileStep.RETURNED]
    if current is FileStep.RETURNED:
        return [s for s in road if s.rank < FileStep.TRANSFERRED_OUT.rank] + [current]
    return road
