from django.contrib import admin
from django.db import models
from django.db.models import Count, Exists, OuterRef, Q
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from catalog import permissions, selectors, services, views
from catalog.models import Author, Edition, ImportJob, ImportRow, Work, WorkAuthor

THUMBNAIL_HTML = '<img src="{}" alt="" class="cover-thumb" width="{}" loading="lazy">'
NO_COVER_HTML = mark_safe(
    '<span class="cover-thumb cover-missing" title="No verified cover">&ndash;</span>'
)
# Cover URLs typed by hand default to https.
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


def cover_thumbnail_html(image, *, width: int = 40):
    if not image:
        return NO_COVER_HTML
    return format_html(THUMBNAIL_HTML, image.url, width)


class HasCoverFilter(admin.SimpleListFilter):
    title = "cover"
    parameter_name = "has_cover"

    def lookups(self, request, model_admin):
        return [("yes", "Has a verified cover"), ("no", "No cover")]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        has_cover = self.has_cover_condition(queryset.model)
        return queryset.filter(has_cover) if self.value() == "yes" else queryset.exclude(has_cover)

    @staticmethod
    def has_cover_condition(model):
        own = ~Q(cover="")
        if model is Work:
            covered_edition = Edition.objects.filter(work=OuterRef("pk")).exclude(cover="")
            return own | Q(Exists(covered_edition))
        return own


class IsbnSearchMixin:
    """Admin search that also finds a book by any spelling of its ISBN (hyphens, ISBN-10)."""

    isbn_prefix = ""

    def get_search_results(self, request, queryset, search_term):
        condition = selectors.isbn_filter(search_term, prefix=self.isbn_prefix)
        if condition is not None:
            return queryset.filter(condition), bool(self.isbn_prefix)
        return super().get_search_results(request, queryset, search_term)


class WorkAuthorInline(admin.TabularInline):
    model = WorkAuthor
    extra = 0
    autocomplete_fields = ["author"]
    fields = ["position", "author", "role"]
    ordering = ["position"]


class EditionInline(admin.StackedInline):
    model = Edition
    extra = 0
    show_change_link = True
    fields = [
        ("cover_preview", "isbn13", "isbn10", "asin"),
        ("title", "subtitle"),
        ("publisher", "publication_date", "publication_date_precision"),
        ("format", "language", "page_count"),
    ]
    readonly_fields = ["cover_preview"]

    @admin.display(description="Cover")
    def cover_preview(self, edition):
        return cover_thumbnail_html(edition.cover_thumbnail or edition.cover, width=60)


@admin.register(Work)
class WorkAdmin(IsbnSearchMixin, admin.ModelAdmin):
    isbn_prefix = "editions__"
    change_list_template = "admin/catalog/work/change_list.html"
    list_display = ["thumbnail", "title", "author_names", "first_published_year", "edition_count"]
    list_display_links = ["thumbnail", "title"]
    list_filter = [HasCoverFilter, "editions__language", "editions__format"]
    search_fields = ["title", "subtitle", "series", "credits__author__name"]
    search_help_text = "Title, author, series, or an ISBN in any form (hyphens, ISBN-10 or 13)."
    list_per_page = 50
    show_full_result_count = False
    inlines = [WorkAuthorInline, EditionInline]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    readonly_fields = ["cover_preview", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "subtitle", ("series", "series_number")]}),
        ("About", {"fields": ["description", "first_published_year", "subjects"]}),
        ("Identifiers", {"fields": ["openlibrary_work_key"]}),
        (
            "Cover",
            {
                "fields": [
                    "cover_preview",
                    "cover",
                    ("cover_source", "cover_source_url"),
                    ("cover_sha256", "cover_verified_at"),
                ],
            },
        ),
        ("Record", {"fields": [("created_at", "updated_at")], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("credits__author")
        return selectors.works_with_display_cover(queryset).annotate(
            edition_total=Count("editions", distinct=True)
        )

    @admin.display(description="")
    def thumbnail(self, work):
        return cover_thumbnail_html(work.display_thumbnail)

    @admin.display(description="Cover")
    def cover_preview(self, work):
        return cover_thumbnail_html(work.display_cover, width=180)

    @admin.display(description="Authors")
    def author_names(self, work):
        credits = work.credits.all()  # prefetched, ordered by position
        return format_html_join(
            ", ",
            "{}{}",
            (
                (c.author.name, f" ({c.get_role_display().lower()})" if c.role != "author" else "")
                for c in credits
            ),
        )

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_import": permissions.user_can_import(request.user),
            "import_url": reverse("admin:catalog_importjob_upload"),
        }
        return super().changelist_view(request, extra_context)

    @admin.display(description="Editions", ordering="edition_total")
    def edition_count(self, work):
        return work.edition_total


@admin.register(Edition)
class EditionAdmin(IsbnSearchMixin, admin.ModelAdmin):
    list_display = [
        "thumbnail",
        "display_title",
        "isbn13",
        "isbn10",
        "publisher",
        "publication",
        "format",
        "language",
    ]
    list_display_links = ["thumbnail", "display_title"]
    list_select_related = ["work"]
    list_filter = [HasCoverFilter, "format", "language"]
    search_fields = ["title", "work__title", "publisher", "asin"]
    search_help_text = "Title, publisher, ASIN, or an ISBN in any form."
    list_per_page = 50
    show_full_result_count = False
    autocomplete_fields = ["work"]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    readonly_fields = ["cover_preview", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["work", ("title", "subtitle")]}),
        ("Identifiers", {"fields": [("isbn13", "isbn10", "asin")]}),
        (
            "Publication",
            {
                "fields": [
                    "publisher",
                    ("publication_date", "publication_date_precision"),
                    ("format", "language", "page_count"),
                ]
            },
        ),
        (
            "Other identifiers",
            {"fields": [("openlibrary_edition_key", "google_books_id", "goodreads_book_id")]},
        ),
        (
            "Cover",
            {
                "fields": [
                    "cover_preview",
                    "cover",
                    ("cover_source", "cover_source_url"),
                    ("cover_sha256", "cover_verified_at"),
                ]
            },
        ),
        ("Record", {"fields": [("created_at", "updated_at")], "classes": ["collapse"]}),
    ]

    @admin.display(description="")
    def thumbnail(self, edition):
        return cover_thumbnail_html(edition.cover_thumbnail or edition.cover)

    @admin.display(description="Cover")
    def cover_preview(self, edition):
        return cover_thumbnail_html(edition.cover, width=180)

    @admin.display(description="Title", ordering="work__title_normalized")
    def display_title(self, edition):
        return edition.title or edition.work.title

    @admin.display(description="Published", ordering="publication_date")
    def publication(self, edition):
        return edition.publication_date_display


class AuthorWorksInline(admin.TabularInline):
    model = WorkAuthor
    fk_name = "author"
    extra = 0
    fields = ["work", "role", "position"]
    readonly_fields = ["work", "role", "position"]
    can_delete = False
    verbose_name = "work"
    verbose_name_plural = "works"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("work")

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Author)
class AuthorAdmin(admin.ModelAdmin):
    list_display = ["name", "sort_name", "birth_year", "death_year", "work_count"]
    search_fields = ["name", "sort_name"]
    list_per_page = 50
    show_full_result_count = False
    inlines = [AuthorWorksInline]
    readonly_fields = ["created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["name", "sort_name", ("birth_year", "death_year"), "bio"]}),
        ("Identifiers", {"fields": [("openlibrary_key", "wikidata_id", "goodreads_author_id")]}),
        ("Record", {"fields": [("created_at", "updated_at")], "classes": ["collapse"]}),
    ]

    def get_queryset(self, request):
        return super().get_queryset(request).annotate(work_total=Count("works", distinct=True))

    @admin.display(description="Works", ordering="work_total")
    def work_count(self, author):
        return author.work_total


STATUS_COLOURS = {
    "pending": "#777",
    "running": "#1f6fb2",
    "completed": "#2e7d32",
    "failed": "#c62828",
    "cancelled": "#8d6e63",
}


@admin.register(ImportJob)
class ImportJobAdmin(admin.ModelAdmin):
    """Import jobs: uploaded through the "Import CSV" button, read-only afterwards."""

    list_display = [
        "id",
        "original_filename",
        "status_badge",
        "source",
        "rows_total",
        "created_count",
        "updated_count",
        "duplicate_count",
        "failed_count",
        "uploaded_by",
        "created_at",
    ]
    list_display_links = ["id", "original_filename"]
    list_filter = ["status", "source"]
    list_select_related = ["uploaded_by"]
    search_fields = ["original_filename"]
    show_full_result_count = False
    change_form_template = "admin/catalog/importjob/change_form.html"
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
            "Run",
            {
                "fields": [
                    ("uploaded_by", "source", "enrich"),
                    ("started_at", "finished_at"),
                    ("cancel_requested_by", "cancel_requested_at"),
                    ("retried_by", "retried_at"),
                ]
            },
        ),
    ]
    readonly_fields = ["status_badge", "size", "uploaded_file"]

    def has_add_permission(self, request):
        return False  # the upload view creates jobs

    def has_change_permission(self, request, obj=None):
        return False

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) or permissions.user_can_import(
            request.user
        )

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def delete_model(self, request, obj):
        services.import_jobs_delete(jobs=[obj])

    def delete_queryset(self, request, queryset):
        services.import_jobs_delete(jobs=queryset)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "upload/",
                wrap(lambda request: views.import_upload(request, self)),
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
                wrap(self._viewable(views.import_source_file)),
                name="catalog_importjob_source_file",
            ),
            path("<int:job_id>/retry/", wrap(views.import_retry), name="catalog_importjob_retry"),
            path(
                "<int:job_id>/cancel/", wrap(views.import_cancel), name="catalog_importjob_cancel"
            ),
            *super().get_urls(),
        ]

    def _viewable(self, view):
        def guarded(request, *args, **kwargs):
            if not self.has_view_permission(request):
                raise views.PermissionDenied
            return view(request, *args, **kwargs)

        return guarded

    def change_view(self, request, object_id, form_url="", extra_context=None):
        job = self.get_object(request, object_id)
        extra_context = {
            **(extra_context or {}),
            "job": job,
            "can_manage": bool(job) and permissions.user_can_manage_import(request.user, job),
            "can_download": bool(job)
            and job.file_status == ImportJob.FileStatus.STORED
            and bool(job.source_file)
            and permissions.user_can_download_import_file(request.user, job),
            "failed_rows": (
                job.rows.filter(status=ImportRow.Status.FAILED).order_by("line_number")[:100]
                if job
                else []
            ),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.display(description="File size")
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
        if job.file_status == ImportJob.FileStatus.STORED and not job.source_file:
            return _("None")
        return job.get_file_status_display()

    @admin.display(description="Status", ordering="status")
    def status_badge(self, job):
        return format_html(
            '<span class="status-badge" style="background:{}">{}</span>',
            STATUS_COLOURS.get(job.status, "#777"),
            job.get_status_display(),
        )
