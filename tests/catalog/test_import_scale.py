"""Issue 12, item 1: any batch against any catalog imports, on SQLite and PostgreSQL.

Loading the catalog's view of a 1,000-row batch with `prefetch_related("credits__author")`
became one OR term per author on SQLite ("Expression tree is too large (maximum depth 1000)",
Django ticket #36116): a re-import of a file of about 1,000 rows or more failed. The files
here are synthetic, built in the test in the Goodreads 24-column shape, with several authors
a book.
"""

import csv
import io
import json
import time

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from catalog import bulk, isbn, services, text
from catalog.models import Author, Edition, ImportJob, Work, WorkAuthor
from tests.catalog.test_importers import GOODREADS_24

pytestmark = pytest.mark.django_db
HEADER = GOODREADS_24.split(",")


def synthetic_isbn13(number: int) -> str:
    first12 = f"978{300_000_000 + number:09d}"
    return first12 + isbn.isbn13_check_digit(first12)


def synthetic_goodreads_file(rows: int, *, with_isbns: bool = True) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(HEADER)
    column = {name: i for i, name in enumerate(HEADER)}
    for i in range(rows):
        cells = [""] * len(HEADER)
        cells[column["Book Id"]] = str(700_000 + i)
        cells[column["Title"]] = f"Synthetic Title {i} (Synthetic Saga, #{i % 7 + 1})"
        cells[column["Author"]] = f"Writer {i % 1500}"
        cells[column["Additional Authors"]] = f"Translator {i}, Illustrator {i}, Editor {i % 40}"
        if with_isbns:
            cells[column["ISBN13"]] = f'="{synthetic_isbn13(i)}"'
        cells[column["Number of Pages"]] = str(100 + i % 400)
        cells[column["Exclusive Shelf"]] = "read"
        writer.writerow(cells)
    return out.getvalue().encode()


def run_import(data: bytes) -> ImportJob:
    job = services.import_job_create(data=data, filename="synthetic-big.csv", enrich=False)
    services.import_job_run(job=job)
    job.refresh_from_db()
    return job


def test_reimporting_five_thousand_rows_with_many_authors_finds_every_book():
    data = synthetic_goodreads_file(5000)
    first = run_import(data)
    assert (first.status, first.created_count, first.failed_count) == ("completed", 5000, 0)
    assert WorkAuthor.objects.count() == 20_000

    started = time.perf_counter()
    second = run_import(data)
    elapsed = time.perf_counter() - started
    assert second.status == "completed", second.error
    assert (second.created_count, second.updated_count, second.duplicate_count) == (0, 0, 5000)
    assert Work.objects.count() == 5000 and Edition.objects.count() == 5000
    assert set(second.rows.values_list("matched_by", flat=True)) == {"isbn"}
    assert elapsed < 30  # a re-import is lookups only (typically ~1 s)


def seed_catalog_by_title(rows: int) -> None:
    """Works with their four credits each, and no editions, for nine titles in ten of the
    file's, as a catalog filled from another source would hold them."""
    works = Work.objects.bulk_create(
        Work(title=f"Synthetic Title {i}", title_normalized=f"synthetic title {i}")
        for i in range(rows)
        if i % 10
    )
    names = {
        name
        for i in range(rows)
        for name in (
            f"Writer {i % 1500}",
            f"Translator {i}",
            f"Illustrator {i}",
            f"Editor {i % 40}",
        )
    }
    authors = {
        a.name: a.pk
        for a in Author.objects.bulk_create(
            Author(name=name, name_normalized=text.normalize_person_name(name)) for name in names
        )
    }
    now = bulk.db_datetime(works[0].created_at)
    credits = []
    for work in works:
        i = int(work.title.split()[-1])
        people = (f"Writer {i % 1500}", f"Translator {i}", f"Illustrator {i}", f"Editor {i % 40}")
        for position, (name, role) in enumerate(
            zip(people, ["author", "contributor", "contributor", "contributor"], strict=True)
        ):
            credits.append((now, now, work.pk, authors[name], role, position))
    bulk.insert_many(
        WorkAuthor, ["created_at", "updated_at", "work", "author", "role", "position"], credits
    )


def test_a_first_import_into_a_catalog_holding_most_titles_matches_them_by_title_and_author():
    seed_catalog_by_title(1500)
    job = run_import(synthetic_goodreads_file(1500))
    assert job.status == "completed", job.error
    # 9 in 10 are new editions of works the catalog holds; the rest are new works.
    assert (job.created_count, job.updated_count, job.failed_count) == (150, 1350, 0)
    assert Work.objects.count() == 1500
    assert set(job.rows.filter(status="updated").values_list("matched_by", flat=True)) == {
        "title_author"
    }
    # The works gained their empty fields (series) and every series entry.
    work = Work.objects.get(title="Synthetic Title 1")
    assert (work.series, work.series_number) == ("Synthetic Saga", "2")
    assert list(work.series_entries.values_list("name", "number")) == [("Synthetic Saga", "2")]


def test_no_lookup_statement_grows_with_the_batch():
    seed_catalog_by_title(1000)
    data = synthetic_goodreads_file(1000, with_isbns=False)
    job = services.import_job_create(data=data, filename="synthetic.csv", enrich=False)
    selects = []

    def record(execute, sql, params, many, context):
        if sql.lstrip().upper().startswith("SELECT"):
            selects.append((sql, params or ()))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        services.import_job_run(job=job)
    job.refresh_from_db()
    assert (job.status, job.updated_count) == ("completed", 900)
    assert max(len(params) for _sql, params in selects) <= services.index.IN_CHUNK + 10
    assert not any(sql.count(" OR ") > 10 for sql, _params in selects)


def test_import_books_json_reports_an_unexpected_failure_instead_of_a_traceback(
    tmp_path, monkeypatch, caplog
):
    def broken_batch(**kwargs):
        raise RuntimeError("synthetic failure in the middle of a batch")

    monkeypatch.setattr(services.rows, "import_rows", broken_batch)
    path = tmp_path / "synthetic-export.csv"
    path.write_bytes(synthetic_goodreads_file(3))
    out = io.StringIO()
    with pytest.raises(CommandError, match="unexpected error"):
        call_command("import_books", str(path), "--json", stdout=out)
    result = json.loads(out.getvalue())
    assert result["status"] == "failed"
    # In words, with what to do; the exception's own text is the log's.
    assert result["error"] == (
        "The import stopped on an unexpected error (the server's log has its details). The rows "
        "imported so far are kept: importing the file again finishes it (nothing is created "
        "twice)."
    )
    assert "synthetic failure in the middle of a batch" in caplog.text
    job = ImportJob.objects.get(pk=result["job"])
    assert job.status == "failed" and job.finished_at is not None


def test_a_retry_that_breaks_ends_failed_not_running(monkeypatch, caplog):
    job = run_import(synthetic_goodreads_file(0) + b"1,,Nobody\n")  # no title: fails
    assert job.failed_count == 1

    def broken_batch(**kwargs):
        raise RuntimeError("synthetic failure during a retry")

    monkeypatch.setattr(services.rows, "import_rows", broken_batch)
    services.import_job_retry_failed(job=job)
    job.refresh_from_db()
    assert job.status == "failed" and "unexpected error" in job.error
    assert "synthetic failure during a retry" in caplog.text
    # The row it had not imported again is back, failed as it was, and counted once.
    assert job.failed_count == job.rows.filter(status="failed").count() == 1
    assert job.rows_processed == job.rows.count() == 1 and job.can_retry_failed
