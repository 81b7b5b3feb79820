"""Configuration read from the environment.

Every setting an operator may change is an environment variable named like
the setting (``DATABASE_URL``, ``SMTP_HOST`` ...). ``Config`` is production;
``DevConfig`` is what ``make run`` uses; ``TestConfig`` is for the test suite.
"""

import os
from datetime import timedelta
from typing import Any


def _env_bool(name: str, default: bool) -> bool:
    """Read a yes/no environment variable (``1``, ``true``, ``yes``, ``on``)."""
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str, default: int) -> int:
    """Read an integer environment variable, falling back to ``default``."""
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def _env_int_or_none(name: str) -> int | None:
    """Read an integer environment variable; None when it is unset or empty."""
    value = os.environ.get(name)
    return int(value) if value else None


def _env_service_days(defaults: dict[str, int]) -> dict[str, int]:
    """``defaults``, with the steps named in ``FILE_SERVICE_DAYS`` replaced."""
    days = dict(defaults)
    for item in os.environ.get("FILE_SERVICE_DAYS", "").split(","):
        name, _sep, value = item.partition("=")
        if name.strip() and value.strip().isdigit():
            days[name.strip().upper()] = int(value)
    return days


class Config:
    """Production settings; secrets and the database must come from the environment."""

    ENV_NAME = "production"
    SECRET_KEY = os.environ.get("SECRET_KEY")
    # None means: an SQLite file in the instance folder (set in create_app).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    SQLALCHEMY_ENGINE_OPTIONS: dict[str, Any] = {"pool_pre_ping": True}

    # Public address used in links inside emails (invitations, digests).
    BASE_URL = os.environ.get("BASE_URL", "http://127.0.0.1:5000")
    # How many reverse proxies stand in front of the app; their
    # X-Forwarded-For/-Proto/-Host headers are believed, nobody else's.
    TRUSTED_PROXIES = _env_int("TRUSTED_PROXIES", 0)

    # Cookies: secure flags on by default; only local development turns
    # ``Secure`` off because it serves plain http.
    SESSION_COOKIE_SECURE = _env_bool("SESSION_COOKIE_SECURE", True)
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_NAME = "envoycrm_session"
    REMEMBER_COOKIE_SECURE = SESSION_COOKIE_SECURE
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=_env_int("REMEMBER_DAYS", 14))
    PERMANENT_SESSION_LIFETIME = timedelta(
        minutes=_env_int("SESSION_IDLE_MINUTES", 120)
    )
    # The CSRF token lives exactly as long as the session that carries it.
    WTF_CSRF_TIME_LIMIT = None
    WTF_CSRF_SSL_STRICT = True

    # Languages and time: catalogs live in the top-level ``translations/``
    # folder (the factory resolves the path, see create_app).
    BABEL_DEFAULT_LOCALE = os.environ.get("DEFAULT_LOCALE", "en")
    BABEL_DEFAULT_TIMEZONE = os.environ.get("DEFAULT_TIMEZONE", "Asia/Shanghai")

    # Sign-in throttling: failures allowed per window for one account from one
    # client address (low), for one account from all addresses together
    # (high: one address must not lock an administrator out everywhere), and
    # for one address across all accounts.
    LOGIN_WINDOW_SECONDS = _env_int("LOGIN_WINDOW_SECONDS", 15 * 60)
    LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP = _env_int(
        "LOGIN_MAX_FAILURES_PER_ACCOUNT_AND_IP", 5
    )
    LOGIN_MAX_FAILURES_PER_ACCOUNT = _env_int("LOGIN_MAX_FAILURES_PER_ACCOUNT", 50)
    LOGIN_MAX_FAILURES_PER_IP = _env_int("LOGIN_MAX_FAILURES_PER_IP", 30)
    # Whom a deactivated user should contact, named on the sign-in page when
    # they enter the right password (an email address, a name, a phone
    # number); unset says "your coordinator or an administrator".
    ACCOUNT_HELP_CONTACT = os.environ.get("ACCOUNT_HELP_CONTACT", "")
    # Password-reset requests accepted per window for one email address
    # (whether it has an account or not) and from one client address.
    RESET_REQUEST_WINDOW_SECONDS = _env_int("RESET_REQUEST_WINDOW_SECONDS", 60 * 60)
    RESET_REQUESTS_PER_EMAIL = _env_int("RESET_REQUESTS_PER_EMAIL", 3)
    RESET_REQUESTS_PER_IP = _env_int("RESET_REQUESTS_PER_IP", 20)
    # Public forms: replies to a referral link and data-subject requests, per IP.
    REFERRAL_REPLY_LIMIT = _env_int("REFERRAL_REPLY_LIMIT", 10)
    REFERRAL_REPLY_WINDOW = _env_int("REFERRAL_REPLY_WINDOW", 60 * 60)
    DATA_REQUESTS_PER_HOUR = _env_int("DATA_REQUESTS_PER_HOUR", 5)
    # "Is this email or WeChat ID known to the network?", per signed-in user.
    DUPLICATE_CHECK_LIMIT = _env_int("DUPLICATE_CHECK_LIMIT", 100)
    DUPLICATE_CHECK_WINDOW = _env_int("DUPLICATE_CHECK_WINDOW", 10 * 60)

    # Argon2id cost; unset means argon2-cffi's own defaults (RFC 9106).
    ARGON2_TIME_COST = _env_int_or_none("ARGON2_TIME_COST")
    ARGON2_MEMORY_COST = _env_int_or_none("ARGON2_MEMORY_COST")
    ARGON2_PARALLELISM = _env_int_or_none("ARGON2_PARALLELISM")

    # Signed links sent by email.
    RESET_TOKEN_MAX_AGE = _env_int("RESET_TOKEN_MAX_AGE", 60 * 60)
    INVITE_TOKEN_MAX_AGE = _env_int("INVITE_TOKEN_MAX_AGE", 7 * 24 * 60 * 60)

    # Mail: "smtp" sends through SMTP_*; "file" keeps each message as an
    # .eml file in MAIL_CATCH_DIR so development needs no mail server.
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "smtp")
    MAIL_CATCH_DIR = os.environ.get("MAIL_CATCH_DIR")
    MAIL_SENDER = os.environ.get("MAIL_SENDER", "EnvoyCRM <no-reply@example.com>")
    SMTP_HOST = os.environ.get("SMTP_HOST", "127.0.0.1")
    SMTP_PORT = _env_int("SMTP_PORT", 25)
    SMTP_SECURITY = os.environ.get("SMTP_SECURITY", "none")  # none|starttls|ssl
    SMTP_USER = os.environ.get("SMTP_USER")
    SMTP_PASSWORD = os.environ.get("SMTP_PASSWORD")
    SMTP_TIMEOUT = _env_int("SMTP_TIMEOUT", 20)
    # A mailbox someone reads, offered as the mailto: fallback of a digest's
    # List-Unsubscribe; unset means no mailto link (the no-reply sender
    # reads nothing, and the https one-click link always works).
    DIGEST_UNSUBSCRIBE_ADDRESS = os.environ.get("DIGEST_UNSUBSCRIBE_ADDRESS")

    # The largest request body accepted (imports are the biggest uploads);
    # Werkzeug refuses anything larger with 413, chunked bodies included.
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 8 * 1024 * 1024)
    # Asset URLs carry their content hash, so browsers may keep them for a year.
    SEND_FILE_MAX_AGE_DEFAULT = 365 * 24 * 3600

    # Rows per page of the plain lists (openings, network, students, users).
    PAGE_SIZE = _env_int("PAGE_SIZE", 25)
    # Long lists count their matches up to this many ("More than 1,000").
    LIST_COUNT_CAP = _env_int("LIST_COUNT_CAP", 1000)

    # Network-wide aggregates (dashboards, envoy activity) are recomputed at
    # most this often per worker; 0 computes them on every request.
    AGGREGATE_CACHE_SECONDS = _env_int("AGGREGATE_CACHE_SECONDS", 120)

    # Students with no activity for this many days are flagged for review.
    RETENTION_DAYS = _env_int("RETENTION_DAYS", 3 * 365)
    # An uploaded import file (and its row-by-row preview) is kept this long.
    IMPORT_FILE_KEEP_HOURS = _env_int("IMPORT_FILE_KEEP_HOURS", 48)
    # Personnel files: the days the bureau promises for each step before the
    # next one ("STORED" waits for the student, so it has no service time);
    # FILE_SERVICE_DAYS="CHECKED=3,FILE_RECEIVED=7" overrides some of them.
    FILE_SERVICE_DAYS = _env_service_days(
        {
            "APPLICATION_RECEIVED": 14,
            "FILE_RECEIVED": 5,
            "CHECKED": 5,
            "TRANSFER_REQUESTED": 10,
        }
    )
    # New status links a visitor may ask for, per address an hour.
    FILE_LINK_REQUESTS_PER_HOUR = _env_int("FILE_LINK_REQUESTS_PER_HOUR", 5)


class DevConfig(Config):
    """Local development: plain http, mail caught in the instance folder."""

    ENV_NAME = "development"
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_SSL_STRICT = False
    MAIL_BACKEND = os.environ.get("MAIL_BACKEND", "file")


class TestConfig(Config):
    """The test suite: a database chosen by the fixtures, fast hashing."""

    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key-not-for-production"  # noqa: S105
    SESSION_COOKIE_SECURE = False
    REMEMBER_COOKIE_SECURE = False
    WTF_CSRF_SSL_STRICT = False
    MAIL_BACKEND = "smtp"
    SMTP_PORT = 0
    # Cheap Argon2 parameters keep the suite fast; production uses the defaults.
    ARGON2_TIME_COST = 1
    ARGON2_MEMORY_COST = 8
    ARGON2_PARALLELISM = 1
    # Figures must follow every change a test makes.
    AGGREGATE_CACHE_SECONDS = 0
