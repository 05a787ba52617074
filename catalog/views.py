"""Admin views of the import flow (wired into ImportJobAdmin.get_urls)."""

from pathlib import PurePath

from django.contrib import messages
from django.core.exceptions import PermissionDenied, SuspiciousFileOperation
from django.http import FileResponse, Http404, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.text import get_valid_filename
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from catalog import permissions, services
from catalog.csvsafe import safe_csv_writer
from catalog.forms import ImportUploadForm
from catalog.importers import ImportFileError
from catalog.models import ImportJob, ImportRow


def _require_import_permission(request):
    if not permissions.user_can_import(request.user):
        raise PermissionDenied


def _job_the_user_may_manage(request, job_id) -> ImportJob:
    job = get_object_or_404(ImportJob, pk=job_id)
    if not permissions.user_can_manage_import(request.user, job):
        raise PermissionDenied
    return job


def import_upload(request, model_admin):
    _require_import_permission(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job = services.import_job_create(
                data=upload.read(),
                filename=upload.name,
                requested_format=form.cleaned_data["format"],
                uploaded_by=request.user,
                enrich=form.cleaned_data["enrich"],
            )
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            queued = services.import_job_start(job=job)
            job.refresh_from_db()
            if queued:
                messages.info(request, f"{job.rows_total:,} rows are being imported.")
            else:
                messages.success(request, _summary(job))
            return redirect("admin:catalog_importjob_change", job.pk)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": "Import a CSV export",
        "form": form,
        "opts": model_admin.model._meta,
        "media": model_admin.media + form.media,
    }
    return TemplateResponse(request, "admin/catalog/importjob/upload.html", context)


def import_progress(request, job_id):
    job = get_object_or_404(ImportJob, pk=job_id)
    return JsonResponse(
        {
            "status": job.status,
            "status_label": job.get_status_display(),
            "finished": job.is_finished,
            "rows": job.rows_total,
            "processed": job.rows_processed,
            "percent": job.progress_percent,
            "created": job.created_count,
            "updated": job.updated_count,
            "duplicates": job.duplicate_count,
            "failed": job.failed_count,
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
    response["Content-Disposition"] = f'attachment; filename="{stem}-failed-rows.csv"'
    response["X-Content-Type-Options"] = "nosniff"
    response.write("\ufeff")  # so that spreadsheets open it as UTF-8
    # The cells come from the uploaded file: formulas are neutralised (catalog.csvsafe).
    writer = safe_csv_writer(response)
    writer.writerow(["Line", "Reason", *job.header])
    for row in job.rows.filter(status=ImportRow.Status.FAILED).order_by("line_number"):
        writer.writerow([row.line_number, row.error, *row.raw])
    return response


# The names browsers know for the encodings an upload is read in.
CHARSETS = {"utf-8": "utf-8", "latin-1": "iso-8859-1"}


def _download_name(job: ImportJob) -> str:
    """The uploader's file name, reduced to safe characters, always ending in .csv."""
    try:
        stem = get_valid_filename(PurePath(job.original_filename).stem.strip("."))
    except SuspiciousFileOperation:
        stem = f"import-{job.pk}"
    return f"{stem}.csv"


def import_source_file(request, job_id):
    """The uploaded file, to those who may read it, always as a CSV attachment: whatever its
    name or content, a browser never renders it."""
    job = get_object_or_404(ImportJob, pk=job_id)
    if not permissions.user_can_download_import_file(request.user, job):
        raise PermissionDenied
    if job.file_status != ImportJob.FileStatus.STORED or not job.source_file:
        raise Http404(_("The uploaded file of this import is no longer kept."))
    try:
        source = job.source_file.open("rb")
    except FileNotFoundError as exc:
        raise Http404(_("The uploaded file of this import is no longer kept.")) from exc
    response = FileResponse(
        source,
        as_attachment=True,
        filename=_download_name(job),
        content_type=f"text/csv; charset={CHARSETS.get(job.encoding, 'utf-8')}",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


@require_POST
def import_retry(request, job_id):
    job = _job_the_user_may_manage(request, job_id)
    if not job.is_finished:
        messages.warning(request, _("This import is still running."))
    elif job.file_status == ImportJob.FileStatus.DELETED:
        messages.warning(
            request, _("These rows cannot be retried: their cells were deleted with the file.")
        )
    else:
        recovered = services.import_job_retry_failed(job=job, requested_by=request.user)
        job.refresh_from_db()
        messages.success(
            request,
            f"Retried the failed rows: {recovered:,} imported, {job.failed_count:,} still failing.",
        )
    return redirect("admin:catalog_importjob_change", job.pk)


@require_POST
def import_cancel(request, job_id):
    job = _job_the_user_may_manage(request, job_id)
    services.import_job_cancel(job=job, requested_by=request.user)
    messages.info(request, "The import will stop after the batch it is working on.")
    return redirect(reverse("admin:catalog_importjob_change", args=[job.pk]))


def _summary(job: ImportJob) -> str:
    return (
        f"Imported {job.rows_total:,} rows: {job.created_count:,} created, "
        f"{job.updated_count:,} updated, {job.duplicate_count:,} duplicates, "
        f"{job.failed_count:,} failed."
    )
