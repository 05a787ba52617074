"""Whether two versions of the import store the same catalog: run it on each (an old worktree
and this one) and compare the dumps byte for byte.

    .venv/bin/python bench/import_identity.py --out /tmp/new             # SQLite
    .venv/bin/python bench/import_identity.py --db postgres --out /tmp/new
    cmp /tmp/old.sqlite.jsonl /tmp/new.sqlite.jsonl

It imports, into an empty catalog, every real export under tests/fixtures/imports (an unknown
header by its guessed column map, as the upload form offers) and then the Goodreads bench file
(`import_csv.build_goodreads_file`) twice, the second time as a re-import where every row is a
duplicate. The whole sequence runs twice, with the reading worker (every job read in a forked
process) and without it (read in the importing process); the second dump must equal the first.
The dump holds every stored field of the works, editions, credits, series, authors, jobs and
import rows (their raw cells, what they were read as, messages, warnings, refusals, the books
they matched), by primary key, leaving out only the clocks and the stored file's name.
"""

import argparse
import hashlib
import json
import os
import sys
import tempfile
from pathlib import Path

from machine import bench_env, run_on_databases

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
FIXTURES = ROOT / "tests/fixtures/imports"
SUFFIXES = {".csv", ".tsv", ".txt"}


def fixture_files() -> list[Path]:
    return sorted(p for p in FIXTURES.rglob("*") if p.suffix in SUFFIXES and p.is_file())


def import_all(bench_rows: int) -> list[str]:
    """Every fixture, then the bench file twice; -> what each upload said when refused."""
    from import_csv import build_goodreads_file

    from catalog import services
    from catalog.importers import ImportFileError, UnknownFormatError

    refusals = []
    uploads = [(str(p.relative_to(ROOT)), p.read_bytes()) for p in fixture_files()]
    bench = build_goodreads_file(bench_rows)
    uploads += [("bench.csv", bench), ("bench-again.csv", bench)]
    for name, data in uploads:
        try:
            try:
                job = services.import_job_create(data=data, filename=name, enrich=False)
            except UnknownFormatError as unknown:  # as the upload form offers: its guessed map
                job = services.import_job_create(
                    data=data, filename=name, column_map=unknown.guessed_map, enrich=False
                )
        except ImportFileError as exc:
            refusals.append(f"{name}: {type(exc).__name__}: {exc}")
            continue
        services.import_job_run(job=job)
    return refusals


def dump(out, refusals: list[str]) -> None:
    from django.db import models

    from catalog.models import (
        Author,
        Edition,
        ImportJob,
        ImportRow,
        Work,
        WorkAuthor,
        WorkSeries,
    )

    for line in refusals:
        out.write(json.dumps({"refused upload": line}, ensure_ascii=False) + "\n")
    for model in (Author, Work, Edition, WorkAuthor, WorkSeries, ImportJob, ImportRow):
        names = [
            f.attname
            for f in model._meta.concrete_fields
            if not isinstance(f, models.DateTimeField | models.FileField) and f.name != "run_token"
        ]
        for values in model.objects.order_by("pk").values_list(*names):
            record = dict(zip(names, values, strict=True))
            out.write(json.dumps([model.__name__, record], ensure_ascii=False, default=str))
            out.write("\n")


def run_here(out_path: str, bench_rows: int) -> None:
    import django
    from django.conf import settings
    from django.core.management import call_command
    from django.db import connection

    django.setup()
    call_command("migrate", verbosity=0)
    digests = []
    for label, min_rows in (("worker", 1), ("in-process", 10**12)):
        settings.IMPORT_READING_WORKER_MIN_ROWS = min_rows
        call_command("flush", interactive=False, verbosity=0)
        refusals = import_all(bench_rows)
        path = f"{out_path}.{connection.vendor}.{label}.jsonl"
        with open(path, "w", encoding="utf-8") as out:
            dump(out, refusals)
        digest = hashlib.sha256(Path(path).read_bytes()).hexdigest()
        digests.append(digest)
        print(f"{connection.vendor}, reading {label}: {path} sha256 {digest}")
    if digests[0] != digests[1]:
        print("The worker's and the in-process import differ.")
        sys.exit(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--db", choices=["both", "sqlite", "postgres", "current"], default="sqlite")
    parser.add_argument("--out", required=True, help="dump path prefix")
    parser.add_argument("--bench-rows", type=int, default=20_000)
    args = parser.parse_args()
    if args.db == "current":
        run_here(args.out, args.bench_rows)
        return
    env = bench_env(
        MEDIA_ROOT=tempfile.mkdtemp(prefix="bench-media-"),
        IMPORT_STORAGE_LOCATION=tempfile.mkdtemp(prefix="bench-imports-"),
    )
    me = [sys.executable, str(Path(__file__).resolve()), "--db", "current"]
    me += ["--out", os.path.abspath(args.out), "--bench-rows", str(args.bench_rows)]
    sys.exit(0 if run_on_databases(me, env, args.db) else 1)


if __name__ == "__main__":
    main()
