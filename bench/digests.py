"""Build every weekly digest for every possible recipient, against the demo data.

    .venv/bin/python bench/digests.py --scale 10 \\
        --database-url sqlite:////tmp/bench-digests.sqlite3

Creates the app with the test configuration on the given database, migrates
it, loads the demo data at ``--scale`` when it has no students yet, then
builds and renders (text + HTML with inlined CSS, in each recipient's
language and zone) the digest of every active coordinator, admin, employer
user and envoy — subscribed or not, about 370 at the demo's size — for one
week. Nothing is sent or stored. Budget (issue #6): all of them in under
30 s, with memory that stays bounded (the session is emptied after each
recipient, so the peak does not grow with the number of recipients).

The week is the one the demo's fixed "today" (Monday 23 Nov 2026) closes,
so the digests carry a week of real activity; this week, after the demo's
last day, would be nearly empty. ``--week`` picks another.

Prints the time, the slowest digests, how many would be skipped as having
nothing new, the largest HTML body against Gmail's clipping budget (issue
#14: under 90 KB), the peak of Python allocations (tracemalloc, in a second
pass) during the build and the process's peak RSS. Exit code 0: it is a
report; look for FAIL.
"""

import argparse
import resource
import time
import tracemalloc
from collections import defaultdict

from flask_migrate import upgrade
from sqlalchemy import func, select

import envoycrm
import envoycrm.config
from envoycrm.demo.loader import load_demo
from envoycrm.demo.students import TODAY
from envoycrm.digests import render, subscriptions
from envoycrm.digests.content import CandidatePool
from envoycrm.digests.periods import monday_of, period_of
from envoycrm.extensions import db
from envoycrm.models import DigestKind, JobOpening, Student, User

BUDGET_SECONDS = 30.0
BUDGET_PEAK_MB = 256.0
# Gmail clips HTML past 102 KB, hiding the footer and its unsubscribe link.
BUDGET_HTML_KB = 90.0


def prepare(scale: int) -> None:
    """Migrate, and load the demo at ``scale`` into an empty database."""
    upgrade()
    if db.session.scalar(select(func.count(Student.id))):
        print("Using the students already in the database.")
        return
    started = time.perf_counter()
    load_demo(scale)
    print(f"Demo data loaded at scale {scale} in {time.perf_counter() - started:.1f} s")


def build_all(period: str, sizes: list | None = None) -> tuple[dict, list]:
    """Compose every digest of ``period``; counts per kind, (seconds, kind, email).

    ``sizes`` collects (HTML bytes, kind, email, empty) when given.
    """
    counts: dict = defaultdict(int)
    timings = []
    pool = CandidatePool()  # shared by the pass, as in ``outbox.send_due``
    for kind in DigestKind:
        ids = db.session.scalars(
            subscriptions.candidates(kind).with_only_columns(User.id).order_by(User.id)
        ).all()
        for user_id in ids:
            user = db.session.get(User, user_id)
            started = time.perf_counter()
            composed = render.compose(kind, user, period, pool)
            timings.append((time.perf_counter() - started, kind.value, user.email))
            assert "<style" not in composed.html
            if sizes is not None:
                size = len(composed.html.encode("utf-8"))
                sizes.append((size, kind.value, user.email, composed.empty))
            counts[kind] += 1
            # Keep memory bounded: forget every row loaded for this recipient.
            db.session.expunge_all()
    pool.close()
    return counts, timings


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="demo scale (1-20)")
    parser.add_argument(
        "--database-url",
        default="sqlite:////tmp/bench-digests.sqlite3",
        help="SQLAlchemy URL of a database the benchmark may fill",
    )
    parser.add_argument(
        "--week",
        default=period_of(TODAY),
        help="ISO week of the digests (default: the one the demo's today closes)",
    )
    args = parser.parse_args()
    monday_of(args.week)  # BadPeriod for anything but 2026-W48 and the like
    app = envoycrm.create_app(
        envoycrm.config.TestConfig,
        SQLALCHEMY_DATABASE_URI=args.database_url,
        BASE_URL="https://envoy.example.gov.cn",
    )
    with app.app_context():
        prepare(args.scale)
        students = db.session.scalar(select(func.count(Student.id)))
        openings = db.session.scalar(select(func.count(JobOpening.id)))
        print(f"{students:,} students, {openings:,} openings")
        print(f"Digests of {args.week} (the week up to {monday_of(args.week)})")
        sizes: list = []
        build_all(args.week, sizes)  # warm-up: templates compiled, caches filled
        db.session.remove()

        started = time.perf_counter()
        counts, timings = build_all(args.week)
        elapsed = time.perf_counter() - started
        db.session.remove()

        # A second pass under tracemalloc (which slows Python down) for memory.
        tracemalloc.start()
        build_all(args.week)
        _current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()

    total = sum(counts.values())
    peak_mb = peak / 1024 / 1024
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print()
    for kind, n in counts.items():
        spent = sum(t for t, k, _ in timings if k == kind.value)
        print(f"  {kind.value:<9} {n:>4} digests  {spent:6.2f} s")
    print("  slowest:")
    for seconds, kind, email in sorted(timings, reverse=True)[:5]:
        print(f"    {seconds * 1000:7.1f} ms  {kind:<9} {email}")
    empty = sum(1 for *_rest, is_empty in sizes if is_empty)
    print(f"  nothing new (would be skipped): {empty} of {len(sizes)}")
    print("  largest HTML:")
    for size, kind, email, _empty in sorted(sizes, reverse=True)[:3]:
        print(f"    {size / 1024:7.1f} KB  {kind:<9} {email}")
    largest_kb = max((s for s, *_ in sizes), default=0) / 1024
    verdict = "PASS" if largest_kb < BUDGET_HTML_KB else "FAIL"
    print(
        f"{verdict}  largest HTML {largest_kb:.1f} KB (budget {BUDGET_HTML_KB:.0f} KB)"
    )
    verdict = "PASS" if elapsed < BUDGET_SECONDS else "FAIL"
    print(
        f"{verdict}  {total} digests built in {elapsed:.2f} s "
        f"(budget {BUDGET_SECONDS:.0f} s)"
    )
    verdict = "PASS" if peak_mb < BUDGET_PEAK_MB else "FAIL"
    print(
        f"{verdict}  peak Python allocations {peak_mb:.1f} MB "
        f"(budget {BUDGET_PEAK_MB:.0f} MB); process peak RSS {rss_mb:.0f} MB"
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
