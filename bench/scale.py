"""Scale-out: PostgreSQL + Redis and several `qcluster` processes enriching one catalog, one of
them SIGKILLed mid-run and restarted.

    .venv/bin/python bench/scale.py [--works 10000] [--clusters 1,2,3] [--kill|--no-kill] [--json]

What it does:

1. Starts a throwaway PostgreSQL 15 (scripts/with_postgres.sh: a temp dir, a free loopback port)
   and `redis-server` (bench/redis_server.py: a temp dir, a free loopback port, nothing saved),
   both stopped at the end, and bench/enrich_server.py's local providers (Open Library's Books
   API, search and covers, Google Books; bodies built from recorded fixtures) in a process of
   its own, with FAST limits: `--provider-rate` requests/s for Open Library and for Google (20),
   still enforced (429 + Retry-After above them, counted); the product is configured at half of
   it (OPENLIBRARY_RATE, GOOGLE_BOOKS_RATE; no daily budget), so a 429 means the shared,
   database-backed rate limit let the processes together overrun it (the margin absorbs the
   scheduler's jitter: at 100 / 50 req/s, a 10 ms margin, a loaded machine got 2 and 10
   refusals in runs of 1,000 works, presumably requests paced right that reached the server
   late or early; `provider_429_early_ms` now says by how much).
2. `migrate`, then builds one Goodreads CSV (bench/import_csv.py's generator: real rows of the
   mapmyreads export with new ids and ISBNs) of `--works` rows per run, each run's books new.
3. For each N of `--clusters`: starts N `manage.py qcluster` (REDIS_URL: the Redis broker; each
   in a session of its own; COVER_CLUSTER empty, so that every cluster works batches and covers
   from one shared queue), imports the run's CSV with `manage.py import_books` (its commit
   enqueues the enrichment, the product's path), and polls until every request of the run is
   final. The sweep (`enrichment.tasks.dispatch_due_requests`, which the clusters' scheduler
   runs every minute) is also called by this process every `--sweep-every` seconds (15), with
   ENRICHMENT_STALE_SECONDS = `--stale` (120; 300 by default), so that recovery happens within
   the run. With `--kill`,
   in the last run one cluster's whole process group is SIGKILLed once `--kill-at` of the
   requests are final, and started again.
4. Prints per run: works/s from the first dispatch to the last request final, and the speed-up
   against the first run; requests lost, applied twice, stuck (not given back or sent again
   by the sweep's own cutoffs: scale_figures.stuck_ids), tasks lost by the broker and
   recovered (a stopped cluster's taken tasks put back on the queue: bookstore.receipt_broker's
   count), dispatched again by the sweep (in flight at the kill, or never claimed:
   scale_figures.run_outcome says how each is read from the database), and how many waited in
   the broker past the stale time behind a backlog; 429s; peak RSS by process; CPU seconds per
   1,000 works by process (clusters, PostgreSQL, Redis, the fake providers, the import, this
   process), from /proc; the machine's CPU baseline before and after, and the load average.

Exit status: 0 when every run ended with every request final and no loss, double apply, stuck
request or 429; 1 otherwise; 97 without PostgreSQL, 98 without redis-server.
"""

import argparse
import contextlib
import json
import multiprocessing
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from machine import bench_env, cpu_baseline  # noqa: E402
from processes import clusters_ready, peak_rss_mb, stop_cluster  # noqa: E402
from redis_server import redis_server, redis_server_binary  # noqa: E402
from scale_figures import (  # noqa: E402
    cpu_seconds,
    group_pids,
    postmaster_pid,
    progress,
    run_outcome,
    stuck_ids,
    title_search_ids,
    tree,
    waiting_ids,
)

MANAGE = [sys.executable, str(ROOT / "manage.py")]
EXIT_NO_REDIS = 98


def machine_state() -> dict:
    return {
        "cpu_baseline": round(cpu_baseline(), 1),
        "load": [round(v, 2) for v in os.getloadavg()],
    }


# --- the fake providers, in a process of their own (their CPU counted apart) ------------------


def _serve_providers(conn, books, rate: float, lifetime: float) -> None:
    from enrich_server import ProviderStub

    stub = ProviderStub(
        books,
        openlibrary_rate=rate,
        google_rate=rate,
        covers_by_isbn=(1_000_000, 300.0),
        max_lifetime=lifetime,
    )
    stub.warm_covers()
    stub.start()
    conn.send(stub.url)
    while (message := conn.recv()) != "stop":
        conn.send(stub.snapshot() if message == "snapshot" else None)
    stub.stop()


class ProviderProcess:
    def __init__(self, books, *, rate: float, lifetime: float):
        context = multiprocessing.get_context("fork")
        self.conn, child = context.Pipe()
        self.process = context.Process(
            target=_serve_providers, args=(child, books, rate, lifetime), daemon=True
        )
        self.process.start()
        self.url = self.conn.recv()

    def snapshot(self) -> dict:
        self.conn.send("snapshot")
        return self.conn.recv()

    def stop(self) -> None:
        self.conn.send("stop")
        self.process.join(10)


# --- the clusters -----------------------------------------------------------------------------


#: Every cluster started, so that an interrupted run leaves none behind (they run in sessions
#: of their own, beyond the reach of a signal to this process's group).
STARTED: list["Cluster"] = []


class Cluster:
    """One `manage.py qcluster` in a session of its own, so that its whole process group (the
    sentinel, pusher, monitor and workers) can be killed at once."""

    def __init__(self, name: str, env: dict, log_dir: Path):
        self.name, self.env = name, env
        self.log = log_dir / f"qcluster-{name}.log"
        self.cpu_of_dead = 0.0  # CPU seconds of earlier, killed incarnations
        self.start()
        STARTED.append(self)

    def start(self) -> None:
        with self.log.open("a") as log:
            self.process = subprocess.Popen(
                [*MANAGE, "qcluster"],
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                cwd=ROOT,
                start_new_session=True,
            )

    def pids(self) -> list[int]:
        return group_pids(self.process.pid)

    def cpu(self) -> float:
        return self.cpu_of_dead + cpu_seconds(self.pids())

    def kill_group(self) -> int:
        pids = self.pids()
        self.cpu_of_dead += cpu_seconds(pids)
        os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        return len(pids)

    def stop(self) -> None:
        stop_cluster(self.process)
        for pid in self.pids():  # a worker the SIGTERM left behind
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)


# --- one run ----------------------------------------------------------------------------------


def reclaimed_counts() -> tuple[int, int]:
    """Tasks the sweeps (the bench's and the clusters' schedules) have put back on the queues:
    in all, and of those the ones held past Q_RETRY by a live cluster (their worker died)
    rather than by a stopped cluster (bookstore.receipt_broker keeps the counts in Redis)."""
    from django_q.brokers import get_broker

    from enrichment import broker_backlog

    brokers = [get_broker(name) for name in broker_backlog.queue_names()]
    return (
        sum(broker.reclaimed_total() for broker in brokers),
        sum(broker.reclaimed_overdue_total() for broker in brokers),
    )


def run_clusters(n: int, csv_path: Path, args, env: dict, work_dir: Path, stub, pg_pid, redis_pid):
    from django.db.models import Max, Min
    from django.utils import timezone

    from enrichment.models import EnrichmentRequest
    from enrichment.tasks import dispatch_due_requests

    first_pk = (EnrichmentRequest.objects.aggregate(m=Max("pk"))["m"] or 0) + 1
    log_dir = work_dir / f"run-{n}"
    log_dir.mkdir()
    clusters = [Cluster(f"{n}-{i + 1}", env, log_dir) for i in range(n)]
    ready = clusters_ready([c.log for c in clusters])
    kill = args.kill and n == max(args.clusters)
    roles: dict[int, str] = {}
    peaks: dict[int, float] = {}

    def live_pids() -> dict[int, str]:
        found = {pid: "cluster" for c in clusters for pid in c.pids()}
        found.update(dict.fromkeys(tree(pg_pid), "postgres"))
        found[redis_pid] = "redis"
        found[stub.process.pid] = "providers"
        return found

    def cpu_by_role() -> dict[str, float]:
        return {
            "clusters": sum(c.cpu() for c in clusters),
            "postgres": cpu_seconds(tree(pg_pid)),
            "redis": cpu_seconds([redis_pid]),
            "providers": cpu_seconds([stub.process.pid]),
            "bench": sum(resource.getrusage(resource.RUSAGE_SELF)[:2]),
        }

    cpu_before, http_before = cpu_by_role(), stub.snapshot()
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    result = subprocess.run(
        [*MANAGE, "import_books", str(csv_path), "--json"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        raise SystemExit(f"import_books failed: {result.stderr[-2000:]}")
    imported = json.loads(result.stdout.strip().splitlines()[-1])
    t0 = EnrichmentRequest.objects.filter(pk__gte=first_pk).aggregate(t=Min("queued_at"))["t"]
    t0_mono = time.monotonic() - (timezone.now() - t0).total_seconds()
    deadline = time.monotonic() + args.timeout
    next_sweep, killed, sweeps = time.monotonic() + args.sweep_every, None, 0
    stuck: dict[str, set[int]] = {}
    waited: set[int] = set()
    title_searched: set[int] = set()
    margin = 2 * args.sweep_every + 10  # the sweep's period, twice, and its own time
    reclaimed_before, overdue_before = reclaimed_counts()
    total = final = 0
    while time.monotonic() < deadline:
        time.sleep(args.poll)
        pids = live_pids()
        roles.update(pids)
        peak_rss_mb(list(pids), peaks)
        total, final = progress(first_pk)
        now = timezone.now()
        for kind, ids in stuck_ids(first_pk, now=now, margin_seconds=margin).items():
            stuck.setdefault(kind, set()).update(ids)
        waited |= waiting_ids(first_pk, now=now, stale_seconds=args.stale + margin)
        title_searched |= title_search_ids(first_pk)
        if total and final == total:
            break
        if kill and killed is None and final >= args.kill_at * total:
            victim = clusters[-1]
            processes = victim.kill_group()
            killed = {
                "at_seconds": round(time.monotonic() - t0_mono, 1),
                "final": final,
                "processes": processes,
                "cluster": victim.name,
            }
            victim.start()
        if time.monotonic() >= next_sweep:
            dispatch_due_requests()
            sweeps += 1
            next_sweep = time.monotonic() + args.sweep_every
    cpu_after, http_after = cpu_by_role(), stub.snapshot()
    stopping = time.monotonic()
    for cluster in clusters:
        cluster.stop()
    stop_seconds = time.monotonic() - stopping
    outcome = run_outcome(first_pk, stale_seconds=args.stale, title_searched=title_searched)
    reclaimed, overdue = reclaimed_counts()
    reclaimed, overdue = reclaimed - reclaimed_before, overdue - overdue_before
    end = outcome.pop("last_final_at")
    seconds = (end - t0).total_seconds() if end and final == total else None
    cpu = {role: cpu_after[role] - cpu_before[role] for role in cpu_after}
    cpu["import"] = (children_after.ru_utime + children_after.ru_stime) - (
        children_before.ru_utime + children_before.ru_stime
    )
    refused = sum(http_after["429"].values()) - sum(http_before["429"].values())
    refused_by_endpoint = {
        endpoint: count - http_before["429"].get(endpoint, 0)
        for endpoint, count in http_after["429"].items()
        if count > http_before["429"].get(endpoint, 0)
    }
    # How much too early (ms) each refused request came after the last accepted one of its
    # provider: a few ms is the loopback's and the scheduler's jitter, not a limiter that lets
    # processes overrun each other.
    early_ms = {
        group: sorted(
            round(1000 * value, 1) for value in values[len(http_before["early"].get(group, [])) :]
        )
        for group, values in http_after["early"].items()
    }
    served = sum(http_after["requests"].values()) - sum(http_before["requests"].values())
    peak_by_role: dict[str, float] = {}
    for pid, peak in peaks.items():
        role = roles[pid]
        peak_by_role[role] = max(peak_by_role.get(role, 0.0), round(peak, 1))
    return {
        "clusters": n,
        "works": imported["created"],
        "ready_seconds": round(ready, 1),
        "stop_seconds": round(stop_seconds, 1),
        "seconds": round(seconds, 1) if seconds else None,
        "works_per_second": round(outcome["requests"] / seconds, 1) if seconds else None,
        **outcome,
        "stuck": len(set().union(*stuck.values())),
        "stuck_by_kind": {kind: len(ids) for kind, ids in stuck.items()},
        "waited_in_broker_past_stale": len(waited),
        "broker_tasks_reclaimed": reclaimed,
        "broker_tasks_reclaimed_overdue": overdue,
        "provider_requests": served,
        "provider_429": refused,
        "provider_429_by_endpoint": refused_by_endpoint,
        "provider_429_early_ms": {group: ms for group, ms in early_ms.items() if ms},
        "killed": killed,
        "sweeps_by_bench": sweeps,
        "cpu_seconds": {role: round(value, 1) for role, value in cpu.items()},
        "peak_rss_mb": peak_by_role,
    }


def print_run(run: dict, first: dict) -> None:
    speed = run["works_per_second"]
    ratio = (
        f"{speed / first['works_per_second']:.2f}x" if speed and first["works_per_second"] else "-"
    )
    print(
        f"\n{run['clusters']} cluster(s): {run['works']:,} works in "
        f"{run['seconds'] or 'NOT ALL FINAL'} s = {speed or '-'} works/s (speed-up {ratio}); "
        f"clusters ready in {run['ready_seconds']} s, stopped in {run['stop_seconds']} s"
    )
    if run["killed"]:
        k = run["killed"]
        print(
            f"  SIGKILLed cluster {k['cluster']} ({k['processes']} processes) at "
            f"+{k['at_seconds']} s with {k['final']:,} requests final; restarted at once"
        )
    print(
        f"  lost {run['lost']}, applied twice {run['applied_twice']}, stuck {run['stuck']} "
        f"{run['stuck_by_kind'] or ''}, "
        f"429s {run['provider_429']} {run['provider_429_by_endpoint'] or ''} (of "
        f"{run['provider_requests']:,} provider requests; refused ones came "
        f"{run['provider_429_early_ms'] or '-'} ms too early)"
    )
    print(
        f"  tasks lost by the broker and recovered: {run['broker_tasks_reclaimed']} put back on "
        f"the queue ({run['broker_tasks_reclaimed_overdue']} held past Q_RETRY by a live "
        f"cluster, the others taken by a stopped one); sent again by the sweep "
        f"{run['dispatched_again']}: in flight when their worker died "
        f"{run['recovered_in_flight']}, title-search books handed to a group "
        f"{run['handed_to_title_search_group']}, never claimed and judged lost "
        f"{run['sent_again_unclaimed']}; covers sent again {run['covers_dispatched_again']} "
        f"(never claimed {run['covers_sent_again_unclaimed']}), cover claims taken again "
        f"{run['cover_claims_retaken']}; fault retries {run['fault_retries']}; waited in the "
        f"broker past the stale time, behind a backlog a live cluster worked (not stuck: the "
        f"sweep leaves them there) {run['waited_in_broker_past_stale']}"
    )
    print(f"  statuses {run['statuses']}, covers {run['cover_statuses']}")
    per_k = {
        role: round(1000 * value / max(run["works"], 1), 1)
        for role, value in run["cpu_seconds"].items()
    }
    busy = sum(v for k, v in run["cpu_seconds"].items() if k != "import")
    print(
        f"  CPU seconds per 1,000 works: {per_k}; CPU busy {busy:.0f} s in "
        f"{run['seconds'] or 0:.0f} s of wall (2 cores: {2 * (run['seconds'] or 0):.0f} CPU-s)"
    )
    print(f"  peak RSS (MB, largest process of each kind): {run['peak_rss_mb']}")


def run_here(args) -> int:
    # SIGTERM (Ctrl-C's cousin from `timeout` or a CI runner) unwinds through the `finally`s
    # that stop the clusters, Redis and the providers.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    if "postgres" not in os.environ.get("DATABASE_URL", ""):
        raise SystemExit("bench/scale.py --here needs DATABASE_URL on PostgreSQL")
    machine_start = machine_state()
    work_dir = Path(tempfile.mkdtemp(prefix="bench-scale-"))
    try:
        with redis_server() as redis:
            return measure(args, redis, work_dir, machine_start)
    finally:
        for cluster in STARTED:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(cluster.process.pid, signal.SIGKILL)
        shutil.rmtree(work_dir, ignore_errors=True)


def measure(args, redis, work_dir: Path, machine_start: dict) -> int:
    import django
    from enrich import bench_books
    from import_csv import build_goodreads_file

    product_rate = str(args.provider_rate / 2)
    overrides = {
        "REDIS_URL": redis.url,
        "COVER_CLUSTER": "",
        "MEDIA_ROOT": str(work_dir / "media"),
        "IMPORT_STORAGE_LOCATION": str(work_dir / "imports"),
        "ENRICHMENT_PROVIDERS": "openlibrary,google_books",
        "OPENLIBRARY_RATE": product_rate,
        "GOOGLE_BOOKS_RATE": product_rate,
        # Google's default budget (1,000 a day) is spent within the first run: the rest would
        # wait, as they should, for the next UTC day.
        "GOOGLE_BOOKS_DAILY_BUDGET": "0",
        "ENRICHMENT_STALE_SECONDS": str(args.stale),
        "COVER_CONNECT_TIMEOUT": "2",
        "COVER_READ_TIMEOUT": "5",
        "LOG_LEVEL": "INFO",  # django-q2 says "running." at INFO: clusters_ready reads it
    }
    # This process needs the broker and the stale time (it runs the sweep), not the providers.
    os.environ.update(overrides, LOG_LEVEL="WARNING")
    env = bench_env(**overrides)
    os.environ["DJANGO_SETTINGS_MODULE"] = env["DJANGO_SETTINGS_MODULE"]
    os.environ["SECRET_KEY"] = env["SECRET_KEY"]
    os.environ.pop("DEBUG", None)
    django.setup()
    from django.core.management import call_command
    from django.db import connections

    data = build_goodreads_file(args.works * len(args.clusters))
    books = bench_books(data)
    connections.close_all()  # forked next: the child must share no connection
    stub = ProviderProcess(books, rate=args.provider_rate, lifetime=args.timeout * 4 + 600)
    env |= {
        "OPENLIBRARY_URL": stub.url,
        "OPENLIBRARY_COVERS_URL": stub.url,
        "GOOGLE_BOOKS_URL": f"{stub.url}/books/v1",
    }
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    migrate_seconds = time.monotonic() - started
    header, *rows = data.decode().splitlines(keepends=True)
    csv_paths = []
    for index in range(len(args.clusters)):
        path = work_dir / f"run-{index}.csv"
        path.write_text(header + "".join(rows[index * args.works : (index + 1) * args.works]))
        csv_paths.append(path)
    pg_pid = postmaster_pid()
    runs = []
    try:
        for n, csv_path in zip(args.clusters, csv_paths, strict=True):
            runs.append(run_clusters(n, csv_path, args, env, work_dir, stub, pg_pid, redis.pid))
            if not args.json:
                print_run(runs[-1], runs[0])
    finally:
        stub.stop()
    report = {
        "works_per_run": args.works,
        "provider_rate": args.provider_rate,
        "product_rate": float(product_rate),
        "stale_seconds": args.stale,
        "migrate_seconds": round(migrate_seconds, 1),
        "sweep_every": args.sweep_every,
        "machine_start": machine_start,
        "machine_end": machine_state(),
        "cpus": os.cpu_count(),
        "runs": runs,
    }
    ok = all(
        r["seconds"] and not (r["lost"] or r["applied_twice"] or r["stuck"] or r["provider_429"])
        for r in runs
    )
    report["ok"] = ok
    if args.json:
        print(json.dumps(report, default=str))
    else:
        print(
            f"\nmachine: start {machine_start}, end {report['machine_end']} "
            f"(CPU baseline in M loop iterations/s; load average 1/5/15 min)"
        )
        print("ALL CLEAR" if ok else "PROBLEMS: see the runs above")
    return 0 if ok else 1


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--works", type=int, default=10_000, help="works enriched per run")
    parser.add_argument("--clusters", default="1,2,3", help="clusters per run, e.g. 1,2,3")
    parser.add_argument(
        "--kill",
        action=argparse.BooleanOptionalAction,
        default=True,
        help="SIGKILL one cluster of the last run mid-run and restart it",
    )
    parser.add_argument("--kill-at", type=float, default=0.3, help="fraction final at the kill")
    parser.add_argument("--stale", type=int, default=120, help="ENRICHMENT_STALE_SECONDS")
    parser.add_argument("--sweep-every", type=float, default=15.0, help="seconds between sweeps")
    parser.add_argument(
        "--provider-rate",
        type=float,
        default=20.0,
        help="requests/s the fake providers allow (the product uses half)",
    )
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run at most")
    parser.add_argument("--poll", type=float, default=1.0)
    parser.add_argument("--json", action="store_true", help="print one JSON object")
    parser.add_argument("--here", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    args.clusters = [int(n) for n in args.clusters.split(",")]
    if args.here:
        sys.exit(run_here(args))
    if redis_server_binary() is None:
        print("redis-server is not installed (Debian: apt-get install redis-server).")
        sys.exit(EXIT_NO_REDIS)
    if not args.json:
        print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}")
    me = [sys.executable, str(Path(__file__).resolve()), "--here", *sys.argv[1:]]
    env = {key: value for key, value in bench_env().items() if key != "DATABASE_URL"}
    result = subprocess.run([str(ROOT / "scripts/with_postgres.sh"), *me], env=env)
    sys.exit(result.returncode)


if __name__ == "__main__":
    main()
