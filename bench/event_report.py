"""Time the report after an event on the demo's talent fair (3,000 registrants).

    .venv/bin/python bench/event_report.py --scale 10 \\
        --database-url sqlite:////tmp/bench-event-report.sqlite3

Like ``bench/pages.py`` (whose helpers it uses): migrates, loads the demo at
``--scale`` into an empty database, signs in through the real form and
times ``--requests`` GETs per page with the Flask test client. The pages: the
fair's page and its report as a coordinator, the fair's page as an envoy (who
sees their own students and a count), a study tour's applications and report.
Budget: p95 < 50 ms. It is a report: the exit code is always 0.
"""

import argparse
import sys

from pages import prepare, report, run_page, signed_in
from sqlalchemy import event, func, select
from statements import StatementCounter

import envoycrm
import envoycrm.config
from envoycrm.demo.fair import FAIR_TITLE
from envoycrm.extensions import db
from envoycrm.models import Event, EventKind, EventRegistration


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="demo scale (1-20)")
    parser.add_argument(
        "--database-url",
        default="sqlite:////tmp/bench-event-report.sqlite3",
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
        event.listen(db.engine, "before_cursor_execute", counter)
        fair = db.session.scalar(select(Event.id).where(Event.title_en == FAIR_TITLE))
        tour = db.session.scalar(
            select(Event.id)
            .where(Event.kind == EventKind.STUDY_TOUR)
            .order_by(Event.id)
            .limit(1)
        )
        registrants = db.session.scalar(
            select(func.count(EventRegistration.id)).where(
                EventRegistration.event_id == fair
            )
        )
        db.session.remove()
    if fair is None:
        raise SystemExit("the demo has no fair: load it into an empty database")
    print(f"The fair has {registrants} registrations.")

    pages = [
        ("coordinator", f"/events/{fair}"),
        ("coordinator", f"/events/{fair}/report"),
        ("envoy", f"/events/{fair}"),
        ("coordinator", f"/events/{tour}/applications"),
        ("coordinator", f"/events/{tour}/report"),
    ]
    clients = {
        "envoy": signed_in(app, "envoy@example.com"),
        "coordinator": signed_in(app, "coordinator@example.com"),
    }
    results = []
    for who, url in pages:
        result = run_page(clients[who], who, url, args.requests, counter)
        results.append(result)
        print(f"  measured {who:<11} {url} ({result.status})", flush=True)
    report(results, args.requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
