"""A cancel on SQLite lands between the batch at work and the next, however busy the import.

An import holds SQLite's write lock for each batch and takes it again milliseconds after
committing it. The cancel's write waited with SQLite's own busy handler, which sleeps up to
100 ms between asks: it kept missing those milliseconds and landed batches (seconds) late."""

import contextlib
import os
import sqlite3
import subprocess
import sys
import time

import pytest

from tests.catalog.import_on_sqlite import CREATE, ROOT, run, slow_worker
from tests.enrichment.processes import kill_group, process_env, shared_database_url, start

BATCH = 50
# Half a second a batch, back to back: the few milliseconds between two small batches are
# what the cancel has to find.
WORKER = slow_worker(BATCH, 0.5)

# The librarian's click: the rows imported when it was asked, and when it landed.
# It starts (Django's set-up takes seconds on a loaded machine, longer than the import has left)
# before the import is under way, and clicks when it reads a line.
CANCEL = """
import sys, django
django.setup()
from catalog import services
from catalog.models import ImportJob
print("ready", flush=True)
sys.stdin.readline()
job = ImportJob.objects.get(pk=int(sys.argv[1]))
asked = job.rows_processed
services.import_job_cancel(job=job)
print(asked, job.rows_processed)
"""


@pytest.mark.slow  # three processes on one SQLite file
@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="SQLite's write lock")
def test_a_cancel_lands_at_the_next_batch_behind_back_to_back_batches(tmp_path):
    url = shared_database_url(tmp_path)
    env = process_env(url, IMPORT_INLINE_MAX_ROWS=0)
    job_id = run(CREATE, env)
    database = url.removeprefix("sqlite:///")
    cancel = subprocess.Popen(
        [sys.executable, "-c", CANCEL, job_id], cwd=ROOT, env=env, text=True,
        stdin=subprocess.PIPE, stdout=subprocess.PIPE,
    )  # fmt: skip
    worker = None
    try:
        assert cancel.stdout.readline().strip() == "ready"
        worker = start([sys.executable, "-c", WORKER, job_id], env)
        with contextlib.closing(sqlite3.connect(database)) as db:
            processed = "SELECT rows_processed, status FROM catalog_importjob WHERE id = ?"
            while db.execute(processed, (job_id,)).fetchone()[0] < BATCH:  # well under way
                assert worker.poll() is None
                time.sleep(0.05)
            out, _ = cancel.communicate("click\n", timeout=60)
            asked, landed = map(int, out.split())
            worker.wait(timeout=60)
            final, status = db.execute(processed, (job_id,)).fetchone()
    finally:
        cancel.kill()
        if worker is not None:
            kill_group(worker)
    assert status == "cancelled"
    # Landed once the batch at work when it was asked had committed (or the next, when that one
    # committed while the ask was on its way), where it landed many batches later or never.
    assert landed - asked <= 2 * BATCH, (asked, landed, final)
    assert final - landed <= BATCH, (asked, landed, final)
