"""The city's policies ("policy express"): versions, eligibility, pushes, checker."""

from flask import Blueprint

bp = Blueprint("policies", __name__)
public_bp = Blueprint("policy_page", __name__)

from envoycrm.policies import public, routes  # noqa: E402, F401
