"""Demo events: last autumn's talent fair and two study tours for founders.

The fair is the programme's as reported: every demo employer takes a booth
(129 private, 34 universities and institutes, 27 SOEs, the rest other), with
booth staff and the openings it brings; about 3,000 students register (most
through their envoy's link), about 1,800 come, mark the employers they want
to meet beforehand and are met at the booths. The fair is the same size at
every scale: a real fair does not grow with the database (the stress scale
then shows an event page with 3,000 registrants among ten times the rest).

Two study tours for returnee founders: one held in the spring (applied,
selected, attended; each selected founder's start-up interest is in their
intention history) and one open for applications.

Deterministic (fixed seeds, fixed dates), idempotent (each event is looked
up by its English title) and written with Core inserts in chunks.
"""

import random
from datetime import UTC, date, datetime, timedelta

from sqlalchemy import func, insert, select, text, update

from envoycrm.demo.students import NOTICE_VERSION
from envoycrm.extensions import db
from envoycrm.models import (
    BoothMeeting,
    BoothStaff,
    ConsentScope,
    Employer,
    Event,
    EventInvitation,
    EventKind,
    EventLink,
    EventRegistration,
    EventStatus,
    FairEmployerRegistration,
    FairRegistrationStatus,
    FairWish,
    Intention,
    IntentionLevel,
    InterestLevel,
    InterestSource,
    JobInterest,
    JobOpening,
    OpeningStatus,
    RegistrationStatus,
    Role,
    Student,
    TourStatus,
    User,
    registration_search_text,
)
from envoycrm.models.base import table_of
from envoycrm.models.events import fair_openings

SEED = 20261024
CHUNK = 1_000
FAIR_TITLE = "Qingdao Overseas Talent Fair 2026"
FAIR_STARTS = datetime(2026, 10, 24, 1, 0, tzinfo=UTC)  # 09:00 in Qingdao
FAIR_REGISTRANTS = 3_000
FAIR_KNOWN = 2_700  # registrants who are demo students; the rest are new
FAIR_ATTENDED = 1_800
FAIR_CANCELLED = 150
TOURS = (
    # (title en, title zh, start, status, applicants, selected, attended)
    (
        "Returnee Founders Study Tour: Marine Economy",
        "海归创业者研学之旅：海洋经济",
        datetime(2026, 5, 18, 1, 0, tzinfo=UTC),
        EventStatus.HELD,
        120,
        30,
        27,
    ),
    (
        "Returnee Founders Study Tour: Laoshan Innovation Parks",
        "海归创业者研学之旅：崂山创新园区",
        datetime(2027, 3, 22, 1, 0, tzinfo=UTC),
        EventStatus.PUBLISHED,
        80,
        20,
        0,
    ),
)


def load_fair_and_tours(report, scale: int = 1) -> None:
    """Add the demo fair and study tours that are missing; commits.

    ``scale`` is accepted like the other loaders' but changes nothing: the
    fair and the tours are the size of the real ones at every scale.
    """
    del scale
    coordinators = list(
        db.session.scalars(
            select(User.id).where(User.role == Role.COORDINATOR).order_by(User.id)
        )
    )
    if not coordinators or db.session.scalar(select(Student.id).limit(1)) is None:
        return
    titles = set(db.session.scalars(select(Event.title_en)))
    if FAIR_TITLE not in titles:
        _load_fair(report, coordinators[0], random.Random(SEED))
    for index, tour in enumerate(TOURS):
        if tour[0] not in titles:
            _load_tour(report, tour, coordinators, random.Random(SEED + 10 + index))
    _reset_sequences()
    db.session.commit()


class _Ids:
    """Primary keys assigned here, so bulk rows can point at each other."""

    def __init__(self, model) -> None:
        self.next = (db.session.scalar(select(func.max(model.id))) or 0) + 1

    def take(self) -> int:
        value = self.next
        self.next += 1
        return value


def _token(rng: random.Random) -> str:
    return f"{rng.getrandbits(128):032x}"


def _fair_event(host_id: int, rng: random.Random) -> Event:
    event = Event(
        kind=EventKind.TALENT_FAIR,
        title_en=FAIR_TITLE,
        title_zh="2026青岛海外人才招聘会",
        description_en=(
            "The city's annual fair: about 205 employers (private enterprises, "
            "universities and institutes, state-owned enterprises) meet "
            "overseas students and returnees. Policy express desks for housing, "
            "research funding and start-up support."
        ),
        description_zh=(
            "一年一度的城市人才招聘会：约205家用人单位（民营企业、高校及科研院所、"
            "国有企业）与海外学子及归国人才面对面。现场设有住房补贴、科研经费和创业"
            "扶持的政策直通车服务台。"
        ),
        starts_at=FAIR_STARTS,
        ends_at=FAIR_STARTS + timedelta(hours=8),
        time_zone="Asia/Shanghai",
        place="Qingdao International Convention Center, Laoshan",
        capacity=None,
        registration_deadline=date(2026, 10, 22),
        status=EventStatus.HELD,
        host_id=host_id,
        university_id=None,
        public_token=_token(rng),
        created_by_id=host_id,
        created_at=datetime(2026, 8, 20, 2, 0, tzinfo=UTC),
        published_at=datetime(2026, 9, 1, 2, 0, tzinfo=UTC),
    )
    db.session.add(event)
    db.session.flush()
    return event


def _load_fair(report, host_id: int, rng: random.Random) -> None:
    event = _fair_event(host_id, rng)
    report.count("events")
    booths = _load_booths(report, event, host_id, rng)
    registrations = _load_fair_registrations(report, event, host_id, rng)
    _load_wishes_and_meetings(report, booths, registrations, rng)


def _load_booths(report, event: Event, host_id: int, rng: random.Random) -> list:
    """Every demo employer, approved, with staff and up to three openings."""
    employers = db.session.execute(
        select(Employer.id, Employer.name_en).order_by(Employer.id)
    ).all()
    staff_user = dict(
        db.session.execute(
            select(User.employer_id, func.min(User.id))
            .where(User.role == Role.EMPLOYER)
            .group_by(User.employer_id)
        ).all()
    )
    openings: dict[int, list[int]] = {}
    for opening_id, employer_id in db.session.execute(
        select(JobOpening.id, JobOpening.employer_id)
        .where(JobOpening.status.in_((OpeningStatus.OPEN, OpeningStatus.CLOSED)))
        .order_by(JobOpening.id)
    ):
        openings.setdefault(employer_id, []).append(opening_id)
    decided = datetime(2026, 9, 20, 2, 0, tzinfo=UTC)
    booths = []
    links = []
    for index, (employer_id, _name) in enumerate(employers):
        booth = FairEmployerRegistration(
            event_id=event.id,
            employer_id=employer_id,
            status=FairRegistrationStatus.APPROVED,
            booth=f"{'ABCDEFGH'[index // 30]}{index % 30 + 1:02d}",
            decided_by_id=host_id,
            decided_at=decided,
            created_at=decided - timedelta(days=rng.randrange(5, 30)),
        )
        for n in range(rng.choice((1, 2, 2, 3))):
            booth.staff.append(
                BoothStaff(
                    user_id=staff_user.get(employer_id) if n == 0 else None,
                    name=f"{rng.choice(_SURNAMES)} {rng.choice(_GIVEN)}",
                )
            )
            report.count("booth staff")
        db.session.add(booth)
        booths.append(booth)
    db.session.flush()
    for booth in booths:
        brought = openings.get(booth.employer_id, [])[:3]
        links += [{"fair_registration_id": booth.id, "opening_id": o} for o in brought]
    if links:
        db.session.execute(insert(fair_openings), links)
    report.count("fair employer registrations", len(booths))
    report.count("fair openings", len(links))
    return [
        (
            booth.id,
            booth.employer_id,
            openings.get(booth.employer_id, [])[:3],
            staff_user.get(booth.employer_id),
        )
        for booth in booths
    ]


_SURNAMES = ("Wang", "Li", "Zhang", "Liu", "Chen", "Yang", "Zhao", "Huang", "Zhou")
_GIVEN = ("Min", "Jing", "Lei", "Fang", "Tao", "Yan", "Hui", "Qiang", "Xin")


def _students(count: int, step: int | None = None, offset: int = 0) -> list:
    """``count`` demo students, every ``step``-th by id (by default spread
    evenly over the whole table), starting at ``offset``."""
    if step is None:
        total = db.session.scalar(select(func.count(Student.id))) or 0
        step = max(1, total // (count + count // 10))
    return list(
        db.session.execute(
            select(
                Student.id,
                Student.owner_id,
                Student.university_id,
                Student.email,
                Student.name_latin,
                Student.name_hanzi,
                Student.consent_scope,
                Student.intention_level,
            )
            .where(Student.id % step == offset % step)
            .order_by(Student.id)
            .limit(count)
        ).all()
    )


def _links(report, event_id: int, envoy_ids, rng: random.Random) -> dict[int, int]:
    """Each crediting envoy's registration link for the event, by envoy id."""
    links = {}
    for envoy_id in sorted(envoy_ids):
        link = EventLink(
            event_id=event_id,
            envoy_id=envoy_id,
            token=_token(rng),
            views=rng.randrange(20, 200),
            created_at=datetime(2026, 9, 2, 8, 0, tzinfo=UTC),
        )
        db.session.add(link)
        links[envoy_id] = link
    db.session.flush()
    report.count("event links", len(links))
    return {envoy_id: link.id for envoy_id, link in links.items()}


def _load_fair_registrations(
    report, event: Event, host_id: int, rng: random.Random
) -> list[dict]:
    students = _students(FAIR_KNOWN)
    # Most registered through the envoy who knows them; a few by the public link.
    credited = [s.owner_id if rng.random() < 0.8 else None for s in students]
    link_ids = _links(report, event.id, {c for c in credited if c}, rng)
    opened = datetime(2026, 9, 2, 1, 0, tzinfo=UTC)
    ids = _Ids(EventRegistration)
    statuses = (
        [RegistrationStatus.ATTENDED] * FAIR_ATTENDED
        + [RegistrationStatus.CANCELLED] * FAIR_CANCELLED
        + [RegistrationStatus.REGISTERED]
        * (FAIR_REGISTRANTS - FAIR_ATTENDED - FAIR_CANCELLED)
    )
    rng.shuffle(statuses)
    rows, seen = [], set()
    for n in range(FAIR_REGISTRANTS):
        student = students[n] if n < len(students) else None
        if student is not None:
            latin, hanzi, email = student.name_latin, student.name_hanzi, student.email
            envoy_id = credited[n]
            university_id = student.university_id
            scope = student.consent_scope or ConsentScope.BUREAU
        else:
            latin = f"{rng.choice(_SURNAMES)} {rng.choice(_GIVEN)}"
            hanzi, email, envoy_id, university_id = None, None, None, None
            scope = rng.choice((ConsentScope.BUREAU, ConsentScope.EMPLOYERS))
        email = (email or "").lower()
        if not email or email in seen:
            email = f"fair{n + 1:04d}@students.example.com"
        seen.add(email)
        queued = opened + timedelta(minutes=rng.randrange(0, 50 * 24 * 60))
        status = statuses[n]
        attended = status is RegistrationStatus.ATTENDED
        rows.append(
            {
                "id": ids.take(),
                "event_id": event.id,
                "student_id": student.id if student is not None else None,
                "name_latin": latin,
                "name_hanzi": hanzi,
                "email": email,
                "wechat_id": None,
                "university_id": university_id,
                "university_name_typed": None,
                "search_text": registration_search_text(latin, hanzi, email),
                "language": "en" if n % 5 == 0 else "zh_Hans",
                "consent_at": queued,
                "consent_notice_version": NOTICE_VERSION,
                "consent_scope": scope,
                "credited_envoy_id": envoy_id,
                "link_id": link_ids.get(envoy_id) if envoy_id else None,
                "status": status,
                "queued_at": queued,
                "token": _token(rng),
                "attended_at": FAIR_STARTS + timedelta(minutes=rng.randrange(0, 420))
                if attended
                else None,
                "checked_in_by_id": host_id if attended else None,
                "walk_in": False,
                "cancelled_at": queued + timedelta(days=3)
                if status is RegistrationStatus.CANCELLED
                else None,
                "created_at": queued,
                "updated_at": queued,
                "version": 1,
            }
        )
    _insert(EventRegistration, rows)
    report.count("event registrations", len(rows))
    _load_invitations(report, event.id, rows, rng)
    return rows


def _load_invitations(report, event_id: int, rows: list[dict], rng) -> None:
    """Envoys invited most of the students who came through them, and others."""
    invited_on = datetime(2026, 9, 5, 9, 0, tzinfo=UTC)
    chosen = {
        r["student_id"]: r["credited_envoy_id"]
        for r in rows
        if r["student_id"] and r["credited_envoy_id"] and rng.random() < 0.85
    }
    # Students invited who did not register: the funnel's first narrowing.
    registered = {r["student_id"] for r in rows if r["student_id"]}
    others = db.session.execute(
        select(Student.id, Student.owner_id)
        .where(Student.id % 11 == 3)
        .order_by(Student.id)
        .limit(1_500)
    ).all()
    for student_id, owner_id in others:
        if student_id not in registered:
            chosen[student_id] = owner_id
    ids = _Ids(EventInvitation)
    invitations = [
        {
            "id": ids.take(),
            "event_id": event_id,
            "student_id": student_id,
            "envoy_id": envoy_id,
            "interaction_id": None,
            "invited_at": invited_on + timedelta(hours=rng.randrange(0, 400)),
        }
        for student_id, envoy_id in sorted(chosen.items())
    ]
    _insert(EventInvitation, invitations)
    report.count("event invitations", len(invitations))


def _load_wishes_and_meetings(report, booths, rows: list[dict], rng) -> None:
    wish_ids, meeting_ids = _Ids(FairWish), _Ids(BoothMeeting)
    wishes, meetings, interests = [], [], []
    taken: set[tuple[int, int]] = {
        (student_id, opening_id)
        for student_id, opening_id in db.session.execute(
            select(JobInterest.student_id, JobInterest.opening_id)
        )
    }
    interest_ids = _Ids(JobInterest)
    for row in rows:
        if row["status"] is RegistrationStatus.CANCELLED:
            continue
        wished = rng.sample(booths, rng.choice((0, 0, 1, 2, 3, 4)))
        for booth in wished:
            wishes.append(
                {
                    "id": wish_ids.take(),
                    "registration_id": row["id"],
                    "fair_registration_id": booth[0],
                    "created_at": row["queued_at"] + timedelta(days=1),
                }
            )
        if row["status"] is not RegistrationStatus.ATTENDED:
            continue
        met = wished[: rng.choice((0, 1, 1, 2))]
        met += rng.sample(booths, rng.choice((0, 1, 1, 2)))
        for booth in {b[0]: b for b in met}.values():
            booth_id, _employer_id, openings, staff_id = booth
            opening = rng.choice(openings) if openings and rng.random() < 0.7 else None
            level = rng.choices(list(InterestLevel), weights=(3, 4, 3))[0]
            met_at = row["attended_at"] + timedelta(minutes=rng.randrange(5, 90))
            meetings.append(
                {
                    "id": meeting_ids.take(),
                    "fair_registration_id": booth_id,
                    "registration_id": row["id"],
                    "student_id": row["student_id"],
                    "opening_id": opening,
                    "interest": level,
                    "notes": "",
                    "recorded_by_id": staff_id,
                    "task_id": None,
                    "met_at": met_at,
                }
            )
            student_id = row["student_id"]
            # Some followed up within the month: a student became a candidate.
            if (
                student_id
                and opening
                and level is InterestLevel.HIGH
                and row["consent_scope"] is ConsentScope.EMPLOYERS
                and (student_id, opening) not in taken
            ):
                taken.add((student_id, opening))
                interests.append(
                    {
                        "id": interest_ids.take(),
                        "student_id": student_id,
                        "opening_id": opening,
                        "push_id": None,
                        "source": InterestSource.COORDINATOR,
                        "created_at": met_at + timedelta(days=rng.randrange(0, 25)),
                    }
                )
    _insert(FairWish, wishes)
    _insert(BoothMeeting, meetings)
    _insert(JobInterest, interests)
    report.count("fair wishes", len(wishes))
    report.count("booth meetings", len(meetings))
    report.count("job interests from the fair", len(interests))


def _load_tour(report, tour, coordinators: list[int], rng: random.Random) -> None:
    title_en, title_zh, starts, status, applicants, selected, attended = tour
    host_id = coordinators[1 % len(coordinators)]
    event = Event(
        kind=EventKind.STUDY_TOUR,
        title_en=title_en,
        title_zh=title_zh,
        description_en=(
            "Three days with the city's incubators, investors and the start-up "
            "support desk, for overseas founders thinking of coming back."
        ),
        description_zh="三天走访城市孵化器、投资机构和创业扶持服务窗口，面向有意回国创业的海外学子。",
        starts_at=starts,
        ends_at=starts + timedelta(days=2, hours=9),
        time_zone="Asia/Shanghai",
        place="Qingdao, Laoshan Science City",
        capacity=selected,
        registration_deadline=(starts - timedelta(days=45)).date(),
        status=status,
        host_id=host_id,
        public_token=_token(rng),
        created_by_id=host_id,
        created_at=starts - timedelta(days=120),
        published_at=starts - timedelta(days=100),
    )
    db.session.add(event)
    db.session.flush()
    report.count("events")
    opened = starts - timedelta(days=100)
    # Applicants: PhDs and masters near graduation, a few each from many envoys.
    offset = rng.randrange(1, 50)
    students = _students(applicants, 97, offset)
    ids = _Ids(EventRegistration)
    decided = starts - timedelta(days=30)
    rows, intentions = [], []
    intention_ids = _Ids(Intention)
    for n, student in enumerate(students):
        if n < attended:
            tour_status = TourStatus.ATTENDED
        elif n < selected:
            tour_status = TourStatus.SELECTED
        elif status is EventStatus.HELD:
            tour_status = TourStatus.NOT_SELECTED
        else:
            tour_status = TourStatus.APPLIED
        if status is not EventStatus.HELD and n < selected:
            tour_status = TourStatus.APPLIED if n % 2 else TourStatus.SELECTED
        queued = opened + timedelta(hours=rng.randrange(1, 1_200))
        email = (student.email or f"tour{event.id}-{n}@students.example.com").lower()
        went = tour_status is TourStatus.ATTENDED
        undecided = tour_status is TourStatus.APPLIED
        rows.append(
            {
                "id": ids.take(),
                "event_id": event.id,
                "student_id": student.id,
                "name_latin": student.name_latin,
                "name_hanzi": student.name_hanzi,
                "email": email,
                "wechat_id": None,
                "university_id": student.university_id,
                "university_name_typed": None,
                "search_text": registration_search_text(
                    student.name_latin, student.name_hanzi, email
                ),
                "language": "en" if n % 4 == 0 else "zh_Hans",
                "consent_at": queued,
                "consent_notice_version": NOTICE_VERSION,
                "consent_scope": student.consent_scope or ConsentScope.BUREAU,
                "credited_envoy_id": student.owner_id,
                "link_id": None,
                "status": RegistrationStatus.ATTENDED
                if went
                else RegistrationStatus.REGISTERED,
                "queued_at": queued,
                "token": _token(rng),
                "attended_at": starts + timedelta(hours=1) if went else None,
                "checked_in_by_id": host_id if went else None,
                "walk_in": False,
                "tour_status": tour_status,
                "tour_decided_at": None if undecided else decided,
                "tour_decided_by_id": None if undecided else host_id,
                "cancelled_at": None,
                "created_at": queued,
                "updated_at": queued,
                "version": 1,
            }
        )
        if tour_status in (TourStatus.SELECTED, TourStatus.ATTENDED):
            intentions.append(
                {
                    "id": intention_ids.take(),
                    "student_id": student.id,
                    "recorded_by_id": host_id,
                    "recorded_at": decided,
                    "level": student.intention_level or IntentionLevel.CONSIDERING,
                    "target_sectors": [],
                    "preferred_roles": None,
                    "earliest_start": None,
                    "salary_expectation": None,
                    "startup_interest": True,
                    "notes": f"Selected for the study tour: {title_en}",
                }
            )
    _insert(EventRegistration, rows)
    _insert(Intention, intentions)
    # A selected founder without an intention before has one now: their level
    # is the new intention's, as ``record_intention`` keeps it.
    first_timers = [row["student_id"] for row in intentions]
    for start in range(0, len(first_timers), CHUNK):
        db.session.execute(
            update(Student)
            .where(
                Student.id.in_(first_timers[start : start + CHUNK]),
                Student.intention_level.is_(None),
            )
            .values(intention_level=IntentionLevel.CONSIDERING)
        )
    report.count("study tour applications", len(rows))
    report.count("intentions", len(intentions))


def _insert(model, rows: list[dict]) -> None:
    for start in range(0, len(rows), CHUNK):
        db.session.execute(insert(table_of(model)), rows[start : start + CHUNK])


_TABLES = (
    "events",
    "event_links",
    "event_registrations",
    "event_invitations",
    "fair_employer_registrations",
    "booth_staff",
    "fair_wishes",
    "booth_meetings",
    "job_interests",
    "intentions",
)


def _reset_sequences() -> None:
    """PostgreSQL: move each id sequence past the ids we assigned ourselves."""
    if db.session.get_bind().dialect.name != "postgresql":
        return
    for name in _TABLES:  # ours, never user input
        sql = f"SELECT setval(pg_get_serial_sequence('{name}', 'id'), GREATEST(1, (SELECT COALESCE(MAX(id), 0) FROM {name})))"  # noqa: E501, S608
        db.session.execute(text(sql))
