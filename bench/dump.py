"""Open Library dump load: a realistic gzip dump of at least 1 GB, the machine's limits, the full
load into a throwaway PostgreSQL, and ISBN lookups in batches of 1,000.

    .venv/bin/python bench/dump.py                 # editions.gz >= 1024 MB (+ works, authors)
    .venv/bin/python bench/dump.py --size-mb 50    # while developing

The files are built from the real dump lines in tests/fixtures/openlibrary_dump/ (CC0), drawn
at random, each with a new key and, for editions, new valid ISBNs (978-1-...) in the spellings
the template had (ISBN-13, ISBN-10 or both); editions point at generated works (1.4 editions per
work, as in the real dumps: 33 M editions, 24 M works) and authors (one per 3.7 editions). All
other fields, covers included, are the real line's. The files live in a temp dir removed at the
end. The 2020 lines are shorter (860 bytes an edition) than today's dump (45 GB / 33 M = 1.4 KB):
lines/s is the figure to compare, MB/s is per uncompressed byte of these files.

Printed for each step: MB/s of uncompressed input and lines/s.
- machine: `zcat | wc -l`, and one core inflating with ISA-L and fully parsing each line's JSON
  (the issue's "parse limit"); a pure-Python loop rate to compare runs on other machines;
- dependencies: inflating with zlib (stdlib) / ISA-L / zlib-ng, and parsing with json (stdlib) /
  orjson / msgspec (generic and typed), on the first 200 MB, for those installed (best of 3);
- the reader alone (no database), one core;
- the full load (`dump_load`, as the command runs it), per file and in total, with the CPU
  of the feeding process, the workers and PostgreSQL's own processes per GB, and the MB/s that
  bounds on this machine's free cores;
- ISBN lookups: 1,000 ISBNs (80 % in the dump) per batch, SQL only and whole Candidates, the
  wall time and the CPU of this process and of its PostgreSQL backend;
  with `--candidates FILE`, the whole Candidates of those batches written to FILE (gzip JSON)
  when it does not exist, else compared with it field for field, notes' messages and values
  included: how a change to the lookup's speed shows it changed no candidate (run the old code
  to write the file, then the new to compare; same --size-mb);
- with `--tables FILE`, each loaded table's row count and a digest of its rows (in any order)
  written to FILE (JSON) when it does not exist, else compared with it: how a change to the
  load's speed shows it stores the same rows (old code writes, new compares; same --size-mb).
"""

import argparse
import gzip
import json
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dump_checks import candidates_json, same_candidates, same_tables, table_digests
from machine import bench_env, cpu_baseline

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FIXTURES = ROOT / "tests/fixtures/openlibrary_dump"
REAL = {
    "edition": [
        "booklink_editions_head300.txt",
        "booklink_editions_tail20.txt",
        "booklink_editions_grep_dostoyevsky50.txt",
    ],
    "work": ["booklink_works_head300.txt", "booklink_works_tail30.txt"],
    "author": [
        "booklink_authors_head20.txt",
        "booklink_authors_tail300.txt",
        "booklink_authors_grep_orwell37.txt",
    ],
}
BASE_ID = 100_000_000  # generated keys start here: OL100000000M, OL100000000W, ...
WORKS_PER_EDITION = 24 / 33
AUTHORS_PER_EDITION = 9 / 33
SAMPLE_BYTES = 200_000_000
REPEATS = 3  # dependency timings: the best of three
_FIELD = re.compile(r"@@(\w+)@@")


# --- building the files -----------------------------------------------------------------------


def template(line: str, kind: str) -> list[str]:
    """A real line as [literal, field, literal, field, ...]: keys and ISBNs become fields."""
    type_, _key, revision, modified, document = line.rstrip("\n").split("\t")
    record = json.loads(document)
    record["key"] = "@@key@@"
    if kind == "edition":
        if record.get("isbn_13"):
            record["isbn_13"] = ["@@isbn13@@"]
        if record.get("isbn_10"):
            record["isbn_10"] = ["@@isbn10@@"]
        if record.get("works"):
            record["works"] = [{"key": "@@work@@"}]
        authors = record.get("authors") or []
        # The n-th distinct author of the line: a key the record repeats stays repeated.
        distinct = list(dict.fromkeys(author["key"] for author in authors))
        for author in authors:
            author["key"] = f"@@author{distinct.index(author['key'])}@@"
    elif kind == "work":
        entries = [e for e in record.get("authors") or [] if isinstance(e.get("author"), dict)]
        distinct = list(dict.fromkeys(entry["author"]["key"] for entry in entries))
        for entry in entries:
            entry["author"]["key"] = f"@@author{distinct.index(entry['author']['key'])}@@"
    # json.dumps with its defaults writes what the dump writes (", " and ": ", ASCII escapes).
    text = "\t".join([type_, "@@key@@", revision, modified, json.dumps(record)]) + "\n"
    return _FIELD.split(text)


def build_files(
    directory: Path,
    size_mb: int,
    seed: int = 8,
    *,
    editions_wanted: int | None = None,
    kinds: tuple[str, ...] = tuple(REAL),
) -> dict[str, Path]:
    """editions.txt.gz of at least `size_mb` MB (or of at least `editions_wanted` lines), and
    works / authors in the real proportions (those of `kinds`)."""
    from isal import igzip

    from catalog import isbn

    rng = random.Random(seed)
    templates = {
        kind: [
            template(line, kind)
            for name in names
            for line in (FIXTURES / name).read_text(encoding="ascii").splitlines()
        ]
        for kind, names in REAL.items()
    }
    paths = {kind: directory / f"ol_dump_{kind}s.txt.gz" for kind in REAL}
    target = size_mb * 1_000_000
    editions = 0
    with igzip.open(paths["edition"], "wb", compresslevel=1) as out:
        while (
            editions < editions_wanted
            if editions_wanted is not None
            else os.path.getsize(paths["edition"]) < target
        ):
            lines = []
            for i in range(editions, editions + 20_000):
                first12 = f"978{BASE_ID + i:09d}"
                isbn13 = first12 + isbn.isbn13_check_digit(first12)
                author = BASE_ID + int(i * AUTHORS_PER_EDITION)
                values = {
                    "key": f"/books/OL{BASE_ID + i}M",
                    "isbn13": isbn13,
                    "isbn10": isbn.isbn13_to_isbn10(isbn13),
                    "work": f"/works/OL{BASE_ID + int(i * WORKS_PER_EDITION)}W",
                }
                parts = rng.choice(templates["edition"])
                lines.append(_fill(parts, values, author))
            out.write("".join(lines).encode())
            editions += 20_000
            out.flush()
    counts = {
        "work": int(editions * WORKS_PER_EDITION) + 1,
        "author": int(editions * AUTHORS_PER_EDITION) + 1,
    }
    for kind, count in counts.items():
        if kind not in kinds:
            paths.pop(kind)
            continue
        letter = "W" if kind == "work" else "A"
        prefix = "/works/OL" if kind == "work" else "/authors/OL"
        with igzip.open(paths[kind], "wb", compresslevel=1) as out:
            for start in range(0, count, 20_000):
                lines = []
                for j in range(start, min(start + 20_000, count)):
                    author = BASE_ID + int(j * AUTHORS_PER_EDITION / WORKS_PER_EDITION)
                    values = {"key": f"{prefix}{BASE_ID + j}{letter}"}
                    lines.append(_fill(rng.choice(templates[kind]), values, author))
                out.write("".join(lines).encode())
    return paths


def _fill(parts: list[str], values: dict[str, str], author: int) -> str:
    out = []
    for n, part in enumerate(parts):
        if n % 2 == 0:
            out.append(part)
        elif part.startswith("author"):
            out.append(f"/authors/OL{author + int(part[6:])}A")
        else:
            out.append(values[part])
    return "".join(out)


# --- measuring ----------------------------------------------------------------------------------


def rate(label: str, nbytes: int, lines: int, seconds: float) -> str:
    return (
        f"{label:<44} {nbytes / seconds / 1e6:>7,.0f} MB/s {lines / seconds:>11,.0f} lines/s"
        f"  ({seconds:,.1f} s)"
    )


def zcat_wc(path: Path, inflated: int) -> str:
    start = time.perf_counter()
    result = subprocess.run(
        f"zcat '{path}' | wc -l", shell=True, capture_output=True, text=True, check=True
    )
    return rate("zcat | wc -l", inflated, int(result.stdout), time.perf_counter() - start)


def parse_limit(path: Path) -> tuple[str, int, int]:
    """One core: ISA-L inflate + a full JSON parse of every line (what any loader must do)."""
    from isal import igzip

    name, loads = _fastest_generic_json()
    start = time.perf_counter()
    lines = nbytes = 0
    tail = b""
    with igzip.open(path, "rb") as stream:
        while data := stream.read(4 << 20):
            nbytes += len(data)
            data = tail + data
            cut = data.rfind(b"\n")
            tail = data[cut + 1 :]
            for line in data[:cut].split(b"\n"):
                loads(line[line.rfind(b"\t") + 1 :])
                lines += 1
    seconds = time.perf_counter() - start
    return rate(f"ISA-L + {name}, one core", nbytes, lines, seconds), nbytes, lines


def _fastest_generic_json():
    """(name, a full JSON parse into dicts): orjson where installed, else msgspec's."""
    try:
        import orjson

        return "orjson.loads", orjson.loads
    except ImportError:
        import msgspec

        return "msgspec generic decode", msgspec.json.Decoder().decode


def dependency_rates(path: Path) -> list[str]:
    """What each reader buys, on the first SAMPLE_BYTES of the editions file."""
    out = []
    inflaters = [("zlib (stdlib gzip)", gzip.open)]
    try:
        from isal import igzip

        inflaters.append(("ISA-L (isal)", igzip.open))
    except ImportError:
        pass
    try:
        from zlib_ng import gzip_ng

        inflaters.append(("zlib-ng (zlib-ng)", gzip_ng.open))
    except ImportError:
        pass
    sample = b""
    for name, opener in inflaters:
        timings = []
        for _ in range(REPEATS):  # the best of a few: other work shares this machine
            start = time.perf_counter()
            with opener(path, "rb") as stream:
                data = stream.read(SAMPLE_BYTES)
            timings.append(time.perf_counter() - start)
        sample = sample or data
        out.append(rate(f"inflate: {name}", len(data), data.count(b"\n"), min(timings)))
    documents = [line[line.rfind(b"\t") + 1 :] for line in sample.split(b"\n")[:-1]]
    parsers = [("json (stdlib)", json.loads)]
    try:
        import orjson

        parsers.append(("orjson", orjson.loads))
    except ImportError:
        pass
    import msgspec

    from enrichment.dump import reader

    parsers.append(("msgspec, generic", msgspec.json.Decoder().decode))
    parsers.append(("msgspec, typed EditionDoc", reader._DECODERS["edition"].decode))
    for name, loads in parsers:
        timings = []
        for _ in range(REPEATS):
            start = time.perf_counter()
            for document in documents:
                loads(document)
            timings.append(time.perf_counter() - start)
        out.append(rate(f"parse JSON: {name}", len(sample), len(documents), min(timings)))
    return out


def reader_alone(path: Path, kind: str) -> str:
    from enrichment.dump import reader

    start = time.perf_counter()
    report, blocks = reader.read_dump(path, kind)
    for _ in blocks:
        pass
    seconds = time.perf_counter() - start
    return rate(f"reader alone, one core ({kind}s)", report.bytes_read, report.lines, seconds)


def postgres_cpu_seconds() -> float | None:
    """CPU seconds the PostgreSQL server has used so far: its postmaster's, its ended children's
    (the load's COPY backends, once reaped) and its live children's. None where unreadable."""
    from django.db import connection

    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('data_directory')")
            data_directory = cursor.fetchone()[0]
        postmaster = int(Path(data_directory, "postmaster.pid").read_text().split()[0])
        ticks = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                # After the ")" that ends the command name: state, ppid, ... utime is the 12th.
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue  # a process that just ended
            pid = int(stat.parent.name)
            if pid == postmaster:
                ticks += sum(int(value) for value in fields[11:15])  # own and reaped children
            elif int(fields[1]) == postmaster:
                ticks += int(fields[11]) + int(fields[12])
        return ticks / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError):
        return None


def backend_pid() -> int:
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        return cursor.fetchone()[0]


def backend_cpu_ms(pid: int) -> float:
    """CPU milliseconds a PostgreSQL backend has used so far (nanoseconds from /proc's
    schedstat: a tick of /proc's stat is 10 ms, a batch's statements take a few); 0 where
    unreadable."""
    try:
        return int(Path(f"/proc/{pid}/schedstat").read_text().split()[0]) / 1e6
    except (OSError, ValueError, IndexError):
        return 0.0


def run_load_and_lookups(
    directory: Path,
    workers: int | None,
    batches: int,
    candidates_file: str | None = None,
    tables_file: str | None = None,
) -> None:
    import django

    django.setup()
    from django.db import connection

    from enrichment.dump import loader, lookup
    from enrichment.providers.openlibrary_dump import OpenLibraryDumpProvider

    print(f"\n== full load into {connection.vendor} ({connection.settings_dict['NAME']})")
    files = {kind: str(directory / f"ol_dump_{kind}s.txt.gz") for kind in REAL}
    print(f"load average before the load {os.getloadavg()[0]:.2f}")
    # One kind at a time, as the command loads them, to read PostgreSQL's CPU for each.
    summary = loader.LoadSummary()
    postgres_cpu: dict[str, float | None] = {}
    for kind, path in files.items():
        before = postgres_cpu_seconds()
        one = loader.dump_load(files={kind: path}, workers=workers)
        after = postgres_cpu_seconds()
        postgres_cpu[kind] = None if before is None or after is None else after - before
        summary.results += one.results
        summary.seconds += one.seconds
        summary.workers = one.workers
    print(f"load average after the load {os.getloadavg()[0]:.2f}")
    total_bytes = total_lines = 0
    for result in summary.results:
        report = result.report
        total_bytes += report.bytes_read
        total_lines += report.lines
        label = f"load {result.kind}s (read + COPY)"
        print(
            rate(label, report.bytes_read, report.lines, result.parse_seconds)
            + f"  + {result.index_seconds:.1f} s indexes and swap; rows {dict(report.rows)}"
        )
        per_gb = result.cpu_seconds / (report.bytes_read / 1e9)
        print(
            f"    CPU used by the loader's processes: {result.cpu_seconds:.0f} s in"
            f" {result.parse_seconds:.0f} s of reading ({per_gb:.1f} s per GB;"
            " PostgreSQL's own not counted)"
        )
        if summary.workers:
            feeder = result.cpu_seconds - result.worker_cpu_seconds
            print(
                f"    where it goes: the feeding process (inflate, hand out blocks) {feeder:.1f}"
                f" CPU-s, waited {result.feeder_wait_seconds:.1f} s for a worker to take a block;"
                f" {summary.workers} workers (parse + COPY) {result.worker_cpu_seconds:.1f} CPU-s,"
                f" waited {result.worker_idle_seconds:.1f} s (summed) for blocks"
            )
        server = postgres_cpu.get(result.kind)
        if server is not None:
            gigabytes = report.bytes_read / 1e9
            whole = (result.cpu_seconds + server) / gigabytes
            print(
                f"    PostgreSQL's processes: {server:.1f} CPU-s ({server / gigabytes:.1f} per GB,"
                f" COPY, indexes and VACUUM); all processes {whole:.1f} CPU-s per GB, so"
                f" {os.cpu_count()} free cores could read, COPY and index at most"
                f" {(os.cpu_count() or 1) / whole * 1000:,.0f} MB/s (this run:"
                f" {report.bytes_read / result.seconds / 1e6:,.0f} MB/s read to swap)"
            )
        assert result.status == "loaded", result.reason
    print(rate("full load, all files, end to end", total_bytes, total_lines, summary.seconds))
    print(f"parsing processes: {summary.workers}")
    if tables_file and not same_tables(Path(tables_file), table_digests()):
        sys.exit(3)

    editions = summary.results[0].report.rows["edition"]
    rng = random.Random(1)
    provider = OpenLibraryDumpProvider()
    from catalog import isbn

    def batch() -> list[str]:
        asked = []
        for n in range(1000):
            i = rng.randrange(editions) if n % 5 else editions + rng.randrange(10**6)
            first12 = f"978{BASE_ID + i:09d}"  # a fifth are not in the dump
            asked.append(first12 + isbn.isbn13_check_digit(first12))
        return asked

    backend = backend_pid()  # the lookups' connection, kept for the whole run
    for label, ask in (
        ("SQL only (lookup.editions_by_isbn)", lookup.editions_by_isbn),
        ("whole Candidates (provider.lookup_isbns)", provider.lookup_isbns),
    ):
        timings = []
        cpu = []  # this process's CPU: what a busy machine's other work does not inflate
        backend_cpu = []
        found = 0
        asked_batches = []
        for _ in range(batches):
            asked = batch()
            asked_batches.append(asked)
            server_before = backend_cpu_ms(backend)
            start, start_cpu = time.perf_counter(), time.process_time()
            answer = ask(asked)
            timings.append((time.perf_counter() - start) * 1000)
            cpu.append((time.process_time() - start_cpu) * 1000)
            backend_cpu.append(backend_cpu_ms(backend) - server_before)
            found = sum(1 for value in answer.values() if value)
        if label.startswith("whole"):
            found = sum(1 for r in answer.values() if r.candidates)
        print(
            f"lookup 1,000 ISBNs, {label:<42} first {timings[0]:6.1f} ms, median"
            f" {statistics.median(timings):6.1f} ms, max {max(timings):6.1f} ms"
            f" ({batches} batches; {found} found in the last)"
        )
        print(
            f"    CPU a batch, median (first): this process {statistics.median(cpu):.1f}"
            f" ({cpu[0]:.1f}) ms, its PostgreSQL backend {statistics.median(backend_cpu):.1f}"
            f" ({backend_cpu[0]:.1f}) ms"
        )
    if candidates_file:
        answers = [candidates_json(provider.lookup_isbns(asked)) for asked in asked_batches]
        if not same_candidates(Path(candidates_file), answers):
            sys.exit(3)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size-mb", type=int, default=1024, help="editions.txt.gz size, MB")
    parser.add_argument("--workers", type=int, default=None, help="parsing processes")
    parser.add_argument("--batches", type=int, default=20, help="lookup batches of 1,000")
    parser.add_argument(
        "--candidates",
        metavar="FILE",
        help="write the lookups' Candidates to FILE (gzip JSON), or compare them with it",
    )
    parser.add_argument(
        "--tables",
        metavar="FILE",
        help="write the loaded tables' row counts and digests to FILE (JSON), or compare them",
    )
    parser.add_argument("--run-here", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_here:
        run_load_and_lookups(
            Path(args.run_here), args.workers, args.batches, args.candidates, args.tables
        )
        return

    print(
        f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()},"
        f" load average {os.getloadavg()[0]:.2f}"
    )
    print(f"machine baseline: {cpu_baseline():.1f} M loop iterations/s")
    directory = Path(tempfile.mkdtemp(prefix="bench-oldump-"))
    try:
        start = time.perf_counter()
        paths = build_files(directory, args.size_mb)
        sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:,.0f} MB" for p in paths.values())
        print(f"built in {time.perf_counter() - start:.0f} s: {sizes}")

        print("\n== machine limit (editions file)")
        limit, inflated, lines = parse_limit(paths["edition"])
        print(f"editions: {inflated / 1e6:,.0f} MB inflated, {lines:,} lines")
        print(zcat_wc(paths["edition"], inflated))
        print(limit)
        print("\n== dependencies (first 200 MB of the editions file)")
        for line in dependency_rates(paths["edition"]):
            print(line)
        print()
        print(reader_alone(paths["edition"], "edition"))

        env = bench_env()
        env.pop("DATABASE_URL", None)
        me = [sys.executable, str(Path(__file__).resolve()), "--run-here", str(directory)]
        me += ["--batches", str(args.batches)]
        if args.candidates:
            me += ["--candidates", str(Path(args.candidates).resolve())]
        if args.tables:
            me += ["--tables", str(Path(args.tables).resolve())]
        if args.workers is not None:
            me += ["--workers", str(args.workers)]
        result = subprocess.run([str(ROOT / "scripts/with_postgres.sh"), *me], env=env)
        if result.returncode == 97:
            print("PostgreSQL is not installed: the load was not measured.")
        elif result.returncode:
            sys.exit(result.returncode)
        print(f"\nload average at the end {os.getloadavg()[0]:.2f}")
    finally:
        shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
