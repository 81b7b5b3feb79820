"""Localised error pages that reveal nothing about the inside."""

from flask import Flask, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from envoycrm.extensions import db
from envoycrm.htmx import error_fragment, is_fragment_request

MESSAGES = {
    400: (_l("Bad request"), _l("The request could not be understood.")),
    403: (_l("Not allowed"), _l("Your account may not open this page.")),
    404: (_l("Not found"), _l("There is nothing here, or it is not yours to see.")),
    405: (_l("Not allowed"), _l("This page cannot be used that way.")),
    413: (_l("Too large"), _l("What you sent is too large.")),
    429: (
        _l("Too many requests"),
        _l("You have tried too often. Wait a few minutes and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("The error is logged. Please try again in a moment."),
    ),
}


def render_error(code: int, detail=None):
    """The error page for ``code`` in the user's language; for a fragment
    request, its message in the page's flash region instead of a page."""
    title, message = MESSAGES.get(code, MESSAGES[500] if code >= 500 else MESSAGES[400])
    if is_fragment_request():
        return error_fragment(str(title), str(detail or message), code)
    return (
        render_template(
            "errors/error.html", code=code, title=title, message=detail or message
        ),
        code,
    )


def handle_http_error(error: HTTPException):
    """Every HTTP error gets our page, never Werkzeug's."""
    return render_error(error.code or 500)


def handle_csrf_error(error: CSRFError):
    """A missing or stale CSRF token: explain, and let the user retry."""
    return render_error(
        400,
        _l(
            "This form has expired or was not sent from this site. "
            "Reload the page and try again."
        ),
    )


def handle_server_error(error: Exception):
    """Unexpected failures: roll back, log, and show a page without details."""
    db.session.rollback()
    return render_error(500)


def init_app(app: Flask) -> None:
    """Register the handlers."""
    app.register_error_handler(CSRFError, handle_csrf_error)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(InternalServerError, handle_server_error)
