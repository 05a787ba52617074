"""Other processes' writes on SQLite land between the batch an import is at and its next.

An import holds SQLite's write lock for each batch and takes it again milliseconds after
committing it. A write waiting with SQLite's own busy handler, which sleeps up to 100 ms between
asks, kept missing those milliseconds: a librarian's edit, a django-q2 enqueue landed batches
(seconds) late. The backend (bookstore/sqlite_backend) asks every millisecond."""

import contextlib
import json
import os
import sqlite3
import sys
import time

import pytest

from tests.catalog.import_on_sqlite import CREATE, run, slow_worker
from tests.enrichment.processes import kill_group, process_env, shared_database_url, start

BATCH = 25
WORKER = slow_worker(BATCH, 0.5)

# Writes of each shape, one after the other: a statement of its own (a plain save), a
# transaction (the admin saves in one), a django-q2 enqueue on the ORM broker. Each reports the
# rows the import had processed when it was asked, when it landed, and whether the job was
# still running then.
WRITES = """
import json, sys, django
django.setup()
from django.db import transaction
import django_q.tasks  # loaded before the writes: only their wait for the lock is counted
from bookstore import task_queue
from catalog.models import ImportJob, Work
job = int(sys.argv[1])
def processed():
    return ImportJob.objects.values_list("rows_processed", "status").get(pk=job)
def save():
    Work.objects.filter(title__startswith="Probe").update(title="Probe saved")
def admin_edit():
    with transaction.atomic():
        work = Work.objects.select_for_update().get(title__startswith="Probe")
        work.title = "Probe edited"
        work.save()
def enqueue():
    task_queue.enqueue("math.floor", 1.5)
landed = {}
for write in (save, admin_edit, enqueue):
    asked, _ = processed()
    write()
    landed[write.__name__] = (asked, *processed())
print(json.dumps(landed))
"""

PROBE = """
import django
django.setup()
from catalog.models import Work
Work.objects.create(title="Probe")
"""


@pytest.mark.slow  # three processes on one SQLite file
@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="SQLite's write lock")
def test_writes_from_other_processes_land_at_the_next_batch_of_an_import(tmp_path):
    url = shared_database_url(tmp_path)
    env = process_env(url, IMPORT_INLINE_MAX_ROWS=0, Q_SYNC=0, REDIS_URL="")
    run(PROBE, env)
    job_id = run(CREATE, env)
    worker = start([sys.executable, "-c", WORKER, job_id], env)
    try:
        with contextlib.closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            processed = "SELECT rows_processed FROM catalog_importjob WHERE id = ?"
            while db.execute(processed, (job_id,)).fetchone()[0] < BATCH:  # well under way
                assert worker.poll() is None
                time.sleep(0.05)
            landed = json.loads(run(WRITES, env, job_id))
            probe = "SELECT title FROM catalog_work WHERE title LIKE 'Probe%'"
            (title,) = db.execute(probe).fetchone()
        worker.wait(timeout=60)
    finally:
        kill_group(worker)
    assert title == "Probe edited"
    for write, (asked, done, status) in landed.items():
        assert status == "running", (write, landed)  # all while the import was at work
        # Each landed once the batch at work when it was asked had committed (or the next, when
        # that one committed while the ask was on its way), where they landed batches later.
        assert done - asked <= 2 * BATCH, (write, landed)
