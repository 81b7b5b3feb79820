"""Time the personnel files' queue against the demo data, counting SQL.

    .venv/bin/python bench/files.py --scale 10 \\
        --database-url sqlite:////tmp/bench-files.sqlite3

The same harness as ``bench/pages.py`` (migrate, load the demo at
``--scale`` into an empty database, sign in through the real form, time
``--requests`` GETs per page with the test client): the coordinators' queue
(plain, overdue only, one step, page 5), a file's page and a student's
public status page, against the budget p95 < 50 ms. The pilot has 310 files
at every scale; the queue joins them to students, so the student table's
size is what the scale changes. A report: the exit code is always 0.
"""

import argparse
import sys

from pages import prepare, report, run_page, signed_in
from sqlalchemy import event, select
from statements import StatementCounter

import envoycrm
import envoycrm.config
from envoycrm.extensions import db
from envoycrm.models import FileStep, PersonnelFile
from envoycrm.personnel_files import notices


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="demo scale (1-20)")
    parser.add_argument(
        "--database-url",
        default="sqlite:////tmp/bench-files.sqlite3",
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
        file = db.session.scalar(
            select(PersonnelFile)
            .where(PersonnelFile.step == FileStep.CHECKED)
            .order_by(PersonnelFile.id)
            .limit(1)
        )
        if file is None:
            raise SystemExit("no personnel files: load the demo into an empty database")
        with app.test_request_context():
            status = f"/file-status/{notices.sign(file)}"
        file_id = file.id
        db.session.remove()

    pages = [
        ("coordinator", "/files/"),
        ("coordinator", "/files/?overdue=1"),
        ("coordinator", "/files/?step=STORED"),
        ("coordinator", "/files/?page=5"),
        ("coordinator", "/files/?step=STORED&page=5"),
        ("coordinator", f"/files/{file_id}"),
        ("public", status),
    ]
    clients = {
        "coordinator": signed_in(app, "coordinator@example.com"),
        "public": app.test_client(),
    }
    results = []
    for who, url in pages:
        result = run_page(clients[who], who, url, args.requests, counter)
        results.append(result)
        print(f"  measured {who:<11} {url[:60]} ({result.status})", flush=True)
    report(results, args.requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
