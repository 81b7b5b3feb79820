"""Personal data: audit search, data-subject rights, retention.

Two blueprints: ``privacy`` (coordinators, ``/privacy-admin``) and
``data_requests`` (the public request form).
"""

from flask import Blueprint

bp = Blueprint("privacy", __name__)
public_bp = Blueprint("data_requests", __name__)

from envoycrm.privacy import routes  # noqa: E402, F401
