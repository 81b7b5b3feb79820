"""Views of the task list."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user

from envoycrm.access import get_scoped_or_404, roles, scoped
from envoycrm.events.registration import held_registrations_of_tasks
from envoycrm.extensions import db
from envoycrm.htmx import is_fragment_request
from envoycrm.i18n import user_today
from envoycrm.jobs import referrals
from envoycrm.models import Role, Task, TaskKind
from envoycrm.params import enum_list_arg, flag_arg, page_arg
from envoycrm.tasks import bp, services
from envoycrm.tasks.forms import TaskDoneForm


@bp.route("/")
@roles(Role.ENVOY, Role.COORDINATOR)
def index():
    """Open tasks: all of them for coordinators, their own for envoys.

    ``?kind=REFERRAL_REPLY,EMPLOYER_INTEREST`` narrows to those kinds (the
    links of the home page and the digests); ``?done=1`` shows done ones too.
    """
    show_done = flag_arg("done")
    kinds = enum_list_arg(TaskKind, "kind")
    page = db.paginate(
        services.task_query(scoped(Task), show_done, kinds),
        page=page_arg(),
        per_page=50,
        error_out=False,
    )
    template = "tasks/_rows.html" if is_fragment_request() else "tasks/index.html"
    return render_template(
        template,
        page=page,
        openings=services.openings_of_tasks(page.items),
        held=referrals.held_replies_of_tasks(page.items),
        held_registrations=held_registrations_of_tasks(page.items),
        show_done=show_done,
        kinds=kinds,
        args=services.list_args(show_done, kinds),
        today=user_today(),
        form=TaskDoneForm(formdata=None),
    )


@bp.route("/<id:task_id>/done", methods=["POST"])
@roles(Role.ENVOY, Role.COORDINATOR)
def done(task_id: int):
    """Mark a task done."""
    task = get_scoped_or_404(Task, task_id)
    if services.mark_done(task, current_user):
        db.session.commit()
        flash(_("Task done."), "success")
    else:
        flash(_("This task was already done."), "info")
    return redirect(url_for("tasks.index"))
