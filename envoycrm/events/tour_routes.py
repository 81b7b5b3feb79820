"""Study tours: the coordinators' list of applications and their decisions."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from envoycrm.access import staff
from envoycrm.database import STALE
from envoycrm.events import bp, tours
from envoycrm.events.tour_forms import TourMoveForm
from envoycrm.extensions import db
from envoycrm.models import Event, TourStatus
from envoycrm.params import enum_arg


def _tour(event_id: int) -> Event:
    event = db.get_or_404(Event, event_id)
    if not tours.is_tour(event):
        abort(404)
    return event


def _page(event: Event, form: TourMoveForm, status: TourStatus | None, code=200):
    found = tours.applications(event, status)
    return (
        render_template(
            "events/applications.html",
            event=event,
            form=form,
            found=found,
            status=status,
            statuses=list(TourStatus),
        ),
        code,
    )


@bp.route("/<id:event_id>/applications", methods=["GET", "POST"])
@staff
def applications(event_id: int):
    """A study tour's applications; ticked ones move on together."""
    event = _tour(event_id)
    status = enum_arg(TourStatus, "status")
    form = TourMoveForm()
    if not form.validate_on_submit():
        return _page(event, form, status, 422 if request.method == "POST" else 200)
    versions = tours.parse_versions(form.applications.data) or {}
    try:
        moved = tours.move_applications(event, versions, form.target(), current_user)
        db.session.commit()
    except STALE:
        db.session.rollback()
        form.form_errors.append(
            _("Someone else changed these applications meanwhile; check and retry.")
        )
        return _page(event, form, status, 409)
    except tours.TourMoveError:
        db.session.rollback()
        form.applications.errors = [
            _("One of the ticked applications cannot make that move.")
        ]
        return _page(event, form, status, 422)
    flash(_("%(n)s applications moved.", n=len(moved)), "success")
    return redirect(
        url_for(
            "events.applications",
            event_id=event.id,
            status=status.name if status is not None else None,
        )
    )
