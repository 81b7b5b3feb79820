"""The events coming up, as the digests list them.

Coordinators read every published event; an envoy reads the bureau's own
events (the fair, study tours, briefings for everyone), those at their
university and those they host. Drafts and cancelled events are left out.
"""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload

from envoycrm.extensions import db
from envoycrm.models import (
    SEATED_STATUSES,
    EnvoyProfile,
    Event,
    EventRegistration,
    EventStatus,
    Role,
    User,
)

# How far ahead a digest looks: this week and the next.
AHEAD = timedelta(days=14)
LISTED = (EventStatus.PUBLISHED, EventStatus.CLOSED)


@dataclass
class Upcoming:
    """The first events coming up, how many there are, and their seats taken."""

    events: list[Event] = field(default_factory=list)
    total: int = 0
    seats: dict[int, int] = field(default_factory=dict)


def _readable_by(user: User):
    """The events ``user`` reads about in their digest."""
    if user.role is not Role.ENVOY:
        return True
    university = select(EnvoyProfile.university_id).where(
        EnvoyProfile.user_id == user.id
    )
    return or_(
        Event.university_id.is_(None),
        Event.university_id.in_(university.scalar_subquery()),
        Event.host_id == user.id,
    )


def upcoming_events(user: User, since: datetime, limit: int) -> Upcoming:
    """Events starting within ``AHEAD`` of ``since`` for ``user``, soonest first."""
    condition = (
        Event.status.in_(LISTED),
        Event.starts_at >= since,
        Event.starts_at < since + AHEAD,
        _readable_by(user),
    )
    found = Upcoming()
    found.total = db.session.scalar(select(func.count(Event.id)).where(*condition)) or 0
    if not found.total:
        return found
    found.events = list(
        db.session.scalars(
            select(Event)
            .where(*condition)
            .options(selectinload(Event.university))
            .order_by(Event.starts_at, Event.id)
            .limit(limit)
        )
    )
    found.seats = dict(
        db.session.execute(
            select(EventRegistration.event_id, func.count(EventRegistration.id))
            .where(
                EventRegistration.event_id.in_([e.id for e in found.events]),
                EventRegistration.status.in_(SEATED_STATUSES),
            )
            .group_by(EventRegistration.event_id)
        ).all()
    )
    return found
