"""Time the pipeline board and dashboards, export memory and a 10,000-row import.

    .venv/bin/python bench/pipeline.py --scale 10 \\
        --database-url sqlite:////tmp/bench.sqlite3

Uses the same database preparation as ``bench/pages.py`` (migrate, load the
demo at ``--scale`` if there are no students yet) and signs in as the demo
coordinator. Budgets (issue #5):

* the board and the dashboard answer in p95 < 50 ms server time, with a
  number of SQL statements per request that does not grow with rows;
* exporting every student (200,000 at scale 10) streams with peak memory
  under 200 MB (Python allocations by ``tracemalloc``, and the growth of the
  process's maximum resident set), its first byte within a second;
* importing 10,000 rows, preview and confirm, takes under 15 s;
* the board's HTML is at most 40 KB uncompressed (issue #13).

It is a report: the exit code is 0 whatever the results; FAIL lines say what
missed the budget. The import adds 10,000 students to the database it uses.
"""

import argparse
import io
import re
import resource
import sys
import time
import tracemalloc
import uuid
from pathlib import Path

from sqlalchemy import event, select

sys.path.insert(0, str(Path(__file__).resolve().parent))

from pages import Result, StatementCounter, prepare, signed_in  # noqa: E402

import envoycrm  # noqa: E402
import envoycrm.config  # noqa: E402
from envoycrm.extensions import db  # noqa: E402
from envoycrm.models import University, User  # noqa: E402
from envoycrm.pipeline.services import BOARD_HTML_BUDGET  # noqa: E402

PAGE_BUDGET_MS = 50.0
EXPORT_BUDGET_MB = 200.0
FIRST_BYTE_S = 1.0
IMPORT_BUDGET_S = 15.0
WARM_UP = 5


def time_page(client, url: str, n: int, counter: StatementCounter) -> Result:
    """``n`` GETs of ``url`` after a warm-up: times and statements per request."""
    result = Result("coordinator", url)
    for _ in range(WARM_UP):
        client.get(url)
    for _ in range(n):
        counter.count = 0
        started = time.perf_counter()
        response = client.get(url)
        result.times_ms.append((time.perf_counter() - started) * 1000)
        result.queries.append(counter.count)
        result.sizes.append(len(response.get_data()))
        if response.status_code != 200:
            result.status = f"HTTP {response.status_code}"
            break
    return result


def max_rss_mb() -> float:
    """The process's peak resident set so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def measure_export(client, url: str) -> tuple[int, float, float, float, float]:
    """Stream ``url`` block by block.

    Bytes, seconds to the first byte, seconds in all, peak Python MB, RSS growth MB.
    """
    rss_before = max_rss_mb()
    tracemalloc.start()
    started = time.perf_counter()
    response = client.get(url, buffered=False)
    size = 0
    first = None
    for block in response.response:
        if first is None:
            first = time.perf_counter() - started
        size += len(block)
    response.close()
    took = time.perf_counter() - started
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return size, first or took, took, peak / 1024 / 1024, max_rss_mb() - rss_before


def import_csv(app, rows: int) -> bytes:
    """A CSV of ``rows`` new students at existing universities."""
    with app.app_context():
        with_names = db.session.scalars(select(University.name_en).limit(20)).all()
    run = uuid.uuid4().hex[:8]
    lines = ["Name,Chinese name,Email,University,Degree,Field,Graduation"]
    for n in range(rows):
        lines.append(
            f"Bench Person{n},测试{n % 100},bench{run}.{n}@uni.example.org,"
            f"{with_names[n % len(with_names)]},PhD,Materials science,2027-06-30"
        )
    return ("\ufeff" + "\n".join(lines) + "\n").encode("utf-8")


def measure_import(app, client, rows: int) -> tuple[float, float, int]:
    """Upload, map (guessed), preview and confirm; seconds for preview and confirm."""
    page = client.get("/pipeline/import").get_data(as_text=True)
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page)[1]
    owner = re.search(r'name="owner_id"[^>]*>\s*<option value="(\d+)"', page)[1]
    content = import_csv(app, rows)
    started = time.perf_counter()
    response = client.post(
        "/pipeline/import",
        data={
            "csrf_token": token,
            "file": (io.BytesIO(content), "bench.csv"),
            "owner_id": owner,
            "scope": "BUREAU",
            "method": "FORM",
            "notice_language": "zh_Hans",
            "on_duplicate": "skip",
        },
        content_type="multipart/form-data",
    )
    mapping_url = response.headers["Location"]
    page = client.get(mapping_url).get_data(as_text=True)
    data = {"csrf_token": token}
    for name, value in re.findall(
        r'name="(map_\w+)"[^>]*>.*?(?:<option selected value="(\d*)"|</select>)',
        page,
        re.S,
    ):
        data[name] = value
    preview = client.post(mapping_url, data=data)
    preview_url = preview.headers["Location"]
    previewed = time.perf_counter() - started
    started = time.perf_counter()
    client.post(preview_url + "/confirm", data={"csrf_token": token})
    confirmed = time.perf_counter() - started
    # Read the result from the database: the page is in the user's language.
    with app.app_context():
        from envoycrm.models import ImportJob

        job = db.session.scalar(select(ImportJob).order_by(ImportJob.id.desc()))
        written = job.rows_written if job else 0
        db.session.remove()
    return previewed, confirmed, written


def verdict(ok: bool) -> str:
    return "PASS" if ok else "FAIL"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=int, default=1, help="demo scale (1-20)")
    parser.add_argument(
        "--database-url",
        default="sqlite:////tmp/bench.sqlite3",
        help="SQLAlchemy URL of a database the benchmark may fill",
    )
    parser.add_argument("--requests", "-n", type=int, default=100)
    parser.add_argument("--import-rows", type=int, default=10_000)
    parser.add_argument("--skip-pages", action="store_true")
    parser.add_argument("--skip-export", action="store_true")
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument(
        "--cache-seconds",
        type=int,
        default=120,
        help="AGGREGATE_CACHE_SECONDS as in production (0: every request computes)",
    )
    args = parser.parse_args()

    app = envoycrm.create_app(
        envoycrm.config.TestConfig,
        SQLALCHEMY_DATABASE_URI=args.database_url,
        AGGREGATE_CACHE_SECONDS=args.cache_seconds,
    )
    counter = StatementCounter()
    with app.app_context():
        prepare(args.scale)
        event.listen(db.engine, "before_cursor_execute", counter)
        envoy = db.session.scalar(
            select(User.id).where(User.email == "envoy@example.com")
        )
        db.session.remove()
    client = signed_in(app, "coordinator@example.com")

    pages = [
        "/pipeline/",
        "/pipeline/?country=GB",
        f"/pipeline/?envoy={envoy}&degree=PHD",
        "/pipeline/?stage_age=90&intention=LIKELY",
        "/pipeline/list",
        "/pipeline/list?country=GB&sort=name&page=5",
        "/dashboards/",
        "/dashboards/?country=GB",
        "/dashboards/?degree=PHD&graduation_year=2027",
        "/pipeline/envoys",
    ]
    print(f"\n{'page':<48} {'p50 ms':>8} {'p95 ms':>8} {'queries':>8} {'KB':>6}")
    for url in [] if args.skip_pages else pages:
        result = time_page(client, url, args.requests, counter)
        queries = f"{min(result.queries)}-{max(result.queries)}"
        print(
            f"{url:<48} {result.p50:8.1f} {result.p95:8.1f} {queries:>8} "
            f"{max(result.sizes) / 1024:6.1f}  "
            f"{verdict(result.p95 < PAGE_BUDGET_MS)} (p95 < {PAGE_BUDGET_MS:.0f} ms)"
            + ("" if result.status == "ok" else f" {result.status}")
        )
        if url.startswith("/pipeline/?") or url == "/pipeline/":
            weight = max(result.sizes, default=0)
            print(
                f"{'  board HTML':<48} {weight / 1024:6.1f} KB  "
                f"{verdict(0 < weight <= BOARD_HTML_BUDGET)} "
                f"(<= {BOARD_HTML_BUDGET // 1024} KB uncompressed)"
            )

    if not args.skip_export:
        print()
        for url in ("/pipeline/export.csv", "/pipeline/export.xlsx"):
            size, first, took, peak, rss = measure_export(client, url)
            print(
                f"export {url:<28} {size / 1024 / 1024:7.1f} MB in {took:6.1f} s "
                f"(first byte {first * 1000:.0f} ms; "
                f"{verdict(first < FIRST_BYTE_S)} < {FIRST_BYTE_S:.0f} s); "
                f"peak Python memory {peak:6.1f} MB, max RSS grew {rss:6.1f} MB  "
                f"{verdict(max(peak, rss) < EXPORT_BUDGET_MB)} "
                f"(< {EXPORT_BUDGET_MB:.0f} MB)"
            )

    if not args.skip_import:
        previewed, confirmed, written = measure_import(app, client, args.import_rows)
        total = previewed + confirmed
        print(
            f"\nimport {args.import_rows} rows: upload+map+preview {previewed:.1f} s, "
            f"confirm {confirmed:.1f} s ({written} written), total {total:.1f} s  "
            f"{verdict(total < IMPORT_BUDGET_S)} (< {IMPORT_BUDGET_S:.0f} s)"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
