"""Views of the policies area: the list, a policy and its versions, editing,
pushes, the student's eligible policies and each policy's reach."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy.exc import IntegrityError

from envoycrm import sharing
from envoycrm.access import (
    get_scoped_or_404,
    roles,
    scope_condition,
    scoped,
    signed_in,
    staff,
)
from envoycrm.database import STALE, check_version
from envoycrm.editing import refuse_stale_edit
from envoycrm.errors import render_error
from envoycrm.extensions import db
from envoycrm.forms import Form, IdempotentForm
from envoycrm.htmx import is_fragment_request
from envoycrm.i18n import bureau_today
from envoycrm.idempotency import idempotent, remember
from envoycrm.models import (
    Policy,
    PolicyCategory,
    PolicyPush,
    PolicyVersion,
    Role,
    Student,
)
from envoycrm.params import enum_arg
from envoycrm.policies import bp, eligibility, public, services
from envoycrm.policies.forms import NewPolicyForm, PolicyForm
from envoycrm.urls import absolute_url


@bp.route("/")
@signed_in
def index():
    """Policies by category: those offered today, or (staff) every one."""
    filters = services.PolicyFilter(
        category=enum_arg(PolicyCategory, "category"),
        everything=current_user.is_staff and request.args.get("all") == "1",
    )
    today = bureau_today()
    policies = db.session.scalars(
        services.list_query(filters, today).where(scope_condition(Policy, current_user))
    ).all()
    return render_template(
        "policies/index.html",
        policies=policies,
        filters=filters,
        today=today,
        categories=list(PolicyCategory),
    )


def _load(policy_id: int) -> Policy:
    return get_scoped_or_404(Policy, policy_id)


@bp.route("/<id:policy_id>")
@signed_in
def show(policy_id: int):
    """A policy: the version offered today and every earlier one."""
    policy = _load(policy_id)
    today = bureau_today()
    current = policy.current_on(today)
    context: dict[str, object] = {
        "policy": policy,
        "current": current,
        "today": today,
    }
    if current_user.role is Role.ENVOY:
        context["push"] = db.session.scalar(
            scoped(PolicyPush).where(PolicyPush.policy_id == policy.id)
        )
        context["push_form"] = IdempotentForm(formdata=None)
    if current_user.is_staff:
        context["button_form"] = IdempotentForm(formdata=None)
    return render_template("policies/show.html", **context)


@bp.route("/<id:policy_id>/versions/<id:version_id>")
@signed_in
def version(policy_id: int, version_id: int):
    """One version of a policy as it read, with the dates it was valid."""
    policy = _load(policy_id)
    shown = db.session.get(PolicyVersion, version_id)
    if shown is None or shown.policy_id != policy.id:
        abort(404)
    return render_template(
        "policies/version.html",
        policy=policy,
        version=shown,
        current=policy.current_on(bureau_today()),
    )


def _form_page(form, policy, status=200, conflict=False):
    return render_template(
        "policies/form.html", form=form, policy=policy, conflict=conflict
    ), status


@bp.route("/new", methods=["GET", "POST"])
@staff
@idempotent
def new():
    """A new policy, saved as a draft with its first version."""
    form = NewPolicyForm()
    if request.method == "GET":
        return _form_page(form, None)
    if not form.validate_on_submit():
        return _form_page(form, None, 422)
    policy = services.create_policy(
        current_user, form.category.data, form.version_data()
    )
    remember(form, url_for("policies.show", policy_id=policy.id), "policy", policy.id)
    db.session.commit()
    flash(_("Policy saved as a draft."), "success")
    return redirect(url_for("policies.show", policy_id=policy.id))


def _prefill(form: PolicyForm, policy: Policy) -> None:
    latest = policy.latest
    for name in services.VERSION_FIELDS:
        target = "fields_of_study" if name == "fields" else name
        form[target].data = getattr(latest, name)
    form.category.data = policy.category
    form.version.data = policy.version


@bp.route("/<id:policy_id>/edit", methods=["GET", "POST"])
@staff
def edit(policy_id: int):
    """A new version of the policy; the earlier ones stay readable."""
    policy = _load(policy_id)
    form = PolicyForm()
    if request.method == "GET":
        _prefill(form, policy)
        return _form_page(form, policy)
    if not form.validate_on_submit():
        return _form_page(form, policy, 422)
    try:
        check_version(policy, form.version.data)
        services.add_version(
            policy, current_user, form.category.data, form.version_data()
        )
        db.session.commit()
    except STALE:
        return refuse_stale_edit(
            form,
            Policy,
            policy_id,
            lambda current: _form_page(form, current, conflict=True)[0],
        )
    flash(_("New version saved."), "success")
    return redirect(url_for("policies.show", policy_id=policy.id))


def _status_step(policy_id: int, step, done: str, already: str):
    policy = _load(policy_id)
    form = Form()  # a button: the step itself is idempotent
    if not form.validate_on_submit():
        return render_error(400, _("Reload the page and try again."))
    if step(policy, current_user):
        db.session.commit()
        flash(done, "success")
    else:
        flash(already, "info")
    return redirect(url_for("policies.show", policy_id=policy_id))


@bp.route("/<id:policy_id>/publish", methods=["POST"])
@staff
def publish(policy_id: int):
    """Publish the policy (a second click changes nothing)."""
    return _status_step(
        policy_id,
        services.publish,
        _("Policy published."),
        _("This policy was already published."),
    )


@bp.route("/<id:policy_id>/expire", methods=["POST"])
@staff
def expire(policy_id: int):
    """Expire the policy: no longer offered (a second click changes nothing)."""
    return _status_step(
        policy_id,
        services.expire,
        _("Policy expired: it is no longer offered."),
        _("This policy had already expired."),
    )


@bp.route("/reach")
@staff
def reach():
    """How many students each policy offered today may reach."""
    today = bureau_today()
    versions = eligibility.current_versions(today)
    counts = eligibility.reach(versions, today)
    rows = sorted(versions, key=lambda v: -counts.get(v.policy_id, 0))
    return render_template("policies/reach.html", rows=rows, counts=counts, today=today)


# --- pushes ---------------------------------------------------------------------------


@bp.route("/<id:policy_id>/push", methods=["POST"])
@roles(Role.ENVOY)
@idempotent
def push(policy_id: int):
    """Get (or make) the envoy's personal link for this policy."""
    policy = _load(policy_id)
    form = IdempotentForm()
    if not form.validate_on_submit():
        errors = [error for field in form for error in field.errors]
        return render_error(422, errors[0] if errors else None)
    if policy.current_on(bureau_today()) is None:
        flash(_("This policy is not offered now."), "error")
        return redirect(url_for("policies.show", policy_id=policy.id))
    try:
        made = services.push_policy(current_user, policy)
        remember(
            form,
            url_for("policies.push_show", policy_push_id=made.id),
            "policy_push",
            made.id,
        )
        db.session.commit()
    except IntegrityError:  # a double click raced the first one
        db.session.rollback()
        made = services.push_policy(current_user, policy)
    return redirect(url_for("policies.push_show", policy_push_id=made.id))


def _link(push: PolicyPush) -> str:
    return absolute_url("policy_page.policy", token=public.sign(push))


@bp.route("/pushes")
@roles(Role.ENVOY)
def pushes():
    """The envoy's policy pushes with their views and questions."""
    return render_template(
        "policies/pushes.html", rows=services.pushes_of(current_user)
    )


@bp.route("/pushes/<id:policy_push_id>")
@roles(Role.ENVOY)
def push_show(policy_push_id: int):
    """One push: the link, its QR code, the message and the questions so far."""
    push = get_scoped_or_404(PolicyPush, policy_push_id)
    link = _link(push)
    version = push.policy.current_on(bureau_today()) or push.policy.latest
    return render_template(
        "policies/push.html",
        push=push,
        version=version,
        link=link,
        message=services.share_message(version, link),
        questions=services.questions_of(push),
    )


@bp.route("/pushes/<id:policy_push_id>/qr.png", defaults={"kind": "png"})
@bp.route("/pushes/<id:policy_push_id>/qr.svg", defaults={"kind": "svg"})
@roles(Role.ENVOY)
def push_qr(policy_push_id: int, kind: str):
    """The push's QR code as an SVG image, or a PNG for WeChat and chat apps."""
    push = get_scoped_or_404(PolicyPush, policy_push_id)
    return sharing.qr_response(
        _link(push),
        kind,
        f"policy-{push.id}",
        request.args.get("download") == "1",
    )


# --- the student's side ------------------------------------------------------------


@bp.route("/for-student/<id:student_id>")
@roles(Role.ENVOY, Role.COORDINATOR)
def for_student(student_id: int):
    """Policies this student may qualify for (a fragment of the student page)."""
    student = get_scoped_or_404(Student, student_id)
    found = eligibility.for_student(student, bureau_today())
    template = (
        "policies/_for_student.html"
        if is_fragment_request()
        else "policies/for_student.html"
    )
    return render_template(
        template,
        student=student,
        found=found,
        limit=20,
    )


# Every page that shows a policy (the public ones too) says what it pays the same way.
bp.add_app_template_global(services.describe_amount, "policy_amount")
