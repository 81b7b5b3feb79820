"""Views of the door: the check-in link in a registrant's QR code, and the
phone page where the host searches registrants, taps them in and adds
walk-ins; and the host taking a registration off the event.

The QR code is opened by a phone's camera app, which can only follow a
link: so opening it (a GET) checks the registrant in. The link carries the
registration's token signed for this one purpose, and only the event's
host or a coordinator, signed in, gets anything from it; for anyone else
it is a 404, and a visitor not signed in is sent to sign in and brought
back to it.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_time
from flask_babel import gettext as _
from flask_login import current_user

from envoycrm.access import get_scoped_or_404, roles, signed_in
from envoycrm.events import attendance, bp, tokens
from envoycrm.events.checkin_forms import CancelRegistrantForm, WalkInForm
from envoycrm.events.registration import cancel_by_host
from envoycrm.extensions import db
from envoycrm.htmx import is_fragment_request
from envoycrm.i18n import locale_tag
from envoycrm.idempotency import idempotent, remember
from envoycrm.models import Event, Role
from envoycrm.network.services import university_choices
from envoycrm.students.services import NOTICE_VERSION

PEOPLE = (Role.ENVOY, Role.COORDINATOR)


def _door_event(event_id: int) -> Event:
    """The event if the user may check people in; 404 otherwise."""
    event = get_scoped_or_404(Event, event_id)
    if not attendance.may_check_in(current_user, event):
        abort(404)
    return event


def _checked_in_message(result: attendance.CheckIn) -> str:
    name = result.registration.display_name
    if result.marked:
        return _("%(name)s is checked in.", name=name)
    return _(
        "%(name)s was already checked in at %(time)s.",
        name=name,
        time=format_time(result.at, "HH:mm"),
    )


@bp.route("/checkin/<token>")
@signed_in
def checkin(token: str):
    """The registrant's QR code: the host opening it checks them in."""
    registration = tokens.registration_for(token, tokens.CHECKIN)
    if registration is None or not attendance.may_check_in(
        current_user, registration.event
    ):
        abort(404)
    result = attendance.check_in(registration, current_user)
    db.session.commit()
    return render_template(
        "events/checked_in.html",
        event=registration.event,
        result=result,
        message=_checked_in_message(result),
    )


def _walk_in_form() -> WalkInForm:
    form = WalkInForm()
    form.university_id.choices = university_choices(locale_tag())
    if request.method == "GET":
        profile = current_user.envoy_profile
        if profile is not None:
            form.university_id.data = profile.university_id
        form.notice_language.data = locale_tag()
    return form


@bp.route("/<id:event_id>/door")
@roles(*PEOPLE)
def door(event_id: int):
    """The host's phone page: search registrants, tap to check in (htmx search)."""
    event = _door_event(event_id)
    query = request.args.get("q", "")[: attendance.MAX_QUERY]
    rows = attendance.search_registrants(event, query)
    template = "events/_door_rows.html" if is_fragment_request() else "events/door.html"
    return render_template(template, event=event, rows=rows, q=query)


@bp.route("/<id:event_id>/door/<id:registration_id>", methods=["POST"])
@roles(*PEOPLE)
def door_check_in(event_id: int, registration_id: int):
    """One tap: the registrant is checked in (a second tap changes nothing)."""
    event = _door_event(event_id)
    registration = attendance.registrant_of(event, registration_id)
    if registration is None:
        abort(404)
    result = attendance.check_in(registration, current_user)
    db.session.commit()
    if is_fragment_request():
        return render_template(
            "events/_door_row.html",
            event=event,
            row=registration,
            message=_checked_in_message(result),
        )
    flash(_checked_in_message(result), "success")
    return redirect(url_for("events.door", event_id=event.id, q=request.form.get("q")))


@bp.route("/<id:event_id>/registrants/cancel", methods=["POST"])
@roles(*PEOPLE)
def cancel_registrant(event_id: int):
    """The host (or a coordinator) cancels a registration; the wait list moves
    up and the registrant is told by mail."""
    event = _door_event(event_id)
    form = CancelRegistrantForm()
    if not form.validate_on_submit():
        return render_template("events/refused.html", form=form, event=event), 422
    registration_id = form.registration_id.data
    registration = (
        attendance.registrant_of(event, registration_id)
        if registration_id is not None
        else None
    )
    if registration is None:
        abort(404)
    if cancel_by_host(registration, current_user):
        flash(
            _(
                "The registration of %(name)s is cancelled; they will be told by mail.",
                name=registration.display_name,
            ),
            "success",
        )
    else:
        flash(_("This registration was already cancelled or attended."), "info")
    db.session.commit()
    return redirect(url_for("events.show", event_id=event.id))


@bp.route("/<id:event_id>/walk-in", methods=["GET", "POST"])
@roles(*PEOPLE)
@idempotent
def walk_in(event_id: int):
    """Someone who did not register, added on the spot with consent."""
    event = _door_event(event_id)
    form = _walk_in_form()
    if not form.validate_on_submit():
        status = 422 if request.method == "POST" else 200
        return render_template(
            "events/walk_in.html",
            event=event,
            form=form,
            notice_version=NOTICE_VERSION,
        ), status
    data = {name: f.data for name, f in form._fields.items()}
    registration, _new = attendance.add_walk_in(
        event, current_user, data, form.notice_language.data
    )
    door_url = url_for("events.door", event_id=event.id)
    remember(form, door_url, "event_registration", registration.id)
    db.session.commit()
    flash(
        _("%(name)s is added and checked in.", name=registration.display_name),
        "success",
    )
    return redirect(door_url)
