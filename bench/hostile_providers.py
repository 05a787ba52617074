"""Peak memory of an enrichment batch when a provider answers 150 MB, against a normal answer;
and seconds to give up on a provider that drips its answer one byte a second.

    .venv/bin/python bench/hostile_providers.py [--mb 150] [--runs 3] [--books 100] [--no-uncapped]
        [--drip-runs 3] [--drip-every 1.0] [--drip-only]

A local HTTP server on 127.0.0.1 (a thread of this process) plays Open Library's Books API.
Each scenario runs in a fresh subprocess on its own copy of a migrated SQLite database: it
creates `--books` works with ISBNs, queues and claims them, and runs one batch through
`engine.process_requests` with the real Open Library client (one Books API request for the
100 ISBNs). The child reports its resident memory just before the batch (VmRSS) and its peak
(ru_maxrss) after it; the figure is the peak and the batch's growth over that resident size,
medians of `--runs`. A tracemalloc peak (Python allocations only) comes from a separate run of
the same child with tracemalloc on, so that its bookkeeping does not inflate the RSS figures.

The answers (all synthetic, built here from the recorded Books API record for 9780316030571 in
tests/fixtures/providers/openlibrary/):
  * normal: the recorded record once per asked ISBN (about 282 KB for 100 ISBNs);
  * long fields: each record with a 3,000-word (23,000-character) description and 100 subjects
    (about 3 MB for 100 ISBNs, under the byte cap): what the text caps keep;
  * stream: a record whose description goes on for `--mb` MB, streamed without Content-Length;
  * declared: the same with its Content-Length;
  * gzip: the same gzip-compressed (small on the wire, `--mb` MB once inflated);
  * stream, cap lifted: the stream answer with ENRICHMENT_MAX_RESPONSE_BYTES at 1 GB, for
    comparison (what the byte cap prevents; the text caps still apply). `--no-uncapped` skips it.

It prints, per scenario: peak RSS growth (median, MB), seconds, the requests' statuses, the
SourceRecord payload bytes and the longest description stored; and a CPU baseline before and
after (the machine has 2 cores shared with other work).

Drip (`--drip-runs`, 0 skips it; `--drip-only` skips the memory scenarios): the server answers
200 with `Content-Length: 1000000`, then one byte every `--drip-every` seconds (each inside the
read timeout), and the same child times the batch until the provider is given up (a TIMEOUT
fault; every request backed off). With the settings of the environment: the defaults are
ENRICHMENT_HTTP_CONNECT_TIMEOUT 5 + ENRICHMENT_HTTP_READ_TIMEOUT 30, so about 35 s a run.
Before the request deadline the batch waited for as long as the provider kept dripping.
"""

import argparse
import gzip
import io
import json
import os
import platform
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from machine import BENCH_SECRET_KEY, cpu_baseline

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
RECORD = ROOT / "tests/fixtures/providers/openlibrary/books_api_jscmd_data__ISBN_9780316030571.json"
MB = 1024 * 1024
CHUNK = 64 * 1024
SCENARIOS = ["normal", "long-fields", "stream", "declared", "gzip", "stream-cap-lifted"]


def isbns(count: int) -> list[str]:
    """Valid, distinct 978- ISBN-13s."""
    out = []
    for n in range(count):
        first12 = f"978{900000000 + n:09d}"
        total = sum(int(d) * (1 if i % 2 == 0 else 3) for i, d in enumerate(first12))
        out.append(first12 + str((10 - total % 10) % 10))
    return out


def recorded_record() -> dict:
    return next(iter(json.loads(RECORD.read_text()).values()))


def record_for(isbn13: str, **changes) -> dict:
    record = recorded_record()
    record["identifiers"] = {**record.get("identifiers", {}), "isbn_13": [isbn13]}
    record.update(changes)
    return record


class Answers:
    """The server's bodies, built once."""

    def __init__(self, books: int, mb: int):
        asked = isbns(books)
        self.size = mb * MB
        self.normal = json.dumps({f"ISBN:{i}": record_for(i) for i in asked}).encode()
        long_description = " ".join(f"word{n % 1000}" for n in range(3_000))
        subjects = [{"name": f"Subject {n}", "url": f"https://x.example/{n}"} for n in range(100)]
        self.long_fields = json.dumps(
            {
                f"ISBN:{i}": record_for(i, description=long_description, subjects=subjects)
                for i in asked
            }
        ).encode()
        # A record whose description runs on for `mb` MB: opening + filler + closing.
        opening, closing = (
            json.dumps({f"ISBN:{asked[0]}": record_for(asked[0], description="@@")})
            .encode()
            .split(b"@@")
        )
        self.huge_parts = (opening, closing)
        self.huge_length = len(opening) + self.size + len(closing)
        buffer = io.BytesIO()  # gzip level 6: about a second for 150 MB, once
        with gzip.GzipFile(fileobj=buffer, mode="wb", compresslevel=6) as out:
            out.write(opening)
            filler = b"lorem ipsum " * (CHUNK // 12)
            written = 0
            while written < self.size:
                piece = filler[: min(len(filler), self.size - written)]
                out.write(piece)
                written += len(piece)
            out.write(closing)
        self.gzip = buffer.getvalue()

    def huge_chunks(self):
        opening, closing = self.huge_parts
        yield opening
        filler = b"lorem ipsum " * (CHUNK // 12)
        sent = 0
        while sent < self.size:
            piece = filler[: min(len(filler), self.size - sent)]
            yield piece
            sent += len(piece)
        yield closing


def dripped(every: float, length: int):
    """A JSON answer's start, then one byte every `every` seconds (wfile is unbuffered)."""
    yield b'{"ISBN:9789000000002": {"description": "'
    for _ in range(length):
        time.sleep(every)
        yield b"a"


def start_server(answers: Answers, drip_every: float):
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            scenario = self.path.split("/")[1]
            headers = {"Content-Type": "application/json"}
            if scenario == "drip":
                chunks, headers["Content-Length"] = dripped(drip_every, MB), str(MB)
            elif scenario == "normal":
                chunks, headers["Content-Length"] = [answers.normal], str(len(answers.normal))
            elif scenario == "long-fields":
                body = answers.long_fields
                chunks, headers["Content-Length"] = [body], str(len(body))
            elif scenario in ("stream", "stream-cap-lifted"):
                chunks, headers["Connection"] = answers.huge_chunks(), "close"
            elif scenario == "declared":
                chunks = answers.huge_chunks()
                headers["Content-Length"] = str(answers.huge_length)
            else:  # gzip
                chunks = [answers.gzip[i : i + CHUNK] for i in range(0, len(answers.gzip), CHUNK)]
                headers["Content-Length"] = str(len(answers.gzip))
                headers["Content-Encoding"] = "gzip"
            self.send_response(200)
            for name, value in headers.items():
                self.send_header(name, value)
            self.end_headers()
            try:
                for chunk in chunks:
                    self.wfile.write(chunk)
            except OSError:  # the client hung up
                pass
            self.close_connection = True

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


# --- the child: one batch in a fresh process -------------------------------------------------


def resident_kb() -> int:
    """This process's resident memory now (Linux), in KB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def child(books: int, traced: bool) -> None:
    import django

    django.setup()
    from django.db.models.functions import Length

    from catalog.models import Author, Edition, Work, WorkAuthor
    from enrichment import engine, queue, throttle
    from enrichment.models import EnrichmentRequest, SourceRecord
    from enrichment.providers.openlibrary import OpenLibraryProvider

    author = Author.objects.create(name="Iain M. Banks")
    for isbn13 in isbns(books):
        work = Work.objects.create(title="Use of Weapons")
        WorkAuthor.objects.create(work=work, author=author, position=0)
        Edition.objects.create(work=work, isbn13=isbn13)
    ids = queue.works_enqueue_enrichment(dispatch=False)
    claimed = queue.requests_claim(request_ids=ids, limit=len(ids))
    before = resident_kb()
    if traced:
        tracemalloc.start()
    started = time.perf_counter()
    engine.process_requests(claimed, providers=[OpenLibraryProvider()])
    seconds = time.perf_counter() - started
    traced_peak = tracemalloc.get_traced_memory()[1] if traced else 0
    after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    statuses = {}
    for status in EnrichmentRequest.objects.values_list("status", flat=True):
        statuses[status] = statuses.get(status, 0) + 1
    error = EnrichmentRequest.objects.exclude(last_error="").values_list("last_error", flat=True)
    payload_bytes = sum(
        len(json.dumps(p, ensure_ascii=False).encode())
        for p in SourceRecord.objects.values_list("payload", flat=True)
    )
    longest = Work.objects.aggregate(n=django.db.models.Max(Length("description")))["n"] or 0
    print(
        json.dumps(
            {
                "baseline_kb": before,
                "peak_kb": after,
                "traced_peak_bytes": traced_peak,
                "seconds": seconds,
                "statuses": statuses,
                "error": (error.first() or "")[:160],
                "cache_bytes": payload_bytes,
                "cache_rows": SourceRecord.objects.count(),
                "longest_description": longest,
                "deadline": throttle.request_seconds(),
            }
        )
    )


# --- the parent ---------------------------------------------------------------------------------


def migrated_database(directory: Path, env: dict) -> Path:
    path = directory / "migrated.sqlite3"
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "migrate", "-v", "0"],
        env={**env, "DATABASE_URL": f"sqlite:///{path}"},
        check=True,
    )
    return path


def run_scenario(
    scenario: str, *, url: str, template: Path, env: dict, books: int, traced: bool = False
) -> dict:
    database = template.with_name(f"{scenario}-{time.monotonic_ns()}.sqlite3")
    shutil.copy(template, database)
    child_env = {
        **env,
        "DATABASE_URL": f"sqlite:///{database}",
        "OPENLIBRARY_URL": f"{url}/{scenario}",
        "ENRICHMENT_AUTO_APPLY_COVERS": "false",
    }
    if scenario == "stream-cap-lifted":
        child_env["ENRICHMENT_MAX_RESPONSE_BYTES"] = str(1024 * MB)
    try:
        out = subprocess.run(
            [sys.executable, __file__, "--child", "--books", str(books)]
            + (["--tracemalloc"] if traced else []),
            env=child_env,
            capture_output=True,
            text=True,
            check=True,
        ).stdout
    finally:
        database.unlink(missing_ok=True)
    return json.loads(out.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--mb", type=int, default=150, help="size of the hostile answer")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--books", type=int, default=100)
    parser.add_argument("--no-uncapped", action="store_true", help="skip the cap-lifted run")
    parser.add_argument("--drip-runs", type=int, default=3, help="0 skips the drip")
    parser.add_argument("--drip-every", type=float, default=1.0, help="seconds between bytes")
    parser.add_argument("--drip-only", action="store_true", help="skip the memory scenarios")
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--tracemalloc", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.books, args.tracemalloc)
        return

    env = {
        **os.environ,
        "SECRET_KEY": BENCH_SECRET_KEY,
        "DJANGO_SETTINGS_MODULE": "bookstore.settings",
        "ENRICHMENT_CONTACT_EMAIL": "",
    }
    env.pop("DATABASE_URL", None)
    print(f"Python {platform.python_version()}, {os.cpu_count()} CPUs, {platform.machine()}")
    print(f"machine at start: CPU baseline {cpu_baseline():.1f} M loop iterations/s")
    answers = Answers(args.books, args.mb)
    print(
        f"answers: normal {len(answers.normal) / 1024:,.0f} KB for {args.books} ISBNs; "
        f"long fields {len(answers.long_fields) / MB:.1f} MB; hostile {args.mb} MB "
        f"(gzip {len(answers.gzip) / 1024:,.0f} KB on the wire)"
    )
    server = start_server(answers, args.drip_every)
    url = f"http://127.0.0.1:{server.server_port}"
    scenarios = [s for s in SCENARIOS if not (args.no_uncapped and s == "stream-cap-lifted")]
    if args.drip_only:
        scenarios = []
    with tempfile.TemporaryDirectory(prefix="bench-hostile-") as tmp:
        template = migrated_database(Path(tmp), env)
        if args.drip_runs:
            options = {"url": url, "template": template, "env": env, "books": args.books}
            measure_drip(args, options)
        if scenarios:
            print(
                f"\n{'scenario':<18} {'peak RSS':>9} {'growth':>9} {'traced':>9} {'seconds':>8}  "
                "statuses; cache rows / bytes; longest description stored; last error"
            )
        for scenario in scenarios:
            options = {"url": url, "template": template, "env": env, "books": args.books}
            runs = [run_scenario(scenario, **options) for _ in range(args.runs)]
            traced = run_scenario(scenario, traced=True, **options)["traced_peak_bytes"]
            peak = statistics.median(r["peak_kb"] / 1024 for r in runs)
            growth = statistics.median((r["peak_kb"] - r["baseline_kb"]) / 1024 for r in runs)
            seconds = statistics.median(r["seconds"] for r in runs)
            last = runs[-1]
            statuses = ", ".join(f"{k} {v}" for k, v in sorted(last["statuses"].items()))
            print(
                f"{scenario:<18} {peak:>6.0f} MB {growth:>6.1f} MB {traced / MB:>6.1f} MB "
                f"{seconds:>8.2f}  {statuses}; {last['cache_rows']} / "
                f"{last['cache_bytes']:,} B; {last['longest_description']:,} chars; "
                f"{last['error'][:90]!r}"
            )
    server.shutdown()
    print(f"\nmachine at end: CPU baseline {cpu_baseline():.1f} M loop iterations/s")


def measure_drip(args, options: dict) -> None:
    """Seconds until a batch gives up on a provider that drips one byte every `--drip-every`."""
    runs = [run_scenario("drip", **options) for _ in range(args.drip_runs)]
    seconds = [r["seconds"] for r in runs]
    last = runs[-1]
    statuses = ", ".join(f"{k} {v}" for k, v in sorted(last["statuses"].items()))
    print(
        f"\ndrip, one byte every {args.drip_every:g} s: a batch of {args.books} gave up after "
        f"{statistics.median(seconds):.2f} s (median of {len(runs)}: "
        f"{', '.join(f'{s:.2f}' for s in seconds)}; deadline {last['deadline']:g} s = "
        f"ENRICHMENT_HTTP_CONNECT_TIMEOUT + ENRICHMENT_HTTP_READ_TIMEOUT); {statuses}; "
        f"last error {last['error'][:120]!r}",
        flush=True,
    )


if __name__ == "__main__":
    main()
