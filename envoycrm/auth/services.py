"""Domain functions for signing in: throttling, tokens and invitations."""

from flask import current_app
from flask_babel import lazy_gettext as _l
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import select

from envoycrm import ratelimit
from envoycrm.auth.session import revoke_all_sessions
from envoycrm.extensions import db
from envoycrm.mail import render_message, send_message
from envoycrm.models import User
from envoycrm.models.users import new_session_token
from envoycrm.security import hash_password
from envoycrm.urls import absolute_url

RESET = "reset"
INVITE = "invite"


def normalise_email(email: str) -> str:
    """Emails are stored and compared trimmed and lower-cased."""
    return (email or "").strip().lower()


def find_user_by_email(email: str) -> User | None:
    """The user with ``email``, if any."""
    return db.session.scalar(select(User).where(User.email == normalise_email(email)))


# --- throttling ------------------------------------------------------------


def _account_key(email: str) -> str:
    return f"account:{normalise_email(email)}"


def _account_at_address_key(email: str, ip: str) -> str:
    return f"account-ip:{normalise_email(email)}|{ip}"


def _sign_in_limits(email: str, ip: str | None) -> list[ratelimit.Limit]:
    """The counters a sign-in attempt touches, with their limits.

    The low limit is per account *and* address, so someone guessing from one
    address cannot lock the account's owner out from another; the account's
    own, higher limit still caps guesses spread over many addresses.
    """
    config = current_app.config
    window = config["LOGIN_WINDOW_SECONDS"]
    limits = [
        ratelimit.Limit(
            _account_key(email), config["LOGIN_MAX_FAILURES_PER_ACCOUNT"], window
        )
    ]
    if ip:
        limits += [
            ratelimit.Limit(
                _account_at_address_key(email, ip),
                config["LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP"],
                window,
            ),
            ratelimit.Limit(f"ip:{ip}", config["LOGIN_MAX_FAILURES_PER_IP"], window),
        ]
    return limits


def start_attempt(email: str, ip: str | None) -> ratelimit.Taken | None:
    """Count a sign-in attempt as a failure before its password is checked.

    None when the account (from this address or from all) or the address has
    failed too often in the window: then no password may be checked, and the
    refused attempt counts toward nothing. Counting first, in one atomic step,
    is what keeps a burst of concurrent guesses to the limit.
    """
    return ratelimit.take(*_sign_in_limits(email, ip))


def attempt_succeeded(email: str, ip: str | None, attempt: ratelimit.Taken) -> None:
    """Uncount a successful attempt and forget the account's failures at this
    address. The account-wide count stays until its window passes, so a
    success cannot reopen guessing from elsewhere; the address's count stays
    too, as its failures at other accounts still count."""
    ratelimit.release(attempt)
    if ip:
        ratelimit.clear(_account_at_address_key(email, ip))


def may_request_reset(email: str, ip: str | None) -> bool:
    """Count a password-reset request; False when the email or the client
    address asked too often in the window.

    The email counts whether or not it has an account, so the limit says
    nothing about which addresses are known.
    """
    config = current_app.config
    window = config["RESET_REQUEST_WINDOW_SECONDS"]
    limits = [
        ratelimit.Limit(
            f"reset-email:{normalise_email(email)}",
            config["RESET_REQUESTS_PER_EMAIL"],
            window,
        )
    ]
    if ip:
        limits.append(
            ratelimit.Limit(f"reset-ip:{ip}", config["RESET_REQUESTS_PER_IP"], window)
        )
    return ratelimit.take(*limits) is not None


# --- signed links ------------------------------------------------------------


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(
        current_app.config["SECRET_KEY"], salt="envoycrm.auth"
    )


def make_token(user: User, purpose: str) -> str:
    """A signed token for ``purpose``; it dies when the user's password changes."""
    return _serializer().dumps({"uid": user.id, "p": purpose, "s": user.session_token})


def user_for_token(token: str, purpose: str) -> User | None:
    """The user a valid, unexpired, unused token names; None otherwise."""
    max_age = current_app.config[
        "INVITE_TOKEN_MAX_AGE" if purpose == INVITE else "RESET_TOKEN_MAX_AGE"
    ]
    try:
        data = _serializer().loads(token, max_age=max_age)
    except (BadSignature, SignatureExpired):
        return None
    if not isinstance(data, dict) or data.get("p") != purpose:
        return None
    user = db.session.get(User, data.get("uid"))
    if user is None or not user.active or user.session_token != data.get("s"):
        return None
    return user


def set_password(user: User, password: str) -> None:
    """Store a new password, end every session and retire every emailed link."""
    user.password_hash = hash_password(password)
    user.session_token = new_session_token()
    revoke_all_sessions(user)


def _send_link(
    user: User, purpose: str, endpoint: str, template: str, subject, **context
):
    """Email ``user`` a signed link for ``purpose`` in their own language."""
    link = absolute_url(endpoint, token=make_token(user, purpose))
    send_message(
        render_message(
            user.email, template, user.locale, subject, user=user, link=link, **context
        )
    )


def send_invitation(user: User) -> None:
    """Email ``user`` a link to choose a password and sign in."""
    _send_link(
        user,
        INVITE,
        "auth.set_password",
        "invitation",
        _l("You are invited to EnvoyCRM"),
        days=current_app.config["INVITE_TOKEN_MAX_AGE"] // 86400,
    )


def send_password_reset(user: User) -> None:
    """Email ``user`` a short-lived link to choose a new password."""
    _send_link(
        user,
        RESET,
        "auth.reset_password",
        "password_reset",
        _l("Reset your EnvoyCRM password"),
        minutes=current_app.config["RESET_TOKEN_MAX_AGE"] // 60,
    )
