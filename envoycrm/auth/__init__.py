"""Sign-in, sign-out, password reset and invitations."""

from flask import Blueprint

bp = Blueprint("auth", __name__)

from envoycrm.auth import routes  # noqa: E402, F401
