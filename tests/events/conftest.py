"""Form data for the events tests (shared with the cross-cutting suites), and
registrations made directly, in any state (attended, applied), for reports."""

import secrets
import uuid
from datetime import date, timedelta

from sqlalchemy import select

from envoycrm.extensions import db
from envoycrm.models import (
    ConsentScope,
    Event,
    EventKind,
    EventRegistration,
    RegistrationStatus,
    TourStatus,
    User,
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


def hosted_event(envoy: User) -> Event:
    """A published info session ``envoy`` hosts (made once)."""
    from tests.conftest import Factory

    event = db.session.scalar(select(Event).where(Event.host_id == envoy.id).limit(1))
    return event or Factory().event(envoy)


def registrant_of(event: Event) -> EventRegistration:
    """Someone registered for ``event`` who agreed to be shared with
    employers, so booth staff may find them too (made once)."""
    from tests.conftest import Factory

    found = db.session.scalar(
        select(EventRegistration).where(EventRegistration.event_id == event.id).limit(1)
    )
    return found or Factory().registration(event, consent_scope=ConsentScope.EMPLOYERS)


def walk_in_data(university_id: int | None, **fields) -> dict:
    """A valid walk-in at the door: the quick log's fields and consent."""
    data = {
        "name_latin": "Ma Chao",
        "name_hanzi": "马超",
        "email": f"ma.chao.{uuid.uuid4().hex[:8]}@uni.example.org",
        "university_id": str(university_id),
        "field": "MATERIALS",
        "degree": "PHD",
        "consent_scope": "BUREAU",
        "consent_method": "IN_PERSON",
        "notice_language": "en",
        "idempotency_key": uuid.uuid4().hex,
    }
    data.update(fields)
    return data


def fair_of(coordinator: User) -> Event:
    """A published talent fair (made once)."""
    from envoycrm.models import EventKind
    from tests.conftest import Factory

    fair = db.session.scalar(
        select(Event).where(Event.kind == EventKind.TALENT_FAIR).limit(1)
    )
    return fair or Factory().event(coordinator, kind=EventKind.TALENT_FAIR)


def booth_of(people: dict, approved: bool = True):
    """The employer's registration for the fair, approved unless told."""
    from envoycrm.events import booths

    fair = fair_of(people["coordinator"])
    booth, _ = booths.register_employer(fair, people["employer"], [], [], "")
    if approved:
        booths.decide(booth, people["coordinator"], approve=True)
    db.session.commit()
    return booth


def attended_registrant(event: Event, host: User) -> EventRegistration:
    """Someone registered for ``event`` and checked in (made once)."""
    from envoycrm.events import attendance

    registration = registrant_of(event)
    attendance.check_in(registration, host)
    db.session.commit()
    return registration


def wishes_path(people: dict) -> str:
    """A fair registrant's own signed link to the page of their wishes."""
    from envoycrm.events import tokens

    registrant = registrant_of(fair_of(people["coordinator"]))
    return "/e/wishes/" + tokens.sign(registrant.token, tokens.CANCEL)


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
