"""Response headers, safe redirects and password hashing."""

import secrets
from urllib.parse import urlsplit

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app
from flask_login import current_user

# No inline script or style anywhere, so the policy needs neither
# 'unsafe-inline' nor 'unsafe-eval'; htmx is configured not to inject styles.
CONTENT_SECURITY_POLICY = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'self'",
        "object-src 'none'",
    ]
)


def add_security_headers(response):
    """``after_request`` hook: the headers every response carries."""
    headers = response.headers
    headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
    headers.setdefault("X-Content-Type-Options", "nosniff")
    headers.setdefault("X-Frame-Options", "DENY")
    # Referral tokens live in URLs; never send them to another site.
    headers.setdefault("Referrer-Policy", "same-origin")
    headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
    headers.setdefault(
        "Permissions-Policy", "camera=(), microphone=(), geolocation=(), payment=()"
    )
    if current_app.config["SESSION_COOKIE_SECURE"]:
        headers.setdefault(
            "Strict-Transport-Security", "max-age=31536000; includeSubDomains"
        )
    # Pages for signed-in users carry personal data: keep them out of caches
    # and the browser's back-forward store on shared laptops.
    if current_user and current_user.is_authenticated:
        headers["Cache-Control"] = "no-store"
    # Views answer htmx with fragments and browsers with pages from the same
    # URL, so caches must key on the header.
    response.vary.add("HX-Request")
    return response


def safe_next(target: str | None, default: str) -> str:
    """Return ``target`` if it is a path on this site, else ``default``.

    Only plain absolute paths are accepted: no scheme, no host, no
    protocol-relative ``//`` or ``/\\`` forms, no control characters.
    """
    if not target or not isinstance(target, str):
        return default
    if any(ord(ch) < 32 or ch == "\\" for ch in target):
        return default
    if not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target


def password_hasher(app: Flask | None = None) -> PasswordHasher:
    """The Argon2id hasher with the configured cost parameters."""
    config = (app or current_app).config
    kwargs = {}
    for key, arg in (
        ("ARGON2_TIME_COST", "time_cost"),
        ("ARGON2_MEMORY_COST", "memory_cost"),
        ("ARGON2_PARALLELISM", "parallelism"),
    ):
        if config.get(key) is not None:
            kwargs[arg] = config[key]
    return PasswordHasher(**kwargs)


def hash_password(password: str) -> str:
    """Hash a password with Argon2id."""
    return password_hasher().hash(password)


def verify_password(user, password: str) -> bool:
    """Check ``password`` against ``user``; rehash when the parameters changed.

    With no user, or one without a password yet, the password is checked
    against a dummy hash of the same cost and refused: an unknown email then
    takes as long to refuse as a wrong password, so timing does not tell
    which addresses have accounts. The caller commits; a rehash only updates
    ``user.password_hash``.
    """
    hasher = password_hasher()
    if user is None or not user.password_hash:
        try:
            hasher.verify(_dummy_hash(hasher), password)
        except (VerificationError, InvalidHashError):
            pass
        return False
    try:
        hasher.verify(user.password_hash, password)
    except (VerificationError, InvalidHashError):
        return False
    if hasher.check_needs_rehash(user.password_hash):
        user.password_hash = hasher.hash(password)
    return True


_dummy_hashes: dict[tuple[int, int, int], str] = {}


def _dummy_hash(hasher: PasswordHasher) -> str:
    """A hash of a random secret made with ``hasher``'s parameters (once each)."""
    cost = (hasher.time_cost, hasher.memory_cost, hasher.parallelism)
    if cost not in _dummy_hashes:
        _dummy_hashes[cost] = hasher.hash(secrets.token_urlsafe(32))
    return _dummy_hashes[cost]


def init_app(app: Flask) -> None:
    """Wire the header hook."""
    app.after_request(add_security_headers)
