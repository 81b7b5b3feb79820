"""Coordinators' pipeline: the board, lists, bulk actions, export and import."""

from flask import Blueprint

bp = Blueprint("pipeline", __name__)

from envoycrm.pipeline import routes  # noqa: E402, F401
