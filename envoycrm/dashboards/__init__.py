"""Dashboards for coordinators: the funnel, coverage, activity, top envoys."""

from flask import Blueprint

bp = Blueprint("dashboards", __name__)

from envoycrm.dashboards import routes  # noqa: E402, F401
