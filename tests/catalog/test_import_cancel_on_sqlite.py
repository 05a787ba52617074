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
from pathlib import Path

import pytest

from tests.enrichment.processes import kill_group, process_env, shared_database_url, start

ROOT = Path(__file__).resolve().parents[2]
EXPORT = ROOT / "tests" / "fixtures" / "imports" / "mapmyreads" / "goodreads_library_export.csv"
BATCH = 50

CREATE = f"""
import django
django.setup()
from pathlib import Path
from catalog import services
job = services.import_job_create(data=Path({str(EXPORT)!r}).read_bytes(), filename="x.csv")
print(job.pk)
"""

# The worker: batches of {BATCH} rows, each holding the write lock half a second (a large
# catalog's batch on a busy machine), back to back as a real import's: the few milliseconds
# between two such small batches are what the cancel has to find.
WORKER = f"""
import sys, time, django
django.setup()
from catalog import services
from catalog.models import ImportJob
from catalog.services import jobs
jobs.IMPORT_BATCH_SIZE = {BATCH}
record = jobs._record_batch
def slow_record(job, statuses):
    time.sleep(0.5)
    record(job, statuses)
jobs._record_batch = slow_record
services.import_job_run(job=ImportJob.objects.get(pk=int(sys.argv[1])))
"""

# The librarian's click: the rows imported when it was asked, and when it landed.
CANCEL = """
import sys, django
django.setup()
from catalog import services
from catalog.models import ImportJob
job = ImportJob.objects.get(pk=int(sys.argv[1]))
asked = job.rows_processed
services.import_job_cancel(job=job)
print(asked, job.rows_processed)
"""


def run(script: str, env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


@pytest.mark.slow  # three processes on one SQLite file
@pytest.mark.skipif(bool(os.environ.get("DATABASE_URL")), reason="SQLite's write lock")
def test_a_cancel_lands_at_the_next_batch_behind_back_to_back_batches(tmp_path):
    url = shared_database_url(tmp_path)
    env = process_env(url, IMPORT_INLINE_MAX_ROWS=0)
    job_id = run(CREATE, env)
    database = url.removeprefix("sqlite:///")
    worker = start([sys.executable, "-c", WORKER, job_id], env)
    try:
        with contextlib.closing(sqlite3.connect(database)) as db:
            processed = "SELECT rows_processed, status FROM catalog_importjob WHERE id = ?"
            while db.execute(processed, (job_id,)).fetchone()[0] < BATCH:  # well under way
                assert worker.poll() is None
                time.sleep(0.05)
            asked, landed = map(int, run(CANCEL, env, job_id).split())
            worker.wait(timeout=60)
            final, status = db.execute(processed, (job_id,)).fetchone()
    finally:
        kill_group(worker)
    assert status == "cancelled"
    # Landed once the batch at work when it was asked had committed (or the next, when that one
    # committed while the ask was on its way), where it landed many batches later or never.
    assert landed - asked <= 2 * BATCH, (asked, landed, final)
    assert final - landed <= BATCH, (asked, landed, final)
