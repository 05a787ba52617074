"""Import throughput: Goodreads files of 10,000 and 100,000 rows through the same service the
upload form uses, on SQLite and on PostgreSQL, next to the rate of merely parsing the file.

    .venv/bin/python bench/import_csv.py            # both databases (PostgreSQL if installed)
    .venv/bin/python bench/import_csv.py --db sqlite --sizes 10000

The files are built from the 358 real rows of the mapmyreads Goodreads export with new Goodreads
ids, valid new ISBNs and numbered titles, so every row is a new book. Each import runs on empty
catalog tables; the re-import (every row a duplicate) is timed too. Figures are medians. Each
line also gives the CPU seconds of the importing process and of its reading worker (the file is
read and normalized in a forked process from IMPORT_READING_WORKER_MIN_ROWS rows on:
`IMPORT_READING_WORKER_MIN_ROWS=1000000000` runs without it) and of the PostgreSQL server
process, which a loaded machine changes less than the wall time, and the rate the machine's
cores allow at that CPU cost per row (the import's limit if every process overlapped perfectly).
"""

import argparse
import csv
import io
import os
import platform
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

from machine import bench_env, machine_line, run_on_databases
from processes import child_pids, vm_hwm_mb

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
REAL_EXPORT = ROOT / "tests/fixtures/imports/mapmyreads/goodreads_library_export.csv"


def build_goodreads_file(rows: int) -> bytes:
    from catalog import isbn

    reader = csv.reader(io.StringIO(REAL_EXPORT.read_text(encoding="utf-8")))
    header = next(reader)
    real = list(reader)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    col = {name: i for i, name in enumerate(header)}
    for i in range(rows):
        row = list(real[i % len(real)])
        copy = i // len(real)
        first12 = f"979{8_000_000_00 + i:09d}" if i % 2 else f"978{1_900_000_00 + i:09d}"
        isbn13 = first12 + isbn.isbn13_check_digit(first12)
        isbn10 = isbn.isbn13_to_isbn10(isbn13) or ""
        row[col["Book Id"]] = str(90_000_000 + i)
        row[col["ISBN13"]] = f'="{isbn13}"'
        row[col["ISBN"]] = f'="{isbn10}"'
        if copy:  # a new book: number the main title (a subtitle or series suffix stays)
            row[col["Title"]] = f"{copy} {row[col['Title']]}"
        writer.writerow(row)
    return out.getvalue().encode("utf-8")


def parse_only(data: bytes) -> float:
    from catalog.importers import importer_for, read_csv

    start = time.perf_counter()
    csv_file = read_csv(data)
    importer = importer_for(csv_file.header)
    for _line, cells in csv_file.rows:
        importer.normalize(cells)
    return time.perf_counter() - start


def empty_catalog() -> None:
    from catalog.models import Author, ImportJob, Work

    ImportJob.objects.all().delete()
    Work.objects.all().delete()
    Author.objects.all().delete()


def import_once(data: bytes) -> tuple[float, dict]:
    from catalog import services

    cpu_before = _cpu_seconds()
    start = time.perf_counter()
    job = services.import_job_create(data=data, filename="bench.csv", enrich=False)
    services.import_job_run(job=job)
    elapsed = time.perf_counter() - start
    cpu = [after - before for after, before in zip(_cpu_seconds(), cpu_before, strict=True)]
    job.refresh_from_db()
    counts = {"created": job.created_count, "dup": job.duplicate_count, "failed": job.failed_count}
    return elapsed, {
        **counts,
        "cpu_s": round(cpu[0], 2),
        "worker_cpu_s": round(cpu[1], 2),
        "server_cpu_s": round(cpu[2], 2),
    }


def _cpu_seconds() -> tuple[float, float, float]:
    """CPU seconds (user + system) of this process (its threads included), of its ended
    children (the import's reading worker is forked and reaped by the import), and of the
    PostgreSQL server (0 on SQLite, which works inside this process)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime, _server_cpu()


def _server_cpu() -> float:
    """CPU seconds of the PostgreSQL server: every process of its cluster, live or ended (an
    import may write on a connection of its own, `catalog.services.batch_writer`, whose server
    process ends with the job), as the postmaster's own time plus its ended children's (which
    it reaped) plus its live children's."""
    from django.db import connection

    if connection.vendor != "postgresql":
        return 0.0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    postmaster = int(_proc_stat(pid)[1])
    time.sleep(0.5)  # a server process whose connection just closed: ended and reaped by then
    # /proc/<pid>/stat: utime, stime, cutime, cstime are fields 14-17, in clock ticks.
    fields = _proc_stat(postmaster)
    ticks = sum(int(f) for f in fields[11:15])
    for child in child_pids(postmaster):
        try:
            ticks += sum(int(f) for f in _proc_stat(child)[11:13])
        except OSError:
            continue  # it ended between the listing and the reading (then in cutime, or lost)
    return ticks / os.sysconf("SC_CLK_TCK")


def _proc_stat(pid: int) -> list[str]:
    """A process's /proc stat fields from the state on (field 3 is index 0)."""
    return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()


def cpu_bound_line(rows: int, counts: dict) -> str:
    """The rates this import's CPU cost per row allows: the importing process and its database
    server take turns (one connection: the process waits for each statement), so together they
    work one core at a time; the reading worker runs beside them. And all the cores' worth."""
    serial = counts["cpu_s"] + counts["server_cpu_s"]
    total = serial + counts["worker_cpu_s"]
    cores = os.cpu_count() or 1
    in_turn = rows / serial if serial else float("inf")
    all_cores = rows * cores / total if total else float("inf")
    return (
        f"{'':>7} CPU: importing process {counts['cpu_s']:.2f} s, its database server "
        f"{counts['server_cpu_s']:.2f} s, reading worker {counts['worker_cpu_s']:.2f} s. "
        f"The process and its server in turn allow at most {in_turn:,.0f} rows/s "
        f"({in_turn / 10_000:.2f} of the 10,000 goal); {cores} cores at this cost, every "
        f"process overlapping, {all_cores:,.0f} rows/s"
    )


def reset_peak_rss() -> None:
    """Start this process's peak resident memory afresh (Linux: clear_refs 5 resets VmHWM), so
    that what the bench itself built (the file, the parse-only rows) is not counted."""
    Path("/proc/self/clear_refs").write_text("5")


def peak_rss_mb() -> float:
    """This process's peak resident memory since the last reset (VmHWM, in MB)."""
    peak = vm_hwm_mb()
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 if peak is None else peak


def run_here(sizes: list[int], repeats: int) -> None:
    import django
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0)
    vendor = connection.vendor
    print(f"\n== {vendor} ({connection.settings_dict['NAME']})")
    print(machine_line("before"))
    for size in sizes:
        data = build_goodreads_file(size)
        runs = repeats if size <= 10_000 else 1
        parse = statistics.median(parse_only(data) for _ in range(3))
        timings, reimports = [], []
        counts = {}
        peak = 0.0
        for _ in range(runs):
            empty_catalog()
            reset_peak_rss()
            elapsed, counts = import_once(data)
            peak = max(peak, peak_rss_mb())
            timings.append(elapsed)
            reimports.append(import_once(data)[0])
        imported = statistics.median(timings)
        reimported = statistics.median(reimports)
        print(
            f"{size:>7,} rows ({len(data) / 1e6:.1f} MB): "
            f"parse only {size / parse:>8,.0f} rows/s | "
            f"import {size / imported:>7,.0f} rows/s ({imported:.2f} s, median of {runs}) | "
            f"re-import {size / reimported:>7,.0f} rows/s | import/parse {parse / imported:.2f} | "
            f"{counts}"
        )
        print(cpu_bound_line(size, counts))
        worker_peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
        print(
            f"{'':>7} peak RSS during the import: {peak:,.0f} MB (goal < 300 MB; the bench's own "
            f"file of {len(data) / 1e6:.1f} MB included, its parse-only rows not); its reading "
            f"worker: {worker_peak:,.0f} MB (0: no worker)"
        )
    print(machine_line("after"))
    empty_catalog()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["both", "sqlite", "postgres", "current"], default="both")
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]

    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}")
    env = bench_env(
        MEDIA_ROOT=tempfile.mkdtemp(prefix="bench-media-"),
        IMPORT_STORAGE_LOCATION=tempfile.mkdtemp(prefix="bench-imports-"),
    )
    passthrough = ["--sizes", args.sizes, "--repeats", str(args.repeats)]
    me = [sys.executable, str(Path(__file__).resolve()), "--db", "current", *passthrough]
    if args.db == "current":
        run_here(sizes, args.repeats)
        return
    sys.exit(0 if run_on_databases(me, env, args.db) else 1)


if __name__ == "__main__":
    main()
