"""manage.py load_openlibrary_dump [--editions F] [--works F] [--authors F] (gzip or plain)"""

import time

from django.core.management.base import CommandError
from django.utils.translation import gettext

from bookstore.command_args import non_negative_int
from bookstore.json_command import JsonCommand
from bookstore.progress import TerminalProgress
from enrichment.dump import loader, tables


class DumpProgress(TerminalProgress):
    """Bytes of the file (the ETA), inflated MB/s and lines/s, for one dump file at a time."""

    def __init__(self, *, enabled=None):
        super().__init__(0, unit="bytes", enabled=enabled)
        self.kind = ""
        self.bytes_read = 0
        self.lines = 0

    def step(self, kind: str, bytes_read: int, position: int, size: int, lines: int) -> None:
        if kind != self.kind:
            if self.kind:
                self.close()
            self.kind, self.total, self.started = kind, size, time.monotonic()
            self.label = f"{kind + 's':<9}"
        self.bytes_read, self.lines = bytes_read, lines
        self.update(position)

    def render(self, now: float | None = None) -> str:
        elapsed = max((now or time.monotonic()) - self.started, 1e-9)
        fraction = min(self.done / self.total, 1.0) if self.total else 1.0
        width = 30
        bar = "#" * int(fraction * width) + "-" * (width - int(fraction * width))
        rate = self.done / elapsed
        eta = (self.total - self.done) / rate if rate and self.total else 0
        return (
            f"{self.label}[{bar}] {fraction:4.0%} {self.done / 1e6:,.0f}/{self.total / 1e6:,.0f} MB"
            f"  {self.bytes_read / elapsed / 1e6:,.0f} MB/s inflated"
            f"  {self.lines / elapsed:,.0f} lines/s  ETA {int(eta // 60)}:{int(eta % 60):02d}"
        )


class Command(JsonCommand):
    help = (
        "Load Open Library dump files (ol_dump_editions/works/authors, gzip or plain) into the "
        "local tables the openlibrary_dump provider answers from. Each kind replaces the loaded "
        "one atomically, only if its file is whole."
    )

    def add_arguments(self, parser):
        parser.add_argument("--editions", metavar="F", help="ol_dump_editions_*.txt[.gz]")
        parser.add_argument("--works", metavar="F", help="ol_dump_works_*.txt[.gz]")
        parser.add_argument("--authors", metavar="F", help="ol_dump_authors_*.txt[.gz]")
        parser.add_argument(
            "--workers",
            type=non_negative_int,
            default=None,
            metavar="N",
            help=(
                "Parsing processes on PostgreSQL (default: the CPU count; 0: in this process). "
                "SQLite reads in this process whatever it says."
            ),
        )
        parser.add_argument(
            "--resume",
            action="store_true",
            help="Skip a file already loaded (same path, size and modification time).",
        )
        parser.add_argument(
            "--allow-shrink",
            action="store_true",
            help="Accept a dump with under half the records of the loaded one.",
        )
        parser.add_argument(
            "--logged",
            action="store_true",
            help="PostgreSQL: make the tables crash-safe (WAL-logged) after the load; slower.",
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, editions, works, authors, workers, resume, allow_shrink, logged,
               json: bool, **options):  # fmt: skip
        as_json = json
        files = {"edition": editions, "work": works, "author": authors}
        files = {kind: path for kind, path in files.items() if path is not None}
        if not files:
            raise CommandError("Give at least one of --editions, --works, --authors.")
        for kind, path in files.items():
            if not path.strip():
                # An empty variable in a script (--works "$WORKS") left that dump out unsaid.
                raise CommandError(
                    gettext("--%(kind)ss is empty: give the path of the %(kind)ss dump file.")
                    % {"kind": kind}
                )
        for path in files.values():
            try:
                with open(path, "rb"):
                    pass
            except OSError as exc:
                raise CommandError(f"Cannot read {path}: {exc.strerror}") from exc
        if workers and loader.parsing_workers(workers) != workers:
            # The README documents the flag: a librarian passing it should learn it did nothing.
            self.stderr.write(
                gettext(
                    "--workers %(n)s is for PostgreSQL: on SQLite the dump is read in this "
                    "process, one writer at a time."
                )
                % {"n": workers}
            )
        bar = DumpProgress(enabled=False if as_json else None)
        try:
            summary = loader.dump_load(
                files=files,
                workers=workers,
                resume=resume,
                allow_shrink=allow_shrink,
                logged=logged,
                progress=bar.step,
            )
        except tables.LoadRunning as exc:
            raise CommandError(str(exc)) from exc
        finally:
            bar.close()
        self.report(summary, as_json)
        if summary.refused:
            raise CommandError(f"Refused, nothing replaced: {summary.refused.reason}")

    def report(self, summary: loader.LoadSummary, as_json: bool) -> None:
        if as_json:
            self.write_json(summary_json(summary))
            return
        for result in summary.results:
            report = result.report
            name = f"{result.kind}s"
            if result.status == "skipped":
                self.stdout.write(f"{name}: skipped, {result.reason} ({report.path}).")
                continue
            if result.status == "refused":
                self.stdout.write(
                    f"{name}: refused after reading {report.lines:,} lines; the loaded {name}"
                    " are unchanged."
                )
                continue
            mb = report.bytes_read / 1e6
            rate = mb / result.parse_seconds if result.parse_seconds else 0
            rows = ", ".join(f"{n:,} {table}" for table, n in report.rows.items())
            self.stdout.write(
                f"{name}: {result.status}, {report.lines:,} lines ({mb:,.1f} MB inflated) in "
                f"{result.seconds:.1f} s ({rate:,.0f} MB/s read + {result.index_seconds:.1f} s "
                f"indexes and swap): {rows or 'no rows'}."
            )
            if report.bad_lines:
                reasons = ", ".join(f"{reason} {n:,}" for reason, n in report.bad.items())
                self.stdout.write(f"  skipped {report.bad_lines:,} bad lines: {reasons}.")
            if report.odd_fields:
                fields = ", ".join(f"{name} {n:,}" for name, n in report.odd_fields.items())
                self.stdout.write(f"  dropped fields of an unexpected type: {fields}.")
            if report.other_types:
                self.stdout.write(f"  ignored {report.other_types:,} lines of other types.")
        self.stdout.write(
            f"Done in {summary.seconds:.1f} s"
            + (f" with {summary.workers} parsing processes." if summary.workers else ".")
        )


def summary_json(summary: loader.LoadSummary) -> dict:
    return {
        "seconds": round(summary.seconds, 2),
        "workers": summary.workers,
        "files": [
            {
                "kind": result.kind,
                "path": result.report.path,
                "status": result.status,
                "reason": result.reason,
                "lines": result.report.lines,
                "bytes_read": result.report.bytes_read,
                "file_bytes": result.report.file_bytes,
                "rows": dict(result.report.rows),
                "bad": dict(result.report.bad),
                "odd_fields": dict(result.report.odd_fields),
                "other_types": result.report.other_types,
                "seconds": round(result.seconds, 2),
                "index_seconds": round(result.index_seconds, 2),
            }
            for result in summary.results
        ],
    }
