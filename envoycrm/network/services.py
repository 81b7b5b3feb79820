"""Domain functions for managing envoys and employer staff."""

from dataclasses import dataclass

from sqlalchemy import Row, Select, func, or_, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import flag_modified
from wtforms import SelectChoice

from envoycrm import audit
from envoycrm.auth.services import normalise_email, send_invitation
from envoycrm.auth.session import revoke_all_sessions
from envoycrm.database import check_version
from envoycrm.extensions import db
from envoycrm.i18n import country_name
from envoycrm.mail import MailError
from envoycrm.models import (
    Employer,
    EmployerKind,
    EnvoyProfile,
    EnvoyStatus,
    Role,
    University,
    User,
)
from envoycrm.models.users import new_session_token

USER_FIELDS = ("full_name", "email", "locale", "timezone")
ENVOY_USER_FIELDS = (*USER_FIELDS, "name_hanzi")
ENVOY_FIELDS = (
    "university_id",
    "programme",
    "degree",
    "expected_graduation",
    "recruited_on",
    "status",
)


class EmailTaken(ValueError):
    """Another account already uses this email."""


@dataclass
class EnvoyFilter:
    """What the envoy list is narrowed to."""

    q: str = ""
    status: EnvoyStatus | None = None
    country: str | None = None
    include_inactive: bool = False


def envoy_query(filters: EnvoyFilter) -> Select:
    """Envoys matching ``filters``, with their university, sorted by name."""
    query = (
        select(User)
        .join(EnvoyProfile, EnvoyProfile.user_id == User.id)
        .join(University, University.id == EnvoyProfile.university_id)
        .where(User.role == Role.ENVOY)
        .options(selectinload(User.envoy_profile).selectinload(EnvoyProfile.university))
        .order_by(User.full_name, User.id)
    )
    if not filters.include_inactive:
        query = query.where(User.active.is_(True))
    if filters.status is not None:
        query = query.where(EnvoyProfile.status == filters.status)
    if filters.country:
        query = query.where(University.country_code == filters.country)
    if filters.q:
        like = f"%{filters.q.lower()}%"
        query = query.where(
            or_(
                func.lower(User.full_name).like(like),
                User.name_hanzi.like(f"%{filters.q}%"),
                func.lower(User.email).like(like),
                func.lower(University.name_en).like(like),
                University.name_zh.like(f"%{filters.q}%"),
            )
        )
    return query


def employer_user_query(q: str = "", include_inactive: bool = False) -> Select:
    """Employer staff, optionally searched by name, email or organisation."""
    query = (
        select(User)
        .join(Employer, Employer.id == User.employer_id)
        .where(User.role == Role.EMPLOYER)
        .options(selectinload(User.employer))
        .order_by(Employer.name_en, User.full_name)
    )
    if not include_inactive:
        query = query.where(User.active.is_(True))
    if q:
        like = f"%{q.lower()}%"
        query = query.where(
            or_(
                func.lower(User.full_name).like(like),
                func.lower(User.email).like(like),
                func.lower(Employer.name_en).like(like),
                Employer.name_zh.like(f"%{q}%"),
            )
        )
    return query


def employer_query(q: str = "", kind: EmployerKind | None = None) -> Select:
    """Employer organisations, optionally searched and filtered by kind."""
    query = select(Employer).order_by(Employer.name_en)
    if kind is not None:
        query = query.where(Employer.kind == kind)
    if q:
        like = f"%{q.lower()}%"
        query = query.where(
            or_(
                func.lower(Employer.name_en).like(like), Employer.name_zh.like(f"%{q}%")
            )
        )
    return query


def university_rows() -> list[Row]:
    """Every university's id, names and country code (a few hundred rows)."""
    return list(
        db.session.execute(
            select(
                University.id,
                University.name_en,
                University.name_zh,
                University.country_code,
            )
        )
    )


def university_choices(
    locale: str, rows: list[Row] | None = None
) -> list[SelectChoice]:
    """Universities as form choices named in ``locale``, grouped by country
    (``rows`` from ``university_rows`` when the caller has read them)."""
    zh = str(locale).startswith("zh")  # as University.name_for
    named = [
        SelectChoice(
            u.id, u.name_zh if zh else u.name_en, optgroup=country_name(u.country_code)
        )
        for u in (university_rows() if rows is None else rows)
    ]
    return sorted(named, key=lambda choice: (choice.optgroup, choice.label))


def employer_choices(locale: str) -> list[SelectChoice]:
    """Employers as form choices, named in ``locale``."""
    rows = db.session.execute(
        select(Employer.id, Employer.name_en, Employer.name_zh)
    ).all()
    zh = str(locale).startswith("zh")
    named = [SelectChoice(r.id, r.name_zh if zh else r.name_en) for r in rows]
    return sorted(named, key=lambda choice: choice.label)


def _ensure_email_free(email: str, user_id: int | None = None) -> str:
    email = normalise_email(email)
    query = select(User.id).where(User.email == email)
    if user_id is not None:
        query = query.where(User.id != user_id)
    if db.session.scalar(query) is not None:
        raise EmailTaken(email)
    return email


def _apply(obj, data: dict, fields: tuple[str, ...]) -> list[str]:
    """Copy ``fields`` from ``data`` onto ``obj``; return the names that changed."""
    changed = []
    for name in fields:
        value = data[name]
        if getattr(obj, name) != value:
            setattr(obj, name, value)
            changed.append(name)
    return changed


def invite(user: User) -> bool:
    """Send (or resend) the invitation; False when mail could not be sent."""
    try:
        send_invitation(user)
    except MailError:
        audit.record("user.invitation_failed", "user", user.id)
        return False
    audit.record("user.invited", "user", user.id)
    return True


def create_envoy(data: dict) -> User:
    """Create an envoy account with its profile (not yet committed)."""
    user = User(role=Role.ENVOY, email=_ensure_email_free(data["email"]))
    _apply(user, {**data, "email": user.email}, ENVOY_USER_FIELDS)
    user.envoy_profile = EnvoyProfile()
    _apply(user.envoy_profile, data, ENVOY_FIELDS)
    db.session.add(user)
    db.session.flush()
    audit.record("envoy.create", "user", user.id)
    return user


def create_employer_user(data: dict) -> User:
    """Create an account for an employer's staff member (not yet committed)."""
    user = User(role=Role.EMPLOYER, email=_ensure_email_free(data["email"]))
    _apply(user, {**data, "email": user.email}, USER_FIELDS)
    user.employer_id = data["employer_id"]
    db.session.add(user)
    db.session.flush()
    audit.record("employer_user.create", "user", user.id)
    return user


def update_envoy(user: User, data: dict, expected_version: int | None) -> list[str]:
    """Apply an edit, refusing it if someone saved the envoy since it was loaded."""
    check_version(user, expected_version)
    data = {**data, "email": _ensure_email_free(data["email"], user.id)}
    changed = _apply(user, data, ENVOY_USER_FIELDS)
    changed += _apply(user.envoy_profile, data, ENVOY_FIELDS)
    _touch(user)
    audit.record("envoy.update", "user", user.id, fields=changed)
    return changed


def update_employer_user(
    user: User, data: dict, expected_version: int | None
) -> list[str]:
    """Apply an edit to an employer user, with the same stale-edit check."""
    check_version(user, expected_version)
    data = {**data, "email": _ensure_email_free(data["email"], user.id)}
    changed = _apply(user, data, (*USER_FIELDS, "employer_id"))
    _touch(user)
    audit.record("employer_user.update", "user", user.id, fields=changed)
    return changed


def _touch(user: User) -> None:
    """Force an UPDATE of the user row so its version moves even when only
    the profile changed; the versioned UPDATE also catches a race with a
    concurrent save."""
    flag_modified(user, "full_name")


def set_active(user: User, active: bool) -> None:
    """Deactivate (or reactivate) an account; deactivation signs it out."""
    user.active = active
    if not active:
        user.session_token = new_session_token()
        revoke_all_sessions(user)
    audit.record("user.activate" if active else "user.deactivate", "user", user.id)
