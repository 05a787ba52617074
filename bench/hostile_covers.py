"""Hostile cover hosts: seconds to give up on a host that drips bytes, and downloads per cover
when a worker is killed mid-run.

    .venv/bin/python bench/hostile_covers.py [--runs 3] [--drip-every 1.0] [--kill-runs 3]

1. A local HTTP server on 127.0.0.1 (a thread of this process) answers 200 with
   `Content-Length: 1000000` and then one byte every `--drip-every` seconds (the issue's host:
   one byte a second, each inside the read timeout). For the default settings
   (COVER_CONNECT_TIMEOUT 5, COVER_READ_TIMEOUT 20) and for COVER_READ_TIMEOUT=3, it times:
     * one download: fetch_cover_bytes() until it gives up (CoverRejected, reason timeout);
     * one request's cover step: choose_cover() over four candidates on that host (what
       `enrich_missing --now` does per book).
   Medians of `--runs`. Before the fix the deadline was checked only after each 64 KiB chunk,
   so at one byte a second a download ended after 65,536 s (18 h) per chunk.
2. Downloads per cover when a django-q2 cluster is SIGKILLed a third of the way through 60
   covers (tests/enrichment/test_cover_worker_kill.py, run `--kill-runs` times on SQLite; the
   test prints the figure). `--kill-runs 0` skips it.

It prints the figures, the goal check and a CPU baseline before and after (2 shared cores).
"""

import argparse
import os
import platform
import re
import statistics
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

from machine import BENCH_SECRET_KEY, cpu_baseline

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "bookstore.settings")
os.environ.setdefault("SECRET_KEY", BENCH_SECRET_KEY)

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.test import override_settings  # noqa: E402

from enrichment.candidates import CoverRef  # noqa: E402
from enrichment.covers import CoverRejected, choose_cover, fetch_cover_bytes  # noqa: E402

GOAL_DOWNLOADS_PER_COVER = (1.0, 1.1)
SETTINGS = {
    "defaults (connect 5 s, read 20 s)": {"COVER_CONNECT_TIMEOUT": 5.0, "COVER_READ_TIMEOUT": 20.0},
    "COVER_READ_TIMEOUT=3 (connect 5 s)": {"COVER_CONNECT_TIMEOUT": 5.0, "COVER_READ_TIMEOUT": 3.0},
}


def machine_line(label: str) -> str:
    load = " / ".join(f"{value:.2f}" for value in os.getloadavg())
    return (
        f"{label}: CPU baseline {cpu_baseline():.1f} M loop iterations/s, "
        f"load average {load} (1/5/15 min) on {os.cpu_count()} CPUs"
    )


def start_dripping_server(every: float):
    stop = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            self.send_response(200)
            self.send_header("Content-Type", "image/jpeg")
            self.send_header("Content-Length", "1000000")
            self.end_headers()
            try:
                self.wfile.write(b"\xff")  # a JPEG's first byte, then one more every `every` s
                self.wfile.flush()
                while not stop.wait(every):
                    self.wfile.write(b"\xd8")
                    self.wfile.flush()
            except OSError:  # the client gave up
                pass

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server, stop


def give_up_seconds(action) -> tuple[float, str]:
    started = time.monotonic()
    try:
        outcome = action()
    except CoverRejected as rejected:
        return time.monotonic() - started, str(rejected.reason)
    return time.monotonic() - started, f"no rejection: {outcome!r}"


def cover_step(url_base: str):
    refs = [
        CoverRef("openlibrary", f"{url_base}/b/id/{n}-{size}.jpg", str(n), size)
        for n in (1, 2)
        for size in ("L", "M")
    ]
    choice = choose_cover(refs)
    reasons = sorted({rejected.reason for rejected in choice.rejections})
    if choice.found or reasons != ["timeout"]:
        raise AssertionError(f"unexpected outcome: found={choice.found} reasons={reasons}")
    raise CoverRejected("timeout", f"{len(choice.rejections)} candidates, all timeout")


def measure_drip(args) -> list[tuple[str, str, float, list[float]]]:
    server, stop = start_dripping_server(args.drip_every)
    base = f"http://127.0.0.1:{server.server_address[1]}"
    rows = []
    try:
        for label, values in SETTINGS.items():
            with override_settings(OPENLIBRARY_COVERS_URL=base, **values):
                deadline = settings.COVER_CONNECT_TIMEOUT + settings.COVER_READ_TIMEOUT
                for what, action in (
                    ("one download", lambda: fetch_cover_bytes(f"{base}/b/id/1-L.jpg")),
                    ("cover step, 4 candidates", lambda: cover_step(base)),
                ):
                    runs = []
                    for _ in range(args.runs):
                        seconds, reason = give_up_seconds(action)
                        if reason != "timeout":
                            raise SystemExit(f"{label} / {what}: {reason}")
                        runs.append(seconds)
                    median = statistics.median(runs)
                    rows.append((label, what, median, runs))
                    print(
                        f"  {label:38} {what:26} gave up after {median:6.2f} s "
                        f"(deadline {deadline:g} s) [{', '.join(f'{s:.2f}' for s in runs)}]",
                        flush=True,
                    )
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
    return rows


def measure_kill(runs: int) -> list[float]:
    figures = []
    # The test's own settings and database (SQLite unless DATABASE_URL was set for pytest).
    test_env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    for run in range(runs):
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "pytest",
                "tests/enrichment/test_cover_worker_kill.py",
                "-q",
                "-s",
                "-p",
                "no:randomly",
                "-p",
                "no:cacheprovider",
            ],
            cwd=ROOT,
            env=test_env,
            capture_output=True,
            text=True,
        )
        line = next((x for x in result.stdout.splitlines() if "per cover" in x), "")
        match = re.search(r"\(([\d.]+) per cover", line)
        if result.returncode != 0 or not match:
            print(result.stdout[-3000:], result.stderr[-3000:])
            raise SystemExit(f"worker-kill run {run + 1} failed")
        figures.append(float(match.group(1)))
        print(f"  run {run + 1}: {line.strip()}", flush=True)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--drip-every", type=float, default=1.0, help="seconds between bytes")
    parser.add_argument("--kill-runs", type=int, default=3)
    args = parser.parse_args()

    print(f"python {platform.python_version()}, {platform.platform()}")
    print(machine_line("before"))
    print(f"A host that sends one byte every {args.drip_every:g} s (medians of {args.runs}):")
    measure_drip(args)
    if args.kill_runs:
        print(f"Worker killed mid-run, 60 covers (SQLite, {args.kill_runs} runs):")
        figures = measure_kill(args.kill_runs)
        median = statistics.median(figures)
        low, high = GOAL_DOWNLOADS_PER_COVER
        verdict = "meets" if low <= median <= high else "MISSES"
        print(f"  downloads per cover: median {median:.3f}; {verdict} the goal {low}-{high}")
    print(machine_line("after"))


if __name__ == "__main__":
    main()
