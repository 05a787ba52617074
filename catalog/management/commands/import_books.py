"""manage.py import_books PATH [--format auto|goodreads|storygraph] [--no-enrich] [--json]"""

import json
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from bookstore.progress import TerminalProgress
from catalog import services
from catalog.importers import ImportFileError
from catalog.models import ImportJob, ImportRow


class Command(BaseCommand):
    help = "Import a Goodreads or StoryGraph CSV export into the catalog."

    def add_arguments(self, parser):
        parser.add_argument("path", help="The CSV file exported from Goodreads or StoryGraph.")
        parser.add_argument(
            "--format", choices=[c for c, _ in ImportJob.Format.choices], default="auto"
        )
        parser.add_argument(
            "--no-enrich", action="store_true", help="Do not queue enrichment for these books."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, path, format, no_enrich, json: bool, **options):
        as_json = json
        file = Path(path)
        try:
            data = file.read_bytes()
        except OSError as exc:
            return self.fail(f"Cannot read {path}: {exc.strerror}.", as_json)
        if len(data) > settings.IMPORT_MAX_UPLOAD_BYTES:
            return self.fail(
                f"{path} is {len(data):,} bytes, over the limit of "
                f"{settings.IMPORT_MAX_UPLOAD_BYTES:,} (IMPORT_MAX_UPLOAD_BYTES).",
                as_json,
            )
        try:
            job = services.import_job_create(
                data=data, filename=file.name, requested_format=format, enrich=not no_enrich
            )
        except ImportFileError as exc:
            return self.fail(str(exc), as_json)

        bar = TerminalProgress(
            job.rows_total, label=f"{file.name} ", enabled=None if not as_json else False
        )
        services.import_job_run(job=job, progress=lambda j: bar.update(j.rows_processed))
        bar.close()
        job.refresh_from_db()
        failed = list(
            job.rows.filter(status=ImportRow.Status.FAILED).values_list("line_number", "error")
        )
        summary = {
            "job": job.pk,
            "rows": job.rows_total,
            "created": job.created_count,
            "updated": job.updated_count,
            "duplicates": job.duplicate_count,
            "failed": job.failed_count,
            "enqueued": job.enqueued_count,
            "status": job.status,
            "source": job.source,
            "seconds": round(job.duration_seconds or 0, 3),
            "warnings": job.warnings,
            "failed_rows": [{"line": line, "reason": reason} for line, reason in failed],
        }
        if as_json:
            self.stdout.write(_dumps(summary))
            return
        self.stdout.write(
            f"Import #{job.pk} ({job.get_source_display()}): {job.rows_total:,} rows in "
            f"{summary['seconds']:.1f} s — {job.created_count:,} created, "
            f"{job.updated_count:,} updated, {job.duplicate_count:,} duplicates, "
            f"{job.failed_count:,} failed; {job.enqueued_count:,} queued for enrichment."
        )
        for warning in job.warnings:
            self.stdout.write(self.style.WARNING(f"Warning: {warning}"))
        for line, reason in failed:
            self.stdout.write(self.style.ERROR(f"  line {line}: {reason}"))

    def fail(self, message: str, as_json: bool):
        if as_json:
            self.stdout.write(_dumps({"error": message}))
        raise CommandError(message)


def _dumps(data) -> str:
    return json.dumps(data, ensure_ascii=False)
