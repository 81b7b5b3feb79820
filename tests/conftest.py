"""Fixtures per layer: database, app, client, signed-in roles, factories, mail.

The suite runs on SQLite by default and on PostgreSQL when ``DATABASE_URL``
points there; each run migrates its own schema once, and every test starts
from empty tables. The tests that only read the demo data share one load of
it, on a database of its own (``demo``).
"""

import os
import re
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
import sqlalchemy as sa
from aiosmtpd.controller import Controller
from argon2 import PasswordHasher
from click.testing import Result
from flask import Flask, g
from flask.testing import FlaskCliRunner
from flask_migrate import upgrade

from bench.statements import StatementCounter, counting_statements
from envoycrm import create_app
from envoycrm.config import TestConfig
from envoycrm.events import registration as event_registration
from envoycrm.events import services as events
from envoycrm.extensions import db
from envoycrm.jobs import referrals
from envoycrm.jobs import services as jobs
from envoycrm.models import (
    AmountKind,
    ConsentMethod,
    ConsentScope,
    Country,
    DegreeLevel,
    DigestKind,
    Employer,
    EmployerKind,
    EnvoyProfile,
    EnvoyStatus,
    Event,
    EventKind,
    EventLink,
    EventRegistration,
    EventStatus,
    FieldOfStudy,
    Intention,
    IntentionLevel,
    InteractionKind,
    JobOpening,
    OpeningStatus,
    OutboxMessage,
    OutboxStatus,
    Policy,
    PolicyCategory,
    PolicyPush,
    PolicyStatus,
    Push,
    ReferralReply,
    Role,
    Sector,
    Student,
    University,
    User,
    utcnow,
)
from envoycrm.policies import services as policy_services
from envoycrm.security import hash_password
from envoycrm.students.services import log_student

PASSWORD = "correct horse battery"
CSRF_PATTERN = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


# --- database ------------------------------------------------------------------


def _postgres_url_with_schema(url: str, schema: str) -> str:
    """The same server, with every connection using ``schema`` first."""
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3D{schema}"


@contextmanager
def fresh_database(folder: Path, prefix: str = "test") -> Iterator[str]:
    """An empty database: a new SQLite file in ``folder``, or a new schema on
    the PostgreSQL server named by ``DATABASE_URL`` (dropped afterwards)."""
    base = os.environ.get("DATABASE_URL")
    if not base:
        yield f"sqlite:///{folder / f'{prefix}.sqlite3'}"
        return
    schema = f"{prefix}_{uuid.uuid4().hex[:12]}"
    admin = sa.create_engine(base)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))
    try:
        yield _postgres_url_with_schema(base, schema)
    finally:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> Iterator[str]:
    """This session's database: an SQLite file or a fresh PostgreSQL schema."""
    with fresh_database(tmp_path_factory.mktemp("db")) as url:
        yield url


@pytest.fixture(scope="session")
def _migrated_app(database_url, tmp_path_factory):
    """One app for the session, its schema built by the Alembic migrations."""
    app = create_app(
        TestConfig,
        SQLALCHEMY_DATABASE_URI=database_url,
        MAIL_CATCH_DIR=str(tmp_path_factory.mktemp("mail")),
    )
    with app.app_context():
        upgrade()
        if db.engine.dialect.name == "postgresql":
            _autovacuum_off()
    # Tests hold one app context open so they can use the database directly;
    # Flask then reuses it for every request, and with it ``g`` (where
    # Flask-Login, Flask-WTF and Flask-Babel cache the user, the CSRF token
    # and the locale). Start each request with an empty ``g``, as production
    # does with its fresh context per request.
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_g)
    return app


def _fresh_g() -> None:
    g.__dict__.clear()


def _empty_all_tables() -> None:
    """Delete every row, children first, so the next test starts empty."""
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        # A request the browser left in flight can still hold a lock, and
        # PostgreSQL may then end the emptying as one side of a deadlock:
        # that is worth another try, never a failed suite.
        for attempt in range(5):
            try:
                _empty_postgres_tables(tables)
                break
            except sa.exc.OperationalError as error:
                db.session.rollback()
                deadlock = getattr(error.orig, "sqlstate", None) == "40P01"
                if not deadlock or attempt == 4:
                    raise
                time.sleep(1)
    else:
        # The triggers that keep the audit trail append-only refuse DELETE:
        # set them aside while emptying, as TRUNCATE does on PostgreSQL.
        triggers = db.session.execute(
            sa.text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")
        ).all()
        for name, _sql in triggers:
            db.session.execute(sa.text(f'DROP TRIGGER "{name}"'))
        for table in tables:
            db.session.execute(table.delete())
        for _name, sql in triggers:
            db.session.execute(sa.text(sql))
        # AUTOINCREMENT tables remember their highest id; start again like
        # PostgreSQL's RESTART IDENTITY.
        db.session.execute(sa.text("DELETE FROM sqlite_sequence"))
    db.session.commit()


# Rows deleted since the tables were last truncated, and how many may pile up
# before the next emptying truncates instead (deleted rows stay as dead tuples,
# as autovacuum is off for the tests' tables).
_deleted_since_truncation = 0
_TRUNCATE_AFTER_ROWS = 100_000


def _empty_postgres_tables(tables: list[sa.Table]) -> None:
    """Delete every row and restart every sequence a test used.

    Deleting costs ~10 ms where a truncation — a new file for each table and
    index — costs 0.2 s on a quick disk and seconds on a slow one, for each
    of ~1,250 tests. Autovacuum is off for these tables (see ``_migrated_app``), so the
    freed space is not reused and rows read without an order still come back
    in the order they were written, as after a truncation. Once many dead rows
    have piled up, the tables are truncated to shed them.
    """
    global _deleted_since_truncation
    if _deleted_since_truncation > _TRUNCATE_AFTER_ROWS:
        names = ", ".join(f'"{t.name}"' for t in tables)
        db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        _deleted_since_truncation = 0
        return
    # As replica, neither the foreign keys nor the triggers that keep the
    # audit trail append-only (and the counts) act, as under TRUNCATE.
    db.session.execute(sa.text("SET LOCAL session_replication_role = replica"))
    deleted = [
        sa.delete(t).returning(sa.literal(1)).cte(f"deleted_{i}")
        for i, t in enumerate(tables)
    ]
    counts = [
        sa.select(sa.func.count()).select_from(d).scalar_subquery() for d in deleted
    ]
    _deleted_since_truncation += db.session.scalar(
        sa.select(sum(counts[1:], counts[0]))
    )
    db.session.execute(
        sa.text(
            "SELECT setval(format('%I', sequencename)::regclass, 1, false)"
            " FROM pg_sequences"
            " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
        )
    )


def _autovacuum_off() -> None:
    """Keep autovacuum away from the tests' tables (see
    ``_empty_postgres_tables``)."""
    schema = db.session.scalar(sa.text("SELECT current_schema()"))
    for table in db.metadata.sorted_tables:
        db.session.execute(
            sa.text(
                f'ALTER TABLE "{schema}"."{table.name}" SET (autovacuum_enabled = off)'
            )
        )
    db.session.commit()


@pytest.fixture
def app(_migrated_app):
    """The app, with empty tables and its configuration restored after the test."""
    saved = dict(_migrated_app.config)
    with _migrated_app.app_context():
        yield _migrated_app
        db.session.remove()
        _empty_all_tables()
        db.session.remove()
    _migrated_app.config.clear()
    _migrated_app.config.update(saved)


@pytest.fixture
def client(app):
    """A test client that keeps cookies."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """Runs ``flask`` commands against the app."""
    return app.test_cli_runner()


@dataclass
class Demo:
    """The demo data, loaded once: the first load's CLI answer, and a runner
    for further ``flask`` commands against the same database."""

    first_load: Result
    runner: FlaskCliRunner


@pytest.fixture(scope="session")
def _demo_app(tmp_path_factory) -> Iterator[tuple[Flask, Result]]:
    """An app on a database of its own that holds the demo data (a load takes
    15 s or more: the tests that only read it share one)."""
    folder = tmp_path_factory.mktemp("demo")
    with fresh_database(folder, prefix="demo") as url:
        app = create_app(
            TestConfig,
            SQLALCHEMY_DATABASE_URI=url,
            MAIL_CATCH_DIR=str(folder / "mail"),
        )
        with app.app_context():
            upgrade()
            first = app.test_cli_runner().invoke(args=["demo", "load"])
            db.session.remove()
        yield app, first
        with app.app_context():
            db.engine.dispose()


@pytest.fixture
def demo(_demo_app) -> Iterator[Demo]:
    """The shared demo database, for tests that read it (and may load the
    demo again, which must add nothing). A test that changes it takes
    ``runner`` and loads its own."""
    app, first = _demo_app
    with app.app_context():
        yield Demo(first, app.test_cli_runner())
        db.session.remove()


# --- factories ---------------------------------------------------------------------


class Factory:
    """Creates rows with sensible defaults; every method commits."""

    def __init__(self):
        self._n = 0

    def _next(self) -> int:
        self._n += 1
        return self._n

    def country(self, code: str = "GB") -> Country:
        """The country with ``code``, created if missing."""
        country = db.session.get(Country, code)
        if country is None:
            country = Country(code=code)
            db.session.add(country)
            db.session.commit()
        return country

    def university(self, name_en=None, name_zh=None, country="GB", city="Manchester"):
        """A university (created if its English name is new)."""
        self.country(country)
        name_en = name_en or f"Test University {self._next()}"
        existing = db.session.scalar(
            sa.select(University).where(University.name_en == name_en)
        )
        if existing:
            return existing
        university = University(
            name_en=name_en,
            name_zh=name_zh or f"测试大学{self._n}",
            country_code=country,
            city=city,
        )
        db.session.add(university)
        db.session.commit()
        return university

    def employer(self, name_en=None, kind=EmployerKind.PRIVATE) -> Employer:
        """An employer organisation."""
        n = self._next()
        employer = Employer(
            name_en=name_en or f"Test Employer {n}",
            name_zh=f"测试雇主{n}",
            kind=kind,
            industry="marine_materials",
        )
        db.session.add(employer)
        db.session.commit()
        return employer

    def user(self, role: Role, email=None, password=PASSWORD, **fields) -> User:
        """A user with ``role``; envoys get a profile, employers an organisation."""
        n = self._next()
        user = User(
            role=role,
            email=email or f"{role.value}{n}@example.org",
            full_name=fields.pop("full_name", f"Test {role.value.title()} {n}"),
            password_hash=hash_password(password) if password else None,
            timezone=fields.pop("timezone", "Asia/Shanghai"),
            locale=fields.pop("locale", None),
        )
        if role is Role.ENVOY:
            university = fields.pop("university", None) or self.university()
            user.envoy_profile = EnvoyProfile(
                university=university,
                programme=fields.pop("programme", "MSc Materials Science"),
                degree=fields.pop("degree", DegreeLevel.MASTER),
                expected_graduation=date(2027, 6, 30),
                recruited_on=date(2025, 9, 1),
                status=fields.pop("status", EnvoyStatus.ACTIVE),
            )
        if role is Role.EMPLOYER:
            user.employer = fields.pop("employer", None) or self.employer()
        for key, value in fields.items():
            setattr(user, key, value)
        db.session.add(user)
        db.session.commit()
        return user

    def student(self, owner: User, **fields) -> Student:
        """A student logged by ``owner`` through the real domain function."""
        n = self._next()
        data = {
            "name_latin": f"Student{n} Test",
            "name_hanzi": None,
            "university_id": owner.envoy_profile.university_id
            if owner.envoy_profile
            else self.university().id,
            "programme": "MSc Materials Science",
            "field": FieldOfStudy.MATERIALS,
            "degree": DegreeLevel.MASTER,
            "expected_graduation": date(2027, 6, 1),
            "email": f"student{n}@students.example.org",
            "wechat_id": None,
            "phone": None,
            "how_met": "Welcome evening",
            "met_kind": InteractionKind.MEETING,
            "met_on": date(2026, 11, 20),
            "notes": "First chat about the city.",
            "consent_scope": ConsentScope.EMPLOYERS,
            "consent_method": ConsentMethod.IN_PERSON,
        }
        data.update(fields)
        student = log_student(owner, data, "en")
        db.session.commit()
        return student

    def opening(self, employer_id: int, **fields) -> JobOpening:
        """An opening with sensible defaults (OPEN, materials, master, 150k–250k)."""
        values = {
            "title_en": "Materials Engineer",
            "title_zh": "材料工程师",
            "description_en": "Develop marine anti-corrosion coatings.",
            "description_zh": "研发海洋防腐涂料。",
            "sector": Sector.NEW_MATERIALS,
            "field": FieldOfStudy.MATERIALS,
            "min_degree": DegreeLevel.MASTER,
            "salary_min": 150_000,
            "salary_max": 250_000,
            "headcount": 2,
            "location": "Qingdao",
            "deadline": date.today() + timedelta(days=60),
            "status": OpeningStatus.OPEN,
        }
        values.update(fields)
        opening = JobOpening(employer_id=employer_id, **values)
        db.session.add(opening)
        db.session.commit()
        return opening

    def intention(self, student: Student, **fields) -> Intention:
        """An intention recorded for ``student`` directly (default: likely)."""
        values = {
            "level": IntentionLevel.LIKELY,
            "target_sectors": [],
            "earliest_start": None,
            "salary_expectation": None,
            "recorded_at": utcnow(),
        }
        values.update(fields)
        row = Intention(student_id=student.id, **values)
        db.session.add(row)
        db.session.commit()
        return row

    def opening_of(self, people) -> JobOpening:
        """The test employer's first opening (made once)."""
        employer_id = people["employer"].employer_id
        opening = db.session.scalar(
            sa.select(JobOpening).where(JobOpening.employer_id == employer_id).limit(1)
        )
        return opening or self.opening(employer_id)

    def push(self, people) -> Push:
        """The first envoy's push of ``opening_of(people)``."""
        push = jobs.push_opening(people["envoy"], self.opening_of(people))
        db.session.commit()
        return push

    def policy(
        self,
        category: PolicyCategory = PolicyCategory.HOUSING,
        status: PolicyStatus = PolicyStatus.PUBLISHED,
        **fields,
    ) -> Policy:
        """A policy with one version (default: published, in force, ¥3,000 a
        month for 36 months to masters and above, no other condition)."""
        n = self._next()
        values = {
            "title_en": f"Housing subsidy {n}",
            "title_zh": f"住房补贴{n}",
            "summary_en": "A monthly housing subsidy for new graduates.",
            "summary_zh": "为新毕业生提供每月住房补贴。",
            "amount_kind": AmountKind.MONTHLY,
            "amount": 3_000,
            "months": 36,
            "valid_from": date.today() - timedelta(days=30),
            "valid_to": date.today() + timedelta(days=335),
            "min_degree": DegreeLevel.MASTER,
            "fields": [],
        }
        values.update(fields)
        policy = policy_services.create_policy(None, category, values)
        policy.status = status
        db.session.commit()
        return policy

    def policy_of(self) -> Policy:
        """The first policy (made once)."""
        policy = db.session.scalar(sa.select(Policy).order_by(Policy.id).limit(1))
        return policy or self.policy()

    def policy_push(self, people) -> PolicyPush:
        """The first envoy's push of ``policy_of()``."""
        push = policy_services.push_policy(people["envoy"], self.policy_of())
        db.session.commit()
        return push

    def failed_digest(self, user: User, period: str) -> OutboxMessage:
        """A bureau digest to ``user`` for ``period`` that failed to send."""
        row = OutboxMessage(
            kind=DigestKind.BUREAU,
            recipient_id=user.id,
            recipient_email=user.email,
            locale="en",
            timezone="Asia/Shanghai",
            period=period,
            status=OutboxStatus.FAILED,
            message_id=f"<{user.id}.{period}@example.org>",
            last_error="550 mailbox unavailable",
        )
        db.session.add(row)
        db.session.commit()
        return row

    def personnel_file(self, student: Student, actor: User, **fields):
        """``student``'s personnel file, opened by ``actor`` (once)."""
        from envoycrm.personnel_files import services as files

        existing = files.file_of(student.id)
        if existing is not None:
            return existing
        values = {
            "on": date(2026, 11, 2),
            "locale": "zh_Hans",
            "documents": {"APPLICATION_FORM": True, "PASSPORT": False},
            "storage_ref": "A-01-01",
            "notes": "Staff only: came with a friend.",
        }
        values.update(fields)
        file = files.open_file(student, actor, **values)
        db.session.commit()
        return file

    def held_reply(self, people, student: Student) -> ReferralReply:
        """A public reply with ``student``'s email, held for their envoy."""
        query = sa.select(ReferralReply).where(ReferralReply.student_id == student.id)
        reply = db.session.scalar(query.limit(1))
        if reply is not None:
            return reply
        push = jobs.push_opening(people["envoy2"], self.opening_of(people))
        data = {"name": "Someone Else", "email": student.email, "wechat_id": None}
        referrals.record_reply(push, data, "en")
        db.session.commit()
        return db.session.scalars(query).one()

    def event(self, host: User, **fields) -> Event:
        """A published info session hosted by ``host`` (an envoy: at their
        university), at 18:00 London time ten days from now, unless told."""
        starts = fields.pop(
            "starts_at",
            datetime.combine(
                date.today() + timedelta(days=10), datetime.min.time()
            ).replace(hour=18, tzinfo=UTC),
        )
        values = {
            "kind": EventKind.INFO_SESSION,
            "title_en": "Working in Qingdao",
            "title_zh": "在青岛工作",
            "description_en": "Meet the bureau and hear about jobs in the city.",
            "description_zh": "与人社局见面，了解青岛的工作机会。",
            "starts_at": starts,
            "ends_at": starts + timedelta(hours=2),
            "time_zone": "Europe/London",
            "place": "Alliance Manchester Business School, Room 3.12",
            "online_url": "",
            "capacity": None,
            "registration_deadline": None,
            "audience_degrees": [],
            "audience_fields": [],
            "audience_countries": [],
        }
        status = fields.pop("status", EventStatus.PUBLISHED)
        kind = fields.get("kind", values["kind"])
        values.update(fields)
        author = host
        if kind not in events.kinds_for(host):
            author = self.user(Role.COORDINATOR)
            values["host_id"] = host.id
        event = events.create_event(author, values, [], datetime.now(UTC))
        event.status = status
        db.session.commit()
        return event

    def event_of(self, people) -> Event:
        """The first envoy's published info session (made once)."""
        event = db.session.scalar(
            sa.select(Event).where(Event.host_id == people["envoy"].id).limit(1)
        )
        return event or self.event(people["envoy"])

    def event_link(self, people) -> EventLink:
        """The first envoy's registration link for ``event_of(people)``."""
        link = events.link_for(people["envoy"], self.event_of(people))
        db.session.commit()
        return link

    def registration(
        self, event: Event, link: EventLink | None = None, **fields
    ) -> EventRegistration:
        """Someone registered through the public form's domain function."""
        n = self._next()
        data = {
            "name": f"Registrant{n} Test",
            "email": f"registrant{n}@students.example.org",
            "wechat_id": None,
            "university_id": None,
            "university_typed": "Some University",
            "programme": None,
            "field": FieldOfStudy.MATERIALS,
            "degree": DegreeLevel.MASTER,
            "expected_graduation": None,
            "consent_scope": ConsentScope.BUREAU,
            "notice_version": "2026-11",
        }
        language = fields.pop("language", "en")
        now = fields.pop("now", None)
        data.update(fields)
        registration = event_registration.register(event, data, link, language, now)
        db.session.commit()
        return registration

    def held_registration(self, people, student: Student) -> EventRegistration:
        """A registration with ``student``'s email for an event of the second
        envoy, held for the student's envoy."""
        query = sa.select(EventRegistration).where(
            EventRegistration.matched_student_id == student.id
        )
        found = db.session.scalar(query.limit(1))
        if found is not None:
            return found
        event = db.session.scalar(
            sa.select(Event).where(Event.host_id == people["envoy2"].id).limit(1)
        ) or self.event(people["envoy2"], time_zone="Pacific/Auckland")
        return self.registration(event, name="Someone Else", email=student.email)


@pytest.fixture
def factory(app) -> Factory:
    """Row factories bound to the test's empty database."""
    return Factory()


ROLE_NAMES = ("admin", "coordinator", "envoy", "envoy2", "employer")


@pytest.fixture
def people(factory) -> dict[str, User]:
    """One user per role, plus a second envoy at another university."""
    manchester = factory.university(
        "University of Manchester", "曼彻斯特大学", "GB", "Manchester"
    )
    auckland = factory.university(
        "University of Auckland", "奥克兰大学", "NZ", "Auckland"
    )
    return {
        "admin": factory.user(Role.ADMIN, "admin@example.org"),
        "coordinator": factory.user(Role.COORDINATOR, "coordinator@example.org"),
        "envoy": factory.user(Role.ENVOY, "envoy@example.org", university=manchester),
        "envoy2": factory.user(
            Role.ENVOY,
            "envoy2@example.org",
            university=auckland,
            timezone="Pacific/Auckland",
        ),
        "employer": factory.user(Role.EMPLOYER, "employer@example.org"),
    }


@pytest.fixture
def student(factory, people) -> Student:
    """A student owned by the first envoy (envoy2 must not see it)."""
    return factory.student(people["envoy"], name_latin="Wang Wei", name_hanzi="王伟")


# --- signing in and CSRF -------------------------------------------------------------


@pytest.fixture
def max_queries(app):
    """``with max_queries(n) as counter:`` fails when the block runs more than
    ``n`` SQL statements; ``counter.count`` says how many it ran."""

    @contextmanager
    def at_most(limit: int) -> Iterator[StatementCounter]:
        with counting_statements(db.engine) as counter:
            yield counter
        assert counter.count <= limit, (
            f"{counter.count} SQL statements, more than the {limit} allowed"
        )

    return at_most


def csrf_token(client) -> str:
    """A valid CSRF token for the client's session, read from a real form."""
    page = client.get("/auth/forgot").get_data(as_text=True)
    match = CSRF_PATTERN.search(page)
    assert match, "no CSRF token on the page"
    return match.group(1)


def post(client, url: str, data: dict | None = None, **kwargs):
    """POST a form like a browser would: with a valid CSRF token and, as a
    creating form rendered for this send has, a fresh idempotency key (forms
    that create nothing ignore it)."""
    data = dict(data or {})
    data.setdefault("csrf_token", csrf_token(client))
    data.setdefault("idempotency_key", uuid.uuid4().hex)
    return client.post(url, data=data, **kwargs)


def sign_in(client, email: str, password: str = PASSWORD, **extra):
    """Sign in through the real form."""
    return post(client, "/auth/login", {"email": email, "password": password, **extra})


class PasswordChecks:
    """The Argon2 verifications made while a test runs, in every thread."""

    def __init__(self):
        self.hashes: list[str] = []
        self._lock = threading.Lock()

    @property
    def count(self) -> int:
        """How many passwords were checked."""
        return len(self.hashes)

    def seen(self, hash: str) -> None:  # noqa: A002 - argon2's own name
        with self._lock:
            self.hashes.append(hash)


@pytest.fixture
def password_checks(monkeypatch) -> PasswordChecks:
    """Counts password checks by watching Argon2 itself, not the clock: the
    count is what a guess costs the server, whatever the machine."""
    checks = PasswordChecks()
    verify = PasswordHasher.verify

    def counted(self, hash, password):  # noqa: A002 - argon2's own names
        checks.seen(hash)
        return verify(self, hash, password)

    monkeypatch.setattr(PasswordHasher, "verify", counted)
    return checks


@pytest.fixture
def login_as(client, people):
    """``login_as("envoy")`` signs the client in as that role's user."""

    def login(role: str) -> User:
        user = people[role]
        response = sign_in(client, user.email)
        assert response.status_code == 302, response.get_data(as_text=True)
        return user

    return login


# --- mail ---------------------------------------------------------------------


def free_port() -> int:
    """A TCP port on loopback that nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Inbox:
    """Collects what the SMTP server on loopback receives."""

    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        """Keep the message; answer as a real server would."""
        from email import message_from_bytes, policy

        self.messages.append(
            message_from_bytes(envelope.content, policy=policy.default)
        )
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(app) -> Iterator[Inbox]:
    """A real SMTP server on loopback; the app is pointed at it."""
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=free_port())
    controller.start()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=controller.port)
    try:
        yield inbox
    finally:
        controller.stop()


def run_at_once(app, job, names: list[str]) -> list[Exception]:
    """Run ``job(name)`` in one thread per name, all released together, each
    in its own app context and session (two scheduler processes); the errors."""
    errors: list[Exception] = []
    start = threading.Barrier(len(names))

    def process(name: str) -> None:
        with app.app_context():
            try:
                start.wait()
                job(name)
            except Exception as exc:  # reported to the caller
                errors.append(exc)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=process, args=(name,)) for name in names]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return errors


class Crash(Exception):
    """The sending process dies (a bug, not a mail error)."""


def dying_on(call: int, real):
    """``real`` (a ``deliver``), except that call number ``call`` raises
    ``Crash`` before doing anything: the process dies holding that row's claim."""
    calls = []

    def dying(row, *args, **kwargs):
        calls.append(row.id)
        if len(calls) == call:
            raise Crash
        return real(row, *args, **kwargs)

    return dying
