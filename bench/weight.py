"""Page weight over the wire, against PRODUCT.md §7's budgets.

    .venv/bin/python bench/weight.py --database-url sqlite:////tmp/weight.sqlite3

A first full page (HTML plus every stylesheet, script and image it loads
from our host) must stay within 80 KB gzipped; an htmx fragment within 15 KB.
The script signs in as each demo role through the real form, fetches each
page with ``Accept-Encoding: gzip`` as a browser would, and reports the bytes
that travel. It is a report: the exit code is 0; FAIL lines name the misses.
Pages that do not exist yet in this build are listed as "not available".
"""

import argparse
import re
from html.parser import HTMLParser

from flask_migrate import upgrade
from sqlalchemy import func, select

import envoycrm
import envoycrm.config
from envoycrm.demo.loader import DEMO_PASSWORD, load_demo
from envoycrm.extensions import db
from envoycrm.models import Student, User

PAGE_BUDGET = 80 * 1024
FRAGMENT_BUDGET = 15 * 1024
CSRF = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


class Assets(HTMLParser):
    """Collects the same-host assets a page loads (scripts, styles, images)."""

    def __init__(self):
        super().__init__()
        self.urls: set[str] = set()

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script" and attrs.get("src"):
            self.urls.add(attrs["src"])
        elif tag == "link" and attrs.get("rel") in ("stylesheet", "icon"):
            self.urls.add(attrs["href"])
        elif tag == "img" and attrs.get("src", "").startswith("/"):
            self.urls.add(attrs["src"])


def wire_size(client, url: str, headers: dict | None = None) -> tuple[int, int, str]:
    """(status, gzipped bytes, decoded body) of one GET."""
    response = client.get(url, headers={"Accept-Encoding": "gzip", **(headers or {})})
    body = response.get_data()
    text = ""
    if response.headers.get("Content-Encoding") == "gzip":
        import gzip

        text = gzip.decompress(body).decode("utf-8", "replace")
    else:
        text = body.decode("utf-8", "replace")
    return response.status_code, len(body), text


def sign_in(client, email: str) -> None:
    """Sign in through the real form."""
    page = client.get("/auth/login").get_data(as_text=True)
    token = CSRF.search(page).group(1)
    client.post(
        "/auth/login",
        data={"csrf_token": token, "email": email, "password": DEMO_PASSWORD},
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default="sqlite:////tmp/weight.sqlite3")
    args = parser.parse_args()
    app = envoycrm.create_app(
        envoycrm.config.TestConfig, SQLALCHEMY_DATABASE_URI=args.database_url
    )
    with app.app_context():
        upgrade()
        if not db.session.scalar(select(func.count(Student.id))):
            print("loading the demo data (scale 1) ...")
            load_demo(1)
        envoy = db.session.scalar(select(User).where(User.email == "envoy@example.com"))
        student_id = db.session.scalar(
            select(Student.id).where(Student.owner_id == envoy.id).limit(1)
        )
    pages = {
        "envoy@example.com": [
            ("/", False),
            ("/students/", False),
            (f"/students/{student_id}", False),
            ("/students/?q=wang", True),
            (f"/students/{student_id}/edit", True),
            ("/jobs/", False),
        ],
        "coordinator@example.com": [
            ("/", False),
            ("/students/?q=li", False),
            ("/network/envoys", False),
            ("/pipeline/", False),
            ("/dashboards/", False),
            ("/digests/", False),
        ],
        "employer@example.com": [("/", False), ("/jobs/", False)],
    }
    failures = 0
    print(f"{'who':<26} {'page':<40} {'kind':<9} {'bytes':>8} budget")
    for email, urls in pages.items():
        client = app.test_client()
        sign_in(client, email)
        for url, fragment in urls:
            headers = {"HX-Request": "true"} if fragment else None
            status, size, text = wire_size(client, url, headers)
            if status == 404:
                print(f"{email:<26} {url:<40} not available")
                continue
            total = size
            if not fragment:
                assets = Assets()
                assets.feed(text)
                for asset in sorted(assets.urls):
                    total += wire_size(client, asset)[1]
            budget = FRAGMENT_BUDGET if fragment else PAGE_BUDGET
            verdict = "PASS" if total <= budget else "FAIL"
            failures += verdict == "FAIL"
            kind = "fragment" if fragment else "page"
            print(
                f"{email:<26} {url[:40]:<40} {kind:<9} {total:>8} "
                f"{verdict} (<= {budget // 1024} KB, status {status})"
            )
    print(f"{failures} page(s) over budget")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
