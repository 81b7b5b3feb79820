"""Job openings, envoys' pushes, matching, the employer portal and referral pages."""

from flask import Blueprint

bp = Blueprint("jobs", __name__)
referral_bp = Blueprint("referral", __name__)

from envoycrm.jobs import held, new_for_you, public, routes  # noqa: E402, F401
