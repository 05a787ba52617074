"""Admin views of the import flow (wired into ImportJobAdmin.get_urls)."""

import logging
from pathlib import PurePath

from django.contrib import messages
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.http import FileResponse, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_POST

from catalog import permissions, services
from catalog.admin.filters import language_name
from catalog.csvsafe import safe_csv_writer
from catalog.forms import (
    ColumnMapForm,
    ImportRowCellsForm,
    ImportUploadForm,
    ImportUploadTooLarge,
    StopAtImportUploadLimit,
)
from catalog.import_retry_offer import failed_rows_retry_could_succeed
from catalog.importers import (
    GENERIC,
    GenericImporter,
    ImportFileError,
    PreviewRow,
    UnknownFormatError,
    guess_column_map,
    preview_rows,
    read_csv,
)
from catalog.importers.csvfile import http_charset
from catalog.models import Edition, ImportJob, ImportRow, WorkAuthor
from catalog.services.import_stops import (
    STORAGE_RETRY_AFTER_SECONDS,
    ImportFileGone,
    ImportStorageFailed,
    import_source_open,
)
from catalog.upload_holds import UploadHoldGone, upload_held, upload_hold, upload_release

logger = logging.getLogger(__name__)


def _require_import_permission(request):
    if not permissions.user_can_import(request.user):
        raise PermissionDenied


def _job_the_user_may_manage(request, job_id) -> ImportJob:
    job = get_object_or_404(ImportJob, pk=job_id)
    if not permissions.user_can_manage_import(request.user, job):
        raise PermissionDenied
    return job


def import_upload(request, model_admin):
    """The upload form. A file whose header is no known source's, or one uploaded as "Any CSV",
    goes on to the mapping step, which posts back here with its held upload's token.

    Reading the upload stops once it passes IMPORT_MAX_UPLOAD_BYTES (StopAtImportUploadLimit, as
    the API's upload): a huge file is not received whole into a temporary file to be refused
    after. The CSRF check reads the form, so it runs here, after the stop is in place (the URL
    is csrf_exempt where ImportJobAdmin wires it)."""
    _require_import_permission(request)
    request.upload_handlers.insert(0, StopAtImportUploadLimit(request))
    try:
        return _import_upload_checked(request, model_admin)
    except ImportUploadTooLarge as exc:
        # The form could not be read: it shows again as it first did, with the reason.
        form = ImportUploadForm()
        form.cleaned_data = {}  # what add_error expects of a form it was cleaning
        form.add_error("file", exc)
        return _upload_page(request, model_admin, form)


@csrf_protect
def _import_upload_checked(request, model_admin):
    if request.method == "POST" and "token" in request.POST:
        return _import_mapping(request, model_admin)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        data, requested = upload.read(), form.cleaned_data["format"]
        enrich = form.cleaned_data["enrich"]
        try:
            if requested == GENERIC:
                return _start_mapping(request, model_admin, data, upload.name, enrich, notice="")
            try:
                job = services.import_job_create(
                    data=data,
                    filename=upload.name,
                    requested_format=requested,
                    uploaded_by=request.user,
                    enrich=enrich,
                )
            except UnknownFormatError as exc:
                return _start_mapping(request, model_admin, data, upload.name, enrich, str(exc))
        # A storage that failed to keep the file (its error is in the log): said on the form,
        # which shows again to pick the file again.
        except (ImportFileError, ImportStorageFailed) as exc:
            form.add_error("file", str(exc))
        else:
            return _started(request, job, model_admin)
    return _upload_page(request, model_admin, form)


def _upload_page(request, model_admin, form: ImportUploadForm) -> TemplateResponse:
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Import a CSV export"),
        "form": form,
        "opts": model_admin.model._meta,
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/catalog/importjob/upload.html", context)


def _started(request, job: ImportJob, model_admin):
    # The job's History: who uploaded it here (the API and import_books write none).
    model_admin.log_addition(
        request,
        job,
        ngettext(
            "Uploaded %(file)s through the import form: %(rows)s row, read as %(source)s.",
            "Uploaded %(file)s through the import form: %(rows)s rows, read as %(source)s.",
            job.rows_total,
        )
        % {
            "file": job.original_filename,
            "rows": f"{job.rows_total:,}",
            "source": job.get_source_display(),
        },
    )
    started = services.import_job_start(job=job)
    job.refresh_from_db()
    if started == services.ImportStart.WAITING_FOR_QUEUE:
        messages.warning(request, services.import_job_waiting_for_queue_text(rows=job.rows_total))
    elif started == services.ImportStart.QUEUED:
        messages.info(
            request,
            ngettext(
                "%(rows)s row is being imported.",
                "%(rows)s rows are being imported.",
                job.rows_total,
            )
            % {"rows": f"{job.rows_total:,}"},
        )
    else:
        warned = job.rows.filter(has_warnings=True).count()
        # A green tick only when no row needs the librarian (the page lists those that do).
        level = messages.warning if job.failed_count or warned else messages.success
        level(request, _summary(job, warned))
    return redirect("admin:catalog_importjob_change", job.pk)


# --- The mapping step: any CSV, its columns chosen by hand ----------------------------------------

PREVIEW_ROWS = 20


def _start_mapping(request, model_admin, data: bytes, filename: str, enrich: bool, notice: str):
    """Hold the upload (nothing is imported yet) and show the mapping form with guesses."""
    csv_file = read_csv(data)  # a file that is no CSV at all is refused before it is held
    held = upload_hold(data=data, filename=filename, user=request.user, enrich=enrich)
    guessed = guess_column_map(csv_file.header)
    form = ColumnMapForm(initial={"token": held.token, **guessed}, header=csv_file.header)
    return _render_mapping(request, model_admin, form, held, csv_file, guessed, notice)


def _import_mapping(request, model_admin):
    """The mapping form posted: preview again, import with the chosen map, or cancel."""
    try:
        held, data = upload_held(token=request.POST["token"], user=request.user)
    except UploadHoldGone as exc:
        messages.warning(request, str(exc))
        return redirect("admin:catalog_importjob_upload")
    except ImportStorageFailed as exc:  # the upload stays held: going back and again may work
        messages.error(request, str(exc))
        return redirect("admin:catalog_importjob_upload")
    if "cancel" in request.POST:
        upload_release(held=held)
        messages.info(request, _("Nothing was imported."))
        return redirect("admin:catalog_importjob_upload")
    csv_file = read_csv(data)
    form = ColumnMapForm(request.POST, header=csv_file.header)
    column_map = form.column_map() if form.is_valid() else {}
    if column_map and "import" in request.POST:
        try:
            job = services.import_job_create(
                data=data,
                filename=held.filename,
                requested_format=GENERIC,
                column_map=column_map,
                uploaded_by=request.user,
                enrich=held.enrich,
            )
        except (ImportFileError, ImportStorageFailed) as exc:
            form.add_error(None, str(exc))
        else:
            upload_release(held=held)
            return _started(request, job, model_admin)
    return _render_mapping(request, model_admin, form, held, csv_file, column_map, notice="")


def _render_mapping(request, model_admin, form, held, csv_file, column_map, notice):
    preview = []
    if column_map.get("title"):
        importer = GenericImporter(csv_file.header, column_map)
        preview = [
            _preview_line(item) for item in preview_rows(csv_file, importer, limit=PREVIEW_ROWS)
        ]
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Map the columns of %(name)s") % {"name": held.filename},
        "form": form,
        "notice": notice,
        "rows_total": len(csv_file.rows),
        "preview": preview,
        "preview_limit": PREVIEW_ROWS,
        "opts": model_admin.model._meta,
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/catalog/importjob/upload_mapping.html", context)


def _preview_line(item: PreviewRow) -> dict:
    """One preview row as the page shows it."""
    row = item.row
    if row is None:
        return {"line": item.line, "error": item.error}
    return {
        "line": item.line,
        "title": row.title,
        "subtitle": row.subtitle,
        "series": "; ".join(
            f"{name} #{number}" if number else name
            for name, number in row.series_entries or [(row.series, row.series_number)]
            if name
        ),
        "authors": "; ".join(
            credit.name
            if credit.role == WorkAuthor.Role.AUTHOR
            else f"{credit.name} ({_role_label(credit.role).lower()})"
            for credit in row.credits
        ),
        "isbn13": row.isbn13,
        "isbn10": row.isbn10,
        "publisher": row.publisher,
        "year": row.publication_year or "",
        "pages": row.page_count or "",
        # What the chosen format and language columns are read as, by the names the catalog
        # shows, so a wrong column is seen before anything is imported.
        "format": Edition.Format(row.format).label if row.format else "",
        "language": language_name(row.language) if row.language else "",
        "warnings": row.warnings,
    }


def _role_label(role: str) -> str:
    return str(WorkAuthor.Role(role).label) if role in WorkAuthor.Role.values else role


def import_progress(request, job_id):
    job = get_object_or_404(ImportJob, pk=job_id)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.status_label,
            "finished": job.is_finished,
            "rows": job.rows_total,
            "processed": job.rows_processed,
            "percent": job.progress_percent,
            "created": job.created_count,
            "updated": job.updated_count,
            "duplicates": job.duplicate_count,
            "failed": job.failed_count,
            # Counted through its index (ImportRow.has_warnings), so a poll stays cheap.
            "warnings": job.rows.filter(has_warnings=True).count(),
            "enqueued": job.enqueued_count,
        }
    )


def import_failed_rows_csv(request, job_id):
    job = get_object_or_404(ImportJob, pk=job_id)
    # The rows' cells are the same reading list as the file: the same people may read them.
    if not permissions.user_can_download_import_file(request.user, job):
        raise PermissionDenied
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stem = _download_name(job).removesuffix(".csv")
    # As FileResponse names the uploaded file: RFC 6266's filename* for a name beyond ASCII.
    disposition = content_disposition_header(as_attachment=True, filename=f"{stem}-failed-rows.csv")
    response["Content-Disposition"] = disposition or "attachment"  # None only when inline
    response["X-Content-Type-Options"] = "nosniff"
    response.write("\ufeff")  # so that spreadsheets open it as UTF-8
    # The cells come from the uploaded file: formulas are neutralised (catalog.csvsafe).
    writer = safe_csv_writer(response)
    writer.writerow([_("Line"), _("Reason"), *job.header])
    for row in job.rows.filter(status=ImportRow.Status.FAILED).order_by("line_number"):
        writer.writerow([row.line_number, row.error, *row.raw])
    return response


def _download_name(job: ImportJob) -> str:
    """The uploader's file name, reduced to safe characters, always ending in .csv."""
    try:
        stem = get_valid_filename(PurePath(job.original_filename).stem.strip("."))
    except SuspiciousFileOperation:
        stem = f"import-{job.pk}"
    return f"{stem}.csv"


def import_source_file(request, job_id, model_admin):
    """The uploaded file, to those who may read it, always as a CSV attachment: whatever its
    name or content, a browser never renders it. A file no longer stored is a 404 page that
    says so, and what to do; a storage that fails to open it (S3 refusing) a 503 page."""
    job = get_object_or_404(ImportJob, pk=job_id)
    if not permissions.user_can_download_import_file(request.user, job):
        raise PermissionDenied
    try:
        source = import_source_open(job)
    except ImportFileGone as exc:
        if exc.__cause__:  # gone behind the application's back: the storage's words, logged
            logger.warning("Import job %s: its uploaded file is missing: %s", job.pk, exc.__cause__)
        return _source_file_refused(
            request,
            model_admin,
            job,
            title=_("The uploaded file is no longer stored"),
            reason=str(exc),
            status=404,
            can_import=permissions.user_can_import(request.user),
        )
    except ImportStorageFailed as exc:  # said, not a 500
        logger.error(
            "Import job %s: the storage failed to open its uploaded file: %s",
            job.pk,
            exc.__cause__,
            exc_info=exc.__cause__,
        )
        refused = _source_file_refused(
            request,
            model_admin,
            job,
            title=_("The uploaded file could not be read"),
            reason=str(exc),
            status=503,
            can_import=False,
        )
        refused["Retry-After"] = str(STORAGE_RETRY_AFTER_SECONDS)
        return refused
    response = FileResponse(
        source,
        as_attachment=True,
        filename=_download_name(job),
        content_type=f"text/csv; charset={http_charset(job.encoding)}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def _source_file_refused(
    request, model_admin, job: ImportJob, *, title: str, reason: str, status: int, can_import: bool
) -> TemplateResponse:
    """The admin page a download answers when it cannot send the file: why, and the way back."""
    context = {
        **model_admin.admin_site.each_context(request),
        "opts": ImportJob._meta,
        "job": job,
        "title": title,
        "reason": reason,
        "can_import": can_import,
    }
    return TemplateResponse(
        request, "admin/catalog/importjob/source_file_gone.html", context, status=status
    )


@require_POST
def import_retry(request, job_id, model_admin):
    job = _job_the_user_may_manage(request, job_id)
    if not job.is_finished:
        messages.warning(request, _("This import is still running."))
    elif job.file_status == ImportJob.FileStatus.DELETED:
        messages.warning(
            request, _("These rows cannot be retried: their cells were deleted with the file.")
        )
    elif not job.failed_count:  # a page left open: they were mended, or retried, meanwhile
        messages.info(request, _("No failed row is left to retry."))
    elif not failed_rows_retry_could_succeed(job):  # the page's own offer, asked again
        messages.warning(
            request,
            _(
                "Nothing was retried: every failed row failed for what its cells hold (no title, "
                "not a book, a value the catalog cannot read), which a retry would read the same "
                'way. Correct a row on its page ("Correct and re-run this row"), or the file, '
                "and import it again."
            ),
        )
    else:
        failed_before, retried_before = job.failed_count, job.retried_at
        handed_over = services.import_job_retry_start(job=job, requested_by=request.user)
        job.refresh_from_db()
        if handed_over:
            messages.info(
                request,
                ngettext(
                    "%(count)s failed row will be retried by a worker; this page shows how it "
                    "goes.",
                    "%(count)s failed rows will be retried by a worker; this page shows how it "
                    "goes.",
                    failed_before,
                )
                % {"count": f"{failed_before:,}"},
            )
            model_admin.log_change(
                request,
                job,
                ngettext(
                    "Handed %(count)s failed row to a worker to retry.",
                    "Handed %(count)s failed rows to a worker to retry.",
                    failed_before,
                )
                % {"count": f"{failed_before:,}"},
            )
        elif not job.is_finished:  # another retry took it meanwhile
            messages.warning(request, _("This import is still running."))
        elif job.status == ImportJob.Status.FAILED and job.retried_at != retried_before:
            # The retry itself stopped: why, in its words (import_stops), not a count of rows.
            _said_and_logged(messages.error, model_admin, request, job, job.error)
        elif failed_before - job.failed_count == 0:
            # Nothing changed: the rows fail for what they hold, which another try cannot mend.
            _said_and_logged(
                messages.warning,
                model_admin,
                request,
                job,
                ngettext(
                    "Retried the failed row: it still fails, for the reason it gives. Correct "
                    "its cells on its page, or the file, and import it again.",
                    "Retried the failed rows: none imported, all %(failing)s still fail, each "
                    "for the reason it gives. Correct their cells on each row's page, or the "
                    "file, and import it again.",
                    job.failed_count,
                )
                % {"failing": f"{job.failed_count:,}"},
            )
        else:
            # One row retried here imports now (it would still fail otherwise): no "1 imported, 0
            # still failing" of the rows.
            _said_and_logged(
                messages.success,
                model_admin,
                request,
                job,
                _("Retried the failed row: it is imported now.")
                if failed_before == 1
                else _("Retried the failed rows: %(imported)s imported, %(failing)s still failing.")
                % {
                    "imported": f"{failed_before - job.failed_count:,}",
                    "failing": f"{job.failed_count:,}",
                },
            )
    return redirect("admin:catalog_importjob_change", job.pk)


def _said_and_logged(say, model_admin, request, job: ImportJob, message: str) -> None:
    """A retry's outcome, said to the librarian and kept in the job's History."""
    say(request, message)
    model_admin.log_change(request, job, message)


@require_POST
def import_cancel(request, job_id, model_admin):
    job = _job_the_user_may_manage(request, job_id)
    outcome = services.import_job_cancel(job=job, requested_by=request.user)
    # A page left open may ask after the import ended, or after someone else asked.
    if outcome == services.CancelOutcome.FINISHED:
        messages.info(
            request,
            _("This import had finished already (%(status)s): nothing to stop.")
            % {"status": job.status_label},
        )
    elif outcome == services.CancelOutcome.ASKED_ALREADY:
        asker = job.cancel_requested_by
        messages.info(
            request,
            _(
                "This import is stopping already: %(user)s asked it to stop after the batch it "
                "is working on."
            )
            % {"user": asker.get_username() if asker else _("the system")},
        )
    else:
        model_admin.log_change(request, job, _("Asked the import to stop."))
        messages.info(
            request,
            _("The import is cancelled.")
            if outcome == services.CancelOutcome.CANCELLED
            else _("The import will stop after the batch it is working on."),
        )
    return redirect(reverse("admin:catalog_importjob_change", args=[job.pk]))


def _summary(job: ImportJob, warned: int) -> str:
    counts = {
        "rows": job.rows_total,
        "created": job.created_count,
        "updated": job.updated_count,
        "duplicates": job.duplicate_count,
        "failed": job.failed_count,
        # Imported, but something was left out or changed on the way: said with the rest.
        "warned": warned,
    }
    shown = {name: f"{count:,}" for name, count in counts.items()}
    if job.every_row_failed:
        # Nothing was imported: never "Imported 3 rows: 0 created, … 3 failed".
        return ngettext(
            "The row was not imported: it failed, for the reason listed on this page.",
            "None of the %(rows)s rows was imported: all %(rows)s failed, each for the reason "
            "listed on this page.",
            job.rows_total,
        ) % {"rows": shown["rows"]}
    # Each plural by its own count: "Imported 1 row: … 1 duplicate", not "1 rows", "1 duplicates";
    # with failed rows, those imported of those read ("Imported 626 of 730 rows").
    if job.failed_count:
        shown["imported"] = ngettext(
            "Imported %(imported)s of %(rows)s row",
            "Imported %(imported)s of %(rows)s rows",
            job.rows_total,
        ) % {"imported": f"{job.rows_total - job.failed_count:,}", "rows": shown["rows"]}
    else:
        shown["imported"] = ngettext(
            "Imported %(rows)s row", "Imported %(rows)s rows", job.rows_total
        ) % {"rows": shown["rows"]}
    shown["duplicates"] = ngettext("%(n)s duplicate", "%(n)s duplicates", job.duplicate_count) % {
        "n": shown["duplicates"]
    }
    return (
        _(
            "%(imported)s: %(created)s created, %(updated)s updated, %(duplicates)s, "
            "%(failed)s failed, %(warned)s with warnings."
        )
        % shown
    )


def import_row_rerun(request, row_id, model_admin):
    """Correct a failed row's cells and import that row alone (wired into ImportRowAdmin)."""
    row = get_object_or_404(ImportRow.objects.select_related("job"), pk=row_id)
    if not permissions.user_can_correct_import_row(request.user, row.job):
        raise PermissionDenied
    row_url = reverse("admin:catalog_importrow_change", args=[row.pk])
    refusal = services.import_row_rerun_refusal(row=row)
    if refusal:
        messages.warning(request, refusal)
        return redirect(row_url)
    form = ImportRowCellsForm(request.POST or None, header=row.job.header, cells=row.raw)
    if request.method == "POST" and form.is_valid():
        try:
            rerun = services.import_row_rerun(row=row, cells=form.cells(), user=request.user)
        except services.ImportRowRerunRefused as exc:
            messages.warning(request, str(exc))
            return redirect(row_url)
        outcome = _("Line %(line)d was re-run: %(status)s.") % {
            "line": rerun.line_number,
            "status": rerun.get_status_display().lower(),
        }
        model_admin.log_change(request, row.job, outcome)  # the job's history: who, when
        if rerun.status == ImportRow.Status.FAILED:
            messages.warning(request, f"{outcome} {rerun.error}")
        else:
            messages.success(request, outcome)
        return redirect("admin:catalog_importrow_change", rerun.pk)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": _("Correct line %(line)d and re-run it") % {"line": row.line_number},
        "form": form,
        "row": row,
        "import_job": row.job,
        "opts": model_admin.model._meta,
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/catalog/importrow/rerun.html", context)
