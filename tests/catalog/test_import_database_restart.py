"""An import on a worker while its PostgreSQL server restarts (a real server, stopped and
started again; a real worker process): the job goes on from its next batch once the database is
back, keeping the rows already committed and importing none twice. Run on PostgreSQL
(scripts/with_postgres.sh); skipped on SQLite."""

import subprocess
import sys

import pytest
from django.db import OperationalError

from catalog import services
from catalog.models import ImportJob
from catalog.services import job_recovery, jobs
from tests.catalog.test_import_recovery import (
    BATCH,
    IMPORT_BATCH,
    ROWS,
    assert_imported_once,
    run_sent,
    small_batches,  # noqa: F401 (autouse fixture: batches of BATCH rows on a worker)
    started_job,
)
from tests.catalog.test_import_scale import synthetic_goodreads_file
from tests.enrichment.processes import (
    kill_group,
    last_json_when_done,
    process_env,
    shared_database_url,
    start,
    wait_for,
)
from tests.postgres_restart import postgres_data_directory, postgres_restart

# A worker running one import task (a task's time budget), each batch held open a moment after
# its rows are written (so that the restart lands inside a batch's transaction); it reports
# each commit, then runs the tasks the job handed to the broker, and prints how the job ended.
IMPORTING_WORKER = """
import json, pathlib, sys, time
import django
django.setup()
from django.db.models import Count
from django.utils.module_loading import import_string
from bookstore import task_queue
from catalog import services
from catalog.models import Edition, ImportJob
from catalog.services import jobs
sent = []
task_queue.enqueue = lambda func, *args, **kwargs: sent.append((func, args))
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
services.import_job_run(job=job, progress=committed, time_budget=120)
after_the_restart = ImportJob.objects.get(pk=job.pk)
tasks = 0
while sent:
    func, args = sent.pop(0)
    import_string(func)(*args)
    tasks += 1
job.refresh_from_db()
print(json.dumps({
    "after_the_restart": [after_the_restart.status, after_the_restart.error],
    "tasks": tasks,
    "status": job.status,
    "error": job.error,
    "rows": job.rows.count(),
    "created": job.created_count,
    "processed": job.rows_processed,
    "editions": Edition.objects.count(),
    "isbns_twice": Edition.objects.values("isbn13").annotate(n=Count("pk")).filter(n__gt=1).count(),
}))
"""


@pytest.mark.slow  # real processes, a real server restarted
@pytest.mark.django_db(transaction=True)
def test_an_import_whose_database_restarts_goes_on_from_its_next_batch(tmp_path):
    data_directory = postgres_data_directory()
    rows, batch = 200, 20
    (tmp_path / "synthetic-export.csv").write_bytes(synthetic_goodreads_file(rows))
    env = process_env(shared_database_url(tmp_path))
    worker = start(
        [sys.executable, "-c", IMPORTING_WORKER, str(tmp_path), str(batch)],
        env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:

        def three_batches_committed():
            try:
                done = int((tmp_path / "progress").read_text().split()[1])
            except (OSError, ValueError, IndexError):
                return False
            return done >= 3 * batch

        wait_for(three_batches_committed, 60, "three batches to commit")
        postgres_restart(data_directory, down_for=3)
        found = last_json_when_done(worker)
    finally:
        if worker.poll() is None:
            kill_group(worker)
    # Not failed: waiting to go on, and then gone on, in one more task.
    assert found["after_the_restart"] == ["pending", ""], found
    assert found["tasks"] == 1
    assert (found["status"], found["error"]) == ("completed", "")
    assert (found["rows"], found["processed"], found["created"]) == (rows, rows, rows)
    assert (found["editions"], found["isbns_twice"]) == (rows, 0)


# --- The same, the database's error played (any database) ----------------------------------------


def connection_lost_in_batch(monkeypatch, *numbers: int) -> None:
    """The database goes away in each batch of `numbers` (counted from 1 over every run)."""
    calls = []

    def batch(*args, **kwargs):
        calls.append(1)
        if len(calls) in numbers:
            raise OperationalError("server closed the connection unexpectedly")
        return IMPORT_BATCH(*args, **kwargs)

    monkeypatch.setattr(jobs, "_import_batch", batch)


@pytest.mark.django_db
def test_a_job_whose_database_went_away_waits_to_go_on_and_then_goes_on(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    job = started_job(sent_tasks, django_capture_on_commit_callbacks)
    connection_lost_in_batch(monkeypatch, 2)
    with django_capture_on_commit_callbacks(execute=True):
        run_sent(sent_tasks)
    job.refresh_from_db()
    assert (job.status, job.error, job.rows.count()) == (ImportJob.Status.PENDING, "", BATCH)
    assert [task.func for task in sent_tasks] == [jobs.RUN_TASK]
    run_sent(sent_tasks)
    assert_imported_once(job)


@pytest.mark.django_db
def test_a_database_that_fails_every_batch_ends_the_job_failed_with_the_reason(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    job = started_job(sent_tasks, django_capture_on_commit_callbacks)
    connection_lost_in_batch(monkeypatch, *range(1, 100))  # a query that always fails
    for _run in range(job_recovery.IMPORT_MAX_RESUMES + 1):
        with django_capture_on_commit_callbacks(execute=True):
            run_sent(sent_tasks)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and not sent_tasks
    assert "gave up after it was resumed 3 times" in job.error
    assert "importing the file again finishes it" in job.error


@pytest.mark.django_db
def test_a_database_still_gone_leaves_the_job_running_for_the_sweep(
    monkeypatch, sent_tasks, django_capture_on_commit_callbacks
):
    """The database does not answer before the task's time is up: the job is not ended failed
    by a run that cannot write; the sweep resumes it once the database is back."""
    job = started_job(sent_tasks, django_capture_on_commit_callbacks)
    connection_lost_in_batch(monkeypatch, 2)
    monkeypatch.setattr(job_recovery, "database_back", lambda deadline: False)
    with django_capture_on_commit_callbacks(execute=True):
        run_sent(sent_tasks)
    job.refresh_from_db()
    assert (job.status, job.error, job.rows.count()) == (ImportJob.Status.RUNNING, "", BATCH)
    assert not sent_tasks


@pytest.mark.django_db
def test_an_import_run_where_it_was_asked_says_the_database_stopped_it(monkeypatch):
    """In a request or import_books the librarian is there: the job ends failed, saying the
    database did not answer (it said "an unexpected error"), its committed rows kept."""
    job = services.import_job_create(
        data=synthetic_goodreads_file(ROWS), filename="synthetic-export.csv", enrich=False
    )
    connection_lost_in_batch(monkeypatch, 2)
    services.import_job_run(job=job)
    job.refresh_from_db()
    assert (job.status, job.rows.count()) == (ImportJob.Status.FAILED, BATCH)
    assert job.error.startswith("The import stopped: the database did not answer")
    assert "importing the file again finishes it" in job.error
