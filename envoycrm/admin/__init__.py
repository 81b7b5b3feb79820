"""Administration: every user account and its role."""

from flask import Blueprint

bp = Blueprint("admin", __name__)

from envoycrm.admin import routes  # noqa: E402, F401
