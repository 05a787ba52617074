"""Admin views of the import flow (wired into ImportJobAdmin.get_urls)."""

import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.views.decorators.http import require_POST

from catalog import services
from catalog.forms import ImportUploadForm
from catalog.importers import ImportFileError
from catalog.models import ImportJob, ImportRow

IMPORT_PERMISSION = "catalog.add_work"


def _require_import_permission(request):
    if not request.user.has_perm(IMPORT_PERMISSION):
        raise PermissionDenied


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
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    stem = job.original_filename.rsplit(".", 1)[0] or "import"
    response["Content-Disposition"] = f'attachment; filename="{stem}-failed-rows.csv"'
    response.write("\ufeff")  # so that spreadsheets open it as UTF-8
    writer = csv.writer(response)
    writer.writerow(["Line", "Reason", *job.header])
    for row in job.rows.filter(status=ImportRow.Status.FAILED).order_by("line_number"):
        writer.writerow([row.line_number, row.error, *row.raw])
    return response


@require_POST
def import_retry(request, job_id):
    _require_import_permission(request)
    job = get_object_or_404(ImportJob, pk=job_id)
    if not job.is_finished:
        messages.warning(request, "This import is still running.")
    else:
        recovered = services.import_job_retry_failed(job=job)
        job.refresh_from_db()
        messages.success(
            request,
            f"Retried the failed rows: {recovered:,} imported, {job.failed_count:,} still failing.",
        )
    return redirect("admin:catalog_importjob_change", job.pk)


@require_POST
def import_cancel(request, job_id):
    _require_import_permission(request)
    job = get_object_or_404(ImportJob, pk=job_id)
    services.import_job_cancel(job=job)
    messages.info(request, "The import will stop after the batch it is working on.")
    return redirect(reverse("admin:catalog_importjob_change", args=[job.pk]))


def _summary(job: ImportJob) -> str:
    return (
        f"Imported {job.rows_total:,} rows: {job.created_count:,} created, "
        f"{job.updated_count:,} updated, {job.duplicate_count:,} duplicates, "
        f"{job.failed_count:,} failed."
    )
