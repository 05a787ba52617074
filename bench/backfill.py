"""The catalog backfill over twelve months (issue 16's report): per month the books discovered,
the duplicates dropped, resolved, synthetic and the provider requests, and the run time of a
12-month `backfill --now` against the local dump sample and against a local fake of Open
Library's search API.

    .venv/bin/python bench/backfill.py                 # SQLite, then PostgreSQL if installed
    .venv/bin/python bench/backfill.py --db sqlite --size-mb 20

What it does, in a fresh throwaway database (a SQLite temp file, or a PostgreSQL cluster
started by scripts/with_postgres.sh):

1. The dump sample: bench/dump.py's builder writes editions / works / authors files of
   `--size-mb` MB from the real Open Library dump lines in tests/fixtures/openlibrary_dump/
   (CC0), each line with a new key and new ISBNs, every other field (titles, publish dates)
   the real line's; `load_openlibrary_dump` loads them. The year is the one whose editions
   carry the most dates with a month (the real lines' dates are mostly "December 31, 19xx").
   Run 1: `backfill --from Y-01 --to Y-12 --now` with BACKFILL_SOURCES=openlibrary_dump.
   Run 2: the same twelve months again: everything is a duplicate now (the catalog's check).
2. The search API: a local server on 127.0.0.1 answers `search.json` as Open Library does,
   in the recorded body's shape (tests/fixtures/providers/openlibrary/search__*.json). ITS
   ANSWERS ARE SYNTHETIC: 300 works a year, spread over the months, most editions first; 80 %
   carry ISBNs, the others must be resolved by the title + author cascade, which the same
   server answers for half of them (the other half end as synthetic works).
   Run 3: 2019 with the rate limit lifted (the requests are what is measured);
   Run 4: 2018 at Open Library's default rate (OPENLIBRARY_RATE, 1 request/s without a
   contact e-mail): the wall time beside its bound, requests ÷ rate.
   ENRICHMENT_PROVIDERS=openlibrary (the fake): nothing is fetched from the internet, and the
   resolved works' enrichment requests are queued, not worked (no cluster runs).

It prints the machine (a fixed CPU loop before and after, the load average), a table per run
and the run's wall time.
"""

import argparse
import calendar
import contextlib
import io
import json
import os
import platform
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

from machine import bench_env, machine_line, run_on_databases

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

SEARCH_WORKS_PER_YEAR = 300
SEARCH_WITH_ISBN = 0.8  # share of the search's works that carry ISBNs
PAGE_SIZE = 100


# --- the fake search API ------------------------------------------------------------------------


def _isbn13(number: int) -> str:
    from catalog import isbn

    first12 = f"979{number:09d}"
    return first12 + isbn.isbn13_check_digit(first12)


def year_docs(year: int) -> list[dict]:
    """The synthetic works of `year`, most editions first, in the recorded doc's shape."""
    docs = []
    for i in range(SEARCH_WORKS_PER_YEAR):
        month = i % 12 + 1
        doc = {
            "key": f"/works/OL{year * 1000 + i}W",
            "title": f"Synthetic Backfill Novel {year} No {i}",
            "author_name": [f"Synthetic Novelist {i % 97}"],
            "edition_count": SEARCH_WORKS_PER_YEAR - i,
            "first_publish_year": year,
            "publish_date": [f"{calendar.month_name[month]} {i % 28 + 1}, {year}"],
            "subject": ["Fiction", "Synthetic"],
        }
        if (i % 10) < SEARCH_WITH_ISBN * 10:
            doc["isbn"] = [_isbn13(year * 1000 + i)]
        docs.append(doc)
    return docs


def title_answer(title: str) -> dict:
    """The cascade's title search: every other work without an ISBN is known (with its ISBN)."""
    parts = title.rsplit(" No ", 1)
    try:
        year, i = int(parts[0].rsplit(" ", 1)[1]), int(parts[1])
    except (IndexError, ValueError):
        return {"numFound": 0, "docs": []}
    if i % 2:
        return {"numFound": 0, "docs": []}
    doc = dict(year_docs(year)[i])
    doc["isbn"] = [_isbn13(year * 1000 + i)]
    return {"numFound": 1, "docs": [doc]}


class SearchApi(BaseHTTPRequestHandler):
    requests: list[str] = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        url = urlsplit(self.path)
        query = {key: values[0] for key, values in parse_qs(url.query).items()}
        type(self).requests.append("year" if "q" in query else "title")
        if url.path != "/search.json":
            body = {"error": "not found"}
        elif query.get("q", "").startswith("first_publish_year:"):
            year = int(query["q"].split(":", 1)[1])
            page, limit = int(query.get("page", 1)), int(query.get("limit", PAGE_SIZE))
            docs = year_docs(year)
            body = {
                "numFound": len(docs),
                "num_found": len(docs),
                "start": (page - 1) * limit,
                "docs": docs[(page - 1) * limit : page * limit],
            }
        else:
            body = title_answer(query.get("title", ""))
        data = json.dumps(body).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


# --- the runs -------------------------------------------------------------------------------------


def backfill_year(year: int) -> tuple[dict, float]:
    from django.core.management import CommandError, call_command

    out = io.StringIO()
    start = time.perf_counter()
    # A month that did not complete exits non-zero: its row in the table says so.
    with contextlib.suppress(CommandError):
        call_command(
            "backfill", "--from", f"{year}-01", "--to", f"{year}-12", "--now", "--json", stdout=out
        )
    return json.loads(out.getvalue()), time.perf_counter() - start


def print_run(title: str, report: dict, seconds: float, extra: str = "") -> dict:
    print(f"\n{title}")
    print("| month | status | discovered | duplicates | resolved | synthetic | queued | calls |")
    print("| :--- | :--- | ---: | ---: | ---: | ---: | ---: | :--- |")
    totals = dict.fromkeys(["discovered", "duplicates", "resolved", "synthetic", "queued"], 0)
    calls: dict[str, int] = {}
    for month in sorted(report["processed"], key=lambda m: m["month"]):
        for key in totals:
            totals[key] += month[key]
        for name, n in month["provider_calls"].items():
            calls[name] = calls.get(name, 0) + n
        month_calls = ", ".join(f"{k} {v}" for k, v in month["provider_calls"].items() if v)
        print(
            f"| {month['month']} | {month['status']} | {month['discovered']} | "
            f"{month['duplicates']} | {month['resolved']} | {month['synthetic']} | "
            f"{month['queued']} | {month_calls or '0'} |"
        )
    all_calls = ", ".join(f"{k} {v}" for k, v in calls.items() if v) or "0"
    print(
        f"| **12 months** | | {totals['discovered']} | {totals['duplicates']} | "
        f"{totals['resolved']} | {totals['synthetic']} | {totals['queued']} | {all_calls} |"
    )
    print(f"wall time {seconds:.2f} s{extra}")
    return {**totals, "calls": calls}


def busiest_year() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT publish_month / 100, COUNT(*) FROM ol_dump_edition"
            " WHERE publish_month % 100 > 0 GROUP BY publish_month / 100"
            " ORDER BY COUNT(*) DESC, publish_month / 100 DESC LIMIT 1"
        )
        row = cursor.fetchone()
    return int(row[0])


def run_here(size_mb: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import override_settings

    from enrichment.backfill.months import backfill_months_rerun
    from enrichment.models import BackfillMonth

    sys.path.insert(0, str(ROOT / "bench"))
    import dump as dump_bench

    print(f"\n## {connection.vendor}")
    print(machine_line("before"))
    call_command("migrate", verbosity=0)
    with tempfile.TemporaryDirectory(prefix="bench-backfill-dump-") as tmp:
        files = dump_bench.build_files(Path(tmp), size_mb)
        start = time.perf_counter()
        call_command(
            "load_openlibrary_dump",
            "--editions",
            str(files["edition"]),
            "--works",
            str(files["work"]),
            "--authors",
            str(files["author"]),
            verbosity=0,
            stdout=io.StringIO(),
        )
        loaded = time.perf_counter() - start
    from django.db import connection as db

    with db.cursor() as cursor:
        cursor.execute("SELECT COUNT(*), COUNT(publish_month) FROM ol_dump_edition")
        editions, dated = cursor.fetchone()
    print(f"dump sample: {size_mb} MB of editions, {editions:,} editions ({dated:,} dated) ")
    print(f"loaded in {loaded:.1f} s")

    server = ThreadingHTTPServer(("127.0.0.1", 0), SearchApi)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    fake = f"http://127.0.0.1:{server.server_address[1]}"
    common = {
        "ENRICHMENT_PROVIDERS": ["openlibrary"],
        "OPENLIBRARY_URL": fake,
        "BACKFILL_BOOKS_PER_MONTH": 20,
    }
    try:
        year = busiest_year()
        with override_settings(**common, BACKFILL_SOURCES=["openlibrary_dump"]):
            report, seconds = backfill_year(year)
            print_run(
                f"Run 1: the dump sample, {year} (BACKFILL_SOURCES=openlibrary_dump)",
                report,
                seconds,
            )
            # Run again, as a librarian's "Run again" (backfill --rerun) does: every book is
            # held now.
            backfill_months_rerun(months=BackfillMonth.objects.filter(year=year), by="bench")
            report, seconds = backfill_year(year)
            print_run("Run 2: the same twelve months again (all held now)", report, seconds)

        lifted = {**common, "OPENLIBRARY_RATE": 1000.0}
        with override_settings(**lifted, BACKFILL_SOURCES=["openlibrary_search"]):
            SearchApi.requests.clear()
            report, seconds = backfill_year(2019)
            print_run(
                "Run 3: the fake search API, 2019, rate limit lifted",
                report,
                seconds,
                f"; requests to the fake: {len(SearchApi.requests)}",
            )
        from django.conf import settings

        rate = settings.OPENLIBRARY_RATE
        with override_settings(**common, BACKFILL_SOURCES=["openlibrary_search"]):
            SearchApi.requests.clear()
            report, seconds = backfill_year(2018)
            sent = len(SearchApi.requests)
            print_run(
                f"Run 4: the fake search API, 2018, at Open Library's rate ({rate:g} request/s)",
                report,
                seconds,
                f"; {sent} requests: bound {sent / rate:.1f} s at {rate:g}/s "
                f"(ratio {seconds / (sent / rate):.2f})"
                if sent
                else "",
            )
    finally:
        server.shutdown()
    print(machine_line("after"))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["both", "sqlite", "postgres", "current"], default="both")
    parser.add_argument("--size-mb", type=int, default=20)
    args = parser.parse_args()
    if args.db == "current":
        run_here(args.size_mb)
        return
    env = bench_env(
        MEDIA_ROOT=tempfile.mkdtemp(prefix="bench-backfill-media-"),
        IMPORT_STORAGE_LOCATION=tempfile.mkdtemp(prefix="bench-backfill-imports-"),
        LOG_LEVEL="WARNING",
    )
    me = [
        sys.executable,
        str(Path(__file__).resolve()),
        "--db",
        "current",
        "--size-mb",
        str(args.size_mb),
    ]
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}")
    sys.exit(0 if run_on_databases(me, env, args.db) else 1)


if __name__ == "__main__":
    main()
