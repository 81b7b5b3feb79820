"""Time the policy pages and the reach of every policy against their budgets.

    .venv/bin/python bench/policies.py --scale 10 \\
        --database-url sqlite:////tmp/bench-policies.sqlite3

Loads the demo data at ``--scale`` into an empty database (the thirty demo
policies are added to a database that has students but no policies), signs
in through the real form, then:

* times ``--requests`` GETs of a student's eligible policies (the fragment of
  the student page, and the student page itself), the public checker
  answering five questions, and the coordinators' policy list: budget
  p95 < 50 ms of server time, one worker;
* counts the students every policy may reach
  (``envoycrm.policies.eligibility.reach``, one scan of the students for
  all policies): budget < 10 s.

A report: the exit code is 0 whatever the results; FAIL lines say what
missed. Use a database of its own (signing in writes audit rows).
"""

import argparse
import sys
import time
from pathlib import Path

from sqlalchemy import event, func, select

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import envoycrm  # noqa: E402
import envoycrm.config  # noqa: E402
from bench.pages import (  # noqa: E402
    StatementCounter,
    prepare,
    report,
    run_page,
    signed_in,
)
from envoycrm.demo.loader import LoadReport  # noqa: E402
from envoycrm.demo.policies import load_policies  # noqa: E402
from envoycrm.extensions import db  # noqa: E402
from envoycrm.i18n import bureau_today  # noqa: E402
from envoycrm.models import Policy, Student, User  # noqa: E402
from envoycrm.policies import eligibility  # noqa: E402

REACH_BUDGET_S = 10.0
CHECKER = (
    "/p/check?degree=PHD&field=MATERIALS&expected_graduation=2027-06"
    "&birth_year=1996&plan=work"
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="demo scale (1-20)")
    parser.add_argument(
        "--database-url",
        default="sqlite:////tmp/bench-policies.sqlite3",
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
        if db.session.scalar(select(Policy.id).limit(1)) is None:
            load_policies(LoadReport())
            db.session.commit()
        policies = db.session.scalar(select(func.count(Policy.id)))
        print(f"Policies: {policies}.")
        student_id = db.session.scalar(
            select(Student.id)
            .join(User, User.id == Student.owner_id)
            .where(User.email == "envoy@example.com")
            .order_by(Student.last_activity_at.desc())
            .limit(1)
        )
        event.listen(db.engine, "before_cursor_execute", counter)
        db.session.remove()

    clients = {
        "envoy": signed_in(app, "envoy@example.com"),
        "coordinator": signed_in(app, "coordinator@example.com"),
        "public": app.test_client(),
    }
    pages = [
        ("envoy", f"/policies/for-student/{student_id}"),
        ("envoy", f"/students/{student_id}"),
        ("coordinator", f"/policies/for-student/{student_id}"),
        ("public", CHECKER),
        ("public", "/p/check"),
        ("envoy", "/policies/"),
        ("coordinator", "/policies/?all=1"),
    ]
    results = []
    for who, url in pages:
        result = run_page(clients[who], who, url, args.requests, counter)
        results.append(result)
        print(f"  measured {who:<11} {url} ({result.status})", flush=True)
    report(results, args.requests)

    with app.app_context():
        all_reach()
    return 0


def all_reach() -> None:
    """How many students each policy in force may reach: time it."""
    students = db.session.scalar(select(func.count(Student.id)))
    today = bureau_today()
    started = time.perf_counter()
    versions = eligibility.current_versions(today)
    counts = eligibility.reach(versions, today)
    took = time.perf_counter() - started
    verdict = "PASS" if took < REACH_BUDGET_S else "FAIL"
    print()
    print(
        f"Reach: {len(versions)} policies in force × {students} students "
        f"in {took:.2f} s (budget < {REACH_BUDGET_S:.0f} s): {verdict}"
    )
    if counts:
        print(
            f"  students reached: from {min(counts.values())} "
            f"to {max(counts.values())} per policy"
        )


if __name__ == "__main__":
    sys.exit(main())
