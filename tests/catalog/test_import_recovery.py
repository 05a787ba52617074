"""Import jobs survive a lost task and a killed worker: the sweep finds them from the database
and runs them again, from the rows already committed, never importing a row twice."""

import datetime

import pytest
from django.db import OperationalError, connection
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.module_loading import import_string

from catalog import services
from catalog.models import Edition, ImportJob, Work
from catalog.services import job_recovery, jobs
from catalog.services.job_recovery import IMPORT_MAX_RESUMES
from enrichment.templatetags.admin_time import admin_time
from tests.catalog.test_import_scale import synthetic_goodreads_file
from tests.catalog.test_import_service import touched_work_ids

pytestmark = pytest.mark.django_db

STALE = 300
ROWS = 10
BATCH = 3  # 10 rows: batches of lines 2-4, 5-7, 8-10, 11
IMPORT_BATCH = jobs._import_batch


class WorkerKilled(BaseException):
    """What SIGKILL does to a worker: nothing after it runs, nothing uncommitted is kept (not an
    Exception: the job's own error handling never sees it, as it never sees a SIGKILL)."""


@pytest.fixture(autouse=True)
def small_batches(monkeypatch, settings):
    monkeypatch.setattr(jobs, "IMPORT_BATCH_SIZE", BATCH)
    settings.IMPORT_INLINE_MAX_ROWS = 5  # ROWS go to a worker


def killed_in_batch(monkeypatch, number: int) -> None:
    """The worker dies in batch `number` (counted from 1), after writing its rows and before
    its transaction commits."""
    calls = []

    def batch(*args, **kwargs):
        calls.append(1)
        statuses = IMPORT_BATCH(*args, **kwargs)
        if len(calls) == number:
            raise WorkerKilled
        return statuses

    monkeypatch.setattr(jobs, "_import_batch", batch)


def started_job(sent_tasks, capture) -> ImportJob:
    job = services.import_job_create(
        data=synthetic_goodreads_file(ROWS), filename="synthetic-export.csv", enrich=False
    )
    with capture(execute=True):
        assert services.import_job_start(job=job) == services.ImportStart.QUEUED
    return job


def run_sent(sent_tasks) -> None:
    """Play the worker: run the tasks the broker was handed, then forget them."""
    tasks, sent_tasks[:] = list(sent_tasks), []
    for task in tasks:
        import_string(task.func)(*task.args)


def sweep(capture, *, after: float, since=None):
    with capture(execute=True):
        return services.import_jobs_recover(
            stale_seconds=STALE,
            now=(since or timezone.now()) + datetime.timedelta(seconds=after),
        )


def assert_imported_once(job: ImportJob) -> None:
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMPLETED, job.error
    assert (job.rows_processed, job.created_count, job.failed_count) == (ROWS, ROWS, 0)
    assert job.rows.count() == ROWS
    assert Edition.objects.count() == Work.objects.count() == ROWS
    twice = Edition.objects.values("isbn13").annotate(n=Count("pk")).filter(n__gt=1)
    assert not twice.exists()


def test_a_job_whose_worker_died_in_batch_k_resumes_from_its_committed_rows(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    job = started_job(sent_tasks, django_capture_on_commit_callbacks)
    killed_in_batch(monkeypatch, 3)
    with pytest.raises(WorkerKilled):
        run_sent(sent_tasks)
    job.refresh_from_db()
    # As a killed worker leaves it: running, two whole batches and their counts, not the third.
    assert job.status == ImportJob.Status.RUNNING
    assert job.rows.count() == job.rows_processed == job.created_count == 2 * BATCH
    monkeypatch.setattr(jobs, "_import_batch", IMPORT_BATCH)  # a worker that lives

    # Within the stale interval a slow worker is not taken for dead.
    assert sweep(django_capture_on_commit_callbacks, after=STALE - 5).resumed == 0
    assert sent_tasks == []
    recovered = sweep(django_capture_on_commit_callbacks, after=STALE + 5)
    assert recovered.resumed == 1
    assert [task.func for task in sent_tasks] == [jobs.RUN_TASK]
    job.refresh_from_db()
    assert (job.status, job.resumes) == (ImportJob.Status.PENDING, 1)

    run_sent(sent_tasks)
    assert_imported_once(job)
    assert job.resumes == 0 and job.started_at is not None  # it went on: none in a row


def test_a_long_job_stopped_again_and_again_goes_on_while_each_run_commits_a_batch(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    """Q_TIMEOUT stops a long import on every run: each run commits a batch, so it is resumed
    more often than IMPORT_MAX_RESUMES (which counts resumes in a row without one)."""
    monkeypatch.setattr(job_recovery, "IMPORT_MAX_RESUMES", 1)
    job = started_job(sent_tasks, django_capture_on_commit_callbacks)
    for attempt in range(3):  # batches of lines 2-4, 5-7, 8-10 commit; each run dies after one
        killed_in_batch(monkeypatch, 2)
        with pytest.raises(WorkerKilled):
            run_sent(sent_tasks)
        since = timezone.now() + datetime.timedelta(seconds=(STALE + 5) * attempt)
        assert sweep(django_capture_on_commit_callbacks, after=STALE + 5, since=since).resumed
    monkeypatch.setattr(jobs, "_import_batch", IMPORT_BATCH)
    run_sent(sent_tasks)
    assert_imported_once(job)


def test_counts_are_taken_from_the_rows_when_a_job_resumes(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    """A job left by a worker from before the counts committed with their rows: the rows
    decide."""
    job = started_job(sent_tasks, django_capture_on_commit_callbacks)
    killed_in_batch(monkeypatch, 2)
    with pytest.raises(WorkerKilled):
        run_sent(sent_tasks)
    monkeypatch.setattr(jobs, "_import_batch", IMPORT_BATCH)
    ImportJob.objects.filter(pk=job.pk).update(rows_processed=0, created_count=0)
    sweep(django_capture_on_commit_callbacks, after=STALE + 5)
    run_sent(sent_tasks)
    assert_imported_once(job)


def test_a_pending_job_whose_task_the_broker_lost_is_handed_over_again(
    sent_tasks, django_capture_on_commit_callbacks
):
    job = started_job(sent_tasks, django_capture_on_commit_callbacks)
    sent_tasks.clear()  # the broker lost it
    assert sweep(django_capture_on_commit_callbacks, after=STALE - 5).requeued == 0
    assert sweep(django_capture_on_commit_callbacks, after=STALE + 5).requeued == 1
    assert [(task.func, task.args) for task in sent_tasks] == [(jobs.RUN_TASK, (job.pk,))]
    # Handed over now: the next sweep leaves it alone while the new task waits.
    assert sweep(django_capture_on_commit_callbacks, after=STALE + 5).requeued == 0
    run_sent(sent_tasks)
    assert_imported_once(job)
    assert job.resumes == 0


def test_a_job_whose_enqueue_never_happened_is_handed_over(
    sent_tasks, django_capture_on_commit_callbacks
):
    """The process stopped between the job's commit and its enqueue: no queued_at at all."""
    job = services.import_job_create(
        data=synthetic_goodreads_file(ROWS), filename="synthetic-export.csv", enrich=False
    )
    assert job.queued_at is None
    assert sweep(django_capture_on_commit_callbacks, after=STALE + 5).requeued == 1
    run_sent(sent_tasks)
    assert_imported_once(job)


def test_a_second_task_for_the_same_job_imports_nothing(
    sent_tasks, django_capture_on_commit_callbacks
):
    job = started_job(sent_tasks, django_capture_on_commit_callbacks)
    sent_tasks.append(sent_tasks[0])  # the lost task turns up after the sweep's
    run_sent(sent_tasks)
    assert_imported_once(job)


def test_a_worker_taken_for_dead_stops_at_its_next_batch_without_writing(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    job = started_job(sent_tasks, django_capture_on_commit_callbacks)

    def first_batch_then_resumed_elsewhere(*args, **kwargs):
        statuses = IMPORT_BATCH(*args, **kwargs)
        # Meanwhile the sweep resumed the job and another worker claimed it.
        ImportJob.objects.filter(pk=job.pk).update(run_token="another-worker")
        return statuses

    monkeypatch.setattr(jobs, "_import_batch", first_batch_then_resumed_elsewhere)
    run_sent(sent_tasks)
    job.refresh_from_db()
    assert (job.status, job.error) == (ImportJob.Status.RUNNING, "")  # the other worker's now
    assert job.rows.count() == job.rows_processed == BATCH  # its first batch only, once


def test_a_worker_taken_for_dead_after_its_last_batch_leaves_the_newer_run_s_ending(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    """Its last batch committed, the worker queues the job's books for enrichment; meanwhile (a
    long queueing, or the database server's clock jumping) the sweep resumes the job and a new
    worker ends it. The first then loses its connection: the job stays as the new run ended
    it, completed with its counts, not failed."""
    job = started_job(sent_tasks, django_capture_on_commit_callbacks)
    enqueue = jobs._enqueue_enrichment
    calls = []

    def taken_over_then_the_connection_lost(job_at_work):
        calls.append(job_at_work.run_token)
        if len(calls) > 1:  # the new run's
            return enqueue(job_at_work)
        assert sweep(django_capture_on_commit_callbacks, after=STALE + 5).resumed == 1
        run_sent(sent_tasks)  # the new worker goes on, and ends the job
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(jobs, "_enqueue_enrichment", taken_over_then_the_connection_lost)
    run_sent(sent_tasks)
    assert len(set(calls)) == 2  # two runs, each its own claim
    assert_imported_once(job)
    assert (job.error, job.resumes) == ("", 1)


def test_a_job_that_kills_its_worker_every_time_is_given_up_with_the_reason(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    job = started_job(sent_tasks, django_capture_on_commit_callbacks)
    for attempt in range(IMPORT_MAX_RESUMES + 1):
        killed_in_batch(monkeypatch, 1)  # a row that kills its worker, every time
        with pytest.raises(WorkerKilled):
            run_sent(sent_tasks)
        # Each run's heartbeat is "now": each sweep looks further ahead.
        since = timezone.now() + datetime.timedelta(seconds=(STALE + 5) * attempt)
        recovered = sweep(django_capture_on_commit_callbacks, after=STALE + 5, since=since)
    assert recovered.failed == 1 and sent_tasks == []
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and job.finished_at is not None
    assert job.resumes == IMPORT_MAX_RESUMES
    assert job.error.startswith(
        f"The import gave up after it was resumed {IMPORT_MAX_RESUMES} times: each time its "
        "worker stopped again before importing a batch"
    )
    assert "importing the file again finishes it" in job.error  # what to do
    assert job.rows_processed == job.rows.count() == 0


def test_a_cancel_asked_of_a_dead_worker_ends_the_job_cancelled(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    job = started_job(sent_tasks, django_capture_on_commit_callbacks)
    killed_in_batch(monkeypatch, 2)
    with pytest.raises(WorkerKilled):
        run_sent(sent_tasks)
    services.import_job_cancel(job=job)
    assert job.status == ImportJob.Status.RUNNING  # the worker would stop at its next batch
    assert sweep(django_capture_on_commit_callbacks, after=STALE + 5).cancelled == 1
    assert sent_tasks == []
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED and job.finished_at is not None
    assert job.rows_processed == job.created_count == job.rows.count() == BATCH


def test_a_resumed_job_waiting_for_its_worker_can_still_be_cancelled(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    job = started_job(sent_tasks, django_capture_on_commit_callbacks)
    killed_in_batch(monkeypatch, 2)
    with pytest.raises(WorkerKilled):
        run_sent(sent_tasks)
    sweep(django_capture_on_commit_callbacks, after=STALE + 5)
    services.import_job_cancel(job=job)
    assert job.status == ImportJob.Status.CANCELLED
    run_sent(sent_tasks)  # the resume's task finds nothing to claim
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED and job.rows.count() == BATCH


def test_ctrl_c_on_import_books_cancels_the_job_rather_than_leaving_it_to_be_resumed(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    job = services.import_job_create(
        data=synthetic_goodreads_file(ROWS), filename="synthetic-export.csv", enrich=False
    )

    def interrupted_in_batch_2(*args, **kwargs):
        if job.rows.count() == BATCH:
            raise KeyboardInterrupt
        return IMPORT_BATCH(*args, **kwargs)

    monkeypatch.setattr(jobs, "_import_batch", interrupted_in_batch_2)
    with pytest.raises(KeyboardInterrupt):
        services.import_job_run(job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED and job.rows_processed == BATCH
    assert sweep(django_capture_on_commit_callbacks, after=STALE + 5) == services.RecoveredImports()
    assert sent_tasks == []


def test_the_sweep_is_two_queries_when_no_job_is_stale(
    sent_tasks, django_capture_on_commit_callbacks, django_assert_max_num_queries
):
    started_job(sent_tasks, django_capture_on_commit_callbacks)
    # On PostgreSQL one more reads its clock, which the heartbeats are judged by.
    with django_assert_max_num_queries(2 + (connection.vendor == "postgresql")):
        recovered = services.import_jobs_recover(stale_seconds=STALE)
    assert recovered == services.RecoveredImports()


# --- A real worker, really killed ----------------------------------------------------------------

# A worker importing a job in batches of `batch` rows, each held open a moment after its rows
# are written (so that the kill lands inside a batch's transaction); it reports each commit.
IMPORTING_WORKER = """
import pathlib, sys, time
import django
django.setup()
from catalog import services
from catalog.services import jobs
folder, batch = pathlib.Path(sys.argv[1]), int(sys.argv[2])
jobs.IMPORT_BATCH_SIZE = batch
real = jobs._import_batch
def slow_batch(*args, **kwargs):
    statuses = real(*args, **kwargs)
    time.sleep(0.15)
    return statuses
jobs._import_batch = slow_batch
data = (folder / "synthetic-export.csv").read_bytes()
job = services.import_job_create(data=data, filename="synthetic-export.csv", enrich=False)
def committed(job):
    (folder / "progress.tmp").write_text(f"{job.pk} {job.rows_processed}")
    (folder / "progress.tmp").replace(folder / "progress")
services.import_job_run(job=job, progress=committed)
"""

# The sweep, a stale interval later, then the tasks it queued, run here; prints what it found.
SWEEP_AND_WORK = """
import datetime, json, sys
import django
django.setup()
from django.db.models import Count
from django.utils import timezone
from django.utils.module_loading import import_string
from bookstore import task_queue
from catalog import services
from catalog.models import Edition, ImportJob
from catalog.services import job_recovery
sent = []
task_queue.enqueue = lambda func, *args, **kwargs: sent.append((func, args))
job = ImportJob.objects.get(pk=int(sys.argv[1]))
later = timezone.now() + datetime.timedelta(seconds=61)
left = {
    "status": job.status,
    "rows": job.rows.count(),
    "processed": job.rows_processed,
    "label": job_recovery.import_job_stalled_label(job, now=later),  # its page, a minute on
}
recovered = services.import_jobs_recover(stale_seconds=60, now=later)
for func, args in sent:
    import_string(func)(*args)
job.refresh_from_db()
print(json.dumps({
    "left": left,
    "recovered": recovered.as_json(),
    "status": job.status,
    "rows": job.rows.count(),
    "created": job.created_count,
    "processed": job.rows_processed,
    "editions": Edition.objects.count(),
    "isbns_twice": Edition.objects.values("isbn13").annotate(n=Count("pk")).filter(n__gt=1).count(),
}))
"""


@pytest.mark.slow  # real processes
@pytest.mark.django_db(transaction=True)
def test_a_worker_sigkilled_mid_batch_leaves_whole_batches_and_the_sweep_finishes_the_job(
    tmp_path,
):
    import os
    import signal
    import sys

    from tests.enrichment.processes import (
        last_json_of,
        process_env,
        shared_database_url,
        start,
        wait_for,
    )

    rows, batch = 200, 20
    (tmp_path / "synthetic-export.csv").write_bytes(synthetic_goodreads_file(rows))
    env = process_env(shared_database_url(tmp_path))
    worker = start([sys.executable, "-c", IMPORTING_WORKER, str(tmp_path), str(batch)], env)
    try:

        def three_batches_committed():
            try:
                job_id, done = (tmp_path / "progress").read_text().split()
            except (OSError, ValueError):
                return None
            return int(job_id) if int(done) >= 3 * batch else None

        job_id = wait_for(three_batches_committed, 60, "three batches to commit")
        os.kill(worker.pid, signal.SIGKILL)  # as django-q2's guard kills a worker: no clean-up
        worker.wait(timeout=30)
    finally:
        if worker.poll() is None:
            worker.kill()
            worker.wait(timeout=30)
    found = last_json_of(SWEEP_AND_WORK, str(job_id), env)
    left = found["left"]
    # The kill left whole batches only, their counts committed with them.
    assert left["status"] == "running" and left["rows"] == left["processed"]
    # Its page no longer says a plain "Running" once no batch has come for a minute.
    assert left["label"].startswith("Running, but no progress since "), left["label"]
    assert "if its worker has stopped, the sweep resumes it at about" in left["label"]
    assert 3 * batch <= left["rows"] < rows and left["rows"] % batch == 0
    assert found["recovered"]["resumed"] == 1
    assert (found["status"], found["rows"], found["processed"]) == ("completed", rows, rows)
    assert (found["created"], found["editions"], found["isbns_twice"]) == (rows, rows, 0)


def test_a_long_import_hands_itself_to_a_new_task_before_the_timeout(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    """A task works IMPORT_TASK_SHARE of Q_TIMEOUT, then the job goes on in a new task at once
    (never killed by the timeout, never waiting for the sweep). Here the share is 0: one batch
    a task."""
    monkeypatch.setattr(jobs, "IMPORT_TASK_SHARE", 0)
    job = started_job(sent_tasks, django_capture_on_commit_callbacks)
    tasks = 0
    while sent_tasks:
        assert [task.func for task in sent_tasks] == [jobs.RUN_TASK]
        with django_capture_on_commit_callbacks(execute=True):  # the hand-over's enqueue
            run_sent(sent_tasks)
        tasks += 1
        job.refresh_from_db()
        if sent_tasks:  # handed over: pending, its batches so far committed
            assert job.status == ImportJob.Status.PENDING and job.run_token == ""
            assert job.rows.count() == job.rows_processed == tasks * BATCH
    assert tasks == 4  # 10 rows in batches of 3
    assert_imported_once(job)
    assert job.resumes == 0


def test_a_handed_over_job_says_it_waits_to_continue_not_that_it_is_new(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks, admin_client
):
    """Between two tasks of a long import the job is pending with rows recorded: its page, its
    progress answer and the jobs list say it waits to continue, and keep its progress."""
    monkeypatch.setattr(jobs, "IMPORT_TASK_SHARE", 0)
    job = started_job(sent_tasks, django_capture_on_commit_callbacks)
    progress_url = reverse("admin:catalog_importjob_progress", args=[job.pk])
    assert admin_client.get(progress_url).json()["status_label"] == "Pending"  # not begun
    with django_capture_on_commit_callbacks(execute=True):
        run_sent(sent_tasks)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.PENDING and job.rows_processed == BATCH
    progress = admin_client.get(progress_url).json()
    assert (progress["status"], progress["status_label"]) == ("pending", "Waiting to continue")
    assert progress["processed"] == BATCH
    page = admin_client.get(reverse("admin:catalog_importjob_change", args=[job.pk]))
    assert "Waiting to continue" in page.content.decode()
    listing = admin_client.get(reverse("admin:catalog_importjob_changelist"))
    assert "Waiting to continue" in listing.content.decode()


def test_a_job_whose_worker_died_says_since_when_it_made_no_progress_and_when_it_resumes(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks, admin_client, settings
):
    """Its page said "Running" until the sweep resumed it, minutes after its worker died."""
    settings.ENRICHMENT_STALE_SECONDS = STALE
    job = started_job(sent_tasks, django_capture_on_commit_callbacks)
    killed_in_batch(monkeypatch, 2)
    with pytest.raises(WorkerKilled):
        run_sent(sent_tasks)
    progress_url = reverse("admin:catalog_importjob_progress", args=[job.pk])
    assert admin_client.get(progress_url).json()["status_label"] == "Running"  # a batch ago

    last_batch = timezone.now() - datetime.timedelta(seconds=90)  # no batch since
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=last_batch)
    since = admin_time(last_batch)
    resumes = admin_time(last_batch + datetime.timedelta(seconds=STALE))
    said = admin_client.get(progress_url).json()["status_label"]
    assert said == (
        f"Running, but no progress since {since}: if its worker has stopped, the sweep resumes "
        f"it at about {resumes}, from the rows already imported."
    )
    page = admin_client.get(reverse("admin:catalog_importjob_change", args=[job.pk]))
    assert escape(said) in page.content.decode()

    # A sweep that has not run by then (no cluster running it) is said to be due.
    ImportJob.objects.filter(pk=job.pk).update(heartbeat_at=last_batch - STALE_DELTA)
    said = admin_client.get(progress_url).json()["status_label"]
    assert "its worker has stopped, and the sweep resumes it at its next run (due since" in said


STALE_DELTA = datetime.timedelta(seconds=STALE)


def test_an_import_run_in_the_request_or_the_shell_is_never_handed_over(monkeypatch):
    monkeypatch.setattr(jobs, "IMPORT_TASK_SHARE", 0)
    job = services.import_job_create(
        data=synthetic_goodreads_file(ROWS), filename="synthetic-export.csv", enrich=False
    )
    services.import_job_run(job=job)  # as the upload form and import_books run it
    assert_imported_once(job)


# --- A job that ends before its last row still queues the books it imported -----------------------


@pytest.fixture
def enrichment_recorded(settings):
    settings.CATALOG_ENRICHMENT_HOOK = "tests.catalog.test_import_service.record_enrichment"
    touched_work_ids.clear()
    return touched_work_ids


def enriched_job(sent_tasks, capture) -> ImportJob:
    job = services.import_job_create(data=synthetic_goodreads_file(ROWS), filename="synthetic.csv")
    with capture(execute=True):
        assert services.import_job_start(job=job) == services.ImportStart.QUEUED
    return job


def imported_works(job: ImportJob) -> list[int]:
    return sorted(job.rows.exclude(work=None).values_list("work_id", flat=True))


def test_a_job_cancelled_while_its_worker_is_dead_queues_the_books_it_imported(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks, enrichment_recorded
):
    """Going on means importing the file again, where these books are duplicates, which are
    never queued: they were never queued at all."""
    job = enriched_job(sent_tasks, django_capture_on_commit_callbacks)
    killed_in_batch(monkeypatch, 2)
    with pytest.raises(WorkerKilled):
        run_sent(sent_tasks)
    services.import_job_cancel(job=job)
    assert sweep(django_capture_on_commit_callbacks, after=STALE + 5).cancelled == 1
    job.refresh_from_db()
    assert len(imported_works(job)) == BATCH
    assert enrichment_recorded == [imported_works(job)] and job.enqueued_count == BATCH


def test_a_job_cancelled_while_waiting_to_continue_queues_the_books_it_imported(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks, enrichment_recorded
):
    job = enriched_job(sent_tasks, django_capture_on_commit_callbacks)
    killed_in_batch(monkeypatch, 2)
    with pytest.raises(WorkerKilled):
        run_sent(sent_tasks)
    sweep(django_capture_on_commit_callbacks, after=STALE + 5)  # resumed: waiting to continue
    services.import_job_cancel(job=job)
    assert job.status == ImportJob.Status.CANCELLED
    assert enrichment_recorded == [imported_works(job)] and job.enqueued_count == BATCH


def test_a_job_stopped_by_an_error_queues_the_books_of_its_committed_batches(
    monkeypatch, enrichment_recorded, caplog
):
    job = services.import_job_create(data=synthetic_goodreads_file(ROWS), filename="synthetic.csv")

    def fails_in_batch_2(*args, **kwargs):
        if job.rows.count() == BATCH:
            raise RuntimeError("disk full")
        return IMPORT_BATCH(*args, **kwargs)

    monkeypatch.setattr(jobs, "_import_batch", fails_in_batch_2)
    services.import_job_run(job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "unexpected error" in job.error
    assert "disk full" in caplog.text  # the error's own words: the log's
    assert enrichment_recorded == [imported_works(job)] and job.enqueued_count == BATCH
