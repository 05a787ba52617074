"""Issue 18, goal 3: the import runs the garbage collector between batches, not during them
(`catalog.services.collector`). What a librarian's machine would notice if that went wrong: a
worker process left with its collector off after an import (every later task's cycles kept
forever), or an import whose memory grows with the file (a batch's cycles never freed).
Every file here is synthetic, built in the test."""

import gc
import threading
import weakref

import pytest

from catalog import services
from catalog.models import ImportJob
from catalog.services import collector, jobs
from tests.catalog.import_rows import goodreads_file, goodreads_row

pytestmark = pytest.mark.django_db


def synthetic_file(rows: int) -> bytes:
    return goodreads_file(
        *(
            goodreads_row(Book_Id=str(810_000 + i), Title=f"synthetic-cycle {i}", Author="A. B.")
            for i in range(rows)
        )
    )


def run(data: bytes, settings, *, worker: bool, progress=None) -> ImportJob:
    settings.IMPORT_READING_WORKER_MIN_ROWS = 1 if worker else 10**9
    job = services.import_job_create(data=data, filename="synthetic-export.csv", enrich=False)
    services.import_job_run(job=job, progress=progress)
    job.refresh_from_db()
    return job


class Cyclic:
    """An object in a reference cycle: only the collector frees it."""

    def __init__(self):
        self.me = self


@pytest.mark.parametrize("worker", [True, False], ids=["worker", "one process"])
def test_each_batch_leaves_no_cycle_behind(settings, monkeypatch, worker):
    monkeypatch.setattr(jobs, "IMPORT_BATCH_SIZE", 5)
    real_record_batch = jobs._record_batch
    left_by_batch: list[weakref.ref] = []
    alive_at_each_batch: list[int] = []

    def record_batch_making_a_cycle(job, statuses):
        # What the earlier batches left in cycles is gone by the time the next one is written.
        alive_at_each_batch.append(sum(ref() is not None for ref in left_by_batch))
        left_by_batch.append(weakref.ref(Cyclic()))
        return real_record_batch(job, statuses)

    monkeypatch.setattr(jobs, "_record_batch", record_batch_making_a_cycle)
    job = run(synthetic_file(23), settings, worker=worker)

    assert (job.status, job.created_count) == (ImportJob.Status.COMPLETED, 23)
    assert alive_at_each_batch == [0, 0, 0, 0, 0]


@pytest.mark.parametrize("worker", [True, False], ids=["worker", "one process"])
def test_the_collector_is_as_it_was_after_an_import(settings, monkeypatch, worker):
    monkeypatch.setattr(jobs, "IMPORT_BATCH_SIZE", 5)
    assert gc.isenabled()
    run(synthetic_file(12), settings, worker=worker)
    assert gc.isenabled()
    assert gc.get_freeze_count() == 0  # the objects frozen for the run are scanned again

    gc.disable()
    try:
        run(synthetic_file(12), settings, worker=worker)
        assert not gc.isenabled()  # a caller that had it off keeps it off
    finally:
        gc.enable()


def test_the_collector_is_back_on_after_a_cancelled_or_failed_import(settings, monkeypatch):
    monkeypatch.setattr(jobs, "IMPORT_BATCH_SIZE", 5)

    def cancel_after_the_first_batch(job):
        services.import_job_cancel(job=ImportJob.objects.get(pk=job.pk))

    job = run(synthetic_file(12), settings, worker=True, progress=cancel_after_the_first_batch)
    assert job.status == ImportJob.Status.CANCELLED
    assert gc.isenabled() and gc.get_freeze_count() == 0

    def failing_batch(*args, **kwargs):
        raise RuntimeError("synthetic failure while writing a batch")

    monkeypatch.setattr(jobs, "_import_batch", failing_batch)
    job = run(synthetic_file(12), settings, worker=True)
    assert job.status == ImportJob.Status.FAILED
    assert gc.isenabled() and gc.get_freeze_count() == 0


def test_imports_overlapping_in_threads_give_the_collector_back_when_the_last_ends():
    """Small imports run in the request: two may overlap in a threaded web server. The first to
    end must not turn the collector back on under the other, nor the last leave it off."""
    first_started, second_started, first_ended = (threading.Event() for _ in range(3))
    seen: dict[str, bool] = {}

    def first():
        with collector.collected_between_batches():
            first_started.set()
            second_started.wait(5)
        first_ended.set()

    def second():
        first_started.wait(5)
        with collector.collected_between_batches():
            second_started.set()
            first_ended.wait(5)
            seen["during the second, after the first ended"] = gc.isenabled()

    threads = [threading.Thread(target=first), threading.Thread(target=second)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(10)

    assert seen == {"during the second, after the first ended": False}
    assert gc.isenabled() and gc.get_freeze_count() == 0
