"""Issue 18, goal 3: a large import reads and normalizes its next batch in a forked worker process
while the current one is written. The worker must change nothing a librarian sees: the same
rows, statuses, warnings and failures, in the file's order, and a job that stops (an error in
the worker, a cancel) leaves no process behind. Every file here is synthetic, built in the test."""

import copy
import dataclasses
import json
import os
import time

import pytest

from catalog import services
from catalog.importers import importer_for
from catalog.importers.goodreads import GoodreadsImporter
from catalog.models import Author, ImportJob, ImportRow, Work
from catalog.services import jobs, reading
from catalog.services.rows import _normalize
from tests.catalog.import_rows import HEADER, goodreads_file, goodreads_row

pytestmark = pytest.mark.django_db


def synthetic_rows() -> list[list[str]]:
    """35 rows over four batches of 10: new books, a book twice (a duplicate in a later batch),
    a row without a title, a NUL-damaged cell, a repeated header, spreadsheet-damaged ISBNs,
    co-authors and series."""
    rows = []
    for i in range(35):
        rows.append(
            goodreads_row(
                Book_Id=str(700_000 + i),
                Title=f"synthetic-book {i} (Synthetic Saga, #{i % 4 + 1})",
                Author=f"Synthetic Writer {i % 7}",
                Additional_Authors=f"Synthetic Helper {i % 3}" if i % 5 == 0 else "",
                ISBN13='="9.78053E+12"' if i % 9 == 0 else "",
                Number_of_Pages=str(100 + i),
            )
        )
    rows[12] = goodreads_row(Book_Id="700012", Title="", Author="Nobody")  # fails: no title
    rows[17][HEADER.index("Publisher")] = "Synthetic\x00Press"  # NUL: kept, with a warning
    rows[23] = list(HEADER)  # a repeated header: fails with the reason
    rows[31] = list(rows[2])  # the same book again, three batches later: a duplicate
    return rows


def stored_rows(job: ImportJob) -> list[tuple]:
    rows = ImportRow.objects.filter(job=job).order_by("line_number")
    return [
        (r.line_number, r.status, r.raw, r.normalized, r.messages, r.error, r.matched_by)
        for r in rows
    ]


@pytest.fixture
def forks(monkeypatch):
    """The pids of the worker processes forked by the import (in this process)."""
    real_fork = os.fork
    pids: list[int] = []

    def recording_fork():
        pid = real_fork()
        if pid:
            pids.append(pid)
        return pid

    monkeypatch.setattr(reading.os, "fork", recording_fork)
    return pids


def run(data: bytes, settings, *, worker: bool) -> ImportJob:
    settings.IMPORT_READING_WORKER_MIN_ROWS = 1 if worker else 10**9
    job = services.import_job_create(data=data, filename="synthetic-export.csv", enrich=False)
    services.import_job_run(job=job)
    job.refresh_from_db()
    return job


def assert_reaped(pid: int) -> None:
    with pytest.raises(ChildProcessError):  # waited for: no zombie, no process left running
        os.waitpid(pid, os.WNOHANG)


def test_the_worker_imports_exactly_what_the_import_in_one_process_does(
    settings, monkeypatch, forks
):
    monkeypatch.setattr(jobs, "IMPORT_BATCH_SIZE", 10)
    data = goodreads_file(*synthetic_rows())
    alone = run(data, settings, worker=False)
    assert forks == []
    in_one_process = stored_rows(alone)
    works = sorted(Work.objects.values_list("title", "series", "series_number"))
    authors = sorted(Author.objects.values_list("name", flat=True))
    ImportJob.objects.all().delete()
    Work.objects.all().delete()
    Author.objects.all().delete()

    job = run(data, settings, worker=True)

    assert len(forks) == 1
    assert_reaped(forks[0])
    assert (job.status, job.created_count, job.duplicate_count, job.failed_count) == (
        "completed",
        32,
        1,
        2,
    )
    with_worker = stored_rows(job)
    # Line numbers, statuses, cells, warnings, failures: the same, row for row, in order.
    assert [row[:2] + row[3:] for row in with_worker] == [
        row[:2] + row[3:] for row in in_one_process
    ]
    assert [row[2] for row in with_worker] == [row[2] for row in in_one_process]
    assert sorted(Work.objects.values_list("title", "series", "series_number")) == works
    assert sorted(Author.objects.values_list("name", flat=True)) == authors
    by_line = {row[0]: row for row in with_worker}
    assert by_line[14][5] == "This row has no title."
    assert "NUL characters" in by_line[19][4][0]
    assert "repeats the header" in by_line[25][5]
    assert by_line[33][1] == ImportRow.Status.DUPLICATE


@pytest.mark.parametrize("worker", [True, False], ids=["worker", "one process"])
def test_an_error_while_reading_fails_the_job_in_words_and_logs_its_reason(
    settings, monkeypatch, forks, worker, caplog
):
    monkeypatch.setattr(jobs, "IMPORT_BATCH_SIZE", 10)
    real_normalize = GoodreadsImporter.normalize

    def breaking_normalize(self, cells):
        if cells[HEADER.index("Title")].startswith("synthetic-book 27 "):
            raise RuntimeError("synthetic failure while reading line 29")
        return real_normalize(self, cells)

    monkeypatch.setattr(GoodreadsImporter, "normalize", breaking_normalize)  # the fork copies it
    job = run(goodreads_file(*synthetic_rows()), settings, worker=worker)

    assert job.status == ImportJob.Status.FAILED
    # The error's own text is the log's; the job says what happened and what to do.
    assert job.error.startswith("The import stopped on an unexpected error")
    assert "synthetic failure" not in job.error
    assert "synthetic failure while reading line 29" in caplog.text
    assert job.rows_processed == 20  # the two batches before the bad one are kept
    assert len(forks) == (1 if worker else 0)
    for pid in forks:
        assert_reaped(pid)


def test_a_cancelled_job_stops_its_worker(settings, monkeypatch, forks):
    monkeypatch.setattr(jobs, "IMPORT_BATCH_SIZE", 10)
    settings.IMPORT_READING_WORKER_MIN_ROWS = 1
    job = services.import_job_create(
        data=goodreads_file(*synthetic_rows()), filename="synthetic-export.csv", enrich=False
    )

    def cancel_after_the_first_batch(job):
        services.import_job_cancel(job=ImportJob.objects.get(pk=job.pk))

    services.import_job_run(job=job, progress=cancel_after_the_first_batch)
    job.refresh_from_db()

    assert (job.status, job.rows_processed) == (ImportJob.Status.CANCELLED, 10)
    assert len(forks) == 1
    assert_reaped(forks[0])


def test_a_worker_that_dies_fails_the_job_instead_of_hanging(settings, monkeypatch, forks):
    monkeypatch.setattr(jobs, "IMPORT_BATCH_SIZE", 10)
    real_normalize = GoodreadsImporter.normalize

    def dying_normalize(self, cells):
        if cells[HEADER.index("Title")].startswith("synthetic-book 15 "):
            os._exit(3)  # killed mid-file (out of memory, a signal): says nothing
        return real_normalize(self, cells)

    monkeypatch.setattr(GoodreadsImporter, "normalize", dying_normalize)
    job = run(goodreads_file(*synthetic_rows()), settings, worker=True)

    assert job.status == ImportJob.Status.FAILED
    assert job.error.startswith(
        "The import stopped: the process reading the file ended unexpectedly"
    )
    assert "importing the file again finishes it" in job.error
    # The first batch was read; whether it had reached the writer before the worker died
    # depends on the worker's sending thread (it reads ahead). What the job counts is what it
    # kept, a whole batch or none, and a resume starts there.
    assert job.rows_processed in (0, 10)
    assert ImportRow.objects.filter(job=job).count() == job.rows_processed
    assert_reaped(forks[0])


def test_a_batch_crosses_the_pipe_unchanged():
    importer = importer_for(HEADER)
    rows = synthetic_rows()
    planned = [_normalize(importer, line, cells) for line, cells in enumerate(rows, start=2)]
    assert any(item.error for item in planned) and any(item.messages for item in planned)
    assert any(item.row and len(item.row.credits) == 2 for item in planned)
    crossed = [reading._unpacked(reading._packed(copy.deepcopy(item))) for item in planned]
    for item, arrived in zip(planned, crossed, strict=True):
        # The cells cross as the record's text, encoded as the ORM would store them.
        assert arrived.raw_json == json.dumps(item.raw) and arrived.raw == []
        if item.row:
            assert arrived.normalized_json == json.dumps(item.row.as_json())
        assert (
            dataclasses.replace(
                arrived, raw=item.raw, raw_json="", normalized_json="", read_mark=()
            )
            == item
        )


def test_rows_that_planning_changes_are_recorded_as_changed_when_the_worker_read_them(
    settings, monkeypatch
):
    """The worker encodes each row's record as read; a row the batch's planning then changes
    (a warning that its ISBN names another book, an Open Library key another book holds) is
    recorded as changed, exactly as in one process."""
    monkeypatch.setattr(jobs, "IMPORT_BATCH_SIZE", 10)
    first = goodreads_file(
        goodreads_row(
            Book_Id="810001",
            Title="synthetic-owl tales",
            Author="Synthetic Ann",
            ISBN13='="9780000000002"',
        ),
    )
    rows = [
        goodreads_row(Book_Id=str(810_100 + i), Title=f"synthetic-other {i}", Author="Someone")
        for i in range(12)
    ]
    # Same ISBN, another title and author: a duplicate with a warning that it names another book.
    rows[4] = goodreads_row(
        Book_Id="810002",
        Title="synthetic-fox songs",
        Author="Synthetic Bo",
        ISBN13='="9780000000002"',
    )
    data = goodreads_file(*rows)
    recorded = {}
    for worker in (False, True):
        ImportJob.objects.all().delete()
        Work.objects.all().delete()
        Author.objects.all().delete()
        assert run(first, settings, worker=False).created_count == 1
        recorded[worker] = stored_rows(run(data, settings, worker=worker))
    changed = next(row for row in recorded[True] if row[0] == 6)
    assert changed[4] and "already in the catalog" in changed[4][0]
    assert changed[3]["warnings"] == changed[4]  # the record says what the row's warnings say
    assert [row[:2] + row[3:] for row in recorded[True]] == [
        row[:2] + row[3:] for row in recorded[False]
    ]


def test_the_worker_reads_on_while_the_writer_is_still_on_a_batch(tmp_path):
    """Batches larger than a pipe holds: the worker does not wait for the writer to take one
    before reading the next, up to `BATCHES_AHEAD` of them (a slow batch on either side no
    longer stops the other). Each line the worker reads is recorded in a file."""
    importer = importer_for(HEADER)
    review = "synthetic review text. " * 4000  # about 90 KB a row: a batch is over 64 KB
    rows = [
        goodreads_row(Book_Id=str(800_000 + i), Title=f"synthetic-book {i}", My_Review=review)
        for i in range(80)
    ]
    read_log = tmp_path / "read-lines"

    def recorded_lines():
        for line, cells in enumerate(rows, start=2):
            with open(read_log, "a") as log:  # in the worker: its own file handle per line
                log.write(f"{line}\n")
            yield line, cells

    def lines_read() -> int:
        return len(read_log.read_text().split()) if read_log.exists() else 0

    with reading.normalized_batches(importer, recorded_lines(), 10, worker=True) as batches:
        _, first_planned = next(batches)  # the writer takes one batch, then works
        assert [item.line for item in first_planned] == list(range(2, 12))
        settled, deadline = -1, time.monotonic() + 20
        while time.monotonic() < deadline:
            time.sleep(0.3)
            if (now := lines_read()) == settled:
                break
            settled = now
        # Taken: 1 batch; being written down the pipe: 1; waiting: BATCHES_AHEAD; and the
        # worker read one more before its wait for room. One batch ahead was all it had been.
        assert settled >= 10 * (2 + reading.BATCHES_AHEAD)
        assert [item.line for _, planned in batches for item in planned] == list(range(12, 82))
