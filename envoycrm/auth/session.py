"""Server-side sessions: signing in and out, loading the user, idle expiry.

Each sign-in makes a ``UserSession`` row with a random key. Flask-Login keeps
what ``User.get_id`` returns, the key, in the signed session cookie and in
the remember-me cookie; the table keeps only the key's SHA-256. Every request
loads the user through the row, so revoking it (sign-out, "sign out
everywhere", a password change, deactivation) ends every copy of both
cookies at once.

Sessions end after inactivity, decided on the server and for remembered
sessions too: a row unused for longer than ``PERMANENT_SESSION_LIFETIME``
(``SESSION_IDLE_MINUTES``) signs nobody in, and the browser that presents it
is signed out and told why. ``last_seen_at`` is written at most once a
``TOUCH_INTERVAL`` per session, not on every request.
"""

import hashlib
import re
import secrets
from datetime import timedelta

from flask import Flask, current_app, flash, g, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user
from sqlalchemy import ColumnElement, delete, or_, select, update
from sqlalchemy.orm import joinedload

from envoycrm.extensions import db
from envoycrm.models import User, UserSession, utcnow

TOUCH_INTERVAL = timedelta(minutes=1)
# Why the loader refused the session this request presented (for the hook).
_REFUSED = "_session_refused"
IDLE = "idle"


def _hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def _idle_limit() -> timedelta:
    return current_app.permanent_session_lifetime


# --- user agents ---------------------------------------------------------------

# First match wins: Edge and Opera also say Chrome, Chrome also says Safari.
_BROWSERS = (
    ("MicroMessenger", "WeChat"),
    ("Edg", "Edge"),
    ("OPR", "Opera"),
    ("Firefox", "Firefox"),
    ("Chrome", "Chrome"),
    ("Chromium", "Chromium"),
    ("Safari", "Safari"),
)
_SYSTEMS = (
    ("iPhone", "iPhone"),
    ("iPad", "iPad"),
    ("Android", "Android"),
    ("Windows", "Windows"),
    ("Mac OS X", "macOS"),
    ("CrOS", "ChromeOS"),
    ("Linux", "Linux"),
)


def summarise_user_agent(user_agent: str) -> str:
    """Browser and system, e.g. "Firefox, Windows": enough to tell devices apart."""

    def first(table: tuple[tuple[str, str], ...]) -> str | None:
        return next(
            (name for token, name in table if re.search(rf"\b{token}\b", user_agent)),
            None,
        )

    parts = [part for part in (first(_BROWSERS), first(_SYSTEMS)) if part]
    return ", ".join(parts)


# --- the rows ------------------------------------------------------------------


def _live() -> list[ColumnElement[bool]]:
    """Conditions of a row that still signs someone in."""
    return [
        UserSession.revoked_at.is_(None),
        UserSession.last_seen_at >= utcnow() - _idle_limit(),
    ]


def create_session(user: User, remembered: bool, user_agent: str) -> str:
    """A new session row for ``user``; returns its key (stored only hashed).

    The user's dead rows (revoked or idle) are deleted on the way, so the
    table holds about one row per browser in use.
    """
    db.session.execute(
        delete(UserSession).where(
            UserSession.user_id == user.id,
            or_(
                UserSession.revoked_at.is_not(None),
                UserSession.last_seen_at < utcnow() - _idle_limit(),
            ),
        )
    )
    key = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            key_hash=_hash(key),
            user_id=user.id,
            remembered=remembered,
            user_agent=summarise_user_agent(user_agent),
        )
    )
    db.session.flush()
    return key


def revoke_session(key: str | None) -> None:
    """End the session named by ``key`` (the one this browser holds)."""
    if key:
        db.session.execute(
            update(UserSession)
            .where(UserSession.key_hash == _hash(key), UserSession.revoked_at.is_(None))
            .values(revoked_at=utcnow())
        )


def revoke_all_sessions(user: User) -> None:
    """End every session of ``user``, everywhere."""
    db.session.execute(
        update(UserSession)
        .where(UserSession.user_id == user.id, UserSession.revoked_at.is_(None))
        .values(revoked_at=utcnow())
    )


def active_sessions(user: User) -> list[UserSession]:
    """``user``'s sessions that still sign in, the most recently used first."""
    return list(
        db.session.scalars(
            select(UserSession)
            .where(UserSession.user_id == user.id, *_live())
            .order_by(UserSession.last_seen_at.desc(), UserSession.id.desc())
        )
    )


def is_current(row: UserSession, user: User) -> bool:
    """True when ``row`` is the session ``user`` was loaded through."""
    return user.session_key is not None and row.key_hash == _hash(user.session_key)


# --- Flask-Login and the request --------------------------------------------------


def load_user(key: str) -> User | None:
    """Flask-Login loader for both cookies: the user of a live session row.

    Commits when it moves ``last_seen_at`` (at most once a ``TOUCH_INTERVAL``);
    the hook below loads the user first thing, so nothing else is pending.
    """
    row = db.session.scalar(
        select(UserSession)
        .options(joinedload(UserSession.user))
        .where(UserSession.key_hash == _hash(key))
    )
    if row is None or row.revoked_at is not None or not row.user.active:
        g.setdefault(_REFUSED, "revoked")
        return None
    now = utcnow()
    if now - row.last_seen_at > _idle_limit():
        g.setdefault(_REFUSED, IDLE)
        return None
    if now - row.last_seen_at > TOUCH_INTERVAL:
        row.last_seen_at = now
        db.session.commit()
    user = row.user
    user.session_key = key
    return user


def sign_in(user: User, remember: bool) -> None:
    """Start a server-side session for ``user`` in this browser.

    Every way in (the sign-in form, an invitation or reset link) passes
    here, so "last signed in" is kept here.
    """
    user.last_login_at = utcnow()
    user.session_key = create_session(user, remember, request.user_agent.string)
    login_user(user, remember=remember)


def sign_out() -> None:
    """Forget this browser's session: the cookie's contents and remember-me."""
    session.clear()
    # After clear(): logout_user's order to delete the remember-me cookie is
    # kept in the session, and clear() would drop it.
    logout_user()


def expire_refused_session():
    """``before_request`` hook: sign out a browser whose session has ended.

    An idle session is sent to the sign-in page with the reason; a revoked
    one just loses its cookies (the access check asks to sign in if needed).
    """
    if request.endpoint == "static" or current_user.is_authenticated:
        return None
    refused = g.pop(_REFUSED, None)
    if refused is None:
        return None
    sign_out()
    if refused != IDLE:
        return None
    current_app.logger.info("an idle session was refused")
    flash(_("You were signed out after a period of inactivity."), "info")
    target = request.full_path if request.method == "GET" else None
    return redirect(url_for("auth.login", next=target and target.rstrip("?")))


def init_app(app: Flask) -> None:
    """Wire the hook."""
    app.before_request(expire_refused_session)
