"""Personal data: audit search, data-subject rights, retention, tasks.

Three blueprints: ``privacy`` (coordinators, ``/privacy-admin``),
``data_requests`` (the public request form) and ``tasks`` (the task list).
"""

from flask import Blueprint

bp = Blueprint("privacy", __name__)
public_bp = Blueprint("data_requests", __name__)
tasks_bp = Blueprint("tasks", __name__)

from envoycrm.privacy import routes  # noqa: E402, F401
