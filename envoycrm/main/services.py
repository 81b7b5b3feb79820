"""Figures shown on each role's home page."""

from sqlalchemy import func, select

from envoycrm.extensions import db
from envoycrm.models import (
    Employer,
    EmployerKind,
    EnvoyProfile,
    EnvoyStatus,
    Role,
    User,
)


def envoy_counts_by_status() -> dict[EnvoyStatus, int]:
    """How many envoys are in each status (all statuses present, zero if none)."""
    rows = db.session.execute(
        select(EnvoyProfile.status, func.count())
        .join(User, User.id == EnvoyProfile.user_id)
        .where(User.active.is_(True))
        .group_by(EnvoyProfile.status)
    ).all()
    counts = dict.fromkeys(EnvoyStatus, 0)
    counts.update(dict(rows))
    return counts


def employer_counts_by_kind() -> dict[EmployerKind, int]:
    """How many employer organisations there are of each kind."""
    rows = db.session.execute(
        select(Employer.kind, func.count()).group_by(Employer.kind)
    ).all()
    counts = dict.fromkeys(EmployerKind, 0)
    counts.update(dict(rows))
    return counts


def user_counts_by_role() -> dict[Role, int]:
    """How many active users hold each role."""
    rows = db.session.execute(
        select(User.role, func.count()).where(User.active.is_(True)).group_by(User.role)
    ).all()
    counts = dict.fromkeys(Role, 0)
    counts.update(dict(rows))
    return counts


def returned_share(counts: dict[EnvoyStatus, int]) -> float:
    """The share of envoys who returned to work in the city (0 when none)."""
    total = sum(counts.values())
    return counts[EnvoyStatus.RETURNED] / total if total else 0.0
