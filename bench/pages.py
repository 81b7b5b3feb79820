"""Time the busiest pages against the demo data, counting SQL per request.

    .venv/bin/python bench/pages.py --scale 10 \\
        --database-url sqlite:////tmp/bench.sqlite3

Creates the app with the test configuration on the given database, migrates
it, loads the demo data at ``--scale`` when it has no students yet, signs in
through the real form and times ``--requests`` GETs per page with the Flask
test client (server time, one worker, no network); with ``--runs K`` every
page is measured K times in turn and its median run reported. The budget is the
product's: p95 < 50 ms, and SQL statements per request that do not grow with
rows (a first page and page 5 of a list run the same number of queries).

It is a report: the exit code is 0 whatever the results; FAIL lines say what
missed the budget. Use a database of its own: signing in writes audit rows
and, under the test configuration's cheap Argon2 settings, rehashes the demo
passwords.
"""

import argparse
import re
import statistics
import sys
import time
from dataclasses import dataclass, field

from flask_migrate import upgrade
from sqlalchemy import event, func, select
from statements import StatementCounter

import envoycrm
import envoycrm.config
from envoycrm.demo.loader import DEMO_PASSWORD, load_demo
from envoycrm.extensions import db
from envoycrm.models import Interaction, JobOpening, Student, User

BUDGET_MS = 50.0
WARM_UP = 5
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Result:
    """One page's timings and query counts."""

    who: str
    url: str
    status: str = "ok"
    times_ms: list[float] = field(default_factory=list)
    queries: list[int] = field(default_factory=list)
    sizes: list[int] = field(default_factory=list)

    @property
    def p50(self) -> float:
        return statistics.median(self.times_ms)

    @property
    def p95(self) -> float:
        if len(self.times_ms) < 2:
            return self.times_ms[0]
        return statistics.quantiles(self.times_ms, n=20, method="inclusive")[18]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="demo scale (1-20)")
    parser.add_argument(
        "--database-url",
        default="sqlite:////tmp/bench.sqlite3",
        help="SQLAlchemy URL of a database the benchmark may fill",
    )
    parser.add_argument("--requests", "-n", type=int, default=200)
    parser.add_argument(
        "--runs",
        type=int,
        default=1,
        help="measure every page this many times, in turn, and report each "
        "page's median run (by p95): a busy moment then spoils one run, not "
        "the figure",
    )
    parser.add_argument(
        "--office",
        action="store_true",
        help="also every coordinator, employer and administrator page (issue #13)",
    )
    args = parser.parse_args()

    app = envoycrm.create_app(
        envoycrm.config.TestConfig, SQLALCHEMY_DATABASE_URI=args.database_url
    )
    counter = StatementCounter()
    with app.app_context():
        prepare(args.scale)
        event.listen(db.engine, "before_cursor_execute", counter)
        student_id = db.session.scalar(
            select(Student.id)
            .join(User, User.id == Student.owner_id)
            .where(User.email == "envoy@example.com")
            .order_by(Student.last_activity_at.desc(), Student.id.desc())
            .limit(1)
        )
        opening_id = db.session.scalar(
            select(JobOpening.id)
            .join(User, User.employer_id == JobOpening.employer_id)
            .where(User.email == "employer@example.com")
            .order_by(JobOpening.id)
            .limit(1)
        )
    # No app context is held open from here on: every request gets its own,
    # as in production (a shared one would share ``g`` between requests).

    pages = [
        ("envoy", "/"),
        ("envoy", "/students/"),
        ("envoy", "/students/?q=wang"),
        ("envoy", "/students/?stage=INTERESTED&degree=PHD&sort=activity"),
        ("envoy", f"/students/{student_id}"),
        ("coordinator", "/students/?q=wang&graduation_year=2027"),
        # Every student: page 5 is full at any scale, for the growth check.
        ("coordinator", "/students/"),
    ]
    later_pages = [
        (who, later_page(url)) for who, url in pages if url.startswith("/students/?")
    ]
    later_pages[0:0] = [
        ("envoy", "/students/?page=5"),
        ("coordinator", "/students/?page=5"),
    ]
    clients = {
        "envoy": signed_in(app, "envoy@example.com"),
        "coordinator": signed_in(app, "coordinator@example.com"),
    }
    if args.office:
        later_pages += office_pages(opening_id)
        clients["employer"] = signed_in(app, "employer@example.com")
        clients["admin"] = signed_in(app, "admin@example.com")
    runs: list[list[Result]] = []
    for run in range(1, args.runs + 1):
        runs.append([])
        for who, url in pages + later_pages:
            result = run_page(clients[who], who, url, args.requests, counter)
            runs[-1].append(result)
            print(f"  run {run}: {who:<11} {url} ({result.status})", flush=True)
    report([median_run(list(each)) for each in zip(*runs, strict=True)], args.requests)
    if args.runs > 1:
        print(f"Each page's median of {args.runs} runs by p95.")
    return 0


def median_run(results: list[Result]) -> Result:
    """The run whose p95 is the median of the page's runs (the lower middle
    one of an even number); a run that failed stands for the page."""
    failed = [r for r in results if not r.times_ms]
    if failed:
        return failed[0]
    ranked = sorted(results, key=lambda r: r.p95)
    return ranked[(len(ranked) - 1) // 2]


def office_pages(opening_id: int | None) -> list[tuple[str, str]]:
    """Every page of the office side: coordinators', employers', administrators'."""
    pages = [
        ("coordinator", "/"),
        ("coordinator", "/pipeline/"),
        ("coordinator", "/pipeline/list"),
        ("coordinator", "/pipeline/list?page=5"),
        ("coordinator", "/dashboards/"),
        ("coordinator", "/pipeline/envoys"),
        ("coordinator", "/privacy-admin/audit"),
        ("coordinator", "/privacy-admin/audit?page=5"),
        ("coordinator", "/digests/"),
        ("coordinator", "/digests/outbox"),
        ("coordinator", "/jobs/"),
        ("coordinator", "/tasks/"),
        ("employer", "/"),
        ("employer", "/jobs/"),
        ("admin", "/admin/users"),
    ]
    if opening_id is not None:
        pages += [
            ("coordinator", f"/jobs/{opening_id}"),
            ("employer", f"/jobs/{opening_id}"),
            ("employer", f"/jobs/{opening_id}?page=2"),
        ]
    return pages


def prepare(scale: int) -> None:
    """Migrate, then load the demo data unless students are there already."""
    upgrade()
    students = db.session.scalar(select(func.count(Student.id)))
    if students:
        print(f"Database has {students} students already; not loading the demo.")
    else:
        started = time.perf_counter()
        load_demo(scale)
        took = time.perf_counter() - started
        print(f"Loaded the demo data at scale {scale} in {took:.1f} s.")
    students = db.session.scalar(select(func.count(Student.id)))
    interactions = db.session.scalar(select(func.count(Interaction.id)))
    print(f"Size: {students} students, {interactions} interactions.")
    db.session.remove()


def later_page(url: str) -> str:
    """The same list, five pages further on."""
    return f"{url}&page=5" if "?" in url else f"{url}?page=5"


def signed_in(app, email: str):
    """A test client signed in through the real form."""
    client = app.test_client()
    page = client.get("/auth/login").get_data(as_text=True)
    token = CSRF.search(page)
    if token is None:
        raise SystemExit("no CSRF token on the sign-in page")
    response = client.post(
        "/auth/login",
        data={
            "email": email,
            "password": DEMO_PASSWORD,
            "csrf_token": token.group(1),
        },
    )
    if response.status_code != 302:
        raise SystemExit(f"signing in as {email} failed: {response.status_code}")
    return client


def run_page(client, who: str, url: str, n: int, counter: StatementCounter) -> Result:
    """Warm up, then time ``n`` GETs of ``url``."""
    result = Result(who, url)
    try:
        for _ in range(WARM_UP):
            response = client.get(url)
            if response.status_code != 200:
                result.status = (
                    "not available"
                    if response.status_code == 404
                    else f"HTTP {response.status_code}"
                )
                return result
        for _ in range(n):
            counter.count = 0
            started = time.perf_counter()
            response = client.get(url)
            result.times_ms.append((time.perf_counter() - started) * 1000)
            result.queries.append(counter.count)
            result.sizes.append(len(response.data))
    except Exception as error:  # a report: note what broke and go on
        result.status = f"error: {type(error).__name__}: {error}"[:120]
        result.times_ms.clear()
    return result


def report(results: list[Result], n: int) -> None:
    """Print the table, the budget verdicts and the query-growth check."""
    print()
    print(f"{n} requests per page; budget p95 < {BUDGET_MS:.0f} ms")
    header = (
        f"{'who':<11} {'page':<58} {'p50 ms':>7} {'p95 ms':>7} "
        f"{'queries':>8} {'KB':>6}  budget"
    )
    print(header)
    print("-" * len(header))
    failures = []
    for r in results:
        if not r.times_ms:
            print(f"{r.who:<11} {r.url:<58} {r.status}")
            continue
        queries = f"{min(r.queries)}-{max(r.queries)}"
        if min(r.queries) == max(r.queries):
            queries = str(min(r.queries))
        verdict = "PASS" if r.p95 < BUDGET_MS else "FAIL"
        if verdict == "FAIL":
            failures.append(f"FAIL p95 {r.p95:.1f} ms >= {BUDGET_MS:.0f} ms: {r.url}")
        print(
            f"{r.who:<11} {r.url:<58} {r.p50:>7.1f} {r.p95:>7.1f} "
            f"{queries:>8} {max(r.sizes) / 1024:>6.1f}  {verdict}"
        )

    print()
    print("Queries per request, first page against page 5 (must not grow with rows):")
    by_url = {(r.who, r.url): r for r in results}
    for (who, url), first in by_url.items():
        if "page=5" in url:
            continue
        later = by_url.get((who, later_page(url)))
        if later is None:
            continue
        if not first.queries or not later.queries:
            print(f"  {who} {url}: not available")
            continue
        counts = sorted(set(first.queries)), sorted(set(later.queries))
        if counts[0] == counts[1] and len(counts[0]) == 1:
            verdict = "PASS"
        elif len(counts[0]) == len(counts[1]) == 1 and counts[1] < counts[0]:
            # Eager loads skip an empty page: the list ends before page 5.
            verdict = "SKIP (page 5 past the end of this list)"
        else:
            verdict = "FAIL"
            failures.append(f"FAIL query count grows or varies: {who} {url}")
        print(f"  {verdict} {who} {url}: {counts[0]} queries, page 5: {counts[1]}")

    print()
    if failures:
        for line in failures:
            print(line)
    else:
        print("All measured pages within budget.")


if __name__ == "__main__":
    sys.exit(main())
