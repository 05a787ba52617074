"""Importing real export lines (tests/fixtures/imports/real_shapes, each file's source in its
PROVENANCE.md) the way the upload form and `import_books` do, for the tests that read them."""

from io import StringIO
from pathlib import Path

from django.core.management import call_command

from catalog import services
from catalog.models import ImportJob, Work, WorkAuthor

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


def credits_by_title(*fields: str, role: str = "") -> dict[str, list]:
    """Each work's credits in order, by the work's title: of each, the named `fields` (`name`
    and `sort_name` its author's, `role` its own), a value alone for one field; only those in
    `role` when given. What the catalog shows a librarian the import credited."""

    def value(credit: WorkAuthor, field: str):
        return credit.role if field == "role" else getattr(credit.author, field)

    credited = {}
    for work in Work.objects.prefetch_related("credits__author"):
        credits = [c for c in work.credits.all() if not role or c.role == role]
        credited[work.title] = [
            value(c, fields[0]) if len(fields) == 1 else tuple(value(c, f) for f in fields)
            for c in sorted(credits, key=lambda c: c.position)
        ]
    return credited
