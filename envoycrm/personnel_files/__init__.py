"""The personnel-file service (档案): files kept while students study abroad.

Two blueprints: ``files`` (coordinators, ``/files``: the queue, a file's
page, step changes, opening files) and ``file_status`` (the student's own
status page behind a signed link, ``/file-status``, no account).
"""

from flask import Blueprint

bp = Blueprint("files", __name__)
status_bp = Blueprint("file_status", __name__)

from envoycrm.personnel_files import (  # noqa: E402, F401
    import_routes,
    routes,
    status_routes,
)
