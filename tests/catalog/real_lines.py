"""Importing real export lines (tests/fixtures/imports/real_shapes, each file's source in its
PROVENANCE.md) the way the upload form and `import_books` do, for the tests that read them."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command

from catalog import services
from catalog.models import ImportJob

REAL = Path(__file__).resolve().parents[1] / "fixtures" / "imports" / "real_shapes"


def import_real(name: str, *, lines: slice | None = None, **options) -> ImportJob:
    """Import the real file, or its header and the given record lines only."""
    data = (REAL / name).read_bytes()
    if lines is not None:
        header, *records = data.splitlines(keepends=True)
        data = header + b"".join(records[lines])
    job = services.import_job_create(data=data, filename=name, enrich=False, **options)
    services.import_job_run(job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.COMPLETED, job.error
    return job


def run_command(*args: str) -> str:
    out = StringIO()
    call_command("import_books", *args, stdout=out)
    return out.getvalue()
