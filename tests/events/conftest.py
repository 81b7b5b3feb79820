"""Form data for the events tests (shared with the cross-cutting suites), and
registrations made directly, in any state (attended, applied), for reports."""

import secrets
from datetime import date, timedelta

from envoycrm.extensions import db
from envoycrm.models import (
    EventKind,
    EventRegistration,
    RegistrationStatus,
    TourStatus,
    registration_search_text,
)


def event_form_data(**overrides) -> dict:
    """A valid event form: an info session at 18:00 London time in ten days."""
    day = date.today() + timedelta(days=10)
    data = {
        "kind": "INFO_SESSION",
        "title_en": "Working in Qingdao",
        "title_zh": "在青岛工作",
        "description_en": "Meet the bureau.",
        "description_zh": "与人社局见面。",
        "time_zone": "Europe/London",
        "starts_at": f"{day.isoformat()}T18:00",
        "ends_at": f"{day.isoformat()}T20:00",
        "place": "University Place, Room 2.1",
        "online_url": "",
        "capacity": "40",
        "registration_deadline": day.isoformat(),
    }
    data.update(overrides)
    return data


def registration_form_data(**overrides) -> dict:
    """A valid public registration, with a university not on the list."""
    data = {
        "name": "Li Na 李娜",
        "email": "li.na@students.example.org",
        "wechat_id": "",
        "university_id": "0",
        "university_typed": "University of Leeds",
        "programme": "MSc Chemistry",
        "field": "CHEMISTRY",
        "degree": "MASTER",
        "expected_graduation": "2027-06",
        "consent": "y",
    }
    data.update(overrides)
    return data


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
