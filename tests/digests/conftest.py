"""Fixtures for the digest tests: a scriptable SMTP server, a fixed clock, rows."""

import secrets
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from sqlalchemy import update

from envoycrm import audit
from envoycrm.digests.subscriptions import SUBSCRIBE_ACTION
from envoycrm.extensions import db
from envoycrm.models import (
    InterestSource,
    JobInterest,
    JobOpening,
    OpeningStatus,
    Push,
    Stage,
    StageChange,
    Student,
    User,
)
from envoycrm.students import services as student_services
from tests.conftest import Factory, free_port

# Monday 23 November 2026, 01:00 UTC: 09:00 in Shanghai, so the Shanghai
# digest of week 2026-W48 is due; still Sunday night in Europe.
NOW = datetime(2026, 11, 23, 1, 0, tzinfo=UTC)
PERIOD = "2026-W48"
# Inside the Shanghai window of 2026-W48 (16 Nov 00:00 UTC – 23 Nov 00:00 UTC).
IN_WEEK = datetime(2026, 11, 20, 2, 30, tzinfo=UTC)


class ScriptedSMTP:
    """An aiosmtpd handler whose answers a test can script.

    ``data_replies`` are answered to the next DATA commands in turn (then
    "250"); addresses in ``refuse`` get "550" at RCPT.
    """

    def __init__(self):
        self.messages = []
        self.data_replies: list[str] = []
        self.refuse: set[str] = set()
        self.data_commands = 0
        self.quit_reply: str | None = None  # e.g. "421" after a 250 to DATA

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: N802
        """Refuse the scripted addresses permanently, accept the rest."""
        if address in self.refuse:
            return "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: N802
        """Answer the scripted reply, or keep the message."""
        self.data_commands += 1
        if self.data_replies:
            return self.data_replies.pop(0)
        self.messages.append(
            message_from_bytes(envelope.content, policy=policy.default)
        )
        return "250 Message accepted for delivery"

    async def handle_QUIT(self, server, session, envelope):  # noqa: N802
        """Say goodbye, or answer the scripted reply instead of "221"."""
        return self.quit_reply or "221 Bye"

    def to(self, address: str) -> list:
        """The messages delivered to ``address``."""
        return [m for m in self.messages if m["To"] == address]


class MailServer:
    """A real SMTP server on loopback that can be started late (down at first)."""

    def __init__(self, app):
        self.handler = ScriptedSMTP()
        self.port = free_port()
        self.controller = None
        app.config.update(
            SMTP_HOST="127.0.0.1",
            SMTP_PORT=self.port,
            SMTP_TIMEOUT=5,
            MAIL_BACKEND="smtp",
            BASE_URL="https://envoy.example.gov.cn",
        )

    def start(self) -> None:
        """Listen on the port chosen at creation."""
        self.controller = Controller(self.handler, hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self) -> None:
        """Stop listening (connections are then refused)."""
        if self.controller is not None:
            self.controller.stop()
            self.controller = None

    @property
    def messages(self) -> list:
        """Every message delivered so far."""
        return self.handler.messages


@pytest.fixture
def mailserver(app) -> Iterator[MailServer]:
    """A scriptable SMTP server on loopback, listening."""
    server = MailServer(app)
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def mailserver_down(app) -> Iterator[MailServer]:
    """The same server, not listening yet: the test starts it."""
    server = MailServer(app)
    try:
        yield server
    finally:
        server.stop()


# --- rows ----------------------------------------------------------------------


def set_times(student: Student, **values) -> None:
    """Set a student's timestamps (created_at ...) without a version bump."""
    db.session.execute(
        update(Student)
        .where(Student.id == student.id)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    db.session.refresh(student)


def opt_in(user: User) -> None:
    """Turn the envoy digest on, as the settings page does."""
    user.digest_subscribed = True
    audit.record(SUBSCRIBE_ACTION, "user", user.id, actor_id=user.id)
    db.session.commit()


def make_opening(employer_id: int, **fields) -> JobOpening:
    """``Factory.opening``, made a month before the test week and closing after it."""
    dates = {"deadline": date(2027, 3, 31), "created_at": IN_WEEK - timedelta(days=30)}
    return Factory().opening(employer_id, **{**dates, **fields})


def reply_through_push(student: Student, opening: JobOpening, envoy: User, when):
    """A student's "I'm interested" through the envoy's referral link."""
    push = Push(
        opening_id=opening.id,
        envoy_id=envoy.id,
        token=secrets.token_hex(16),
        created_at=when,
    )
    db.session.add(push)
    db.session.flush()
    interest = JobInterest(
        student_id=student.id,
        opening_id=opening.id,
        push_id=push.id,
        source=InterestSource.REFERRAL,
        created_at=when,
    )
    db.session.add(interest)
    db.session.commit()
    return interest


def text_of(message) -> str:
    """The plain-text part of a received digest."""
    return message.get_body(preferencelist=("plain",)).get_content()


def html_of(message) -> str:
    """The HTML part of a received digest."""
    return message.get_body(preferencelist=("html",)).get_content()


# --- a busy week ---------------------------------------------------------------


def _returned(student, actor, when) -> None:
    student_services.move_stage(student, actor, Stage.RETURNED)
    db.session.commit()
    db.session.execute(
        update(StageChange)
        .where(StageChange.student_id == student.id)
        .values(changed_at=when)
    )
    db.session.commit()


@pytest.fixture
def busy_week(factory, people):
    """A week with something for every recipient, in English."""
    for user in people.values():
        user.locale = "en"
    db.session.commit()
    envoy, coordinator = people["envoy"], people["coordinator"]
    opt_in(envoy)
    opening = make_opening(people["employer"].employer_id)
    make_opening(people["employer"].employer_id, status=OpeningStatus.PENDING)
    students = []
    for n in range(3):
        student = factory.student(envoy, name_latin=f"Busy Student {n}")
        set_times(student, created_at=IN_WEEK)
        students.append(student)
    # Two return to the city this week; one waits in "contacted" for months.
    for student in students[:2]:
        _returned(student, coordinator, IN_WEEK)
    stuck = factory.student(envoy, name_latin="Long Waiting")
    set_times(
        stuck,
        created_at=IN_WEEK - timedelta(days=200),
        stage_changed_at=IN_WEEK - timedelta(days=100),
        last_activity_on=(IN_WEEK - timedelta(days=100)).date(),
        last_activity_at=IN_WEEK - timedelta(days=100),
        follow_up_on=None,
    )
    reply_through_push(students[2], opening, envoy, IN_WEEK)
    # An opening published this week in the envoy's students' field.
    make_opening(
        people["employer"].employer_id,
        title_en="Fresh Opening",
        created_at=IN_WEEK,
        approved_at=IN_WEEK,
    )
    return {"opening": opening, "stuck": stuck}
