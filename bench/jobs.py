"""Time the openings pages and the bulk matching run against their budgets.

    .venv/bin/python bench/jobs.py --scale 10 \\
        --database-url sqlite:////tmp/bench-jobs.sqlite3

Loads the demo data at ``--scale`` into an empty database (openings scale
with it: 500 per unit), signs in through the real form, then:

* times ``--requests`` GETs of the openings list (plain, searched, filtered,
  page 5) and of an opening's page with its matching students (coordinator)
  and candidates (employer): budget p95 < 50 ms of server time, one worker;
* computes the best candidates of every open opening against every student
  (``envoycrm.jobs.matching.all_matches``): budget < 30 s, and prints the
  peak Python memory it allocated (``tracemalloc``) and the process's peak
  resident size, to show that memory stays bounded.

A report: the exit code is 0 whatever the results; FAIL lines say what
missed. Use a database of its own (signing in writes audit rows).
"""

import argparse
import resource
import sys
import time
import tracemalloc
from datetime import date
from pathlib import Path

from sqlalchemy import event, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import envoycrm  # noqa: E402
import envoycrm.config  # noqa: E402
from bench.pages import (  # noqa: E402
    BUDGET_MS,
    StatementCounter,
    prepare,
    report,
    run_page,
    signed_in,
)
from envoycrm.demo.students import TODAY  # noqa: E402
from envoycrm.extensions import db  # noqa: E402
from envoycrm.jobs import matching  # noqa: E402
from envoycrm.models import (  # noqa: E402
    Employer,
    JobOpening,
    OpeningStatus,
    Student,
)

MATCH_BUDGET_S = 30.0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="demo scale (1-20)")
    parser.add_argument(
        "--database-url",
        default="sqlite:////tmp/bench-jobs.sqlite3",
        help="SQLAlchemy URL of a database the benchmark may fill",
    )
    parser.add_argument("--requests", "-n", type=int, default=200)
    args = parser.parse_args()

    app = envoycrm.create_app(
        envoycrm.config.TestConfig, SQLALCHEMY_DATABASE_URI=args.database_url
    )
    counter = StatementCounter()
    with app.app_context():
        prepare(args.scale)
        openings = db.session.scalar(select(func.count(JobOpening.id)))
        print(f"Openings: {openings}.")
        opening_id = db.session.scalar(
            select(JobOpening.id)
            .join(Employer, Employer.id == JobOpening.employer_id)
            .where(
                Employer.name_en == "Qingdao Blue Ocean New Materials Co., Ltd.",
                JobOpening.status == OpeningStatus.OPEN,
            )
            .order_by(JobOpening.id)
            .limit(1)
        )
        student_id = db.session.scalar(
            select(Student.id).order_by(Student.last_activity_at.desc()).limit(1)
        )
        event.listen(db.engine, "before_cursor_execute", counter)
        db.session.remove()

    clients = {
        who: signed_in(app, f"{who}@example.com")
        for who in ("envoy", "coordinator", "employer")
    }
    pages = [
        ("envoy", "/jobs/"),
        ("envoy", "/jobs/?q=engineer"),
        ("envoy", "/jobs/?field=MATERIALS&degree=PHD&salary=200000"),
        ("coordinator", "/jobs/?status=OPEN&sector=NEW_MATERIALS"),
        ("coordinator", "/jobs/?page=5"),
        ("coordinator", f"/jobs/{opening_id}"),
        ("employer", "/jobs/"),
        ("employer", f"/jobs/{opening_id}"),
        ("coordinator", f"/jobs/for-student/{student_id}"),
    ]
    results = []
    for who, url in pages:
        result = run_page(clients[who], who, url, args.requests, counter)
        results.append(result)
        print(f"  measured {who:<11} {url} ({result.status})", flush=True)
    report(results, args.requests)

    with app.app_context():
        bulk_matches()
    return 0


def bulk_matches() -> None:
    """Every open opening against every student: time and memory."""
    students = db.session.scalar(select(func.count(Student.id)))
    today = TODAY if TODAY > date(2000, 1, 1) else date.today()
    # Timed on its own: tracemalloc slows every allocation several times, so
    # memory is measured in a second pass.
    started = time.perf_counter()
    best = matching.all_matches(today)
    took = time.perf_counter() - started
    db.session.expire_all()
    tracemalloc.start()
    matching.all_matches(today)
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    kept = sum(len(v) for v in best.values())
    verdict = "PASS" if took < MATCH_BUDGET_S else "FAIL"
    print()
    print(
        f"Bulk matching: {len(best)} open openings × {students} students "
        f"in {took:.1f} s (budget < {MATCH_BUDGET_S:.0f} s): {verdict}"
    )
    print(
        f"  kept the best {kept} pairs; peak Python allocations "
        f"{peak / 2**20:.1f} MiB (tracemalloc), peak process RSS {rss_mb:.0f} MiB"
    )
    print(f"  budget for pages: p95 < {BUDGET_MS:.0f} ms (table above)")


if __name__ == "__main__":
    sys.exit(main())
