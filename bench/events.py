"""Time an event page with 3,000 registrants and sending 3,000 reminders.

    .venv/bin/python bench/events.py --database-url sqlite:////tmp/bench-events.sqlite3

Creates the app with the test configuration on the given database, migrates
it and adds (once) a bureau event with ``--registrants`` registrations, a
coordinator and an envoy. Then:

* times ``--requests`` GETs of the event page, signed in through the real
  form, as the coordinator (who sees every registrant) and as an envoy (who
  sees a count): budget p95 < 50 ms (issue #15), with the SQL statements per
  request, which must not grow with the registrants;
* queues every registrant's reminder and sends them all through the events'
  outbox to a real SMTP server on loopback (aiosmtpd): budget < 60 s. The
  server runs in a process of its own, as a mail server does, so its work
  does not hold the sender's interpreter lock.

A report: the exit code is 0 whatever the results; FAIL lines say what
missed the budget. Run it on SQLite and on PostgreSQL.
"""

import argparse
import multiprocessing
import re
import socket
import statistics
import time
from datetime import UTC, datetime, timedelta

from aiosmtpd.controller import Controller
from flask_migrate import upgrade
from sqlalchemy import event, insert, select
from statements import StatementCounter

import envoycrm
import envoycrm.config
from envoycrm.events import mails
from envoycrm.extensions import db
from envoycrm.models import (
    ConsentScope,
    Event,
    EventKind,
    EventMail,
    EventRegistration,
    EventStatus,
    RegistrationStatus,
    Role,
    User,
    registration_search_text,
)
from envoycrm.models.base import table_of
from envoycrm.security import hash_password

PAGE_BUDGET_MS = 50.0
SEND_BUDGET_S = 60.0
WARM_UP = 5
PASSWORD = "bench events password"  # noqa: S105 - a throwaway account
TITLE = "Bench: the autumn talent fair"
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Accept:
    """An SMTP handler that accepts every message and counts it."""

    def __init__(self, received):
        self.received = received

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
        """Count the message; answer as a real server would."""
        with self.received.get_lock():
            self.received.value += 1
        return "250 Message accepted for delivery"


def serve_smtp(port: int, received, ready, stop) -> None:
    """The SMTP server's process: accept on ``port`` until told to stop."""
    controller = Controller(Accept(received), hostname="127.0.0.1", port=port)
    controller.start()
    ready.set()
    stop.wait()
    controller.stop()


def _user(email: str, role: Role) -> User:
    user = db.session.scalar(select(User).where(User.email == email))
    if user is None:
        user = User(
            email=email,
            full_name=f"Bench {role.value}",
            role=role,
            password_hash=hash_password(PASSWORD),
        )
        db.session.add(user)
        db.session.commit()
    return user


def prepare(registrants: int, starts: datetime) -> int:
    """Migrate; make the event and its registrants once; its id."""
    upgrade()
    coordinator = _user("bench-coordinator@example.org", Role.COORDINATOR)
    _user("bench-envoy@example.org", Role.ENVOY)
    found = db.session.scalar(select(Event).where(Event.title_en == TITLE))
    if found is None:
        found = Event(
            kind=EventKind.TALENT_FAIR,
            title_en=TITLE,
            title_zh="基准测试：秋季人才招聘会",
            description_en="Employers of the city meet students.",
            description_zh="青岛用人单位与学生见面。",
            starts_at=starts,
            ends_at=starts + timedelta(hours=6),
            time_zone="Asia/Shanghai",
            place="Qingdao International Convention Center",
            capacity=None,
            status=EventStatus.PUBLISHED,
            host_id=coordinator.id,
            public_token="bench" + "0" * 27,
            created_by_id=coordinator.id,
        )
        db.session.add(found)
        db.session.flush()
        long_ago = starts - timedelta(days=30)
        rows = []
        for n in range(registrants):
            latin, hanzi = f"Student{n} Bench", f"学生{n}"
            email = f"bench{n}@students.example.org"
            rows.append(
                {
                    "event_id": found.id,
                    "name_latin": latin,
                    "name_hanzi": hanzi,
                    "email": email,
                    "search_text": registration_search_text(latin, hanzi, email),
                    "language": "zh_Hans" if n % 3 else "en",
                    "consent_at": long_ago,
                    "consent_scope": ConsentScope.BUREAU,
                    "status": RegistrationStatus.REGISTERED,
                    "queued_at": long_ago,
                    "token": f"{n:032x}",
                    "walk_in": False,
                    "created_at": long_ago,
                    "updated_at": long_ago,
                    "version": 1,
                }
            )
        for start in range(0, len(rows), 1_000):
            db.session.execute(
                insert(table_of(EventRegistration)), rows[start : start + 1_000]
            )
        db.session.commit()
    else:
        # The event starts just under 24 hours from now, every run.
        found.starts_at = starts
        found.ends_at = starts + timedelta(hours=6)
        db.session.execute(EventMail.__table__.delete())
        db.session.commit()
    return found.id


def signed_in(app, email: str):
    """A test client signed in through the real form."""
    client = app.test_client()
    token = CSRF.search(client.get("/auth/login").get_data(as_text=True))
    assert token, "no CSRF token on the sign-in page"
    response = client.post(
        "/auth/login",
        data={"email": email, "password": PASSWORD, "csrf_token": token.group(1)},
    )
    assert response.status_code == 302, f"signing in as {email} failed"
    return client


def time_page(client, url: str, n: int, counter: StatementCounter):
    """Warm up, then time ``n`` GETs: (p50 ms, p95 ms, statements, bytes)."""
    for _ in range(WARM_UP):
        assert client.get(url).status_code == 200
    times, statements = [], []
    size = 0
    for _ in range(n):
        counter.count = 0
        started = time.perf_counter()
        response = client.get(url)
        times.append((time.perf_counter() - started) * 1000)
        statements.append(counter.count)
        size = len(response.data)
    times.sort()
    p95 = times[max(0, int(round(0.95 * len(times))) - 1)]
    return statistics.median(times), p95, max(statements), size


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default="sqlite:////tmp/bench-events.sqlite3",
        help="SQLAlchemy URL of a database the benchmark may fill",
    )
    parser.add_argument("--registrants", type=int, default=3_000)
    parser.add_argument("--requests", "-n", type=int, default=100)
    args = parser.parse_args()

    with socket.socket() as probe:  # a free port on loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    received = multiprocessing.Value("i", 0)
    ready, stop = multiprocessing.Event(), multiprocessing.Event()
    server = multiprocessing.Process(
        target=serve_smtp, args=(port, received, ready, stop), daemon=True
    )
    server.start()
    ready.wait(timeout=30)
    app = envoycrm.create_app(
        envoycrm.config.TestConfig,
        SQLALCHEMY_DATABASE_URI=args.database_url,
        SMTP_HOST="127.0.0.1",
        SMTP_PORT=port,
        MAIL_BACKEND="smtp",
    )
    counter = StatementCounter()
    now = datetime.now(UTC)
    starts = now + timedelta(hours=23)
    with app.app_context():
        event_id = prepare(args.registrants, starts)
        event.listen(db.engine, "before_cursor_execute", counter)
    failures = []
    url = f"/events/{event_id}"
    print(f"Event page with {args.registrants:,} registrants, {args.requests} GETs")
    for who, email in (
        ("coordinator", "bench-coordinator@example.org"),
        ("envoy", "bench-envoy@example.org"),
    ):
        p50, p95, statements, size = time_page(
            signed_in(app, email), url, args.requests, counter
        )
        verdict = "PASS" if p95 < PAGE_BUDGET_MS else "FAIL"
        print(
            f"  {who:<11} p50 {p50:6.1f} ms  p95 {p95:6.1f} ms "
            f"(budget < {PAGE_BUDGET_MS:.0f})  {statements} SQL  "
            f"{size / 1024:.0f} KB  {verdict}"
        )
        if verdict == "FAIL":
            failures.append(f"FAIL event page p95 as {who}: {p95:.1f} ms")

    with app.app_context():
        started = time.perf_counter()
        report = mails.run(now)
        elapsed = time.perf_counter() - started
        sent_reminders = report.sent
    stop.set()
    server.join(timeout=30)
    verdict = "PASS" if elapsed < SEND_BUDGET_S else "FAIL"
    print(
        f"Reminders: {report.summary()}; the server received {received.value:,} "
        f"in {elapsed:.1f} s (budget < {SEND_BUDGET_S:.0f} s, "
        f"{elapsed / max(sent_reminders, 1) * 1000:.1f} ms each)  {verdict}"
    )
    if verdict == "FAIL":
        failures.append(f"FAIL sending {sent_reminders} reminders: {elapsed:.1f} s")
    for line in failures:
        print(line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
