"""The enrichment API on a big catalog: `enrichment/status` for 500 works (and for 1, to show the
query count does not grow) and the queue's first page and a page deep into it, at 100,000 works
and 100,000 enrichment requests, on SQLite and on PostgreSQL, through DRF's test client with a
token, as a user holding the admin's permissions (not a superuser: their check costs queries).
For each call: the SQL queries it makes (authentication, permissions and the throttle's count
included) and the median time of N calls, next to a machine baseline measured in the same run;
then the throttle's count alone (bookstore/api_throttle.py's one statement, without REDIS_URL).

    .venv/bin/python bench/api.py                 # both databases (PostgreSQL if installed)
    .venv/bin/python bench/api.py --db sqlite --works 20000 --repeats 9

Goal: a constant number of queries, at most 5, and a median under 50 ms on SQLite. The catalog is
bench/admin.py's (the same fill, written with bulk_create into a throwaway database).
"""

import argparse
import base64
import os
import platform
import random
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote, urlencode

from admin import fill, measure
from machine import bench_env, machine_line, run_on_databases

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
MAX_QUERIES = 5
GOAL_MS = 50
STATUS_IDS = 500
THROTTLE_REPEATS = 200


def cursor_at(list_path: str, request_id: int) -> str:
    """The list's cursor for the page after `request_id`, as a `next` link holds it: the position
    and the list it is for (bookstore.api_pagination), quoted for a URL."""
    tokens = urlencode({"p": request_id, "l": list_path})
    return quote(base64.b64encode(tokens.encode()).decode(), safe="")


def run_here(works: int, repeats: int) -> bool:
    import django

    django.setup()
    from django.contrib.auth.models import Permission, User
    from django.core.management import call_command
    from django.db import connection
    from django.test.utils import setup_test_environment
    from django.urls import reverse
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    from catalog.models import Work
    from enrichment.models import EnrichmentRequest

    setup_test_environment()  # lets the test client's "testserver" host in
    call_command("migrate", verbosity=0)
    print(f"\n== {connection.vendor} ({connection.settings_dict['NAME']})")
    print(machine_line("before"))
    started = time.perf_counter()
    fill(works)
    with connection.cursor() as cursor:
        # What autovacuum does to a live database after a big load (as bench/admin.py).
        cursor.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    requests_total = EnrichmentRequest.objects.count()
    print(
        f"filled {works:,} works, {requests_total:,} requests "
        f"in {time.perf_counter() - started:.1f} s"
    )
    user = User.objects.create_user("bench-api")
    user.user_permissions.set(
        Permission.objects.filter(
            codename__in=["view_work", "view_enrichmentrequest", "review_enrichment"]
        )
    )
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")

    rng = random.Random(3)
    work_ids = list(Work.objects.values_list("pk", flat=True))
    some = ",".join(str(pk) for pk in rng.sample(work_ids, STATUS_IDS))
    request_ids = sorted(EnrichmentRequest.objects.values_list("pk", flat=True))
    middle = request_ids[len(request_ids) // 2]
    status_url = reverse("api:enrichment-status")
    queue_url = reverse("api:enrichment-queue")
    calls = [
        (f"status: {STATUS_IDS} works", f"{status_url}?work_ids={some}", True),
        ("status: 1 work", f"{status_url}?work_ids={work_ids[0]}", True),
        ("queue: first page (50)", queue_url, True),
        ("queue: page at the middle", f"{queue_url}?cursor={cursor_at(queue_url, middle)}", True),
        ("queue: 200 rows", f"{queue_url}?limit=200", False),
        ("queue: needs review", f"{queue_url}?status=needs_review", False),
        (
            "queue: needs review, middle",
            f"{queue_url}?status=needs_review&cursor={cursor_at(queue_url, middle)}",
            False,
        ),
        ("queue: low confidence", f"{queue_url}?confidence=low", False),
        ("queue: asked ISBNdb", f"{queue_url}?provider=isbndb", False),
    ]
    ok = True
    print(f"{'call':<30} {'queries':>7} {'median ms':>10} {'max ms':>8}   (median of {repeats})")
    for label, url, required in calls:
        queries, median, worst = measure(client, url, repeats)
        verdict = "ok" if queries <= MAX_QUERIES and median < GOAL_MS else "OVER GOAL"
        ok &= verdict == "ok" or not required or connection.vendor != "sqlite"
        print(f"{label:<30} {queries:>7} {median:>10.1f} {worst:>8.1f}   {verdict}")
    queries, median, worst = measure_throttle_count(max(repeats, THROTTLE_REPEATS))
    print(f"{'throttle count alone':<30} {queries:>7} {median:>10.2f} {worst:>8.1f}")
    print(machine_line("after"))
    return ok


def measure_throttle_count(repeats: int) -> tuple[int, float, float]:
    """(queries, median ms, max ms) of one user's API throttle count taken `repeats` times, as
    each call takes it when no REDIS_URL is set (a rate that never refuses)."""
    import statistics

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from bookstore.api_throttle import request_taken_or_wait

    def take() -> None:
        assert request_taken_or_wait("throttle_user_bench", requests=10**9, seconds=60) == 0

    with CaptureQueriesContext(connection) as captured:
        take()
    timings = []
    for _ in range(repeats):
        start = time.perf_counter()
        take()
        timings.append((time.perf_counter() - start) * 1000)
    return len(captured), statistics.median(timings), max(timings)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["both", "sqlite", "postgres", "current"], default="both")
    parser.add_argument("--works", type=int, default=100_000)
    parser.add_argument("--repeats", type=int, default=15)
    args = parser.parse_args()

    # The per-user throttle (600/min by default) would refuse a bench's burst of calls.
    env = bench_env(
        MEDIA_ROOT=tempfile.mkdtemp(prefix="bench-media-"), API_THROTTLE_RATE="100000/min"
    )
    passthrough = ["--works", str(args.works), "--repeats", str(args.repeats)]
    me = [sys.executable, str(Path(__file__).resolve()), "--db", "current", *passthrough]
    if args.db == "current":
        sys.exit(0 if run_here(args.works, args.repeats) else 1)
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}")
    if not run_on_databases(me, env, args.db):
        print(f"Some call is over the goal ({MAX_QUERIES} queries, {GOAL_MS} ms on SQLite).")
        sys.exit(1)


if __name__ == "__main__":
    main()
