"""The import service against the database: matching, fill-empty-only, idempotence, jobs."""

import threading
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from catalog import services
from catalog.importers import GoodreadsImporter, ImportFileError
from catalog.importers.base import RowError
from catalog.models import Author, Edition, ImportJob, ImportRow, Work, WorkAuthor
from tests.catalog.test_importers import GOODREADS_24
from tests.factories import make_edition, make_work

pytestmark = pytest.mark.django_db
FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "mapmyreads"
touched_work_ids: list[list[int]] = []


def record_enrichment(*, work_ids, trigger):
    touched_work_ids.append(sorted(work_ids))
    return len(work_ids)


def run_import(data: bytes, **kwargs) -> ImportJob:
    job = services.import_job_create(data=data, filename="export.csv", **kwargs)
    services.import_job_run(job=job)
    job.refresh_from_db()
    return job


def catalog_counts():
    return (
        Work.objects.count(),
        Edition.objects.count(),
        Author.objects.count(),
        WorkAuthor.objects.count(),
    )


def csv_rows(header: str, *rows: list[str]) -> bytes:
    width = header.count(",") + 1
    lines = [header] + [",".join(row + [""] * (width - len(row))) for row in rows]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize(
    ("filename", "rows"), [("goodreads_library_export.csv", 358), ("storygraph_export.csv", 193)]
)
def test_real_exports_import_without_failures_and_reimport_is_a_no_op(filename, rows):
    data = (FIXTURES / filename).read_bytes()
    first = run_import(data)
    assert first.status == "completed"
    assert first.rows_total == first.rows_processed == rows
    assert first.failed_count == 0
    assert first.created_count + first.updated_count + first.duplicate_count == rows
    after_first = catalog_counts()

    second = run_import(data)
    assert catalog_counts() == after_first
    assert (second.created_count, second.updated_count, second.failed_count) == (0, 0, 0)
    assert second.duplicate_count == rows


def test_imported_books_carry_their_fields_and_ordered_credits():
    run_import((FIXTURES / "storygraph_export.csv").read_bytes())
    run_import((FIXTURES / "goodreads_library_export.csv").read_bytes())
    ninth = Edition.objects.get(isbn13="9781250313072")
    assert ninth.work.title == "Ninth House"
    assert (ninth.work.series, ninth.work.series_number) == ("Alex Stern", "1")
    assert ninth.publisher == "Flatiron Books" and ninth.page_count == 461
    assert ninth.format == "hardcover" and ninth.goodreads_book_id == "43263680"
    assert ninth.publication_date.year == 2019 and ninth.publication_date_precision == "year"
    assert ninth.work.first_published_year == 2019
    author = ninth.work.authors.get()
    assert (author.name, author.sort_name) == ("Leigh Bardugo", "Bardugo, Leigh")
    queenie = Work.objects.get(title="Queenie")
    assert [(c.author.name, c.role, c.position) for c in queenie.credits.all()] == [
        ("Candice Carty-Williams", "author", 0),
        ("Shvorne Marks", "narrator", 1),
    ]


def test_isbn10_row_matches_the_edition_stored_by_isbn13():
    existing = make_edition(make_work("Blood Over Bright Haven"), isbn13="9780593873359")
    data = csv_rows(
        GOODREADS_24,
        [
            "999",
            "Blood Over Bright Haven",
            "M.L. Wang",
            "",
            "",
            '="0593873351"',
            '=""',
            "0",
            "4",
            "Del Rey",
        ],
    )
    job = run_import(data)
    assert job.duplicate_count + job.updated_count == 1
    existing.refresh_from_db()
    assert Edition.objects.count() == 1
    assert existing.publisher == "Del Rey"  # was empty: filled


def test_goodreads_book_id_matches_when_there_is_no_isbn():
    existing = make_edition(make_work("Some Book"), isbn13=None, goodreads_book_id="4242")
    job = run_import(csv_rows(GOODREADS_24, ["4242", "Some Book", "Someone"]))
    assert job.created_count == 0
    assert ImportRow.objects.get(job=job).edition == existing


def test_title_and_author_match_is_strict():
    work = make_work("The Left Hand of Darkness", authors=["Ursula K. Le Guin"])
    data = csv_rows(
        GOODREADS_24,
        ["1", "The Left Hand of Darkness", "URSULA K LE GUIN"],  # same person, other spelling
        ["2", "The Left Hand of Darkness", "Someone Else"],  # other author: a new work
        ["3", "The Left Hand of Darkness"],  # no author: a title alone never matches
    )
    job = run_import(data)
    rows = list(job.rows.order_by("line_number"))
    assert rows[0].work == work
    assert rows[1].work != work and rows[2].work != work
    assert Work.objects.filter(title="The Left Hand of Darkness").count() == 3


def test_a_matched_book_only_gains_empty_fields():
    work = make_work("Dune", authors=["Frank Herbert"], first_published_year=1965)
    edition = make_edition(work, isbn13="9780441172719", publisher="Ace", page_count=None)
    data = csv_rows(
        GOODREADS_24,
        [
            "234225",
            "Dune",
            "Frank Herbert",
            "",
            "",
            "",
            '="9780441172719"',
            "0",
            "4",
            "Chilton Books",
            "Paperback",
            "896",
            "1990",
            "1963",
        ],
    )
    job = run_import(data)
    assert job.updated_count == 1
    edition.refresh_from_db()
    work.refresh_from_db()
    assert edition.publisher == "Ace"  # not overwritten
    assert edition.page_count == 896 and edition.format == "paperback"  # were empty
    assert work.first_published_year == 1965  # not overwritten


def test_a_book_twice_in_one_file_is_created_once():
    row = ["1", "Twice", "Author", "", "", "", '="9780306406157"']
    job = run_import(csv_rows(GOODREADS_24, row, row))
    assert (job.created_count, job.duplicate_count) == (1, 1)
    assert Edition.objects.count() == 1


def test_a_bad_row_fails_alone_and_keeps_its_line_and_raw_cells():
    data = csv_rows(GOODREADS_24, ["1", "Good", "A"], ["2", "", "B"], ["3", "Also good", "C"])
    job = run_import(data)
    assert (job.created_count, job.failed_count) == (2, 1)
    failed = job.rows.get(status="failed")
    assert failed.line_number == 3
    assert failed.error == "This row has no title."
    assert failed.raw[:3] == ["2", "", "B"]
    assert job.header[2] == "Author"  # the raw cells line up with the job's header


def test_a_file_level_error_saves_nothing():
    with pytest.raises(ImportFileError):
        services.import_job_create(data=b"\x89PNG\r\n\x1a\n", filename="cover.png")
    assert ImportJob.objects.count() == 0 and ImportRow.objects.count() == 0
    assert catalog_counts() == (0, 0, 0, 0)


def test_no_query_per_row():
    data = (FIXTURES / "goodreads_library_export.csv").read_bytes()
    job = services.import_job_create(data=data, filename="big.csv")
    with CaptureQueriesContext(connection) as queries:
        services.import_job_run(job=job)
    # Bulk lookups and writes: SQLite's 999-parameter limit splits bulk inserts into a few
    # statements, but 358 rows take a few dozen queries, not hundreds.
    assert len(queries.captured_queries) < 358 / 5


def test_enrichment_hook_gets_the_created_and_changed_works(settings):
    settings.CATALOG_ENRICHMENT_HOOK = "tests.catalog.test_import_service.record_enrichment"
    touched_work_ids.clear()
    unchanged = make_edition(
        make_work("Known", authors=["A"]),
        isbn13="9780306406157",
        isbn10="0306406152",
        goodreads_book_id="2",
    )
    data = csv_rows(
        GOODREADS_24, ["1", "New Book", "B"], ["2", "Known", "A", "", "", "", '="9780306406157"']
    )
    job = run_import(data)
    new_work = Work.objects.get(title="New Book")
    assert touched_work_ids == [[new_work.pk]]
    assert job.enqueued_count == 1
    assert unchanged.work_id not in touched_work_ids[0]


@pytest.mark.parametrize("switch", ["no_enrich", "auto_disabled"])
def test_enrichment_can_be_turned_off(settings, switch):
    settings.CATALOG_ENRICHMENT_HOOK = "tests.catalog.test_import_service.record_enrichment"
    touched_work_ids.clear()
    if switch == "auto_disabled":
        settings.ENRICHMENT_AUTO_ENABLED = False
    job = run_import(csv_rows(GOODREADS_24, ["1", "New Book", "B"]), enrich=switch != "no_enrich")
    assert touched_work_ids == [] and job.enqueued_count == 0
    # Asked for and not done says why (the job page, import_books); not asked for says nothing.
    said = [w for w in job.warnings if "ENRICHMENT_AUTO_ENABLED" in w]
    assert len(said) == (1 if switch == "auto_disabled" else 0)


def test_cancel_stops_after_the_current_batch(monkeypatch):
    monkeypatch.setattr(services.jobs, "IMPORT_BATCH_SIZE", 50)
    job = services.import_job_create(
        data=(FIXTURES / "goodreads_library_export.csv").read_bytes(), filename="x.csv"
    )

    def cancel_after_first_batch(running_job):
        services.import_job_cancel(job=running_job)

    services.import_job_run(job=job, progress=cancel_after_first_batch)
    job.refresh_from_db()
    assert job.status == "cancelled"
    assert job.rows_processed == 50 and job.rows.count() == 50
    assert job.finished_at is not None


def test_a_cancelled_job_still_queues_the_books_it_imported_for_enrichment(settings, monkeypatch):
    """Going on means importing the file again, where these books are duplicates (never queued):
    queued at the cancel, or never."""
    settings.CATALOG_ENRICHMENT_HOOK = "tests.catalog.test_import_service.record_enrichment"
    touched_work_ids.clear()
    monkeypatch.setattr(services.jobs, "IMPORT_BATCH_SIZE", 50)
    data = (FIXTURES / "goodreads_library_export.csv").read_bytes()
    job = services.import_job_create(data=data, filename="x.csv")
    services.import_job_run(
        job=job, progress=lambda running: services.import_job_cancel(job=running)
    )
    job.refresh_from_db()
    imported = set(job.rows.exclude(work=None).values_list("work_id", flat=True))
    assert job.status == "cancelled" and len(imported) == 50
    assert [set(ids) for ids in touched_work_ids] == [imported]
    assert job.enqueued_count == 50

    again = services.import_job_create(data=data, filename="x.csv")  # the way to go on
    services.import_job_run(job=again)
    again.refresh_from_db()
    assert (again.duplicate_count, again.created_count) == (50, 358 - 50)


def test_cancelling_a_pending_job_stops_it_before_it_starts():
    job = services.import_job_create(data=csv_rows(GOODREADS_24, ["1", "A", "B"]), filename="x")
    services.import_job_cancel(job=job)
    services.import_job_run(job=job)
    job.refresh_from_db()
    assert job.status == "cancelled" and job.rows_processed == 0


def test_a_job_runs_once_even_if_started_twice():
    job = services.import_job_create(data=csv_rows(GOODREADS_24, ["1", "A", "B"]), filename="x")
    services.import_job_run(job=job)
    services.import_job_run(job=job)
    assert job.rows.count() == 1 and Work.objects.count() == 1


def test_retry_imports_failed_rows_again_from_their_raw_cells(monkeypatch):
    original = GoodreadsImporter.normalize

    def flaky(self, cells):
        if cells[1] == "Flaky":
            raise RowError("Temporarily unreadable.")
        return original(self, cells)

    monkeypatch.setattr(GoodreadsImporter, "normalize", flaky)
    job = run_import(csv_rows(GOODREADS_24, ["1", "Fine", "A"], ["2", "Flaky", "B"]))
    assert job.failed_count == 1
    monkeypatch.setattr(GoodreadsImporter, "normalize", original)

    recovered = services.import_job_retry_failed(job=job)
    job.refresh_from_db()
    assert recovered == 1
    assert (job.status, job.failed_count, job.created_count, job.rows_processed) == (
        "completed",
        0,
        2,
        2,
    )
    assert job.rows.get(line_number=3).status == "created"


@pytest.mark.slow  # threads racing on PostgreSQL
@pytest.mark.skipif(
    connection.vendor == "sqlite",
    reason="SQLite's IMMEDIATE transactions serialize writers: the race cannot happen there",
)
@pytest.mark.django_db(transaction=True)
def test_concurrent_insert_of_the_same_isbn_is_retried_not_lost(monkeypatch):
    original_load = services.index._CatalogIndex.load
    calls = []

    def insert_from_another_connection():
        make_edition(make_work("Raced"), isbn13="9780306406157")
        connection.close()

    def racing_load(items, **kwargs):
        index = original_load(items, **kwargs)
        if not calls:  # another import commits the same ISBN right after our lookup
            racer = threading.Thread(target=insert_from_another_connection)
            racer.start()
            racer.join()
        calls.append(1)
        return index

    monkeypatch.setattr(services.index._CatalogIndex, "load", staticmethod(racing_load))
    job = run_import(csv_rows(GOODREADS_24, ["1", "Raced", "A", "", "", "", '="9780306406157"']))
    assert job.status == "completed" and len(calls) == 2
    assert Edition.objects.filter(isbn13="9780306406157").count() == 1
    assert job.rows.get().status in {"duplicate", "updated"}


def test_large_imports_run_in_a_worker_task(
    settings, django_capture_on_commit_callbacks, sent_tasks
):
    settings.IMPORT_INLINE_MAX_ROWS = 5
    job = services.import_job_create(
        data=(FIXTURES / "storygraph_export.csv").read_bytes(), filename="sg.csv"
    )
    with django_capture_on_commit_callbacks(execute=True):
        assert services.import_job_start(job=job) == services.ImportStart.QUEUED
    assert sent_tasks == [
        ("catalog.tasks.run_import_job", (job.pk,), {"task_name": f"import-{job.pk}"})
    ]
    job.refresh_from_db()
    assert job.status == "pending"

    from catalog.tasks import run_import_job

    run_import_job(job.pk)
    job.refresh_from_db()
    assert job.status == "completed" and job.rows_processed == 193


def test_an_author_who_narrates_the_audiobook_is_credited_as_both():
    """StoryGraph's line 49 names Trevor Noah in Authors and as `Trevor Noah (Narrator)`: one
    author, two credits on the work."""
    header, *lines = (FIXTURES / "storygraph_export.csv").read_text().splitlines()
    run_import(f"{header}\n{lines[47]}\n".encode())
    credits = WorkAuthor.objects.filter(work__title__startswith="Born a Crime")
    assert sorted((c.author.name, c.role) for c in credits) == [
        ("Trevor Noah", "author"),
        ("Trevor Noah", "narrator"),
    ]
    assert Author.objects.filter(name="Trevor Noah").count() == 1
