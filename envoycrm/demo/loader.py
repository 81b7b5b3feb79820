"""The demo dataset: deterministic, idempotent, true to the real programme.

Every row is keyed by a natural key (country code, university name, employer
name, email), so a second run finds everything in place and adds nothing.
The fixed sign-ins all use the password ``envoycrm-demo``.
"""

import random
from dataclasses import dataclass, field
from datetime import date, timedelta

from sqlalchemy import func, select

from envoycrm.database import refresh_statistics
from envoycrm.demo import reference
from envoycrm.demo.events import load_events
from envoycrm.demo.fair import load_fair_and_tours
from envoycrm.demo.files import load_files
from envoycrm.demo.jobs import load_jobs
from envoycrm.demo.policies import load_policies
from envoycrm.demo.policy_pushes import load_policy_pushes
from envoycrm.demo.students import load_students
from envoycrm.extensions import db
from envoycrm.models import (
    Country,
    DegreeLevel,
    Employer,
    EmployerKind,
    EnvoyProfile,
    EnvoyStatus,
    Role,
    University,
    User,
)
from envoycrm.security import hash_password

DEMO_PASSWORD = "envoycrm-demo"  # noqa: S105 - published demo password
ENVOY_COUNT = 150
RETURNED_ENVOYS = 30  # the programme's "about 20%"
COORDINATOR_COUNT = 10
SEED = 20251127

FIXED_SIGN_INS = (
    ("admin@example.com", "admin"),
    ("coordinator@example.com", "coordinator"),
    ("envoy@example.com", "envoy (University of Manchester)"),
    ("envoy2@example.com", "envoy (University of Auckland)"),
    ("employer@example.com", "employer (Qingdao Blue Ocean New Materials)"),
)

COUNTRY_TIMEZONES = {
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


@dataclass
class LoadReport:
    """What one run of the demo load added."""

    added: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, n: int = 1) -> None:
        """Note ``n`` new rows of ``kind``."""
        self.added[kind] = self.added.get(kind, 0) + n


def is_empty() -> bool:
    """True when the database has no users at all."""
    return db.session.scalar(select(func.count(User.id))) == 0


def load_demo(scale: int = 1) -> LoadReport:
    """Create whatever part of the demo dataset is missing, then commit.

    ``scale`` multiplies the students and interactions (20,000 and 100,000 at
    scale 1); they are loaded only into an empty students table.
    """
    report = LoadReport()
    load_people(report)
    load_students(report, scale)  # commits chunk by chunk
    load_jobs(report, scale)  # openings, pushes and replies
    load_policies(report)
    load_policy_pushes(report)  # envoys' links to policies, and questions
    db.session.commit()
    load_files(report)  # the personnel-file pilot: 310 at every scale
    load_events(report, scale)  # a year of info sessions and briefings
    load_fair_and_tours(report, scale)  # last autumn's fair, two study tours
    # The demo's deadlines are fixed dates: those already past are closed now,
    # as the nightly job would have done.
    if report.added:
        refresh_statistics(db.session.connection(), full=True)
        db.session.commit()
    return report


def load_people(report: LoadReport) -> None:
    """Create whatever is missing of the places, employers and people (staff,
    envoys, employers' staff) the rest of the demo hangs on, then commit."""
    password_hash = hash_password(DEMO_PASSWORD)  # one hash: Argon2 is slow by design
    universities = _load_geography(report)
    employers = _load_employers(report)
    _load_staff(report, password_hash)
    _load_envoys(report, password_hash, universities)
    _load_employer_users(report, password_hash, employers)
    db.session.commit()


def _load_geography(report: LoadReport) -> list[University]:
    existing = set(db.session.scalars(select(Country.code)))
    for code in reference.COUNTRIES:
        if code not in existing:
            db.session.add(Country(code=code))
            report.count("countries")
    db.session.flush()
    by_name = {u.name_en: u for u in db.session.scalars(select(University))}
    ordered = []
    for country, name_en, name_zh, city in reference.UNIVERSITIES:
        university = by_name.get(name_en)
        if university is None:
            university = University(
                country_code=country, name_en=name_en, name_zh=name_zh, city=city
            )
            db.session.add(university)
            report.count("universities")
        ordered.append(university)
    db.session.flush()
    return ordered


def _load_employers(report: LoadReport) -> list[Employer]:
    by_name = {e.name_en: e for e in db.session.scalars(select(Employer))}
    ordered = []
    for index, (kind, name_en, name_zh, industry) in enumerate(
        reference.employer_rows()
    ):
        employer = by_name.get(name_en)
        if employer is None:
            employer = Employer(
                name_en=name_en,
                name_zh=name_zh,
                kind=EmployerKind(kind),
                industry=industry,
                contact_name=_person_name(random.Random(SEED + 7000 + index))[0],
                contact_email=f"hr{index + 1:03d}@employers.example.com",
                contact_phone=f"+86 532 8{index + 1:03d} {1000 + index:04d}",
                digest_subscribed=index % 5 != 4,
                locale="zh_Hans" if index % 6 else "en",
            )
            db.session.add(employer)
            report.count("employers")
        ordered.append(employer)
    db.session.flush()
    return ordered


def _existing_emails() -> set[str]:
    return set(db.session.scalars(select(User.email)))


def _person_name(rng: random.Random) -> tuple[str, str]:
    """A (Latin, Hanzi) name pair, e.g. ("Wang Xiaoming", "王晓明")."""
    surname_zh, surname_en = rng.choice(reference.PERSON_SURNAMES)
    given_zh, given_en = rng.choice(reference.PERSON_GIVEN_NAMES)
    return f"{surname_en} {given_en}", f"{surname_zh}{given_zh}"


def _load_staff(report: LoadReport, password_hash: str) -> None:
    emails = _existing_emails()
    rng = random.Random(SEED + 1)
    people = [("admin@example.com", Role.ADMIN, "Li Na (Admin)")]
    people.append(("coordinator@example.com", Role.COORDINATOR, "Zhang Wei"))
    for n in range(2, COORDINATOR_COUNT + 1):
        people.append(
            (f"coordinator{n}@example.com", Role.COORDINATOR, _person_name(rng)[0])
        )
    for email, role, name in people:
        if email in emails:
            continue
        db.session.add(
            User(
                email=email,
                full_name=name,
                role=role,
                password_hash=password_hash,
                locale="zh_Hans",
                timezone="Asia/Shanghai",
            )
        )
        report.count(role.value + "s")


def _envoy_plan(universities: list[University]) -> list[dict]:
    """Deterministic attributes for the 150 envoys."""
    rng = random.Random(SEED + 2)
    by_name = {u.name_en: u for u in universities}
    # Every university gets one envoy, the big study destinations a second.
    placement = [by_name["University of Manchester"], by_name["University of Auckland"]]
    rest = [u for u in universities if u not in placement]
    placement += rest
    extra = ENVOY_COUNT - len(placement)
    popular = [u for u in universities if u.country_code in {"GB", "US", "AU", "CA"}]
    placement += [popular[i % len(popular)] for i in range(extra)]
    returned = set(rng.sample(range(2, ENVOY_COUNT), RETURNED_ENVOYS))
    plans = []
    for index, university in enumerate(placement):
        name_en, name_zh = _person_name(rng)
        degree = rng.choices(
            [
                DegreeLevel.MASTER,
                DegreeLevel.PHD,
                DegreeLevel.BACHELOR,
                DegreeLevel.POSTDOC,
            ],
            weights=[55, 25, 15, 5],
        )[0]
        recruited = date(2023, 9, 1) + timedelta(days=rng.randrange(0, 700))
        if index in returned:
            status = EnvoyStatus.RETURNED
        elif index < 2:
            status = EnvoyStatus.ACTIVE
        else:
            status = rng.choices(
                [EnvoyStatus.ACTIVE, EnvoyStatus.PAUSED, EnvoyStatus.GRADUATED],
                weights=[85, 8, 7],
            )[0]
        email = {0: "envoy@example.com", 1: "envoy2@example.com"}.get(
            index, f"envoy{index + 1:03d}@example.com"
        )
        plans.append(
            {
                "email": email,
                "full_name": {0: "Chen Jing", 1: "Liu Yang"}.get(index, name_en),
                "name_hanzi": {0: "陈静", 1: "刘洋"}.get(index, name_zh),
                "university": university,
                "programme": rng.choice(reference.PROGRAMMES)[0]
                if index
                else "PhD Materials Science",
                "degree": DegreeLevel.PHD if index == 0 else degree,
                "expected_graduation": date(
                    2026 + rng.randrange(0, 3), rng.choice([6, 7, 9, 12]), 30
                ),
                "recruited_on": recruited,
                "status": status,
                "timezone": "Asia/Shanghai"
                if status is EnvoyStatus.RETURNED
                else COUNTRY_TIMEZONES[university.country_code],
                "locale": "zh_Hans" if index % 4 else "en",
            }
        )
    return plans


def _load_envoys(
    report: LoadReport, password_hash: str, universities: list[University]
) -> None:
    emails = _existing_emails()
    for plan in _envoy_plan(universities):
        if plan["email"] in emails:
            continue
        user = User(
            email=plan["email"],
            full_name=plan["full_name"],
            name_hanzi=plan["name_hanzi"],
            role=Role.ENVOY,
            password_hash=password_hash,
            locale=plan["locale"],
            timezone=plan["timezone"],
        )
        user.envoy_profile = EnvoyProfile(
            university=plan["university"],
            programme=plan["programme"],
            degree=plan["degree"],
            expected_graduation=plan["expected_graduation"],
            recruited_on=plan["recruited_on"],
            status=plan["status"],
        )
        db.session.add(user)
        report.count("envoys")


def _load_employer_users(
    report: LoadReport, password_hash: str, employers: list[Employer]
) -> None:
    emails = _existing_emails()
    rng = random.Random(SEED + 3)
    for index, employer in enumerate(employers):
        email = "employer@example.com" if index == 0 else f"hr{index:03d}@example.com"
        name = _person_name(rng)[0]
        if email in emails:
            continue
        db.session.add(
            User(
                email=email,
                full_name="Sun Li" if index == 0 else name,
                role=Role.EMPLOYER,
                password_hash=password_hash,
                employer=employer,
                locale=employer.locale,
                timezone="Asia/Shanghai",
            )
        )
        report.count("employer users")
