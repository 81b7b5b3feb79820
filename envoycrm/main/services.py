"""Figures shown on each role's home page."""

from sqlalchemy import func, select

from envoycrm.extensions import db
from envoycrm.models import (
    EnvoyProfile,
    EnvoyStatus,
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


def returned_share(counts: dict[EnvoyStatus, int]) -> float:
    """The share of envoys who returned to work in the city (0 when none)."""
    total = sum(counts.values())
    return counts[EnvoyStatus.RETURNED] / total if total else 0.0
