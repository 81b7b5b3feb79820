"""Who receives which digest, signed unsubscribe tokens, and opting in or out.

Coordinators, admins and employer staff are subscribed unless they opt out
(``User.digest_subscribed``, which defaults to true). The envoy digest is
optional and opt-in: ``digest_subscribed`` also defaults to true for envoys,
so an envoy receives it only once they have turned it on in their settings,
which records a ``digest.subscribe`` audit event. Turning it off (in the
settings or by an unsubscribe link) clears ``digest_subscribed``; the
schema has no separate opt-in column, so the audit trail carries the opt-in.
"""

from flask import current_app
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import Select, exists, select

from envoycrm import audit
from envoycrm.extensions import db
from envoycrm.models import (
    AuditEvent,
    DigestKind,
    Employer,
    EnvoyProfile,
    EnvoyStatus,
    Role,
    User,
)

SUBSCRIBE_ACTION = "digest.subscribe"
UNSUBSCRIBE_ACTION = "digest.unsubscribe"
_LINK_SALT = "envoycrm.digest-unsubscribe"


def _envoy_opted_in():
    """SQL condition: the envoy turned the digest on at least once."""
    return exists().where(
        AuditEvent.action == SUBSCRIBE_ACTION,
        AuditEvent.record_type == "user",
        AuditEvent.record_id == User.id,
    )


def kind_for(user: User) -> DigestKind:
    """The digest a user's role receives."""
    if user.role is Role.EMPLOYER:
        return DigestKind.EMPLOYER
    if user.role is Role.ENVOY:
        return DigestKind.ENVOY
    return DigestKind.BUREAU


def candidates(kind: DigestKind) -> Select:
    """Every active user who could receive ``kind``, subscribed or not."""
    query = select(User).where(User.active.is_(True))
    if kind is DigestKind.BUREAU:
        return query.where(User.role.in_([Role.ADMIN, Role.COORDINATOR]))
    if kind is DigestKind.EMPLOYER:
        return query.where(User.role == Role.EMPLOYER, User.employer_id.is_not(None))
    return query.join(EnvoyProfile, EnvoyProfile.user_id == User.id).where(
        User.role == Role.ENVOY, EnvoyProfile.status == EnvoyStatus.ACTIVE
    )


def recipients(kind: DigestKind) -> Select:
    """The users who are to receive ``kind`` now."""
    query = candidates(kind).where(User.digest_subscribed.is_(True))
    if kind is DigestKind.EMPLOYER:
        query = query.join(Employer, Employer.id == User.employer_id).where(
            Employer.digest_subscribed.is_(True)
        )
    if kind is DigestKind.ENVOY:
        query = query.where(_envoy_opted_in())
    return query


def is_subscribed(user: User, kind: DigestKind | None = None) -> bool:
    """True when ``user`` is to receive ``kind`` (default: their role's digest)."""
    kind = kind or kind_for(user)
    return (
        db.session.scalar(
            recipients(kind).where(User.id == user.id).with_only_columns(User.id)
        )
        is not None
    )


def set_subscription(user: User, subscribed: bool, actor_id: int | None = None) -> bool:
    """Turn the user's digest on or off; True when something changed.

    The caller commits. Each change is audited; the ``digest.subscribe``
    event is also what opts an envoy in.
    """
    if subscribed == is_subscribed(user):
        return False
    user.digest_subscribed = subscribed
    audit.record(
        SUBSCRIBE_ACTION if subscribed else UNSUBSCRIBE_ACTION,
        "user",
        user.id,
        actor_id=actor_id,
    )
    return True


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.config["SECRET_KEY"], salt=_LINK_SALT)


def unsubscribe_token(user: User) -> str:
    """A signed token naming ``user``, for the links in their digests."""
    return _serializer().dumps({"u": user.id})


def user_from_token(token: str) -> User | None:
    """The user a genuine token names, or None for a forged or stale one."""
    try:
        data = _serializer().loads(token)
    except BadSignature:
        return None
    if not isinstance(data, dict) or not isinstance(data.get("u"), int):
        return None
    return db.session.get(User, data["u"])


def unsubscribe(user: User) -> bool:
    """Stop every digest to ``user`` (the one-click link); True if it changed."""
    if not user.digest_subscribed:
        return False
    user.digest_subscribed = False
    audit.record(UNSUBSCRIBE_ACTION, "user", user.id, actor_id=user.id, via="link")
    return True
