"""Coordinators manage the network: envoys, employer organisations and their staff."""

from flask import Blueprint

bp = Blueprint("network", __name__)

from envoycrm.network import routes  # noqa: E402, F401
