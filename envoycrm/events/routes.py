"""Views of the events area: the list, an event's page, creating and editing,
status steps, envoys' registration links and invitations, held registrations."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select
from wtforms import SelectChoice

from envoycrm.access import get_scoped_or_404, roles
from envoycrm.database import STALE
from envoycrm.editing import refuse_stale_edit
from envoycrm.events import bp, queries, services, tokens
from envoycrm.events.attendance import may_check_in
from envoycrm.events.forms import (
    EventForm,
    HeldRegistrationForm,
    InviteForm,
    NewEventForm,
    StatusForm,
)
from envoycrm.events.registration import (
    TAKES_CANCELLATIONS,
    decide_held,
    registration_open,
)
from envoycrm.events.sharing import share_message
from envoycrm.events.times import when
from envoycrm.extensions import db
from envoycrm.forms import Form, IdempotentForm
from envoycrm.i18n import country_name, locale_tag, select_timezone
from envoycrm.idempotency import idempotent, remember
from envoycrm.models import (
    Country,
    Event,
    EventKind,
    EventLink,
    EventRegistration,
    EventStatus,
    ReplyStatus,
    Role,
    Student,
    University,
    utcnow,
)
from envoycrm.network.services import university_choices
from envoycrm.params import choice_arg, enum_arg, page_arg
from envoycrm.sharing import QR_MIMETYPES, qr_image

PEOPLE = (Role.ENVOY, Role.COORDINATOR)


def _editable(event_id: int) -> Event:
    """The event if the user may edit it; 404 otherwise (even if they may see it)."""
    event = get_scoped_or_404(Event, event_id)
    if not services.may_edit(current_user, event):
        abort(404)
    return event


def _refused(form, event: Event):
    """A button's form refused (a missing key, an unknown choice): why, 422."""
    return render_template("events/refused.html", form=form, event=event), 422


@bp.route("/")
@roles(*PEOPLE)
def index():
    """Upcoming (or past) events, filtered by kind."""
    filters = queries.EventFilter(
        when=choice_arg(("upcoming", "past"), "when"),
        kind=enum_arg(EventKind, "kind"),
    )
    page = page_arg()
    rows, more = queries.events_for(current_user, filters, utcnow(), page)
    zone = select_timezone()
    return render_template(
        "events/index.html",
        rows=rows,
        more=more,
        page=page,
        filters=filters,
        times={event.id: when(event, zone) for event in rows},
        may_create=bool(services.kinds_for(current_user)),
        kinds=list(EventKind),
    )


def _event_form(form_class, event: Event | None = None):
    # The row fills the form shown; a submitted form holds only what was sent.
    if event is not None and request.method == "GET":
        form = form_class(obj=event)
    else:
        form = form_class()
    form.kind.choices = [
        choice
        for choice in form.kind.choices
        if choice.value == ""
        or EventKind[choice.value] in services.kinds_for(current_user)
    ]
    locale = locale_tag()
    form.audience_universities.choices = university_choices(locale)
    codes = db.session.scalars(select(Country.code).order_by(Country.code)).all()
    form.audience_countries.choices = sorted(
        (SelectChoice(code, country_name(code)) for code in codes),
        key=lambda choice: choice.label,
    )
    if request.method == "GET":
        if event is None:
            form.time_zone.data = current_user.timezone
        else:
            from zoneinfo import ZoneInfo

            zone = ZoneInfo(event.time_zone)
            form.starts_at.data = event.starts_at.astimezone(zone).replace(tzinfo=None)
            form.ends_at.data = event.ends_at.astimezone(zone).replace(tzinfo=None)
            form.audience_universities.data = [
                u.id for u in event.audience_universities
            ]
    return form


def _kind_choice_ok(form) -> bool:
    """The kind sent is one the user may create (the select offers no other)."""
    if form.kind.data is not None and form.kind.data not in services.kinds_for(
        current_user
    ):
        form.kind.errors = [*form.kind.errors, _("Not a valid choice.")]
        return False
    return True


def _universities(form) -> list[University]:
    ids = form.audience_universities.data or []
    if not ids:
        return []
    return list(db.session.scalars(select(University).where(University.id.in_(ids))))


@bp.route("/new", methods=["GET", "POST"])
@roles(*PEOPLE)
@idempotent
def new():
    """Create an event: envoys info sessions and briefings, coordinators any."""
    form = _event_form(NewEventForm)
    if request.method == "GET":
        return render_template("events/form.html", form=form, event=None)
    if not (form.validate_on_submit() and _kind_choice_ok(form)):
        return render_template("events/form.html", form=form, event=None), 422
    event = services.create_event(
        current_user, form.event_data(), _universities(form), utcnow()
    )
    here = url_for("events.show", event_id=event.id)
    remember(form, here, "event", event.id)
    db.session.commit()
    flash(_("Event saved as a draft. Publish it to open registration."), "success")
    return redirect(here)


@bp.route("/<id:event_id>")
@roles(*PEOPLE)
def show(event_id: int):
    """An event: when (in the reader's zone and the event's), where, for whom,
    and the registrants the reader may see."""
    event = get_scoped_or_404(Event, event_id)
    counts = queries.counts(event)
    registrants, shown_total = queries.visible_registrants(event, current_user, counts)
    link = queries.own_link(event, current_user)
    invite_form = None
    if current_user.role is Role.ENVOY and event.status is EventStatus.PUBLISHED:
        invite_form = _invite_form()
    may_cancel = (
        may_check_in(current_user, event) and event.status in TAKES_CANCELLATIONS
    )
    return render_template(
        "events/show.html",
        event=event,
        when=when(event, select_timezone()),
        audience=queries.who_it_is_for(event, locale_tag()),
        counts=counts,
        registrants=registrants,
        shown_total=shown_total,
        sees_everyone=queries.sees_everyone(event, current_user),
        may_edit=services.may_edit(current_user, event),
        may_cancel=may_cancel,
        # The cancel buttons only when asked for: 200 of them weigh on the page.
        managing=may_cancel and request.args.get("manage") == "1",
        steps=services.STEPS[event.status],
        link=link,
        invite_form=invite_form,
        invited=queries.invited_count(
            event, None if current_user.is_staff else current_user
        ),
        held=queries.held_for(current_user, event),
        open_now=registration_open(event, utcnow()),
        public_link=tokens.registration_url(event)
        if current_user.is_staff or event.host_id == current_user.id
        else None,
        form=Form(),
    )


@bp.route("/<id:event_id>/edit", methods=["GET", "POST"])
@roles(*PEOPLE)
def edit(event_id: int):
    """Edit an event; an edit that lost to another save answers 409."""
    event = _editable(event_id)
    if event.status in (EventStatus.CANCELLED, EventStatus.HELD):
        flash(_("A cancelled or past event cannot be edited."), "info")
        return redirect(url_for("events.show", event_id=event.id))
    form = _event_form(EventForm, event)
    # The kind is fixed once created: the page shows it, the edit keeps it.
    del form.kind
    if request.method == "GET":
        return render_template("events/form.html", form=form, event=event)
    if not form.validate_on_submit():
        return render_template("events/form.html", form=form, event=event), 422
    try:
        data = form.event_data()
        data["kind"] = event.kind
        services.update_event(
            event, data, _universities(form), form.version.data, current_user
        )
        db.session.commit()
    except STALE:
        return refuse_stale_edit(
            form,
            Event,
            event_id,
            lambda current: render_template(
                "events/form.html", form=form, event=current, conflict=True
            ),
        )
    flash(_("Changes saved."), "success")
    return redirect(url_for("events.show", event_id=event.id))


@bp.route("/<id:event_id>/status", methods=["POST"])
@roles(*PEOPLE)
def status(event_id: int):
    """Take the event one step: publish, close registration, mark it held."""
    event = _editable(event_id)
    form = StatusForm()
    if not form.validate_on_submit():
        return _refused(form, event)
    try:
        services.move_to(event, EventStatus[form.status.data], current_user, utcnow())
        db.session.commit()
    except services.WrongStatus:
        db.session.rollback()
        flash(_("The event cannot take that step from where it is."), "error")
    return redirect(url_for("events.show", event_id=event.id))


@bp.route("/<id:event_id>/cancel", methods=["POST"])
@roles(*PEOPLE)
def cancel(event_id: int):
    """Cancel the event; its registrants are told by mail."""
    event = _editable(event_id)
    form = Form()
    if not form.validate_on_submit():
        return _refused(form, event)
    try:
        told = services.cancel_event(event, current_user, utcnow())
        db.session.commit()
        flash(
            _("Event cancelled; %(num)s registrants will be told.", num=told),
            "success",
        )
    except services.WrongStatus:
        db.session.rollback()
        flash(_("This event is already held or cancelled."), "info")
    return redirect(url_for("events.show", event_id=event.id))


# --- envoys' links and invitations ---------------------------------------------


@bp.route("/<id:event_id>/link", methods=["POST"])
@roles(Role.ENVOY)
@idempotent
def link(event_id: int):
    """Get (or make) the envoy's personal registration link for the event."""
    event = get_scoped_or_404(Event, event_id)
    form = IdempotentForm()
    if not form.validate_on_submit():
        return _refused(form, event)
    if event.status is not EventStatus.PUBLISHED:
        flash(_("This event does not take registrations now."), "error")
        return redirect(url_for("events.show", event_id=event.id))
    row = services.link_for(current_user, event)
    here = url_for("events.link_show", link_id=row.id)
    remember(form, here, "event_link", row.id)
    db.session.commit()
    return redirect(here)


def _link_page(row: EventLink, status: int = 200):
    address = tokens.registration_url(row.event, row)
    page = render_template(
        "events/link.html",
        link=row,
        event=row.event,
        address=address,
        message=share_message(row.event, address),
        registered=db.session.scalar(
            select(db.func.count(EventRegistration.id)).where(
                EventRegistration.link_id == row.id
            )
        ),
    )
    return page, status


@bp.route("/links/<id:link_id>")
@roles(Role.ENVOY)
def link_show(link_id: int):
    """The envoy's link: the address, its QR code and the message to paste."""
    return _link_page(get_scoped_or_404(EventLink, link_id))


# One view, two rules: url_for(..., kind="png") builds the PNG's address.
@bp.route("/links/<id:link_id>/qr.png", defaults={"kind": "png"})
@bp.route("/links/<id:link_id>/qr.svg", defaults={"kind": "svg"})
@roles(Role.ENVOY)
def link_qr(link_id: int, kind: str):
    """The link's QR code as an SVG image, or a PNG for WeChat and chat apps."""
    row = get_scoped_or_404(EventLink, link_id)
    response = Response(
        qr_image(tokens.registration_url(row.event, row), kind),
        mimetype=QR_MIMETYPES[kind],
    )
    if request.args.get("download") == "1":
        response.headers["Content-Disposition"] = (
            f'attachment; filename="event-{row.event_id}.{kind}"'
        )
    return response


def _invite_form() -> InviteForm:
    form = InviteForm()
    form.student_id.choices = [
        SelectChoice(s.id, s.display_name)
        for s in queries.students_to_invite(current_user)
    ]
    return form


@bp.route("/<id:event_id>/invitations", methods=["POST"])
@roles(Role.ENVOY)
@idempotent
def invite(event_id: int):
    """Invite one of the envoy's students; recorded on the student's timeline."""
    event = get_scoped_or_404(Event, event_id)
    if event.status is not EventStatus.PUBLISHED:
        flash(_("This event does not take registrations now."), "error")
        return redirect(url_for("events.show", event_id=event.id))
    form = _invite_form()
    if not form.validate_on_submit():
        return _refused(form, event)
    student = get_scoped_or_404(Student, form.student_id.data)
    invitation = services.invite(
        event, student, current_user, form.note.data or "", locale_tag()
    )
    here = url_for("events.show", event_id=event.id)
    remember(form, here, "student", student.id)
    db.session.commit()
    if invitation is None:
        flash(
            _("%(name)s was invited before.", name=student.display_name),
            "info",
        )
    else:
        flash(
            _("Recorded on %(name)s's timeline.", name=student.display_name),
            "success",
        )
    return redirect(here)


# --- registrations held for the student's envoy -----------------------------------


@bp.route("/registrations/<id:registration_id>/held", methods=["GET", "POST"])
@roles(*PEOPLE)
def held(registration_id: int):
    """A registration matching a known student: their envoy confirms or dismisses."""
    registration = get_scoped_or_404(EventRegistration, registration_id)
    if registration.match_status is None:
        abort(404)
    if not current_user.is_staff and (
        registration.matched_student is None
        or registration.matched_student.owner_id != current_user.id
    ):
        abort(404)
    form = HeldRegistrationForm()
    template = "events/held.html"
    if request.method == "GET":
        return render_template(template, registration=registration, form=form)
    if registration.match_status is ReplyStatus.HELD and not form.validate_on_submit():
        return render_template(template, registration=registration, form=form), 422
    confirm = form.decision.data == "confirm"
    if registration.match_status is ReplyStatus.HELD and decide_held(
        registration, current_user, confirm
    ):
        db.session.commit()
        flash(_("Decision saved."), "success")
    else:
        db.session.rollback()
        flash(_("This registration was already confirmed or dismissed."), "info")
    return redirect(url_for("events.held", registration_id=registration_id))
