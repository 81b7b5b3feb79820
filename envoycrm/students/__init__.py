"""The envoy workspace: students, consent, meetings, intentions."""

from flask import Blueprint

bp = Blueprint("students", __name__)

from envoycrm.students import routes  # noqa: E402, F401
