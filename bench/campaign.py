"""The cover campaign at the source document's scale (issue 18, goal 5), on PostgreSQL:

    .venv/bin/python bench/campaign.py                      # 4.1 M catalog editions
    .venv/bin/python bench/campaign.py --editions 100000    # while developing

1. an editions dump (and its works) built by bench/dump.py's builders from the real dump lines,
   large enough that 85 % of the catalog's ISBNs can be drawn from its editions;
2. loaded with `load_openlibrary_dump`'s loader into a throwaway PostgreSQL;
3. a catalog of real `catalog_work` / `catalog_edition` rows (one work per edition) written
   with COPY: 85 % of the ISBNs drawn at random from the loaded dump's editions that hold one,
   15 % that the dump does not hold (SYNTHETIC: numbers past the dump's last edition);
4. the campaign (`enrichment.dump.campaign.dump_campaign`, what `manage.py dump_campaign` runs)
   over every edition, in batches: each cover found becomes an enrichment request waiting for
   review, with the cover ids and the chain step. No download.

Printed: the time of each phase, the campaign's rate and where its time goes (reading the
catalog, the dump's SQL, building the rows, writing them), and a pure-SQL lower bound measured
in the same run (the whole chain for every edition in one statement into a table).
"""

import argparse
import math
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from dump import build_files
from machine import bench_env, machine_line

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
IN_DUMP_SHARE = 0.85
#: Share of the builder's editions that hold an ISBN (the real lines' templates: 347 of 370);
#: the dump is built a little larger so that enough are drawn whatever the random templates.
ISBN_SHARE = 0.90
GOAL_SECONDS = 15 * 60


def phase(label: str, seconds: float, extra: str = "") -> None:
    print(f"{label:<44} {seconds:8.1f} s  {extra}", flush=True)


def run_here(directory: Path, editions: int, batch_size: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from enrichment.dump import campaign, loader

    total_started = time.monotonic()
    started = time.monotonic()
    call_command("migrate", verbosity=0)
    phase("migrate (empty database)", time.monotonic() - started)

    files = {kind: str(directory / f"ol_dump_{kind}s.txt.gz") for kind in ("edition", "work")}
    started = time.monotonic()
    summary = loader.dump_load(files=files)
    load_seconds = time.monotonic() - started
    inflated = sum(result.report.bytes_read for result in summary.results)
    rows = {result.kind: dict(result.report.rows) for result in summary.results}
    phase(
        "dump load (editions + works)",
        load_seconds,
        f"{inflated / 1e6:,.0f} MB inflated, {inflated / load_seconds / 1e6:,.0f} MB/s; {rows}",
    )

    started = time.monotonic()
    in_dump, not_in_dump = catalog_build(editions)
    catalog_seconds = time.monotonic() - started
    phase(
        "catalog build (COPY works + editions)",
        catalog_seconds,
        f"{editions:,} editions: {in_dump:,} ISBNs from the dump, {not_in_dump:,} not in it",
    )

    print(machine_line("before the campaign"), flush=True)
    marks = {max(1, editions * n // 10) for n in range(1, 11)}
    next_print = [time.monotonic()]

    def progress(done: int, covers: int) -> None:
        if done in marks or time.monotonic() - next_print[0] > 30:
            next_print[0] = time.monotonic()
            print(f"  campaign: {done:,} editions, {covers:,} covers", flush=True)

    result = campaign.dump_campaign(batch_size=batch_size, progress=progress)
    phase(
        "campaign (lookups + candidate writes)",
        result.seconds,
        f"{result.rate:,.0f} editions/s in {result.batches:,} batches of {batch_size:,}",
    )
    print(
        f"  covers {result.covers:,} (edition {result.by_step['edition']:,}, work"
        f" {result.by_step['work']:,}, sibling {result.by_step['sibling']:,}), in the dump without"
        f" a cover {result.no_cover:,}, not in the dump {result.not_in_dump:,}"
    )
    per_batch = 1000 / max(result.batches, 1)
    for label, seconds in (
        ("read the catalog's next editions (SQL)", result.select_seconds),
        ("dump lookups (covers_by_isbn: SQL + rows)", result.lookup_seconds),
        ("build the requests' rows (Python)", result.build_seconds),
        ("write the requests (COPY)", result.write_seconds),
    ):
        print(f"  {label:<44} {seconds:7.1f} s  {seconds * per_batch:6.1f} ms a batch")
    total = time.monotonic() - total_started
    phase("end to end (migrate, load, catalog, campaign)", total, f"goal {GOAL_SECONDS} s")
    print(machine_line("after the campaign"), flush=True)

    started = time.monotonic()
    bound_rows, bound_covers = sql_lower_bound(connection)
    bound = time.monotonic() - started
    phase(
        "pure-SQL lower bound (the chain, one statement)",
        bound,
        f"{bound_rows:,} editions found, {bound_covers:,} with a cover;"
        f" campaign / bound = {result.seconds / bound:.1f}",
    )


def catalog_build(editions: int) -> tuple[int, int]:
    """Works and editions by COPY, ids pre-allocated: (ISBNs from the dump, ISBNs not in it)."""
    from django.db import connection, transaction
    from django.utils import timezone

    from catalog import isbn, text
    from catalog.models import Edition, Work
    from enrichment.dump import tables
    from enrichment.dump.campaign import constant_columns

    rng = random.Random(18)
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT edition_id FROM {tables.live_name('edition')} WHERE isbn_keys IS NOT NULL"
        )
        holding = [edition_id for (edition_id,) in cursor.fetchall()]
        cursor.execute(f"SELECT max(edition_id) FROM {tables.live_name('edition')}")
        past_last = cursor.fetchone()[0] + 1
    in_dump = min(round(editions * IN_DUMP_SHARE), len(holding))
    numbers = rng.sample(holding, in_dump)
    numbers += range(past_last, past_last + editions - in_dump)  # SYNTHETIC: not in the dump
    rng.shuffle(numbers)
    del holding

    now = timezone.now()
    title = "campaign book"
    assert text.normalize_title(f"{title} 123") == f"{title} 123"  # written as normalised
    works = constant_columns(
        Work(title="", created_at=now, updated_at=now), varying=("id", "title", "title_normalized")
    )
    edition_columns = constant_columns(
        Edition(created_at=now, updated_at=now), varying=("id", "work", "isbn13", "isbn10")
    )
    with transaction.atomic(), connection.cursor() as cursor:
        # The secondary indexes (the works' two trigram GIN indexes among them) are built
        # after the rows, not row by row: the first run spent 13.5 minutes here with them.
        cursor.execute(
            "SELECT i.indexname, i.indexdef FROM pg_indexes i"
            " WHERE i.tablename IN (%s, %s) AND NOT EXISTS (SELECT 1 FROM pg_constraint c"
            "  WHERE c.conindid = (quote_ident(i.schemaname) || '.'"
            "   || quote_ident(i.indexname))::regclass)",
            [works.table, edition_columns.table],
        )
        secondary = cursor.fetchall()
        for name, _definition in secondary:
            cursor.execute(f'DROP INDEX "{name}"')
        # Each edition's work is written just before it (edition n -> work n): the foreign key's
        # per-row check adds nothing but time to this set-up (the bench's cluster is ours).
        cursor.execute("SET LOCAL session_replication_role = replica")
        for columns, line in (
            (works, lambda n, _number: f"{n}\t{title} {n}\t{title} {n}\n"),
            (edition_columns, lambda n, number: _edition_line(n, number, isbn)),
        ):
            prefix = columns.copy_prefix
            sql = f"COPY {columns.table} ({', '.join(columns.columns)}) FROM STDIN"
            with cursor.cursor.copy(sql) as copy:
                for start in range(0, len(numbers), 100_000):
                    chunk = numbers[start : start + 100_000]
                    copy.write(
                        "".join(
                            prefix + line(n, number)
                            for n, number in enumerate(chunk, start=start + 1)
                        )
                    )
        for table in (works.table, edition_columns.table):
            cursor.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), max(id)) FROM {table}"
            )
        cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
        for _name, definition in secondary:
            cursor.execute(definition)
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {works.table}")
        cursor.execute(f"ANALYZE {edition_columns.table}")
    return in_dump, editions - in_dump


def _edition_line(n: int, number: int, isbn) -> str:
    first12 = f"978{number:09d}"  # bench/dump.py's ISBN of the edition OL<number>M
    isbn13 = first12 + isbn.isbn13_check_digit(first12)
    return f"{n}\t{n}\t{isbn13}\t{isbn.isbn13_to_isbn10(isbn13)}\n"


def sql_lower_bound(connection) -> tuple[int, int]:
    """The chain (ISBN-13 -> edition -> work -> first sibling with a cover) for every
    catalog edition in one statement, written to a table: no Python per row, no JSON."""
    from enrichment.dump import tables

    isbn, edition, work = (tables.live_name(t) for t in ("isbn", "edition", "work"))
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TEMP TABLE campaign_bound AS"
            # The dump's ISBN table holds every ISBN as its ISBN-13 (isbn_keys.isbn_table_rows).
            " WITH keys AS (SELECT id, isbn13::bigint AS k FROM catalog_edition),"
            " found AS (SELECT DISTINCT ON (keys.id) keys.id, e.edition_id, e.work_id,"
            "  e.cover_ids AS edition_covers, w.cover_ids AS work_covers"
            f"  FROM keys JOIN {isbn} i ON i.isbn13 = keys.k"
            f"  JOIN {edition} e ON e.edition_id = i.edition_id"
            f"  LEFT JOIN {work} w ON w.work_id = e.work_id"
            "  ORDER BY keys.id, e.edition_id)"
            " SELECT f.id, COALESCE(f.edition_covers, f.work_covers, s.cover_ids) AS covers"
            " FROM found f LEFT JOIN LATERAL (SELECT cover_ids FROM"
            f"  {edition} x WHERE x.work_id = f.work_id AND x.cover_ids IS NOT NULL"
            "  AND f.edition_covers IS NULL AND f.work_covers IS NULL"
            "  ORDER BY x.edition_id LIMIT 1) s ON true"
        )
        cursor.execute("SELECT count(*), count(covers) FROM campaign_bound")
        return cursor.fetchone()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--editions", type=int, default=4_100_000, help="catalog editions")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument(
        "--dump-dir", metavar="DIR", help="reuse the dump files an earlier run built (kept)"
    )
    parser.add_argument("--run-here", metavar="DIR", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run_here:
        run_here(Path(args.run_here), args.editions, args.batch_size)
        return

    print(machine_line("start"), flush=True)
    directory = Path(args.dump_dir or tempfile.mkdtemp(prefix="bench-campaign-"))
    try:
        if not args.dump_dir:
            wanted = math.ceil(args.editions * IN_DUMP_SHARE / ISBN_SHARE / 20_000) * 20_000
            started = time.perf_counter()
            paths = build_files(directory, 0, editions_wanted=wanted, kinds=("edition", "work"))
            sizes = ", ".join(f"{p.name} {p.stat().st_size / 1e6:,.0f} MB" for p in paths.values())
            print(f"dump built in {time.perf_counter() - started:.0f} s: {sizes} (not timed below)")
        env = bench_env()
        env.pop("DATABASE_URL", None)
        me = [sys.executable, str(Path(__file__).resolve()), "--run-here", str(directory)]
        me += ["--editions", str(args.editions), "--batch-size", str(args.batch_size)]
        result = subprocess.run([str(ROOT / "scripts/with_postgres.sh"), *me], env=env)
        if result.returncode == 97:
            print("PostgreSQL is not installed: the campaign was not measured.")
        elif result.returncode:
            sys.exit(result.returncode)
        print(f"load average at the end {os.getloadavg()[0]:.2f}")
    finally:
        if not args.dump_dir:
            shutil.rmtree(directory, ignore_errors=True)


if __name__ == "__main__":
    main()
