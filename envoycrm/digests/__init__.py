"""Weekly digests: building, rendering and sending them through the outbox.

Two blueprints: ``digests`` (coordinators: preview, send now, the outbox)
and ``unsubscribe`` (public, by signed link, for the one-click header).
"""

from flask import Blueprint

bp = Blueprint("digests", __name__)
unsubscribe_bp = Blueprint("unsubscribe", __name__)

from envoycrm.digests import routes  # noqa: E402, F401
