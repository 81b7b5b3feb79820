"""The envoy's home page: the quick log, the envoy's numbers and follow-ups.

The students blueprint answers the quick log with it, and the main blueprint
serves it as an envoy's ``/``; both use these functions, never each other's
routes.
"""

from flask import render_template, request
from flask_login import current_user

from envoycrm.access import scoped
from envoycrm.extensions import db
from envoycrm.i18n import locale_tag, user_today
from envoycrm.models import Student, User
from envoycrm.network.services import university_choices
from envoycrm.params import id_arg
from envoycrm.students import queries, services
from envoycrm.students.forms import QuickLogForm


def quick_log_form(envoy: User) -> QuickLogForm:
    """The quick-log form (filled from the request on POST), university preset."""
    form = QuickLogForm()
    form.university_id.choices = university_choices(locale_tag())
    if request.method == "GET" and envoy.envoy_profile:
        form.university_id.data = envoy.envoy_profile.university_id
        form.met_on.data = user_today()
        form.notice_language.data = locale_tag()
    return form


def render_envoy_home(form: QuickLogForm, status: int = 200):
    """The envoy's home page: quick log, own numbers, follow-ups."""
    today = user_today()
    # The student just logged (``?saved=``), offered as the next steps; only
    # the envoy's own students are found.
    saved_id = id_arg("saved")
    saved = (
        db.session.scalar(scoped(Student).where(Student.id == saved_id))
        if saved_id
        else None
    )
    followups = db.session.scalars(
        queries.waiting_for_follow_up(current_user, today)
    ).all()
    return (
        render_template(
            "main/home_envoy.html",
            profile=current_user.envoy_profile,
            form=form,
            numbers=queries.envoy_numbers(current_user),
            followups=followups,
            today=today,
            saved=saved,
            notice_version=services.NOTICE_VERSION,
        ),
        status,
    )
