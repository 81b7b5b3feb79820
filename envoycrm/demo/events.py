"""Demo events: a year of envoys' info sessions and online briefings.

Around the demo's reference day (``students.TODAY``), each university's
envoys hold sessions every few months, at 18:00 in the university's own zone;
past ones are held with most of their registrants attended, coming ones are
open for registration. Registrants are the host envoy's own students,
credited to them. The talent fair and study tours are loaded apart.
Deterministic (fixed seed and day) and idempotent (nothing is added when
events exist); written with Core inserts.
"""

import random
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import insert, select

from envoycrm.demo.students import TODAY
from envoycrm.extensions import db
from envoycrm.models import (
    ConsentScope,
    EnvoyProfile,
    EnvoyStatus,
    Event,
    EventKind,
    EventRegistration,
    EventStatus,
    RegistrationStatus,
    Student,
    University,
    registration_search_text,
)
from envoycrm.models.base import table_of

SEED = 20261204
# Sessions per university per unit of scale, over the year around TODAY.
SESSIONS_PER_UNIVERSITY = 3
# The zone of each demo country (one per country: where most universities are).
ZONES = {
    "GB": "Europe/London",
    "US": "America/New_York",
    "AU": "Australia/Sydney",
    "NZ": "Pacific/Auckland",
    "CA": "America/Toronto",
    "DE": "Europe/Berlin",
    "FR": "Europe/Paris",
    "NL": "Europe/Amsterdam",
    "IT": "Europe/Rome",
    "ES": "Europe/Madrid",
    "SE": "Europe/Stockholm",
    "CH": "Europe/Zurich",
    "IE": "Europe/Dublin",
    "DK": "Europe/Copenhagen",
    "BE": "Europe/Brussels",
    "JP": "Asia/Tokyo",
    "KR": "Asia/Seoul",
    "SG": "Asia/Singapore",
    "MY": "Asia/Kuala_Lumpur",
    "HK": "Asia/Hong_Kong",
    "RU": "Europe/Moscow",
}
TOPICS = (
    (
        "Working in Qingdao: jobs for returning graduates",
        "在青岛工作：留学归国人员就业",
    ),
    ("Qingdao's marine economy and new materials", "青岛海洋经济与新材料产业"),
    ("Starting a company in Qingdao", "在青岛创业"),
    ("Talent policies and housing support", "人才政策与住房补贴"),
)


def load_events(report, scale: int = 1) -> None:
    """Add the demo info sessions and briefings, unless events exist; commits."""
    if db.session.scalar(select(Event.id).limit(1)) is not None:
        return
    hosts = db.session.execute(
        select(EnvoyProfile.user_id, University.id, University.country_code)
        .join(University, University.id == EnvoyProfile.university_id)
        # Active envoys first: they hold a university's sessions when it has one.
        .order_by(
            University.id,
            (EnvoyProfile.status != EnvoyStatus.ACTIVE),
            EnvoyProfile.user_id,
        )
    ).all()
    by_university: dict[int, list] = {}
    for row in hosts:
        by_university.setdefault(row[1], []).append(row)
    rng = random.Random(SEED)
    start_day = TODAY - timedelta(days=300)
    events: list[dict] = []
    for university_id, envoys in sorted(by_university.items()):
        for n in range(SESSIONS_PER_UNIVERSITY * scale):
            host_id, _, country = envoys[n % len(envoys)]
            events.append(
                _event(
                    rng, host_id, university_id, ZONES.get(country, "UTC"), start_day
                )
            )
    db.session.execute(insert(table_of(Event)), events)
    db.session.flush()
    report.count("events", len(events))
    _load_registrations(report, rng)
    db.session.commit()


def _event(rng: random.Random, host_id: int, university_id: int, zone: str, start_day):
    day = start_day + timedelta(days=rng.randrange(0, 365))
    online = rng.random() < 0.25
    starts = datetime.combine(day, time(18, 0), tzinfo=ZoneInfo(zone)).astimezone(UTC)
    title_en, title_zh = rng.choice(TOPICS)
    past = day < TODAY
    return {
        "kind": EventKind.ONLINE_BRIEFING if online else EventKind.INFO_SESSION,
        "title_en": title_en,
        "title_zh": title_zh,
        "description_en": "Envoys and bureau staff on jobs and life in Qingdao.",
        "description_zh": "人才大使和人社局工作人员介绍青岛的工作与生活。",
        "starts_at": starts,
        "ends_at": starts + timedelta(hours=2),
        "time_zone": zone,
        "place": "" if online else "Student Union, Room 2",
        "online_url": "https://meeting.example.org/qingdao" if online else "",
        "capacity": rng.choice((None, 30, 40, 60)),
        "registration_deadline": None,
        "audience_degrees": [],
        "audience_fields": [],
        "audience_countries": [],
        "status": EventStatus.HELD if past else EventStatus.PUBLISHED,
        "host_id": host_id,
        "university_id": university_id,
        # From the seeded generator, so the demo is the same on every load.
        "public_token": f"{rng.getrandbits(128):032x}",
        "created_by_id": host_id,
        "created_at": starts - timedelta(days=21),
        "updated_at": starts - timedelta(days=21),
        "published_at": starts - timedelta(days=21),
        "version": 1,
    }


def _load_registrations(report, rng: random.Random) -> None:
    """The host's own students registered, credited to the host; past ones attended."""
    events = db.session.execute(
        select(Event.id, Event.host_id, Event.starts_at, Event.capacity, Event.status)
        .where(Event.kind.in_((EventKind.INFO_SESSION, EventKind.ONLINE_BRIEFING)))
        .order_by(Event.id)
    ).all()
    students_of: dict[int, list] = {}
    for row in db.session.execute(
        select(
            Student.owner_id,
            Student.id,
            Student.name_latin,
            Student.name_hanzi,
            Student.email,
        ).order_by(Student.owner_id, Student.id)
    ):
        students_of.setdefault(row[0], []).append(row)
    rows: list[dict] = []
    for event_id, host_id, starts, capacity, status in events:
        pool = students_of.get(host_id, [])
        if not pool:
            continue
        wanted = min(len(pool), rng.randint(5, 25), capacity or 1_000)
        for _, student_id, latin, hanzi, email in rng.sample(pool, wanted):
            at = starts - timedelta(days=rng.randint(2, 20), hours=rng.randint(0, 23))
            attended = status is EventStatus.HELD and rng.random() < 0.7
            rows.append(
                {
                    "event_id": event_id,
                    "student_id": student_id,
                    "name_latin": latin,
                    "name_hanzi": hanzi,
                    "email": email,
                    "search_text": registration_search_text(latin, hanzi, email),
                    "language": rng.choice(("zh_Hans", "zh_Hans", "en")),
                    "consent_at": at,
                    "consent_notice_version": "2026-11",
                    "consent_scope": ConsentScope.BUREAU,
                    "credited_envoy_id": host_id,
                    "status": RegistrationStatus.ATTENDED
                    if attended
                    else RegistrationStatus.REGISTERED,
                    "queued_at": at,
                    "token": f"{rng.getrandbits(128):032x}",
                    "attended_at": starts + timedelta(minutes=10) if attended else None,
                    "checked_in_by_id": host_id if attended else None,
                    "walk_in": False,
                    "created_at": at,
                    "updated_at": at,
                    "version": 1,
                }
            )
    for start in range(0, len(rows), 1_000):
        db.session.execute(
            insert(table_of(EventRegistration)), rows[start : start + 1_000]
        )
    report.count("event registrations", len(rows))
