"""Enrichment throughput: 1,000 imported books through the real provider clients and the real
django-q2 cluster, against a local server that enforces the providers' published limits.

    .venv/bin/python bench/enrich.py                  # SQLite, then PostgreSQL if installed
    .venv/bin/python bench/enrich.py --db sqlite [--books 1000] [--timeout 600] [--dump [all]]

`--dump` first loads a dump of the books Open Library knows (`--dump all`: of every book;
bench/enrich_dump.py, with the product's loader) and puts the dump provider first: what Open
Library's API is still asked.

What it does, in a fresh throwaway database (a SQLite temp file, or a PostgreSQL cluster
started by scripts/with_postgres.sh):

1. `migrate`; build a Goodreads CSV of `--books` rows from the 358 real rows of the mapmyreads
   export (new Goodreads ids, valid new ISBNs, numbered titles: bench/import_csv.py's file).
2. Start bench/enrich_server.py on 127.0.0.1 (a free port): Open Library's Books API and
   search.json, its covers by id and by ISBN, and Google Books' `volumes`, with answers built
   from the recorded bodies in tests/fixtures/providers/ (that module's docstring says which and
   how). It refuses with 429 + Retry-After above Open Library's 1 req/s, Google's 1 req/s and
   covers-by-ISBN's 100 per 5 minutes, and counts every request per endpoint.
   The books: 95 % are known to Open Library (a record with a cover); of the other 5 %, half are
   known to Google (a record without imageLinks) and half to nobody, so that they go through the
   title + author search (Open Library, then Google) and end as "skipped".
3. `manage.py import_books --json` (which queues enrichment when its transaction commits), then
   the two clusters `make run` starts: `manage.py qcluster` (Q_WORKERS, default 2: enrichment
   batches) and `Q_CLUSTER_NAME=covers manage.py qcluster` (Q_COVER_WORKERS, default 2: cover
   downloads, COVER_CLUSTER), with OPENLIBRARY_URL / OPENLIBRARY_COVERS_URL /
   GOOGLE_BOOKS_URL pointing at the local server and ENRICHMENT_PROVIDERS=openlibrary,
   google_books: ISBNdb needs a paid key, and Wikidata / Archive.org are not in the goal's
   statement (the local dump is a separate provider, with its own bench: bench/dump.py).
4. Poll the database until every request is final (completed / needs review / skipped / failed)
   and no cover download is pending, or `--timeout`; stop the clusters with SIGTERM.
5. `manage.py enrich_missing --now --json` on the same works: the SourceRecord cache's hits.

It prints the wall time from the import's commit (the requests handed to the clusters, which
run before the import as under `make run`) to the last final status beside the rate-limit bound
(the busiest provider's served requests / its published rate: no schedule can finish sooner)
and their ratio (issue 18's goal: <= 1.1), where the busiest provider idled, the first and last
cover applied and the last metadata decision, works/s, the requests
the server saw per endpoint and the 429s it sent, cache hits, final statuses, covers applied,
where the time went (the django-q2 task table), the goal's check, and the machine: a fixed CPU
loop before and after, and the load average (2 cores shared with other work).
"""

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from machine import bench_env, cpu_baseline, run_on_databases
from processes import child_pids, clusters_ready, peak_rss_mb, stop_cluster

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))
MANAGE = [sys.executable, str(ROOT / "manage.py")]
FINAL = ("completed", "needs_review", "skipped", "failed")
GOAL_SECONDS = 300
#: Issue 18, goal 1: the wall time within this factor of the rate-limit bound.
GOAL_BOUND_RATIO = 1.1
GOAL_OPENLIBRARY_REQUESTS = 15
#: Every UNKNOWN_EVERY-th book is unknown to Open Library; every other one of those is known to
#: Google, the rest to nobody.
UNKNOWN_EVERY = 20


def machine_line(label: str) -> str:
    load = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{label}: CPU baseline {cpu_baseline():.1f} M loop iterations/s, "
        f"load average {load} (1/5/15 min) on {os.cpu_count()} CPUs"
    )


def bench_books(data: bytes):
    """The imported rows as the local providers know them (read with the project's importer)."""
    from enrich_server import Book

    from catalog.importers import importer_for, read_csv

    csv_file = read_csv(data)
    importer = importer_for(csv_file.header)
    books = []
    for number, (_line, cells) in enumerate(csv_file.rows):
        row = importer.normalize(cells)
        unknown = number % UNKNOWN_EVERY == 7
        books.append(
            Book(
                number=number,
                isbn13=row.isbn13,
                isbn10=row.isbn10,
                title=row.title,
                subtitle=row.subtitle,
                author=row.primary_author,
                goodreads_id=row.goodreads_book_id,
                on_openlibrary=not unknown,
                on_google=unknown and (number // UNKNOWN_EVERY) % 2 == 0,
            )
        )
    return books


def status_counts() -> tuple[Counter, int, int]:
    from django.db.models import Count

    from enrichment.models import EnrichmentRequest

    rows = EnrichmentRequest.objects.values_list("status").annotate(n=Count("pk"))
    statuses = Counter(dict(rows))
    covers_pending = EnrichmentRequest.objects.filter(cover_status="pending").count()
    return statuses, covers_pending, sum(statuses.values())


def queue_length() -> int:
    from django_q.models import OrmQ

    return OrmQ.objects.count()


def fmt_counts(counter) -> str:
    return ", ".join(f"{key} {value:,}" for key, value in sorted(counter.items())) or "none"


def task_summary(since, t0) -> list[str]:
    """Where the time went: the cluster's task records (queued / stopped per task), with times
    relative to `t0`, for the tasks queued after `since`."""
    from django_q.models import Task

    lines = []
    funcs = Task.objects.filter(started__gte=since).values_list("func", flat=True).distinct()
    for func in sorted(set(funcs)):
        tasks = list(Task.objects.filter(func=func, started__gte=since).order_by("started"))
        spans = [(t.stopped - t.started).total_seconds() for t in tasks if t.stopped]
        first = (tasks[0].started - t0).total_seconds()
        last = (max(t.stopped for t in tasks if t.stopped) - t0).total_seconds()
        failed = sum(1 for t in tasks if not t.success)
        line = (
            f"  {func.rsplit('.', 1)[-1]}: {len(tasks)} tasks, enqueued from {first:+.1f} s, "
            f"last done +{last:.1f} s; enqueue -> done median {statistics.median(spans):.1f} s, "
            f"max {max(spans):.1f} s"
        )
        if failed:
            line += f", {failed} FAILED"
        if func.endswith("dispatch_due_requests"):
            results = [t.result for t in tasks]
            line += f"; batch tasks it queued, per run: {results}"
        lines.append(line)
    return lines


def print_dump_loaded(books, work_dir: Path, which: str) -> None:
    """--dump: load the dump of the books Open Library knows (or of all), with the loader."""
    from enrich_dump import load_dump

    started = time.perf_counter()
    summary = load_dump(books, work_dir, every_book=which == "all")
    files = ", ".join(
        f"{f['kind']} {f['status']} ({f['lines']:,} lines, {f['bad'] or 'no bad lines'})"
        for f in summary["files"]
    )
    held = len(books) if which == "all" else sum(b.on_openlibrary for b in books)
    print(
        f"dump of {held:,} books ({which}: --dump all holds every book), loaded "
        f"by load_openlibrary_dump in {time.perf_counter() - started:.1f} s: {files}; "
        "ENRICHMENT_PROVIDERS=openlibrary_dump,openlibrary,google_books"
    )


def bound_gap_line(run: dict, group: str, rate: float, t0_mono: float, wall: float) -> str:
    """Where the wall time beyond the bound went, for the busiest provider: before its first
    request, between its requests beyond 1/rate (idle: no worker was ready to ask it), and
    after its last one."""
    endpoints = [e for e in run["requests"] if e.split(" ", 1)[0] == group]
    if not endpoints:
        return f"{group}: no request"
    first = min(run["first_at"][e] for e in endpoints) - t0_mono
    last = max(run["last_at"][e] for e in endpoints) - t0_mono
    gaps = run["gaps"].get(group, [])
    idle = sum(max(0.0, gap - 1.0 / rate) for gap in gaps)
    long_gaps = sorted((gap for gap in gaps if gap > 2.0 / rate), reverse=True)
    return (
        f"{group}'s timeline: first request +{first:.1f} s, last +{last:.1f} s; idle between "
        f"requests beyond 1/rate {idle:.1f} s ({len(long_gaps)} gaps over 2/rate: "
        f"{', '.join(f'{gap:.1f}' for gap in long_gaps[:8]) or 'none'} s); after its last "
        f"request {wall - last:.1f} s"
    )


def run_here(args) -> int:
    import django

    django.setup()
    media = Path(tempfile.mkdtemp(prefix="bench-enrich-media-"))
    work_dir = Path(tempfile.mkdtemp(prefix="bench-enrich-"))
    try:
        return measure(args, media, work_dir)
    finally:
        shutil.rmtree(media, ignore_errors=True)
        shutil.rmtree(work_dir, ignore_errors=True)


def measure(args, media: Path, work_dir: Path) -> int:
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection
    from django.db.models import Count, Max, Min
    from django.utils import timezone
    from enrich_server import ProviderStub
    from import_csv import build_goodreads_file

    from catalog.models import Edition, ImportJob, Work
    from enrichment.models import AuditLogEntry, EnrichmentRequest, SourceRecord

    print(f"\n== {connection.vendor} ({connection.settings_dict['NAME']})")
    print(machine_line("machine at start"))
    print(
        "   (2 cores shared with other engineers' work: wall times depend on their load; "
        "the rate limits, not the CPU, should bound this run)"
    )
    call_command("migrate", verbosity=0)

    data = build_goodreads_file(args.books)
    csv_path = work_dir / "bench-enrich.csv"
    csv_path.write_bytes(data)
    books = bench_books(data)
    stub = ProviderStub(books, max_lifetime=args.timeout + 900)
    stub.warm_covers()
    stub.start()
    on_ol = sum(b.on_openlibrary for b in books)
    on_google = sum(b.on_google for b in books)
    print(
        f"local providers on {stub.url}: {len(books):,} books, {on_ol:,} known to Open Library, "
        f"{on_google:,} only to Google, {len(books) - on_ol - on_google:,} to nobody; "
        f"{stub.distinct_covers} distinct cover images"
    )

    env = {
        **bench_env(),
        "MEDIA_ROOT": str(media),
        "IMPORT_STORAGE_LOCATION": str(work_dir / "imports"),  # removed with work_dir
        "OPENLIBRARY_URL": stub.url,
        "OPENLIBRARY_COVERS_URL": stub.url,
        "GOOGLE_BOOKS_URL": f"{stub.url}/books/v1",
        "ENRICHMENT_PROVIDERS": "openlibrary,google_books",
        "ENRICHMENT_CONTACT_EMAIL": "",  # the anonymous limits: Open Library 1 req/s
        "LOG_LEVEL": "INFO",
    }
    if args.dump:
        env["ENRICHMENT_PROVIDERS"] = "openlibrary_dump,openlibrary,google_books"
        print_dump_loaded(books, work_dir, args.dump)
    for name in (
        "OPENLIBRARY_RATE",
        "GOOGLE_BOOKS_RATE",
        "ENRICHMENT_BATCH_SIZE",
        "OPENLIBRARY_SEARCH_GATHER_SECONDS",
        "Q_WORKERS",
    ):
        if name in os.environ:
            print(f"note: {name}={os.environ[name]} from the environment")

    # --- the clusters: the main one and the covers one, as `make run` starts them ---
    cluster_envs = {"main": env}
    if settings.COVER_CLUSTER:
        cluster_envs[settings.COVER_CLUSTER] = {**env, "Q_CLUSTER_NAME": settings.COVER_CLUSTER}
    clusters, log_paths = {}, []
    for name, cluster_env in cluster_envs.items():
        log_paths.append(work_dir / f"qcluster-{name}.log")
        with log_paths[-1].open("w") as log:
            clusters[name] = subprocess.Popen(
                [*MANAGE, "qcluster"],
                env=cluster_env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
            )
    # Running before the import, as under `make run`: the wall time is the enrichment's, not
    # the clusters' start.
    ready_in = clusters_ready(log_paths)
    print(f"clusters started and ready in {ready_in:.1f} s: {', '.join(clusters)}")

    def cluster_pids() -> list[int]:
        return [pid for c in clusters.values() for pid in (c.pid, *child_pids(c.pid))]

    # --- import (it queues enrichment on commit) ---
    import_started, started = timezone.now(), time.perf_counter()
    result = subprocess.run(
        [*MANAGE, "import_books", str(csv_path), "--json"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    import_seconds = time.perf_counter() - started
    if result.returncode:
        print(result.stdout, result.stderr)
        for cluster in clusters.values():
            stop_cluster(cluster)
        stub.stop()
        return 1
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    # From the moment the import handed the requests to the workers (its commit), which are
    # already running and may start before the import's process has exited.
    t0 = EnrichmentRequest.objects.aggregate(queued=Min("queued_at"))["queued"] or timezone.now()
    t0_mono = time.monotonic() - (timezone.now() - t0).total_seconds()
    job = ImportJob.objects.get(pk=summary["job"])
    dispatched = EnrichmentRequest.objects.filter(queued_at__isnull=False).count()
    print(
        f"import_books: {summary['created']:,} created, {summary['failed']} failed, "
        f"{summary['enqueued']:,} queued for enrichment in {import_seconds:.1f} s "
        f"(job {job.duration_seconds or 0:.1f} s); on commit {dispatched:,} requests were handed "
        f"to workers in {queue_length()} django-q2 tasks (ENRICHMENT_BATCH_SIZE)"
    )
    if dispatched < summary["enqueued"]:
        print(
            f"  !! {summary['enqueued'] - dispatched:,} requests were NOT dispatched on commit: "
            "they wait for the every-minute schedule"
        )

    deadline = t0_mono + args.timeout
    done_at = None
    next_report = 0.0
    statuses, covers_pending, total = Counter(), 0, 0
    peaks: dict[int, float] = {}  # pid -> peak RSS (MB) of the cluster's processes
    try:
        while time.monotonic() < deadline:
            time.sleep(args.poll)
            peak_rss_mb(cluster_pids(), peaks)
            statuses, covers_pending, total = status_counts()
            final = sum(statuses[s] for s in FINAL)
            elapsed = time.monotonic() - t0_mono
            if elapsed >= next_report:
                requests = stub.snapshot()["requests"]
                print(
                    f"  +{elapsed:5.0f} s: {fmt_counts(statuses)}; covers pending "
                    f"{covers_pending}; django-q2 queue {queue_length()}; "
                    f"server: {sum(requests.values()):,} requests",
                    flush=True,
                )
                next_report += args.report_every
            exited = {name: c.returncode for name, c in clusters.items() if c.poll() is not None}
            if exited:
                print(f"  !! qcluster exited: {exited}")
                break
            if total and final == total and not covers_pending:
                done_at = time.monotonic() - t0_mono
                break
    finally:
        peak_rss_mb(cluster_pids(), peaks)
        stopped = {name: stop_cluster(cluster) for name, cluster in clusters.items()}
    main_run = stub.snapshot()
    print("qcluster: " + "; ".join(f"{name} {how}" for name, how in stopped.items()))
    if peaks:
        print(
            f"peak RSS per process (the {len(clusters)} clusters and their "
            f"{len(peaks) - len(clusters)} workers seen): "
            f"largest {max(peaks.values()):,.0f} MB, "
            f"all: {', '.join(f'{mb:,.0f}' for mb in sorted(peaks.values(), reverse=True))} MB "
            f"(goal < 300 MB per process)"
        )

    # --- results ---
    last = EnrichmentRequest.objects.aggregate(
        finished=Max("finished_at"), updated=Max("updated_at")
    )
    last_change = max(v for v in last.values() if v)
    wall = (last_change - t0).total_seconds()
    statuses, covers_pending, total = status_counts()
    final = sum(statuses[s] for s in FINAL)
    cover_status = Counter(
        dict(EnrichmentRequest.objects.values_list("cover_status").annotate(n=Count("pk")))
    )
    covers_applied = AuditLogEntry.objects.filter(action=AuditLogEntry.Action.COVER).count()
    editions_with_cover = Edition.objects.exclude(cover="").count()
    retried = EnrichmentRequest.objects.filter(attempts__gt=1).count()
    errors = Counter(
        e.split(":")[0][:80]
        for e in EnrichmentRequest.objects.exclude(last_error="").values_list(
            "last_error", flat=True
        )
    )
    records = Counter(f"{p} {s}" for p, s in SourceRecord.objects.values_list("provider", "status"))
    works_enriched = Work.objects.filter(enrichment_status=Work.EnrichmentStatus.ENRICHED).count()

    print(f"\nRESULT ({connection.vendor}, {total:,} requests, {args.books:,} books)")
    if done_at is None:
        print(f"  !! NOT all final after {args.timeout:.0f} s: {final:,} of {total:,} final")
        waiting = EnrichmentRequest.objects.filter(status="pending").order_by("next_attempt_at")
        for request in waiting[:3]:
            due = (request.next_attempt_at - t0).total_seconds()
            queued = (request.queued_at - t0).total_seconds() if request.queued_at else None
            print(
                f"     request {request.pk}: pending, attempts {request.attempts}, next attempt "
                f"due +{due:.0f} s, last queued "
                f"{'never' if queued is None else f'+{queued:.0f} s'}: {request.last_error[:70]}"
            )
    else:
        print(
            f"  wall time, requests handed to the workers -> last final status: {wall:.1f} s "
            f"(the poller saw it at +{done_at:.1f} s); {total / wall:.1f} works/s"
        )
    bound_provider, bound_requests, bound_rate, bound = stub.rate_bound(main_run)
    ratio = wall / bound if bound else float("inf")
    print(
        f"  rate-limit bound: {bound:.1f} s ({bound_provider}: {bound_requests} requests served "
        f"at its published {bound_rate:g} req/s); wall / bound = {ratio:.2f}"
    )
    print("  " + bound_gap_line(main_run, bound_provider, bound_rate, t0_mono, wall))
    covers_at = AuditLogEntry.objects.filter(action=AuditLogEntry.Action.COVER).aggregate(
        first=Min("created_at"), last=Max("created_at")
    )
    decided = EnrichmentRequest.objects.aggregate(last=Max("finished_at"))["last"]
    timeline = [
        ("first cover applied", covers_at["first"]),
        ("last cover applied", covers_at["last"]),
        ("last request decided", decided),
    ]
    print(
        "  timeline: "
        + "; ".join(
            f"{label} +{(when - t0).total_seconds():.1f} s" for label, when in timeline if when
        )
    )
    print(f"  final statuses: {fmt_counts(statuses)}; works enriched: {works_enriched:,}")
    print(
        f"  covers: {covers_applied:,} applied ({editions_with_cover:,} editions with a cover); "
        f"cover status {fmt_counts({k or '(none wanted)': v for k, v in cover_status.items()})}"
    )
    print(f"  requests retried (attempts > 1): {retried}; last errors: {fmt_counts(errors)}")
    print("  HTTP requests seen by the local server (429s sent):")
    for endpoint, count in sorted(main_run["requests"].items()):
        refused = main_run["429"].get(endpoint, 0)
        first = main_run["first_at"][endpoint] - t0_mono
        last_at = main_run["last_at"][endpoint] - t0_mono
        print(
            f"    {endpoint:28} {count:6,}  (429: {refused})  first +{first:.1f} s, "
            f"last +{last_at:.1f} s"
        )
    for group, gaps in sorted(main_run["gaps"].items()):
        early = main_run["early"].get(group, [])
        line = (
            f"  {group}: gaps between accepted requests min {min(gaps):.3f} s, "
            f"median {statistics.median(gaps):.3f} s"
        )
        if early:
            line += (
                f"; the {len(early)} refused came {1000 * min(early):.1f}-"
                f"{1000 * max(early):.1f} ms too early (median "
                f"{1000 * statistics.median(early):.1f} ms)"
            )
        print(line)
    print(f"  SourceRecord cache entries written: {fmt_counts(records)}")
    print("  django-q2 tasks (times from the import's commit; a task is stamped when queued):")
    for line in task_summary(import_started, t0):
        print(line)
    log_lines = [
        line for path in log_paths for line in path.read_text(errors="replace").splitlines()
    ]
    throttled = Counter(
        line.split("enrichment.providers.base: ", 1)[1].split(":", 1)[0]
        for line in log_lines
        if "enrichment.providers.base: " in line and ": throttled" in line
    )
    error_lines = [line for line in log_lines if " ERROR " in line or "Traceback" in line]
    print(
        f"  qcluster logs: {len(log_lines):,} lines; 429s the clients logged: "
        f"{fmt_counts(throttled)}; {len(error_lines)} errors"
    )
    for line in error_lines[:5]:
        print(f"    {line[:200]}")

    # --- the cache: the same works again, in this process ---
    before = stub.snapshot()
    before_requests, before_429 = Counter(before["requests"]), Counter(before["429"])
    rerun = subprocess.run(
        [*MANAGE, "enrich_missing", "--now", "--json"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    after = stub.snapshot()
    http = Counter(after["requests"]) - before_requests
    refused = Counter(after["429"]) - before_429
    if rerun.returncode:
        print(f"  enrich_missing failed: {rerun.stderr[-800:]}")
    else:
        again = json.loads(rerun.stdout.strip().splitlines()[-1])
        print(
            f"  cache: enrich_missing --now on the same works: {again.get('enqueued', 0):,} "
            f"requests, {again.get('cache_hits', 0):,} cache hits, provider requests "
            f"{again.get('provider_requests') or {}}, server saw {sum(http.values())} requests "
            f"({sum(refused.values())} refused with 429), "
            f"{again.get('seconds')} s; statuses completed {again.get('completed')}, "
            f"skipped {again.get('skipped')}, needs review {again.get('needs_review')}, "
            f"failed {again.get('failed')}"
        )
    stub.stop()

    books_api = main_run["requests"].get("openlibrary /api/books", 0)
    searches = main_run["requests"].get("openlibrary /search.json", 0)
    ok_time = done_at is not None and wall < GOAL_SECONDS
    print("\nGOAL (issue 5)")
    took = f"{wall:.1f} s" if done_at is not None else f"not all final after {args.timeout:.0f} s"
    print(
        f"  all {args.books:,} final in < {GOAL_SECONDS} s: "
        f"{'MET' if ok_time else 'MISSED'} ({took})"
    )
    print(
        f"  Open Library Books API requests <= {GOAL_OPENLIBRARY_REQUESTS}: "
        f"{'MET' if books_api <= GOAL_OPENLIBRARY_REQUESTS else 'MISSED'} ({books_api})"
    )
    total_ol = books_api + searches
    goal_ol = 0 if args.dump else GOAL_OPENLIBRARY_REQUESTS
    met = "MET" if total_ol <= goal_ol else "MISSED"
    print(
        f"  all Open Library API requests (Books API + search.json) "
        f"{'with the dump loaded ' if args.dump else ''}<= {goal_ol}: {met} ({total_ol}: "
        f"{books_api} Books API, {searches} search.json, each for up to "
        "OPENLIBRARY_SEARCH_GROUP_SIZE books no ISBN lookup found)"
    )
    met = "MET" if done_at is not None and ratio <= GOAL_BOUND_RATIO else "MISSED"
    print("GOAL (issue 18, goal 1)")
    print(
        f"  wall <= {GOAL_BOUND_RATIO} x the rate-limit bound: {met} ({took} against "
        f"{bound:.1f} s, {bound_provider}'s {bound_requests} requests at {bound_rate:g} req/s: "
        f"ratio {ratio:.2f})"
    )
    print(machine_line("machine at end"))
    return 0 if done_at is not None else 2


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["both", "sqlite", "postgres", "current"], default="both")
    parser.add_argument("--books", type=int, default=1000)
    parser.add_argument("--timeout", type=float, default=600, help="seconds to wait at most")
    parser.add_argument("--poll", type=float, default=0.5, help="database poll interval")
    parser.add_argument("--report-every", type=float, default=15, help="progress line interval")
    parser.add_argument(
        "--dump",
        nargs="?",
        const="known",
        choices=["known", "all"],
        help="load a dump of the books Open Library knows (all: of every book) first",
    )
    args = parser.parse_args()

    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}")
    if args.db == "current":
        sys.exit(run_here(args))
    env = bench_env()
    passthrough = ["--books", str(args.books), "--timeout", str(args.timeout)]
    passthrough += ["--poll", str(args.poll), "--report-every", str(args.report_every)]
    passthrough += ["--dump", args.dump] if args.dump else []
    me = [sys.executable, str(Path(__file__).resolve()), "--db", "current", *passthrough]
    sys.exit(0 if run_on_databases(me, env, args.db) else 1)


if __name__ == "__main__":
    main()
