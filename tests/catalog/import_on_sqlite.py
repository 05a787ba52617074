"""An import at work in another process on one SQLite file, for the tests of what other
processes' writes meet meanwhile (tests/catalog/test_import_*_on_sqlite.py)."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
EXPORT = ROOT / "tests" / "fixtures" / "imports" / "mapmyreads" / "goodreads_library_export.csv"

CREATE = f"""
import django
django.setup()
from pathlib import Path
from catalog import services
job = services.import_job_create(data=Path({str(EXPORT)!r}).read_bytes(), filename="x.csv")
print(job.pk)
"""


def slow_worker(batch: int, seconds: float) -> str:
    """The worker (the job's id its argument): batches of `batch` rows, each holding the write
    lock `seconds` (a large catalog's batch on a busy machine), back to back as a real import's:
    the few milliseconds between two batches are what another writer has to find."""
    return f"""
import sys, time, django
django.setup()
from catalog import services
from catalog.models import ImportJob
from catalog.services import jobs
jobs.IMPORT_BATCH_SIZE = {batch}
record = jobs._record_batch
def slow_record(job, statuses):
    time.sleep({seconds})
    record(job, statuses)
jobs._record_batch = slow_record
services.import_job_run(job=ImportJob.objects.get(pk=int(sys.argv[1])))
"""


def run(script: str, env: dict[str, str], *args: str) -> str:
    """`script` in a fresh interpreter; its output."""
    done = subprocess.run(
        [sys.executable, "-c", script, *args], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()
