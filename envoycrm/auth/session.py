"""Loading the signed-in user from the session, and ending idle sessions.

Sessions end after inactivity, decided on the server. The signed session
cookie carries the time of the last request. A request arriving later than
``PERMANENT_SESSION_LIFETIME`` after it finds the user signed out (remember-me
cookie included) and the session — with its CSRF token — emptied, whatever
the browser still holds.
"""

import time

from flask import Flask, current_app, flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user

from envoycrm.extensions import db
from envoycrm.models import User

LAST_SEEN = "_last_seen"


def load_user(session_id: str) -> User | None:
    """Flask-Login loader: ``<id>:<session token>``; a rotated token signs out."""
    user_id, _, token = session_id.partition(":")
    if not user_id.isdigit() or not token:
        return None
    user = db.session.get(User, int(user_id))
    if user is None or user.session_token != token or not user.active:
        return None
    return user


def expire_idle_session():
    """``before_request`` hook: refuse and sign out an idle session."""
    if request.endpoint == "static":
        return None
    now = int(time.time())
    last_seen = session.get(LAST_SEEN)
    idle_limit = current_app.permanent_session_lifetime.total_seconds()
    if current_user.is_authenticated:
        if isinstance(last_seen, int) and now - last_seen > idle_limit:
            current_app.logger.info("session of user %s expired", current_user.id)
            session.clear()
            logout_user()  # also drops the remember-me cookie
            flash(_("You were signed out after a period of inactivity."), "info")
            target = request.full_path if request.method == "GET" else None
            return redirect(url_for("auth.login", next=target and target.rstrip("?")))
        session[LAST_SEEN] = now
    return None


def init_app(app: Flask) -> None:
    """Wire the hook."""
    app.before_request(expire_idle_session)
