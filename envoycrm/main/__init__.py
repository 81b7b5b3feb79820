"""Home pages per role, the language switch and personal settings."""

from flask import Blueprint

bp = Blueprint("main", __name__)

from envoycrm.main import routes  # noqa: E402, F401
