"""Time the door's check-in search and the fair page against their budgets.

    .venv/bin/python bench/checkin.py --scale 10 \\
        --database-url sqlite:////tmp/bench-checkin.sqlite3

Loads the demo data at ``--scale`` into an empty database, then adds a talent
fair of its own (once): 205 approved employers by the seed's kinds (129
private, 34 universities and institutes, 27 SOEs, 15 others), two openings
each, and 3,000 registrants of whom 1,800 are checked in. Signed in through
the real form as the coordinator (the fair's host) and an envoy, it times
``--requests`` GETs of the door page searched by Latin name, Hanzi and email
(page and htmx fragment) and of the fair page: budget p95 < 50 ms of server
time, one worker.

A report: the exit code is 0 whatever the results; FAIL lines say what
missed. Use a database of its own (signing in writes audit rows).
"""

import argparse
import secrets
import sys
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import event, func, insert, select

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
from envoycrm.extensions import db  # noqa: E402
from envoycrm.models import (  # noqa: E402
    DegreeLevel,
    Employer,
    EmployerKind,
    Event,
    EventKind,
    EventRegistration,
    EventStatus,
    FairEmployerRegistration,
    FairRegistrationStatus,
    FieldOfStudy,
    JobOpening,
    OpeningStatus,
    RegistrationStatus,
    Sector,
    User,
    registration_search_text,
)

TITLE = "Bench Talent Fair"
KINDS = (
    [EmployerKind.PRIVATE] * 129
    + [EmployerKind.INSTITUTE] * 34
    + [EmployerKind.SOE] * 27
    + [EmployerKind.OTHER] * 15
)
REGISTRANTS = 3000
ATTENDED = 1800
SURNAMES = [
    ("Wang", "王"),
    ("Li", "李"),
    ("Zhang", "张"),
    ("Liu", "刘"),
    ("Chen", "陈"),
]
GIVEN = [("Wei", "伟"), ("Fang", "芳"), ("Na", "娜"), ("Jun", "军"), ("Lei", "磊")]


def fair_data() -> int:
    """The bench's own fair (made once); returns its id."""
    found = db.session.scalar(select(Event.id).where(Event.title_en == TITLE))
    if found is not None:
        return found
    host = db.session.scalar(
        select(User).where(User.email == "coordinator@example.com")
    )
    starts = datetime(2026, 10, 17, 1, 0, tzinfo=UTC)
    fair = Event(
        kind=EventKind.TALENT_FAIR,
        title_en=TITLE,
        title_zh="基准人才交流会",
        starts_at=starts,
        ends_at=starts + timedelta(hours=8),
        time_zone="Asia/Shanghai",
        place="Qingdao International Expo Centre",
        status=EventStatus.HELD,
        host_id=host.id,
        public_token=secrets.token_hex(16),
    )
    db.session.add(fair)
    db.session.flush()
    for n, kind in enumerate(KINDS):
        employer = Employer(
            name_en=f"Fair Employer {n:03d}",
            name_zh=f"参会单位{n:03d}",
            kind=kind,
            industry="marine_materials",
        )
        db.session.add(employer)
        db.session.flush()
        openings = [
            JobOpening(
                employer_id=employer.id,
                title_en=f"Engineer {n}-{k}",
                title_zh=f"工程师{n}-{k}",
                sector=Sector.NEW_MATERIALS,
                field=FieldOfStudy.MATERIALS,
                min_degree=DegreeLevel.MASTER,
                salary_min=150_000,
                salary_max=250_000,
                headcount=2,
                location="Qingdao",
                deadline=date(2026, 12, 31),
                status=OpeningStatus.OPEN,
            )
            for k in range(2)
        ]
        db.session.add(
            FairEmployerRegistration(
                event_id=fair.id,
                employer_id=employer.id,
                status=FairRegistrationStatus.APPROVED,
                booth=f"A{n:03d}",
                openings=openings,
            )
        )
    rows = []
    for n in range(REGISTRANTS):
        surname, given = SURNAMES[n % 5], GIVEN[(n // 5) % 5]
        latin = f"{surname[0]} {given[0]}{n}"
        hanzi = surname[1] + given[1]
        email = f"registrant{n}@students.example.org"
        rows.append(
            {
                "event_id": fair.id,
                "name_latin": latin,
                "name_hanzi": hanzi,
                "email": email,
                "search_text": registration_search_text(latin, hanzi, email),
                "language": "zh_Hans",
                "status": RegistrationStatus.ATTENDED
                if n < ATTENDED
                else RegistrationStatus.REGISTERED,
                "attended_at": starts + timedelta(minutes=n % 400)
                if n < ATTENDED
                else None,
                "queued_at": starts - timedelta(days=30, minutes=n),
                "token": secrets.token_hex(16),
            }
        )
    db.session.execute(insert(EventRegistration), rows)
    db.session.commit()
    return fair.id


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="demo scale (1-20)")
    parser.add_argument(
        "--database-url",
        default="sqlite:////tmp/bench-checkin.sqlite3",
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
        fair_id = fair_data()
        registrants = db.session.scalar(
            select(func.count(EventRegistration.id)).where(
                EventRegistration.event_id == fair_id
            )
        )
        print(f"Fair: {len(KINDS)} employers, {registrants} registrants.")
        event.listen(db.engine, "before_cursor_execute", counter)
        db.session.remove()

    clients = {
        who: signed_in(app, f"{who}@example.com") for who in ("coordinator", "envoy")
    }
    fragment = {"HX-Request": "true"}
    door = f"/events/{fair_id}/door"
    pages = [
        ("coordinator", f"{door}?q=wang", None),
        ("coordinator", f"{door}?q=王伟", None),
        ("coordinator", f"{door}?q=registrant2999@", None),
        ("coordinator", f"{door}?q=li+na", fragment),
        ("coordinator", f"/events/{fair_id}/fair", None),
        ("envoy", f"/events/{fair_id}/fair", None),
        # A reference: a light page of the app, to read the figures above
        # against what the machine gives any page at the moment.
        ("coordinator", "/settings", None),
    ]
    results = []
    for who, url, headers in pages:
        client = clients[who]
        if headers:
            client.environ_base.update({"HTTP_HX_REQUEST": "true"})
        result = run_page(client, who, url, args.requests, counter)
        if headers:
            result.url = url + " (htmx)"
            client.environ_base.pop("HTTP_HX_REQUEST", None)
        results.append(result)
        print(f"  measured {who:<11} {result.url} ({result.status})", flush=True)
    report(results, args.requests)
    return 0


if __name__ == "__main__":
    sys.exit(main())
