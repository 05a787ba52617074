"""Import jobs: the upload form, each job's page and its downloads."""

from django.contrib import admin
from django.contrib.admin.utils import display_for_value
from django.template.defaultfilters import filesizeformat, floatformat
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt

from bookstore.admin_links import (
    ViewerOnObjectMixin,
    count_link,
    user_for_viewer,
    viewer_request,
)
from bookstore.admin_lists import (
    EmptyListHelpMixin,
    QuickActionCheckboxMixin,
    count_with_note,
    with_note,
)
from catalog import permissions, services, views
from catalog.admin.display import ImportToolMixin, empty_list_import_help
from catalog.admin.import_rows import ROW_HAS_WARNINGS, import_row_links
from catalog.import_retry_offer import failed_rows_retry_could_succeed
from catalog.models import ImportJob, ImportRow
from catalog.services.import_stops import import_source_file_status

STATUS_COLOURS = {
    "pending": "#777",
    "running": "#1f6fb2",
    "completed": "#2e7d32",
    "failed": "#c62828",
    "cancelled": "#8d6e63",
}

FAILED_ROWS_SHOWN = 10


class ImportSourceFilter(admin.SimpleListFilter):
    """The format each file was read as: never "Detect from the header", which is asked for,
    never what a file is read as (the header decides at the upload)."""

    title = _("source")
    parameter_name = "source__exact"  # the field filter's, so older links keep working

    def lookups(self, request, model_admin):
        return [choice for choice in ImportJob.Format.choices if choice[0] != ImportJob.Format.AUTO]

    def queryset(self, request, queryset):
        return queryset.filter(source=self.value()) if self.value() else queryset


@admin.register(ImportJob)
class ImportJobAdmin(
    ImportToolMixin,
    QuickActionCheckboxMixin,
    EmptyListHelpMixin,
    ViewerOnObjectMixin,
    admin.ModelAdmin,
):
    """Import jobs: uploaded through the "Import CSV" button, read-only afterwards."""

    # Eight columns, a second figure under the first in some cells: the list fits 1,280 px
    # beside the navigation and the filters.
    list_display = [
        "id",
        "file_and_source",
        "status_badge",
        "rows",
        "created_and_updated",
        "failed",
        "uploaded",
    ]
    list_display_links = ["id", "file_and_source"]
    list_filter = ["status", ImportSourceFilter]
    list_select_related = ["uploaded_by"]
    search_fields = ["original_filename"]
    show_full_result_count = False
    change_form_template = "admin/catalog/importjob/change_form.html"
    delete_confirmation_template = "admin/catalog/importjob/delete_confirmation.html"
    delete_selected_confirmation_template = (
        "admin/catalog/importjob/delete_selected_confirmation.html"
    )
    # The counts and the progress bar are in the template's after_field_sets block.
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("original_filename", "size", "encoding"),
                    "uploaded_file",
                    "status_badge",
                ]
            },
        ),
        (
            _("Run"),
            {
                "fields": [
                    ("uploader", "source", "enrichment_asked"),
                    ("started_at", "finished_at"),
                    ("cancel_requester", "cancel_requested_at"),
                    ("retrier", "retried_at"),
                ]
            },
        ),
    ]
    readonly_fields = [
        "status_badge",
        "size",
        "uploaded_file",
        "enrichment_asked",
        "uploader",
        "cancel_requester",
        "retrier",
    ]

    def get_fieldsets(self, request, obj=None):
        """A job nobody cancelled or retried shows no empty "Cancel requested by: -" and
        "Retried by: -" lines: they appear once someone did."""
        unused = set()
        if obj is not None and not (obj.cancel_requested_at or obj.cancel_requested_by_id):
            unused.add(("cancel_requester", "cancel_requested_at"))
        if obj is not None and not (obj.retried_at or obj.retried_by_id):
            unused.add(("retrier", "retried_at"))
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f not in unused]})
            for name, options in super().get_fieldsets(request, obj)
        ]

    def has_add_permission(self, request):
        return False  # the upload view creates jobs

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return permissions.user_can_view_imports(request.user)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def empty_list_help(self, request):
        return empty_list_import_help(
            request,
            _(
                "No import yet. Upload an export from Goodreads, StoryGraph, LibraryThing, "
                "Libib, calibre, Open Library, BookWyrm or Openreads, or any CSV whose columns "
                "you map."
            ),
        )

    def get_deleted_objects(self, objs, request):
        """A job's rows go with it and are never deleted one by one: deleting jobs needs no
        permission on rows, and the confirmation counts them instead of listing 100,000.

        A job still pending or running is never deleted (the confirmation's "protected" ones,
        which its templates word): its worker would go on adding books with no job to say
        where they came from, then fail. It is cancelled first."""
        jobs = list(objs)
        at_work = [job for job in jobs if not job.is_finished]
        if at_work:
            return [], {}, set(), [_job_link(job) for job in at_work]
        rows = ImportRow.objects.filter(job__in=jobs).count()
        # Django's confirmation page lists nested lists as sub-items.
        listed: list[str | list[str]] = []
        for job in jobs:
            listed.append(format_html("{}: {}", _("Import job"), _job_link(job)))
        if rows:
            listed.append(
                [ngettext("%(n)s import row", "%(n)s import rows", rows) % {"n": f"{rows:,}"}]
            )
        counts = {ImportJob._meta.verbose_name_plural: len(jobs)}
        if rows:
            counts[ImportRow._meta.verbose_name_plural] = rows
        perms_needed = set() if self.has_delete_permission(request) else {_("import job")}
        return listed, counts, perms_needed, []

    def delete_model(self, request, obj):
        services.import_jobs_delete(jobs=[obj])

    def delete_queryset(self, request, queryset):
        services.import_jobs_delete(jobs=queryset)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "upload/",
                # CSRF is checked in the view, once the upload's size stop is in place.
                wrap(csrf_exempt(lambda request: views.import_upload(request, self))),
                name="catalog_importjob_upload",
            ),
            path(
                "<int:job_id>/progress/",
                wrap(self._viewable(views.import_progress)),
                name="catalog_importjob_progress",
            ),
            path(
                "<int:job_id>/failed-rows.csv",
                wrap(self._viewable(views.import_failed_rows_csv)),
                name="catalog_importjob_failed_csv",
            ),
            path(
                "<int:job_id>/file/",
                wrap(
                    self._viewable(
                        lambda request, job_id: views.import_source_file(request, job_id, self)
                    )
                ),
                name="catalog_importjob_source_file",
            ),
            path(
                "<int:job_id>/retry/",
                wrap(lambda request, job_id: views.import_retry(request, job_id, self)),
                name="catalog_importjob_retry",
            ),
            path(
                "<int:job_id>/cancel/",
                wrap(lambda request, job_id: views.import_cancel(request, job_id, self)),
                name="catalog_importjob_cancel",
            ),
            *super().get_urls(),
        ]

    def _viewable(self, view):
        def guarded(request, *args, **kwargs):
            if not self.has_view_permission(request):
                raise views.PermissionDenied
            return view(request, *args, **kwargs)

        return guarded

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        """The job's page: its counts, failed rows, actions, and whether its file is still in
        storage, asked once here on the job the form shows (its "Uploaded file" reads it)."""
        if obj is not None:
            obj.file_status_found = import_source_file_status(obj)
            warning_rows = obj.rows.filter(ROW_HAS_WARNINGS).count()
            context.update(
                {
                    "job": obj,
                    "can_manage": permissions.user_can_manage_import(request.user, obj),
                    # Only a file storage confirmed: a link that leads to "no longer stored" or
                    # to the storage's error offers nothing.
                    "can_download": obj.file_status_found == ImportJob.FileStatus.STORED
                    and permissions.user_can_download_import_file(request.user, obj),
                    # The failed rows' CSV holds their cells: the file's readers only.
                    "can_download_failed_rows": permissions.user_can_download_import_file(
                        request.user, obj
                    ),
                    "failed_rows": obj.rows.filter(status=ImportRow.Status.FAILED).order_by(
                        "line_number"
                    )[:FAILED_ROWS_SHOWN],
                    "row_links": import_row_links(obj),
                    "row_counts": _row_counts(obj, warnings=warning_rows),
                    "retry_could_succeed": obj.can_retry_failed
                    and failed_rows_retry_could_succeed(obj),
                    "not_books": services.import_job_not_books(obj),
                    # Cancelled first, deleted once stopped (get_deleted_objects).
                    "show_delete": obj.is_finished,
                }
            )
        return super().render_change_form(request, context, add, change, form_url, obj)

    # Who did what, named (linked only for a reader the users' pages open for); a job the
    # import_books command started, or whose user was removed since, records nobody.

    @admin.display(description=_("Uploaded by"))
    def uploader(self, job):
        if job.uploaded_by is None:
            return _("Nobody recorded: the import_books command, or a user removed since.")
        return user_for_viewer(viewer_request(job), job.uploaded_by)

    @admin.display(description=_("Cancel requested by"))
    def cancel_requester(self, job):
        if job.cancel_requested_by is None:
            return self.get_empty_value_display()
        return user_for_viewer(viewer_request(job), job.cancel_requested_by)

    @admin.display(description=_("Retried by"))
    def retrier(self, job):
        if job.retried_by is None:
            return self.get_empty_value_display()
        return user_for_viewer(viewer_request(job), job.retried_by)

    @admin.display(description=_("File size"))
    def size(self, job):
        return filesizeformat(job.file_size)

    @admin.display(description=_("Uploaded file"))
    def uploaded_file(self, job):
        if job.file_status == ImportJob.FileStatus.DELETED and job.file_deleted_at:
            days = (job.file_deleted_at - job.created_at).days
            return ngettext(
                "Deleted with the rows' cells on %(date)s, %(days)d day after the upload "
                "(IMPORT_RETENTION_DAYS).",
                "Deleted with the rows' cells on %(date)s, %(days)d days after the upload "
                "(IMPORT_RETENTION_DAYS).",
                days,
            ) % {"date": date_format(timezone.localtime(job.file_deleted_at)), "days": days}
        # As storage found it on this page (render_change_form); the recorded status elsewhere.
        found = getattr(job, "file_status_found", job.file_status)
        if found is None:
            return _(
                "Could not be checked: asking the storage failed (the server's log has its "
                "error). Reload the page to ask again."
            )
        return ImportJob.FileStatus(found).label

    # --- The list's cells -----

    @admin.display(description=_("File"), ordering="original_filename")
    def file_and_source(self, job):
        """The file's name, and the format it was read as below."""
        # A file's name may be one long unbroken word: break it anywhere rather than widen the list.
        name = format_html('<span style="overflow-wrap:anywhere">{}</span>', job.original_filename)
        if not job.source:
            return name
        return with_note(name, job.get_source_display())

    @admin.display(description=_("Rows"), ordering="rows_total")
    def rows(self, job):
        """The file's rows, and the duplicates of earlier rows among them below."""
        return count_with_note(
            job.rows_total,
            ngettext("%(n)s duplicate", "%(n)s duplicates", job.duplicate_count),
            job.duplicate_count,
        )

    @admin.display(description=_("Created"), ordering="created_count")
    def created_and_updated(self, job):
        """The books created, and those updated below."""
        return count_with_note(
            job.created_count,
            ngettext("%(n)s updated", "%(n)s updated", job.updated_count),
            job.updated_count,
        )

    @admin.display(description=_("Failed"), ordering="failed_count")
    def failed(self, job):
        return f"{job.failed_count:,}"

    @admin.display(description=_("Uploaded"), ordering="created_at")
    def uploaded(self, job):
        """When, and by whom below."""
        when = display_for_value(job.created_at, "–")  # the admin's format and time zone
        if job.uploaded_by is None:
            return when
        return with_note(when, gettext("by %(user)s") % {"user": job.uploaded_by.get_username()})

    @admin.display(description=_("Enrichment"))
    def enrichment_asked(self, job):
        """What the uploader chose, said as a fact: the field's own help, "Queue enrichment for
        imported books.", read as an instruction under a tick."""
        if job.enrich:
            return _("Asked for: each book imported is queued for covers and missing metadata.")
        return _("Not asked for: no book imported is queued.")

    @admin.display(description=_("Status"), ordering="status")
    def status_badge(self, job):
        colour = STATUS_COLOURS["failed" if job.every_row_failed else job.status]
        return format_html(
            '<span class="status-badge" style="background:{}">{}</span>', colour, job.status_label
        )


def _row_counts(job: ImportJob, *, warnings: int) -> list[str]:
    """Each count the job's page shows ("updated 12"), a link to those rows (count_link: none
    for 0); its figure is what the page's progress poll updates (`data-field`)."""
    links = import_row_links(job)
    counts = [
        (gettext("Created"), "created", job.created_count, links["created"]),
        (gettext("updated"), "updated", job.updated_count, links["updated"]),
        (gettext("duplicates"), "duplicates", job.duplicate_count, links["duplicate"]),
        (gettext("failed"), "failed", job.failed_count, links["failed"]),
        (gettext("with warnings"), "warnings", warnings, links["warnings"]),
    ]
    return [
        count_link(
            url,
            format_html('{} <strong data-field="{}">{}</strong>', label, key, floatformat(n, "0g")),
            n,
        )
        for label, key, n, url in counts
    ]


def _job_link(job: ImportJob) -> str:
    url = reverse("admin:catalog_importjob_change", args=[job.pk])
    return format_html('<a href="{}">{}</a>', url, job)
