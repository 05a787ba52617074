"""manage.py import_books PATH [--format auto|goodreads|…|generic] [--map title=COL,…]
[--no-enrich] [--json]"""

import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import CommandError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from bookstore.json_command import JsonCommand
from bookstore.progress import TerminalProgress
from catalog import services
from catalog.importers import (
    GENERIC,
    ImportFileError,
    UnknownFormatError,
    guess_column_map,
    read_csv,
)
from catalog.importers.generic import FIELDS, format_column_map, format_with_column_map
from catalog.models import ImportJob, ImportRow
from catalog.services.import_stops import ImportStorageFailed

# The rows with warnings the human summary lists one by one; --json lists them all.
WARNING_ROWS_SHOWN = 50


class Command(JsonCommand):
    help = (
        "Import a book export (Goodreads, StoryGraph, LibraryThing, Libib, calibre, Open Library, "
        "BookWyrm, Openreads) or any CSV with --format generic --map into the catalog."
    )

    def add_arguments(self, parser):
        parser.add_argument("path", help="The exported CSV (or tab-separated) file.")
        parser.add_argument(
            "--format",
            choices=[c for c, _ in ImportJob.Format.choices],
            default="auto",
            help="Detected from the header unless given; a given format must match the columns.",
        )
        parser.add_argument(
            "--map",
            dest="column_map",
            metavar="FIELD=COLUMN,…",
            help="For --format generic: which column holds each field, e.g. "
            f"title=Book,author=Writer,isbn=Code (a column's own commas may stay: "
            f"author=AUTHOR (last, first)). Fields: {', '.join(FIELDS)}.",
        )
        parser.add_argument(
            "--no-enrich", action="store_true", help="Do not queue enrichment for these books."
        )
        parser.add_argument("--json", action="store_true", help="Print one JSON object.")

    def handle(self, *args, path, format, column_map, no_enrich, json: bool, **options):
        as_json = json
        file = Path(path)
        limit = settings.IMPORT_MAX_UPLOAD_BYTES
        try:
            with file.open("rb") as handle:
                # One byte past the limit at most: a file of gigabytes (or a pipe, /dev/zero) is
                # refused without being read whole into memory first.
                data = handle.read(limit + 1)
                size = os.fstat(handle.fileno()).st_size
        except OSError as exc:
            raise CommandError(
                _("Cannot read %(path)s: %(error)s.") % {"path": path, "error": exc.strerror}
            ) from exc
        if len(data) > limit:
            values = {"path": path, "size": f"{size:,}", "limit": f"{limit:,}"}
            if size > limit:
                message = _(
                    "%(path)s is %(size)s bytes, over the limit of %(limit)s "
                    "(IMPORT_MAX_UPLOAD_BYTES)."
                )
            else:  # a pipe or a device has no size to tell
                message = _(
                    "%(path)s holds more than the limit of %(limit)s bytes "
                    "(IMPORT_MAX_UPLOAD_BYTES)."
                )
            raise CommandError(message % values)
        parsed_map = None
        try:
            format, parsed_map = format_with_column_map(format, column_map)
            job = services.import_job_create(
                data=data,
                filename=file.name,
                requested_format=format,
                column_map=parsed_map,
                enrich=not no_enrich,
            )
        except UnknownFormatError as exc:
            raise CommandError(f"{exc} {_map_hint(exc.guessed_map)}") from exc
        except ImportFileError as exc:
            # A map is the answer only when the file reads and the map is what is missing: not
            # for a file that is empty, binary or cut short.
            if format == GENERIC and not parsed_map and (guessed := _guess_from(data)) is not None:
                raise CommandError(f"{exc} {_map_hint(guessed)}") from exc
            raise CommandError(str(exc)) from exc
        except ImportStorageFailed as exc:  # the storage's error is logged
            raise CommandError(str(exc)) from exc

        bar = TerminalProgress(
            job.rows_total, label=f"{file.name} ", enabled=None if not as_json else False
        )
        services.import_job_run(job=job, progress=lambda j: bar.update(j.rows_processed))
        bar.close()
        job.refresh_from_db()
        failed = list(
            job.rows.filter(status=ImportRow.Status.FAILED).values_list("line_number", "error")
        )
        # The rows that imported but lost or changed something on the way (an ISBN with a wrong
        # check digit left out, a title cut to fit): "0 failed" alone would hide them.
        warned = list(
            job.rows.filter(has_warnings=True)
            .order_by("line_number")
            .values_list("line_number", "messages")
        )
        not_books = services.import_job_not_books(job)
        summary = {
            "job": job.pk,
            "rows": job.rows_total,
            "created": job.created_count,
            "updated": job.updated_count,
            "duplicates": job.duplicate_count,
            "failed": job.failed_count,
            # Of the failed rows, those that are not books, by what they are (kinds.py).
            "not_books": sum(not_books.values()),
            "not_books_by_kind": not_books,
            "enqueued": job.enqueued_count,
            "status": job.status,
            "error": job.error,  # why a failed job stopped
            "source": job.source,
            "seconds": round(job.duration_seconds or 0, 3),
            "warnings": job.warnings,
            "failed_rows": [{"line": line, "reason": reason} for line, reason in failed],
            "rows_with_warnings": len(warned),
            "warning_rows": [{"line": line, "warnings": messages} for line, messages in warned],
        }
        if as_json:
            self.write_json(summary)
            if job.status == ImportJob.Status.FAILED:
                raise CommandError(job.error)  # after the JSON: a failed job exits non-zero
            if stopped := _not_finished_text(job):
                raise CommandError(stopped)
            return
        self.stdout.write(_summary_text(job, seconds=summary["seconds"], warned=len(warned)))
        if not_books:
            kinds = ", ".join(f"{kind} {rows:,}" for kind, rows in not_books.items())
            self.stdout.write(
                _(
                    "%(count)s of the failed rows are not books (%(kinds)s): left out, each "
                    "with its reason."
                )
                % {"count": f"{summary['not_books']:,}", "kinds": kinds}
            )
        for warning in job.warnings:
            self.stdout.write(self.style.WARNING(_("Warning: %(warning)s") % {"warning": warning}))
        for line, reason in failed:
            self.stdout.write(
                self.style.ERROR(
                    "  " + _("line %(line)s: %(reason)s") % {"line": line, "reason": reason}
                )
            )
        for line, messages in warned[:WARNING_ROWS_SHOWN]:
            for message in messages:
                imported = _("line %(line)s (imported): %(message)s")
                self.stdout.write(
                    self.style.WARNING("  " + imported % {"line": line, "message": message})
                )
        if len(warned) > WARNING_ROWS_SHOWN:
            more = len(warned) - WARNING_ROWS_SHOWN
            self.stdout.write(
                self.style.WARNING(
                    "  "
                    + ngettext(
                        "… and %(count)s more row with warnings (--json lists them all; so "
                        "does the job's page).",
                        "… and %(count)s more rows with warnings (--json lists them all; so "
                        "does the job's page).",
                        more,
                    )
                    % {"count": f"{more:,}"}
                )
            )
        if job.status == ImportJob.Status.FAILED:
            raise CommandError(job.error)
        if stopped := _not_finished_text(job):
            raise CommandError(stopped)


def _not_finished_text(job: ImportJob) -> str:
    """Why the file was not imported whole though nothing failed: the job was cancelled (from
    its page, while the command ran), or another process took it over (this one was thought
    stopped); "" when it completed. Its summary said neither, and the command exited 0."""
    values = {
        "job": job.pk,
        "done": f"{job.rows_processed:,}",
        "rows": f"{job.rows_total:,}",
        "by": job.cancel_requested_by.get_username() if job.cancel_requested_by else "",
    }
    if job.status == ImportJob.Status.CANCELLED:
        if values["by"]:
            message = _(
                "Import #%(job)s was cancelled by %(by)s after %(done)s of %(rows)s rows: the "
                "books imported until then stay."
            )
        else:
            message = _(
                "Import #%(job)s was cancelled after %(done)s of %(rows)s rows: the books "
                "imported until then stay."
            )
        return message % values
    if job.status != ImportJob.Status.COMPLETED:
        return (
            _(
                "Import #%(job)s goes on in another process (this one was thought stopped) "
                "after %(done)s of %(rows)s rows: follow it on its page."
            )
            % values
        )
    return ""


def _summary_text(job: ImportJob, *, seconds: float, warned: int) -> str:
    """The summary's first line: "Import #12 (Goodreads): 3 rows in 0.4 s — 2 created, …"."""
    enqueued = (
        ngettext(
            "%(count)s queued for enrichment",
            "%(count)s queued for enrichment",
            job.enqueued_count,
        )
        % {"count": f"{job.enqueued_count:,}"}
        if job.counts_enrichment
        else _("not queued for enrichment")
    )
    rows = ngettext("%(count)s row", "%(count)s rows", job.rows_total) % {
        "count": f"{job.rows_total:,}"
    }
    duplicates = ngettext("%(count)s duplicate", "%(count)s duplicates", job.duplicate_count) % {
        "count": f"{job.duplicate_count:,}"
    }
    return _(
        "Import #%(job)s (%(source)s): %(rows)s in %(seconds)s s — %(created)s created, "
        "%(updated)s updated, %(duplicates)s, %(failed)s failed, %(warned)s with warnings; "
        "%(enqueued)s."
    ) % {
        "job": job.pk,
        "source": job.get_source_display(),
        "rows": rows,
        "seconds": f"{seconds:.1f}",
        "created": f"{job.created_count:,}",
        "updated": f"{job.updated_count:,}",
        "duplicates": duplicates,
        "failed": f"{job.failed_count:,}",
        "warned": f"{warned:,}",
        "enqueued": enqueued,
    }


def _guess_from(data: bytes) -> dict[str, str] | None:
    """The map guessed from the file's header; None for a file that cannot be read."""
    try:
        return guess_column_map(read_csv(data, keep_rows=False).header)
    except ImportFileError:
        return None


def _map_hint(guessed: dict[str, str]) -> str:
    """How to import the file anyway, with the columns guessed from its header."""
    if "title" not in guessed:
        return _("Import it with --format generic --map title=COLUMN,author=COLUMN,isbn=COLUMN,…")
    # Quoted for the shell whatever the column names hold (`'TITLE'`, `AUTHOR (last, first)`).
    example = "'" + format_column_map(guessed).replace("'", "'\"'\"'") + "'"
    return _(
        "Import it with --format generic --map %(map)s (guessed from its header; check it)."
    ) % {"map": example}
