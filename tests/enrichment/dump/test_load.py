"""manage.py load_openlibrary_dump on the database in use (SQLite or PostgreSQL)."""

import gzip
import json
import os
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from enrichment.dump import loader, lookup, reader, tables
from tests.catalog.test_importers import FIXTURES
from tests.enrichment.dump.conftest import (
    REAL_AUTHORS,
    REAL_EDITIONS,
    REAL_WORKS,
    fixture_path,
    real_lines,
    table_count,
)

pytestmark = pytest.mark.django_db(transaction=True)


#: A real Goodreads export (tests/fixtures/imports/mapmyreads/PROVENANCE.md), no dump.
REAL_EXPORT = FIXTURES / "goodreads_library_export.csv"


def test_loads_the_real_lines_of_the_three_dumps(load_dump, dump_file):
    summary = load_dump(
        editions=dump_file(real_lines(REAL_EDITIONS), name="editions.txt", compress=True),
        works=dump_file(real_lines(REAL_WORKS), name="works.txt"),
        authors=dump_file(real_lines(REAL_AUTHORS), name="authors.txt", compress=True),
    )

    by_kind = {f["kind"]: f for f in summary["files"]}
    assert [f["status"] for f in summary["files"]] == ["loaded", "loaded", "loaded"]
    # Each ISBN once, as its ISBN-13: 359 rows for the 661 ISBNs the lines list in both forms.
    assert by_kind["edition"]["rows"] == {"edition": 370, "isbn": 359}
    assert by_kind["work"]["rows"] == {"work": 330}
    assert by_kind["author"]["rows"] == {"author": 357}
    assert by_kind["edition"]["lines"] == 370 and by_kind["edition"]["bad"] == {}
    assert (table_count("edition"), table_count("isbn")) == (370, 359)
    assert (table_count("work"), table_count("author")) == (330, 357)
    assert not {name for name in tables.existing_tables() if name.endswith("_new")}

    records = tables.load_records()
    assert set(records) == {"edition", "work", "author"}
    assert records["edition"]["lines"] == 370
    assert records["edition"]["rows"] == {
        "edition": 370,
        "isbn": 359,
    }  # each ISBN once, as its ISBN-13 (661 rows as listed)
    assert records["edition"]["source_path"].endswith("editions.txt.gz")


def test_lookup_by_isbn13_and_by_an_isbn10_ending_in_x(load_dump, dump_file):
    load_dump(editions=dump_file(real_lines(REAL_EDITIONS)))

    # /books/OL15248986M lists only the ISBN-10 070432542X (and "covers": [-1])
    matches = lookup.editions_by_isbn(["9780107805401", "9780704325425", "9790000000018"])

    assert [m.edition.edition_id for m in matches["9780107805401"]] == [10000135]
    [match] = matches["9780704325425"]
    assert match.edition.edition_id == 15248986
    assert match.cover_ids == [] and match.cover_from == ""
    assert "9790000000018" not in matches


def test_an_empty_dump_is_refused_and_the_loaded_data_stays(load_dump, dump_file):
    load_dump(editions=fixture_path("booklink_editions_head300.txt"))

    for empty in (dump_file(b"", name="empty.txt"), dump_file(b"", name="empty", compress=True)):
        with pytest.raises(CommandError, match="is empty"):
            load_dump(editions=empty)

    assert table_count("edition") == 300
    assert lookup.editions_by_isbn(["9780107805401"])
    assert not {name for name in tables.existing_tables() if name.endswith("_new")}


def test_a_csv_export_given_as_a_dump_is_refused_as_the_wrong_file(load_dump, dump_file):
    # It said "is empty: no edition record in 11 lines" of a file of eleven lines.
    export = REAL_EXPORT.read_bytes()
    with pytest.raises(
        CommandError, match=r"none of its [\d,]+ lines is an Open Library dump's"
    ) as refused:
        load_dump(editions=dump_file(export, name="goodreads_library_export.csv"))
    assert "is empty" not in str(refused.value)


def test_a_cut_dump_and_the_wrong_kind_are_refused(load_dump, dump_file):
    load_dump(works=fixture_path("booklink_works_head300.txt"))
    data = fixture_path("booklink_works_tail30.txt").read_bytes()
    cut = gzip.compress(data)[:-40]
    with pytest.raises(CommandError, match="cut short"):
        load_dump(works=dump_file(cut, name="cut.txt.gz"), options=["--allow-shrink"])
    with pytest.raises(CommandError, match="no work records"):
        load_dump(works=fixture_path("booklink_editions_tail20.txt"))

    assert table_count("work") == 300


def test_a_much_smaller_dump_needs_allow_shrink(load_dump):
    load_dump(editions=fixture_path("booklink_editions_head300.txt"))

    with pytest.raises(CommandError, match="under 50%"):
        load_dump(editions=fixture_path("booklink_editions_tail20.txt"))
    assert table_count("edition") == 300

    load_dump(editions=fixture_path("booklink_editions_tail20.txt"), options=["--allow-shrink"])
    assert table_count("edition") == 20
    assert not lookup.editions_by_isbn(["9780107805401"])  # the old data is gone


def test_bad_lines_are_skipped_and_counted(load_dump, dump_file):
    lines = real_lines(REAL_EDITIONS).splitlines()
    lines[5] = lines[5][:100]  # broken JSON
    lines[6] = lines[6].replace(b'"title": "', b'"title": "\\u0000')
    lines.insert(7, b"\x00\x00\x00")

    summary = load_dump(editions=dump_file(b"\n".join(lines) + b"\n"))

    [result] = summary["files"]
    assert result["status"] == "loaded"
    assert result["rows"]["edition"] == 368
    assert result["bad"] == {reader.BAD_JSON: 1, reader.BAD_NUL: 2}
    assert table_count("edition") == 368


def test_resume_skips_a_file_already_loaded(load_dump):
    path = fixture_path("booklink_authors_head20.txt")
    load_dump(authors=path)

    summary = load_dump(authors=path, options=["--resume"])

    assert summary["files"][0]["status"] == "skipped"
    assert table_count("author") == 20


def test_lookups_read_the_live_tables_while_new_ones_are_filled(load_dump):
    load_dump(editions=fixture_path("booklink_editions_head300.txt"))

    tables.create_new_tables("edition")  # a reload in progress
    assert lookup.editions_by_isbn(["9780107805401"])
    tables.drop_new_tables("edition")


def test_a_load_that_fails_half_way_changes_nothing(load_dump, monkeypatch):
    load_dump(editions=fixture_path("booklink_editions_head300.txt"))
    monkeypatch.setattr(reader, "BLOCK_BYTES", 4096)
    calls = []

    def failing(kind, data, *, unterminated=False):
        calls.append(1)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return original(kind, data, unterminated=unterminated)

    original = reader.parse_block
    monkeypatch.setattr(reader, "parse_block", failing)
    with pytest.raises(RuntimeError, match="disk full"):
        load_dump(
            editions=fixture_path("booklink_editions_grep_dostoyevsky50.txt"),
            options=["--workers", "0", "--allow-shrink"],
        )

    assert table_count("edition") == 300
    assert not {name for name in tables.existing_tables() if name.endswith("_new")}


@pytest.mark.postgres
@pytest.mark.slow  # worker processes
def test_worker_processes_load_what_one_process_loads(load_dump, dump_file):
    if connection.vendor != "postgresql":
        pytest.skip("worker processes are used on PostgreSQL only")
    path = dump_file(real_lines(REAL_EDITIONS), compress=True)

    in_process = load_dump(editions=path, options=["--workers", "0"])
    rows_here = _all_rows("edition")
    in_workers = load_dump(editions=path, options=["--workers", "2"])

    assert in_workers["workers"] == 2
    assert in_workers["files"][0]["rows"] == in_process["files"][0]["rows"]
    assert _all_rows("edition") == rows_here


@pytest.mark.postgres
@pytest.mark.slow  # worker processes
def test_the_progress_ends_with_every_line_of_the_file_in_workers_as_in_one_process(
    drop_dump_tables, dump_file, monkeypatch
):
    """The terminal's lines/s: with worker processes, the lines they have parsed so far, and
    at the end all of them, as when one process reads."""
    if connection.vendor != "postgresql":
        pytest.skip("worker processes are used on PostgreSQL only")
    monkeypatch.setattr(reader, "BLOCK_BYTES", 4096)  # many blocks, many progress calls
    path = dump_file(real_lines(REAL_EDITIONS), compress=True)
    for workers in (0, 2):
        calls: list[tuple[int, int]] = []

        def progress(kind, read, position, size, lines, calls=calls):
            calls.append((position, lines))

        loader.dump_load(
            files={"edition": path}, workers=workers, allow_shrink=True, progress=progress
        )
        lines = [lines for _position, lines in calls]
        assert lines == sorted(lines), workers  # never backwards
        assert calls[-1] == (os.path.getsize(path), 370), workers


@pytest.mark.postgres
@pytest.mark.slow  # worker processes
def test_blocks_too_large_for_shared_memory_and_loads_without_it_give_the_same_rows(
    load_dump, dump_file, monkeypatch
):
    """Blocks reach the workers through shared memory slots; a block larger than a slot (a
    line of megabytes in a real dump) goes through the pipe, and so does every block on a
    machine without shared memory. The rows are the same either way."""
    if connection.vendor != "postgresql":
        pytest.skip("worker processes are used on PostgreSQL only")
    lines = real_lines(REAL_EDITIONS)
    path = dump_file(lines, compress=True)
    load_dump(editions=path, options=["--workers", "0"])
    rows_here = _all_rows("edition")
    longest = max(len(line) for line in lines.split(b"\n"))

    # Blocks of 4 KB in slots of 6 KB: most blocks fit, those that end in a long line do not.
    monkeypatch.setattr(reader, "BLOCK_BYTES", 4096)
    monkeypatch.setattr(loader._BlockSlots, "size", 6144)
    assert longest > 6144 - 4096  # some block is larger than a slot
    sent = {"slot": 0, "blocks": 0}
    real_fill = loader._BlockSlots.fill

    def counting_fill(self, slot, data):
        sent["slot"] += 1
        return real_fill(self, slot, data)

    monkeypatch.setattr(loader._BlockSlots, "fill", counting_fill)
    real_read_blocks = reader.read_blocks

    def counting_read_blocks(*args, **kwargs):
        for block in real_read_blocks(*args, **kwargs):
            sent["blocks"] += 1
            yield block

    monkeypatch.setattr(reader, "read_blocks", counting_read_blocks)
    in_slots = load_dump(editions=path, options=["--workers", "2"])
    assert in_slots["files"][0]["status"] == "loaded"
    assert _all_rows("edition") == rows_here
    assert 0 < sent["slot"] < sent["blocks"]  # some in slots, some through the pipe

    def no_space(*args, **kwargs):
        raise OSError(28, "No space left on device")

    # /dev/shm full when the slots' pages are reserved (the second slot), then none at all.
    real_fallocate = loader.os.posix_fallocate
    reserved = []

    def fallocate_once(fd, offset, length):
        if reserved:
            no_space()
        reserved.append(length)
        return real_fallocate(fd, offset, length)

    for place, name, failing in (
        (loader.os, "posix_fallocate", fallocate_once),
        (loader.shared_memory, "SharedMemory", no_space),
    ):
        monkeypatch.setattr(place, name, failing)
        sent["slot"] = 0
        through_pipes = load_dump(editions=path, options=["--workers", "2"])
        assert through_pipes["files"][0]["rows"] == in_slots["files"][0]["rows"]
        assert _all_rows("edition") == rows_here
        assert sent["slot"] == 0
    assert reserved == [6144]


@pytest.mark.postgres
@pytest.mark.slow  # worker processes
def test_a_load_in_workers_says_where_its_time_went(drop_dump_tables, dump_file):
    if connection.vendor != "postgresql":
        pytest.skip("worker processes are used on PostgreSQL only")
    path = dump_file(real_lines(REAL_EDITIONS), compress=True)

    [result] = loader.dump_load(files={"edition": path}, workers=2).results

    # What bench/dump.py prints: the workers' CPU apart from the feeding process's, and who
    # waited for whom.
    assert 0 < result.worker_cpu_seconds <= result.cpu_seconds
    assert result.worker_idle_seconds > 0  # the first block takes time to inflate
    assert 0 <= result.feeder_wait_seconds < result.parse_seconds


def test_sqlite_reads_in_this_process(load_dump):
    if connection.vendor != "sqlite":
        pytest.skip("SQLite only")

    summary = load_dump(editions=fixture_path("booklink_editions_tail20.txt"))

    assert summary["workers"] == 0
    assert table_count("edition") == 20


def _all_rows(table: str) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {tables.live_name(table)} ORDER BY 1")
        return cursor.fetchall()


def test_one_load_at_a_time(load_dump):
    if connection.vendor != "postgresql":
        pytest.skip("an advisory lock: PostgreSQL only (SQLite serializes writers itself)")
    import psycopg

    other = psycopg.connect(**tables.copy_params(), autocommit=True)
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [tables.LOAD_LOCK_KEY])
        with pytest.raises(CommandError, match="Another load_openlibrary_dump is running"):
            load_dump(authors=fixture_path("booklink_authors_head20.txt"))
        other.execute("SELECT pg_advisory_unlock(%s)", [tables.LOAD_LOCK_KEY])
    finally:
        other.close()

    load_dump(authors=fixture_path("booklink_authors_head20.txt"))
    assert table_count("author") == 20


@pytest.mark.parametrize("workers", ["-2", "two"])
def test_a_negative_worker_count_is_refused_before_anything_is_read(drop_dump_tables, workers):
    # On PostgreSQL, --workers -2 started no parsing process and waited for them forever.
    with pytest.raises(CommandError, match=r"--workers: must be a whole number, at least 0"):
        call_command(
            "load_openlibrary_dump",
            "--editions",
            str(fixture_path("booklink_editions_tail20.txt")),
            "--workers",
            workers,
            stdout=StringIO(),
        )
    assert not tables.existing_tables()


@pytest.mark.parametrize("given", [["--works", ""], ["--works", " "]])
def test_an_empty_path_is_refused_before_anything_is_read(drop_dump_tables, given):
    # --works "$WORKS" with the variable unset: the works were left out without a word and the
    # editions loaded; alone, it said to give at least one of the flags, as if none was.
    out = StringIO()
    with pytest.raises(CommandError) as refused:
        call_command(
            "load_openlibrary_dump",
            "--editions",
            str(fixture_path("booklink_editions_tail20.txt")),
            *given,
            "--json",
            stdout=out,
        )
    message = "--works is empty: give the path of the works dump file."
    assert str(refused.value) == message
    assert json.loads(out.getvalue()) == {"error": message}
    assert not tables.existing_tables()


def test_the_human_summary(drop_dump_tables):
    out = StringIO()
    call_command(
        "load_openlibrary_dump",
        "--authors",
        str(fixture_path("booklink_authors_head20.txt")),
        stdout=out,
    )

    text = out.getvalue()
    assert text.startswith("authors: loaded, 20 lines (0.0 MB inflated) in ")
    assert "20 author." in text
    assert "Done in " in text


def test_logged_makes_the_tables_crash_safe(load_dump):
    if connection.vendor != "postgresql":
        pytest.skip("UNLOGGED tables: PostgreSQL only")

    def persistence() -> str:
        with connection.cursor() as cursor:
            cursor.execute("SELECT relpersistence FROM pg_class WHERE relname = 'ol_dump_author'")
            return cursor.fetchone()[0]

    load_dump(authors=fixture_path("booklink_authors_head20.txt"))
    assert persistence() == "u"  # unlogged
    load_dump(authors=fixture_path("booklink_authors_head20.txt"), options=["--logged"])
    assert persistence() == "p"  # permanent


@pytest.mark.parametrize("workers", ["0", "3"])
def test_workers_on_sqlite_says_it_reads_in_this_process(drop_dump_tables, workers):
    # --workers 3 on SQLite was ignored without a word, as if three processes parsed.
    if connection.vendor != "sqlite":
        pytest.skip("SQLite reads the dump in this process")
    out, err = StringIO(), StringIO()
    call_command(
        "load_openlibrary_dump",
        "--authors",
        str(fixture_path("booklink_authors_head20.txt")),
        "--workers",
        workers,
        "--json",
        stdout=out,
        stderr=err,
    )

    assert json.loads(out.getvalue())["workers"] == 0
    assert table_count("author") == 20
    notice = (
        "--workers 3 is for PostgreSQL: on SQLite the dump is read in this process, one "
        "writer at a time.\n"
    )
    assert err.getvalue() == (notice if workers == "3" else "")
