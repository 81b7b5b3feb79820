"""Many envoys at once against gunicorn, with faults: requests/s, latency, lost writes.

    .venv/bin/python bench/load.py --db sqlite --envoys 150 --seconds 60
    .venv/bin/python bench/load.py --db postgresql --envoys 150 --seconds 60
    .venv/bin/python bench/load.py --db postgresql --fault   # kill a worker, restart PG

Builds a fresh database (an SQLite file, or a new schema on ``DATABASE_URL``),
migrates it, creates the envoys, starts gunicorn with several workers on a
loopback port, and lets each simulated envoy (one thread each) sign in through
the real form and then, until time is up, log a new student with the first
meeting through the quick-log form and, every third time, a further meeting on
one of their students. Every 302 the server answers is a write it
acknowledged; afterwards the rows are counted: each acknowledged quick log's
idempotency key must be in the database (nothing committed is lost) and,
without faults, students and meetings must equal what was acknowledged.

``--fault`` kills one gunicorn worker with SIGKILL at a third of the run and,
on PostgreSQL, restarts the server at half of it (on SQLite there is no server
to restart: not applicable). Requests in flight may fail; they must fail
cleanly (a refused connection or a 5xx, never a wrong answer), nothing
acknowledged may be lost, and the last part of the run must succeed again
without restarting the app.

Budgets: zero errors and zero lost writes without faults; p95 under 1 s for a
write at 150 concurrent envoys. The exit code is 1 when a budget is missed.
"""

import argparse
import http.client
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "load-test-password"  # noqa: S105 - a throwaway account
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')
STUDENT_LINK = re.compile(r"/students/(\d+)")
P95_BUDGET_S = 1.0


@dataclass
class Tally:
    """What all envoys saw, merged under a lock."""

    latencies: list = field(default_factory=list)  # work: pages and writes
    sign_in_latencies: list = field(default_factory=list)
    errors: list = field(default_factory=list)
    acked_keys: list = field(default_factory=list)
    acked_meetings: int = 0
    requests: int = 0
    ok_after: dict = field(default_factory=dict)  # second of run -> successes
    lock: threading.Lock = field(default_factory=threading.Lock)


class Envoy:
    """One envoy's browser: a cookie jar over one keep-alive connection."""

    def __init__(self, port: int, email: str, university_id: int, tally: Tally):
        self.port, self.email, self.university_id = port, email, university_id
        self.tally = tally
        self.cookies: dict[str, str] = {}
        self.conn: http.client.HTTPConnection | None = None
        self.students: list[int] = []

    def _request(self, method: str, path: str, form: dict | None = None):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.conn.close()
            self.conn = None
            raise
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, response.getheader("Location", ""), data

    def timed(self, label: str, method: str, path: str, form=None, expect=(200,)):
        """One request, recorded; returns (status, location, body) or None."""
        start = time.perf_counter()
        try:
            status, location, body = self._request(method, path, form)
        except (OSError, http.client.HTTPException) as exc:
            with self.tally.lock:
                self.tally.requests += 1
                self.tally.errors.append(f"{label}: {type(exc).__name__}")
            return None
        elapsed = time.perf_counter() - start
        with self.tally.lock:
            self.tally.requests += 1
            if label in ("login page", "sign in"):
                self.tally.sign_in_latencies.append(elapsed)
            else:
                self.tally.latencies.append(elapsed)
            if status not in expect:
                self.tally.errors.append(f"{label}: HTTP {status}")
        return status, location, body

    def sign_in(self) -> bool:
        page = self.timed("login page", "GET", "/auth/login")
        if not page or not CSRF.search(page[2]):
            return False
        form = {
            "csrf_token": CSRF.search(page[2]).group(1),
            "email": self.email,
            "password": PASSWORD,
        }
        done = self.timed("sign in", "POST", "/auth/login", form, expect=(302,))
        return bool(done and done[0] == 302)

    def log_student(self, n: int, started: float) -> None:
        home = self.timed("home", "GET", "/")
        if not home or home[0] != 200 or not CSRF.search(home[2]):
            if home and "/auth/login" in home[1]:
                self.sign_in()
            return
        key = uuid.uuid4().hex
        form = {
            "csrf_token": CSRF.search(home[2]).group(1),
            "idempotency_key": key,
            "name_latin": f"Load Student {key[:8]}",
            "university_id": str(self.university_id),
            "field": "MATERIALS",
            "degree": "MASTER",
            "email": f"{key[:12]}@load.example.org",
            "met_kind": "MEETING",
            "met_on": "2026-11-20",
            "notes": "Met at the welcome evening",
            "consent_scope": "BUREAU",
            "consent_method": "IN_PERSON",
            "notice_language": "en",
        }
        saved = self.timed("quick log", "POST", "/students/quick-log", form, (302,))
        if saved and saved[0] == 302:
            with self.tally.lock:
                self.tally.acked_keys.append(key)
                second = int(time.monotonic() - started)
                self.tally.ok_after[second] = self.tally.ok_after.get(second, 0) + 1
        if n % 3 == 2:
            self.log_meeting(CSRF.search(home[2]).group(1))

    def log_meeting(self, token: str) -> None:
        if not self.students:
            page = self.timed("my students", "GET", "/students/")
            if page and page[0] == 200:
                self.students = sorted({int(i) for i in STUDENT_LINK.findall(page[2])})
        if not self.students:
            return
        student_id = self.students[len(self.students) // 2]
        form = {
            "csrf_token": token,
            # Like the page's form: a fresh key, so the meeting is made once.
            "idempotency_key": uuid.uuid4().hex,
            "kind": "MEETING",
            "occurred_on": "2026-11-21",
            "notes": "Second meeting",
        }
        path = f"/students/{student_id}/interactions"
        saved = self.timed("meeting", "POST", path, form, (302,))
        if saved and saved[0] == 302:
            with self.tally.lock:
                self.tally.acked_meetings += 1

    def run(self, clock: "Clock") -> None:
        """Sign in, wait for everyone, then log students until the deadline."""
        give_up = time.monotonic() + clock.sign_in_limit
        while time.monotonic() < give_up and not self.sign_in():
            time.sleep(0.5)
        clock.everyone_signed_in.wait()
        clock.go.wait()
        n = 0
        while time.monotonic() < clock.deadline:
            self.log_student(n, clock.started)
            n += 1


class Clock:
    """The sign-in phase, then the timed window every envoy works in."""

    def __init__(self, envoys: int, seconds: float):
        self.seconds = seconds
        self.sign_in_limit = 120.0
        self.everyone_signed_in = threading.Barrier(envoys + 1)
        self.go = threading.Event()
        self.started = self.deadline = 0.0

    def start_window(self) -> None:
        self.started = time.monotonic()
        self.deadline = self.started + self.seconds
        self.go.set()


# --- the database -----------------------------------------------------------------


def fresh_database(kind: str, workdir: Path) -> tuple[str, callable]:
    """A database URL for this run and a function that drops it afterwards."""
    if kind == "sqlite":
        return f"sqlite:///{workdir / 'load.sqlite3'}", lambda: None
    base = os.environ.get(
        "DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
    )
    schema = f"load_{uuid.uuid4().hex[:10]}"
    # Pre-ping: the fault run restarts the server under this engine's pool.
    admin = sa.create_engine(base, pool_pre_ping=True)
    with admin.begin() as conn:
        conn.execute(sa.text(f'CREATE SCHEMA "{schema}"'))

    def drop() -> None:
        with admin.begin() as conn:
            conn.execute(sa.text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}", drop


CHEAP_HASH = {"ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1}


def prepare(url: str, envoys: int, cheap_hash: bool) -> tuple[list[str], int]:
    """Migrate, create the envoys; return their emails and their university."""
    from datetime import date

    from flask_migrate import upgrade

    from envoycrm import create_app
    from envoycrm.config import TestConfig
    from envoycrm.extensions import db
    from envoycrm.models import Country, EnvoyProfile, Role, University, User
    from envoycrm.models.users import DegreeLevel
    from envoycrm.security import password_hasher

    app = create_app(TestConfig, SQLALCHEMY_DATABASE_URI=url)
    # Hash as the server will verify, so signing in does not rehash.
    for key in CHEAP_HASH:
        app.config.pop(key, None)
    if cheap_hash:
        app.config.update(CHEAP_HASH)
    with app.app_context():
        upgrade()
        db.session.add(Country(code="GB"))
        university = University(
            name_en="University of Manchester",
            name_zh="曼彻斯特大学",
            country_code="GB",
            city="Manchester",
        )
        db.session.add(university)
        db.session.flush()
        password_hash = password_hasher(app).hash(PASSWORD)
        emails = [f"load-envoy-{n}@example.org" for n in range(envoys)]
        for email in emails:
            db.session.add(
                User(
                    email=email,
                    full_name=email.split("@")[0],
                    role=Role.ENVOY,
                    password_hash=password_hash,
                    envoy_profile=EnvoyProfile(
                        university_id=university.id,
                        programme="MSc",
                        degree=DegreeLevel.MASTER,
                        recruited_on=date(2025, 9, 1),
                    ),
                )
            )
        db.session.commit()
        university_id = university.id
        db.engine.dispose()
    return emails, university_id


def count_rows(url: str, keys: list[str]) -> dict:
    """Students, first meetings, other meetings, and acknowledged keys missing."""
    engine = sa.create_engine(url)
    with engine.connect() as conn:
        students = conn.scalar(sa.text("SELECT count(*) FROM students"))
        meetings = conn.scalar(sa.text("SELECT count(*) FROM interactions"))
        stored = set(conn.scalars(sa.text("SELECT key FROM idempotency_keys")))
    engine.dispose()
    return {
        "students": students,
        "interactions": meetings,
        "missing": [k for k in keys if k not in stored],
    }


# --- gunicorn ------------------------------------------------------------------


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_gunicorn(url: str, workers: int, port: int, workdir: Path, cheap_hash: bool):
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "SECRET_KEY": uuid.uuid4().hex,
        "SESSION_COOKIE_SECURE": "0",
        "MAIL_BACKEND": "file",
        "MAIL_CATCH_DIR": str(workdir / "mail"),
        "LOGIN_MAX_FAILURES_PER_IP": "100000",
    }
    gunicorn = Path(sys.executable).with_name("gunicorn")
    process = subprocess.Popen(
        [
            str(gunicorn),
            "--workers",
            str(workers),
            "--bind",
            f"127.0.0.1:{port}",
            "--backlog",
            "2048",
            "--timeout",
            "60",
            "--log-level",
            "warning",
            "envoycrm:create_app("
            + ", ".join(f"{k}={v}" for k, v in CHEAP_HASH.items() if cheap_hash)
            + ")",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "gunicorn.log", "w"),  # noqa: SIM115
    )
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
            conn.request("GET", "/auth/login")
            if conn.getresponse().status == 200:
                return process
        except OSError:
            time.sleep(0.2)
    process.kill()
    raise RuntimeError("gunicorn did not start; see gunicorn.log")


def worker_pids(master: int) -> list[int]:
    """The gunicorn workers: the master's children."""
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(p) for p in children.read_text().split()] if children.exists() else []


def restart_postgres() -> str:
    """Restart the local PostgreSQL cluster (Debian's pg_ctlcluster)."""
    version = sorted(os.listdir("/etc/postgresql"))[-1]
    subprocess.run(
        [
            "pg_ctlcluster",
            "--skip-systemctl-redirect",
            version,
            "main",
            "restart",
        ],
        check=True,
        capture_output=True,
    )
    return version


# --- the run -------------------------------------------------------------------


def run_load(
    db_kind: str = "sqlite",
    envoys: int = 150,
    seconds: float = 60,
    workers: int = 4,
    fault: bool = False,
    quiet: bool = False,
    cheap_hash: bool = False,
) -> dict:
    """Run the whole scenario and return the figures (see the module docstring)."""
    say = (lambda *a: None) if quiet else print
    with tempfile.TemporaryDirectory(prefix="envoycrm-load-") as tmp:
        workdir = Path(tmp)
        url, drop = fresh_database(db_kind, workdir)
        try:
            emails, university_id = prepare(url, envoys, cheap_hash)
            port = free_port()
            server = start_gunicorn(url, workers, port, workdir, cheap_hash)
            tally = Tally()
            faults = []
            clock = Clock(len(emails), seconds)
            try:
                threads = [
                    threading.Thread(
                        target=Envoy(port, email, university_id, tally).run,
                        args=(clock,),
                        daemon=True,
                    )
                    for email in emails
                ]
                sign_in_start = time.monotonic()
                for thread in threads:
                    thread.start()
                clock.everyone_signed_in.wait()
                sign_in_phase = time.monotonic() - sign_in_start
                sign_in_errors = len(tally.errors)
                with tally.lock:
                    tally.errors.clear()
                    tally.requests = 0
                clock.start_window()
                started = clock.started
                if fault:
                    time.sleep(seconds / 3)
                    victims = worker_pids(server.pid)
                    if victims:
                        os.kill(victims[0], signal.SIGKILL)
                        faults.append(
                            (round(time.monotonic() - started), "SIGKILL worker")
                        )
                    if db_kind == "postgresql":
                        time.sleep(max(0.0, started + seconds / 2 - time.monotonic()))
                        at = round(time.monotonic() - started)
                        restart_postgres()
                        faults.append((at, "PostgreSQL restarted"))
                for thread in threads:
                    thread.join(timeout=seconds + 60)
                elapsed = time.monotonic() - started
            finally:
                server.send_signal(signal.SIGTERM)
                server.wait(timeout=30)
            rows = count_rows(url, tally.acked_keys)
        finally:
            drop()

    lat = sorted(tally.latencies)

    def pct(p: float) -> float:
        return lat[min(len(lat) - 1, int(len(lat) * p))] * 1000 if lat else 0.0

    acked = len(tally.acked_keys)
    last_third = sum(
        n for second, n in tally.ok_after.items() if second >= seconds * 2 / 3
    )
    result = {
        "db": db_kind,
        "envoys": envoys,
        "workers": workers,
        "seconds": round(elapsed, 1),
        "requests": tally.requests,
        "rps": tally.requests / elapsed if elapsed else 0.0,
        "p50_ms": pct(0.50),
        "p95_ms": pct(0.95),
        "p99_ms": pct(0.99),
        "mean_ms": statistics.fmean(lat) * 1000 if lat else 0.0,
        "sign_ins": len(tally.sign_in_latencies) // 2,
        "sign_in_phase_s": round(sign_in_phase, 1),
        "sign_in_errors": sign_in_errors,
        "sign_in_p50_ms": statistics.median(tally.sign_in_latencies) * 1000
        if tally.sign_in_latencies
        else 0.0,
        "errors": len(tally.errors),
        "error_kinds": sorted(set(tally.errors))[:10],
        "acked_students": acked,
        "acked_meetings": tally.acked_meetings,
        "students": rows["students"],
        "interactions": rows["interactions"],
        "lost": len(rows["missing"]),
        "faults": faults,
        "acked_in_last_third": last_third,
    }
    say(format_report(result, fault))
    return result


def format_report(r: dict, fault: bool) -> str:
    lines = [
        f"load: {r['db']}, {r['envoys']} envoys, {r['workers']} gunicorn workers, "
        f"{r['seconds']} s",
        f"  requests       {r['requests']:>8}   {r['rps']:.1f} req/s",
        f"  latency ms     p50 {r['p50_ms']:.0f}  p95 {r['p95_ms']:.0f}  "
        f"p99 {r['p99_ms']:.0f}  mean {r['mean_ms']:.0f}  (pages and writes)",
        f"  sign-in phase  {r['sign_ins']:>8} sign-ins in {r['sign_in_phase_s']} s, "
        f"p50 {r['sign_in_p50_ms']:.0f} ms (Argon2id by design), "
        f"{r['sign_in_errors']} errors",
        f"  errors         {r['errors']:>8}   {', '.join(r['error_kinds'])}",
        f"  acknowledged   {r['acked_students']} students, "
        f"{r['acked_meetings']} extra meetings",
        f"  in database    {r['students']} students, {r['interactions']} meetings",
        f"  lost writes    {r['lost']}",
    ]
    if fault:
        lines.append(f"  faults         {r['faults'] or 'none injected'}")
        lines.append(
            f"  recovered      {r['acked_in_last_third']} writes acknowledged "
            "in the last third of the run"
        )
    return "\n".join(lines)


def budget_failures(r: dict, fault: bool) -> list[str]:
    """What missed the budget (empty when everything held)."""
    failures = []
    if r["lost"]:
        failures.append(f"FAIL {r['lost']} acknowledged writes lost")
    if not fault:
        if r["errors"]:
            failures.append(f"FAIL {r['errors']} errors")
        if r["students"] != r["acked_students"]:
            failures.append("FAIL students in database != acknowledged")
        if r["interactions"] != r["acked_students"] + r["acked_meetings"]:
            failures.append("FAIL meetings in database != acknowledged")
        if r["p95_ms"] > P95_BUDGET_S * 1000:
            failures.append(f"FAIL p95 {r['p95_ms']:.0f} ms > {P95_BUDGET_S * 1000} ms")
    else:
        if r["students"] < r["acked_students"]:
            failures.append("FAIL fewer students than acknowledged")
        if not r["acked_in_last_third"]:
            failures.append("FAIL the app did not recover")
    return failures


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=("sqlite", "postgresql"), default="sqlite")
    parser.add_argument("--envoys", type=int, default=150)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--fault", action="store_true")
    parser.add_argument(
        "--cheap-hash",
        action="store_true",
        help="cheap Argon2 parameters (as in tests) instead of production's",
    )
    args = parser.parse_args()
    if args.fault and args.db == "sqlite":
        print(
            "fault: no database server to restart on SQLite (not applicable); "
            "only a worker is killed"
        )
    result = run_load(
        args.db,
        args.envoys,
        args.seconds,
        args.workers,
        args.fault,
        cheap_hash=args.cheap_hash,
    )
    failures = budget_failures(result, args.fault)
    for line in failures:
        print(line)
    print("OK: within budget" if not failures else "")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
