"""Rows the event report and study-tour tests share."""

import secrets
from datetime import UTC, datetime, timedelta

from envoycrm.extensions import db
from envoycrm.models import (
    Event,
    EventKind,
    EventRegistration,
    EventStatus,
    RegistrationStatus,
    TourStatus,
    registration_search_text,
)


def make_event(host, **fields) -> Event:
    """An event hosted by ``host``, ten days ago unless told, in London time."""
    starts = fields.pop("starts_at", datetime.now(UTC) - timedelta(days=10))
    values = {
        "kind": EventKind.TALENT_FAIR,
        "title_en": "Talent Fair",
        "title_zh": "人才招聘会",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=6),
        "time_zone": "Europe/London",
        "status": EventStatus.HELD,
        "host_id": host.id,
        "public_token": secrets.token_hex(16),
        "capacity": None,
    }
    values.update(fields)
    event = Event(**values)
    db.session.add(event)
    db.session.commit()
    return event


def register(event, student=None, **fields) -> EventRegistration:
    """A registration for ``event``, of ``student`` when given."""
    email = fields.pop("email", None) or (
        student.email if student is not None else f"{secrets.token_hex(4)}@x.org"
    )
    name = fields.pop("name_latin", student.name_latin if student else "New Person")
    values = {
        "event_id": event.id,
        "student_id": student.id if student is not None else None,
        "name_latin": name,
        "email": email,
        "search_text": registration_search_text(name, None, email),
        "language": "en",
        "status": RegistrationStatus.REGISTERED,
        "token": secrets.token_hex(16),
        "university_id": student.university_id if student is not None else None,
    }
    if event.kind is EventKind.STUDY_TOUR:
        values["tour_status"] = TourStatus.APPLIED
    values.update(fields)
    registration = EventRegistration(**values)
    db.session.add(registration)
    db.session.commit()
    return registration
