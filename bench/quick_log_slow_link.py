"""Time the quick log in Chromium over a slow link, against a 15 s budget.

    .venv/bin/python bench/quick_log_slow_link.py \\
        --database-url sqlite:////tmp/bench-slow-link.sqlite3

An envoy at a fair: 400 ms round trip and 1 Mbit/s each way (Chrome's
network emulation), a cold cache and a 375 px phone. It serves the app with
the test configuration on the given database (migrated, demo data loaded at
scale 1 when it has no students), signs in as ``envoy@example.com``, and
times the quick log from the signed-in home to the new student's page, the
same steps as tests/e2e/test_phones.py. It is a report: the exit code is 0;
a FAIL line says the budget was missed. Use a database of its own: each run
adds a student (with a new name and email, so runs do not collide).
"""

import argparse
import random
import string
import sys
import threading
from pathlib import Path

from flask_migrate import upgrade
from playwright.sync_api import sync_playwright
from sqlalchemy import func, select
from werkzeug.serving import make_server

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # the shared steps live beside the browser tests

import envoycrm  # noqa: E402
import envoycrm.config  # noqa: E402
from envoycrm.demo.loader import DEMO_PASSWORD, load_demo  # noqa: E402
from envoycrm.extensions import db  # noqa: E402
from envoycrm.models import Student  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.e2e.slow_link import (  # noqa: E402
    BUDGET_SECONDS,
    SLOW_LINK,
    quick_log_to_student_page,
    throttle,
)

PHONE = {
    "viewport": {"width": 375, "height": 812},
    "is_mobile": True,
    "has_touch": True,
}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--database-url",
        default="sqlite:////tmp/bench-slow-link.sqlite3",
        help="SQLAlchemy URL of a database the benchmark may fill",
    )
    parser.add_argument("--runs", type=int, default=1, help="timed runs")
    args = parser.parse_args()

    app = envoycrm.create_app(
        envoycrm.config.TestConfig, SQLALCHEMY_DATABASE_URI=args.database_url
    )
    with app.app_context():
        upgrade()
        if not db.session.scalar(select(func.count(Student.id))):
            load_demo(1)
        db.session.remove()
    server = make_server("127.0.0.1", 0, app, threaded=True)
    base = f"http://127.0.0.1:{server.server_port}"
    app.config["BASE_URL"] = base
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    link = (
        f"{SLOW_LINK['latency']} ms, "
        f"{SLOW_LINK['downloadThroughput'] * 8 / 1e6:g} Mbit/s down and up"
    )
    print(f"Quick log over a slow link ({link}), cold cache, 375 px phone")
    times = []
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS
            )
            for _ in range(args.runs):
                times.append(one_run(browser, base))
            browser.close()
    finally:
        server.shutdown()
        thread.join(timeout=10)
    for n, seconds in enumerate(times, 1):
        verdict = "PASS" if seconds <= BUDGET_SECONDS else "FAIL"
        print(
            f"  run {n}: {seconds:5.1f} s   budget {BUDGET_SECONDS:.0f} s   {verdict}"
        )
    return 0


def one_run(browser, base: str) -> float:
    """Sign in, empty the cache, throttle, and time one quick log."""
    context = browser.new_context(locale="en-GB", **PHONE)
    page = context.new_page()
    try:
        page.goto(f"{base}/auth/login")
        page.get_by_label("Email", exact=True).fill("envoy@example.com")
        page.get_by_label("Password", exact=True).fill(DEMO_PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_url(f"{base}/")
        throttle(page)
        # A name and email of its own, so runs on one database do not collide.
        tag = "".join(random.choices(string.ascii_lowercase, k=8))
        return quick_log_to_student_page(
            page,
            base,
            email=f"bench-{tag}@students.example.org",
            name_latin=f"Li {tag.capitalize()}",
        )
    finally:
        context.close()


if __name__ == "__main__":
    sys.exit(main())
