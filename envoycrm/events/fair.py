"""Views of the talent fair: the fair page, employers' registrations and the
bureau's queue, and the booth's phone page where staff record who they met.

Employers reach a fair only when it is published (``booths.is_fair``), and
only their own registration and booth; a booth's meetings show them only
the students who agreed to be shared with employers.
"""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from envoycrm.access import get_scoped_or_404, public, roles, staff
from envoycrm.events import attendance, booths, bp, public_bp, tokens
from envoycrm.events.fair_forms import (
    NO_OPENING,
    BoothCodeForm,
    BoothMeetingForm,
    FairDecisionForm,
    FairRegistrationForm,
    WishesForm,
)
from envoycrm.events.wishes import may_wish, set_wishes, wished_ids
from envoycrm.extensions import db
from envoycrm.htmx import is_fragment_request
from envoycrm.i18n import locale_tag, user_today
from envoycrm.idempotency import idempotent, remember
from envoycrm.models import (
    Event,
    FairEmployerRegistration,
    Role,
    utcnow,
)

FAIR_READERS = (Role.ENVOY, Role.COORDINATOR, Role.EMPLOYER)
BOOTH = (Role.EMPLOYER, Role.COORDINATOR)
# At the booth, a search needs this many characters and lists this many
# attended registrants: enough to find the student in front of you.
BOOTH_MIN_QUERY = 2
BOOTH_RESULTS = 10


def _fair(event_id: int) -> Event:
    """The fair, as the user may see it; 404 for any other event."""
    if current_user.role is Role.EMPLOYER:
        event = booths.fair_for_employer(event_id)
    else:
        event = get_scoped_or_404(Event, event_id)
    if event is None or event.kind.name != "TALENT_FAIR":
        abort(404)
    return event


@bp.route("/fair")
@roles(*FAIR_READERS)
def fair_latest():
    """The latest talent fair's page: where the navigation's link leads."""
    fair_id = booths.latest_fair_id()
    if fair_id is None:
        abort(404)
    return redirect(url_for("events.fair_page", event_id=fair_id))


@bp.route("/<id:event_id>/fair")
@roles(*FAIR_READERS)
def fair_page(event_id: int):
    """The participating employers by kind, with counts and their openings."""
    event = _fair(event_id)
    locale = locale_tag()
    groups = booths.participants(event, locale)
    own = (
        booths.own_registration(event, current_user.employer_id)
        if current_user.role is Role.EMPLOYER and current_user.employer_id
        else None
    )
    return render_template(
        "events/fair.html",
        event=event,
        groups=groups,
        total=sum(len(g.rows) for g in groups),
        own=own,
        pending=len(booths.pending(event)) if current_user.is_staff else 0,
    )


def _registration_form(employer_id: int) -> FairRegistrationForm:
    form = FairRegistrationForm()
    locale = locale_tag()
    form.openings.choices = [
        SelectChoice(o.id, o.title_for(locale))
        for o in booths.openings_to_bring(employer_id)
    ]
    return form


@bp.route("/<id:event_id>/fair/register", methods=["GET", "POST"])
@roles(Role.EMPLOYER)
@idempotent
def fair_register(event_id: int):
    """An employer asks to take part, with its openings and booth staff."""
    event = _fair(event_id)
    employer_id = current_user.employer_id
    if employer_id is None:
        abort(404)
    existing = booths.own_registration(event, employer_id)
    form = _registration_form(employer_id)
    if existing is not None or not form.validate_on_submit():
        status = 422 if request.method == "POST" and existing is None else 200
        return render_template(
            "events/fair_register.html", event=event, form=form, own=existing
        ), status
    registration, _new = booths.register_employer(
        event,
        current_user,
        form.openings.data or [],
        (form.staff.data or "").splitlines(),
        form.note.data or "",
    )
    page = url_for("events.fair_register", event_id=event.id)
    remember(form, page, "fair_registration", registration.id)
    db.session.commit()
    flash(_("Your request is sent; the bureau will approve it."), "success")
    return redirect(page)


@bp.route("/<id:event_id>/fair/queue")
@staff
def fair_queue(event_id: int):
    """Employers' requests waiting for the bureau."""
    event = _fair(event_id)
    return render_template(
        "events/fair_queue.html",
        event=event,
        rows=booths.pending(event),
        form=FairDecisionForm(formdata=None),
    )


@bp.route("/fair-registrations/<id:fair_registration_id>/decide", methods=["POST"])
@staff
def fair_decide(fair_registration_id: int):
    """Approve or reject one request; a second decision changes nothing."""
    registration = db.session.get(FairEmployerRegistration, fair_registration_id)
    if registration is None:
        abort(404)
    form = FairDecisionForm()
    if not form.validate_on_submit():
        form.form_errors.append(_("Choose to approve or to reject."))
        event = registration.event
        return render_template(
            "events/fair_queue.html",
            event=event,
            rows=booths.pending(event),
            form=form,
        ), 422
    approve = form.decision.data == "approve"
    if booths.decide(registration, current_user, approve):
        db.session.commit()
        flash(
            _("Approved.") if approve else _("Rejected."),
            "success",
        )
    else:
        flash(_("This request was already decided."), "info")
    return redirect(url_for("events.fair_queue", event_id=registration.event_id))


def _booth(fair_registration_id: int) -> FairEmployerRegistration:
    """The booth, for its own staff (approved) and coordinators; else 404."""
    booth = db.session.get(FairEmployerRegistration, fair_registration_id)
    if booth is None or not booths.may_work_booth(current_user, booth):
        abort(404)
    return booth


def _booth_form(booth: FairEmployerRegistration, form_class=BoothMeetingForm):
    form = form_class()
    locale = locale_tag()
    form.opening_id.choices = [
        SelectChoice(NO_OPENING, _("No particular opening")),
        *(SelectChoice(o.id, o.title_for(locale)) for o in booth.openings),
    ]
    if form_class is BoothCodeForm:
        # The page shows this form beside the search results' own: ids apart.
        for each in form:
            each.id = each.label.field_id = f"by-code-{each.name}"
    return form


def _booth_search(booth: FairEmployerRegistration, query: str) -> list:
    """Checked-in registrants of the fair matching ``query`` that the user may
    find by name (``booths.visible_at_booth``)."""
    if len(query.strip()) < BOOTH_MIN_QUERY:
        return []
    return attendance.search_registrants(
        booth.event,
        query,
        limit=BOOTH_RESULTS,
        only=booths.visible_at_booth(current_user),
    )


def _booth_page(booth, form, status=200, rows=None, code_form=None):
    query = request.args.get("q", "")[: attendance.MAX_QUERY]
    rows = _booth_search(booth, query) if rows is None else rows
    template = (
        "events/_booth_rows.html" if is_fragment_request() else "events/booth.html"
    )
    return render_template(
        template,
        booth=booth,
        event=booth.event,
        rows=rows,
        q=query,
        form=form,
        code_form=code_form or _booth_form(booth, BoothCodeForm),
        met=booths.booth_meetings(booth, current_user),
        min_query=BOOTH_MIN_QUERY,
    ), status


@bp.route("/fair-registrations/<id:fair_registration_id>/booth")
@roles(*BOOTH)
def booth(fair_registration_id: int):
    """The booth's phone page: find a student, tap, choose the interest."""
    booth = _booth(fair_registration_id)
    return _booth_page(booth, _booth_form(booth))


@bp.route(
    "/fair-registrations/<id:fair_registration_id>/booth/<id:registration_id>",
    methods=["POST"],
)
@roles(*BOOTH)
def booth_meet(fair_registration_id: int, registration_id: int):
    """Record a student met at the booth, with an interest level."""
    booth = _booth(fair_registration_id)
    registrant = booths.registrant_at_booth(booth, current_user, registration_id)
    if registrant is None:
        abort(404)
    form = _booth_form(booth)
    if not form.validate_on_submit():
        return _booth_page(booth, form, 422, rows=[registrant])
    opening = next((o for o in booth.openings if o.id == form.opening_id.data), None)
    booths.record_meeting(
        booth, registrant, form.interest.data, opening, current_user, user_today()
    )
    db.session.commit()
    flash(_("Meeting recorded."), "success")
    return redirect(url_for("events.booth", fair_registration_id=booth.id))


@bp.route("/fair-registrations/<id:fair_registration_id>/booth/code", methods=["POST"])
@roles(*BOOTH)
def booth_meet_by_code(fair_registration_id: int):
    """Record a student met at the booth who gave their booth code.

    The answer never names the student: the employer learns only that the
    code belongs to someone who came.
    """
    booth = _booth(fair_registration_id)
    form = _booth_form(booth, BoothCodeForm)
    registrant = None
    if form.validate_on_submit():
        registrant = booths.registrant_by_booth_code(booth, form.code.data)
        if registrant is None:
            form.code.errors = [_("No one who came to the fair has this code.")]
    if registrant is None:
        return _booth_page(booth, _booth_form(booth), 422, code_form=form)
    opening = next((o for o in booth.openings if o.id == form.opening_id.data), None)
    booths.record_meeting(
        booth, registrant, form.interest.data, opening, current_user, user_today()
    )
    db.session.commit()
    code = tokens.normalise_booth_code(form.code.data)
    flash(_("Meeting recorded for booth code %(code)s.", code=code), "success")
    return redirect(url_for("events.booth", fair_registration_id=booth.id))


@public_bp.route("/wishes/<token>", methods=["GET", "POST"])
@public
def wishes(token: str):
    """Before the fair, a registrant marks the employers they want to meet.

    Reached through the registrant's own signed link (the one in their mail
    that also cancels), so no account is needed and no one else's choices
    can be seen or changed.
    """
    registrant = tokens.registration_for(token, tokens.CANCEL)
    if registrant is None or not may_wish(registrant, utcnow()):
        abort(404)
    event = registrant.event
    locale = locale_tag()
    groups = booths.participants(event, locale)
    form = WishesForm()
    form.employers.choices = [
        SelectChoice(row.id, row.name) for group in groups for row in group.rows
    ]
    if request.method == "POST":
        if form.validate_on_submit():
            set_wishes(registrant, form.employers.data or [])
            db.session.commit()
            flash(_("Your choices are saved."), "success")
            return redirect(url_for("event_public.wishes", token=token))
        status = 422
    else:
        form.employers.data = sorted(wished_ids(registrant))
        status = 200
    return render_template(
        "events/public/wishes.html",
        event=event,
        form=form,
        groups=groups,
        token=token,
        booth_code=tokens.booth_code(registrant),
    ), status
