from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import unquote
from django.db import models
from django.db.models import Count, Prefetch, Q
from django.template.defaultfilters import filesizeformat
from django.urls import path, reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from catalog import permissions, selectors, services, views
from catalog.importers import BaseImporter
from catalog.models import Author, Edition, ImportJob, ImportRow, Work, WorkAuthor

THUMBNAIL_HTML = '<img src="{}" alt="" class="cover-thumb" width="{}" loading="lazy">'
NO_COVER_HTML = mark_safe(
    '<span class="cover-thumb cover-missing" title="No verified cover">&ndash;</span>'
)
# Cover URLs typed by hand default to https.
URL_FIELDS_ASSUME_HTTPS = {models.URLField: {"assume_scheme": "https"}}


# A work whose title is an Open Library key standing in for the unknown title.
PLACEHOLDER_TITLE_LABEL = _("title not known yet")
PLACEHOLDER_TITLE_HELP = _(
    "The export named this book by its Open Library key only: the title is that key until an "
    "import, enrichment or a librarian gives the real one."
)


def work_title_html(work: Work):
    """The work's title, marked plainly when it is only a placeholder."""
    if not work.title_is_placeholder:
        return work.title
    return format_html(
        '{} <span class="title-placeholder" title="{}">{}</span>',
        work.title,
        PLACEHOLDER_TITLE_HELP,
        PLACEHOLDER_TITLE_LABEL,
    )


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
        return selectors.works_with_cover_q() if model is Work else ~Q(cover="")


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
    list_display = [
        "thumbnail",
        "display_title",
        "author_names",
        "first_published_year",
        "edition_count",
    ]
    list_display_links = ["thumbnail", "display_title"]
    list_filter = [HasCoverFilter, "editions__language", "editions__format"]
    search_fields = ["title", "subtitle", "series", "credits__author__name"]
    search_help_text = "Title, author, series, or an ISBN in any form (hyphens, ISBN-10 or 13)."
    list_per_page = 50
    show_full_result_count = False
    inlines = [WorkAuthorInline, EditionInline]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    readonly_fields = ["cover_preview", "title_notice", "all_series", "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["title", "subtitle", ("series", "series_number"), "all_series"]}),
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

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.title_is_placeholder:
            return fieldsets
        (name, options), *rest = fieldsets  # the notice beside the title it is about
        fields = [("title", "title_notice"), *options["fields"][1:]]
        return [(name, {**options, "fields": fields}), *rest]

    def save_model(self, request, obj, form, change):
        # A title typed by hand is the real one: nothing may replace it as a placeholder.
        if "title" in form.changed_data:
            obj.title_is_placeholder = False
        super().save_model(request, obj, form, change)

    @admin.display(description=_("Title"), ordering="title_normalized")
    def display_title(self, work):
        return work_title_html(work)

    @admin.display(description="")
    def title_notice(self, work):
        return format_html(
            '<span class="title-placeholder">{}</span> {}',
            PLACEHOLDER_TITLE_LABEL,
            PLACEHOLDER_TITLE_HELP,
        )

    @admin.display(description="")
    def thumbnail(self, work):
        return cover_thumbnail_html(work.display_thumbnail)

    @admin.display(description="Cover")
    def cover_preview(self, work):
        return cover_thumbnail_html(work.display_cover, width=180)

    @admin.display(description=_("Every series"))
    def all_series(self, work):
        """Each series the work is in with its number; the first is the primary one, which
        Series / Series number repeat for lists."""
        entries = list(work.series_entries.order_by("position")) if work.pk else []
        if not entries:
            return "–"
        return format_html_join(
            mark_safe("<br>"),
            "{}{}",
            ((entry.name, f" #{entry.number}" if entry.number else "") for entry in entries),
        )

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
        return edition.title or work_title_html(edition.work)

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
        return permissions.user_can_view_imports(request.user)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def get_deleted_objects(self, objs, request):
        """A job's rows go with it and are never deleted one by one: deleting jobs needs no
        permission on rows, and the confirmation counts them instead of listing 100,000."""
        jobs = list(objs)
        rows = ImportRow.objects.filter(job__in=jobs).count()
        listed = []
        for job in jobs:
            url = reverse("admin:catalog_importjob_change", args=[job.pk])
            listed.append(format_html('{}: <a href="{}">{}</a>', _("Import job"), url, job))
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
                job.rows.filter(status=ImportRow.Status.FAILED).order_by("line_number")[
                    :FAILED_ROWS_SHOWN
                ]
                if job
                else []
            ),
            "row_links": import_row_links(job) if job else {},
            "warning_row_count": job.rows.filter(ROW_HAS_WARNINGS).count() if job else 0,
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


# --- Import rows --------------------------------------------------------------------------------

ROW_STATUS_COLOURS = {
    ImportRow.Status.CREATED: "#2e7d32",
    ImportRow.Status.UPDATED: "#1f6fb2",
    ImportRow.Status.DUPLICATE: "#6d6d6d",
    ImportRow.Status.FAILED: "#c62828",
}
# A row's warnings are a JSON list; this works on SQLite and PostgreSQL without an index (a
# job's rows are found by the (job, status) index first).
ROW_HAS_WARNINGS = ~Q(messages=[])
FAILED_ROWS_SHOWN = 10
# Labels of what a row was read as (NormalizedRow's fields), on the row's page.
READ_AS_LABELS = {
    "title": _("Title"),
    "subtitle": _("Subtitle"),
    "series": _("Series"),
    "credits": _("Authors and contributors"),
    "isbn13": _("ISBN-13"),
    "isbn10": _("ISBN-10"),
    "asin": _("ASIN"),
    "other_ids": _("Other ids"),
    "goodreads_book_id": _("Goodreads id"),
    "librarything_id": _("LibraryThing id"),
    "openlibrary_work_key": _("Open Library work"),
    "openlibrary_edition_key": _("Open Library edition"),
    "google_books_id": _("Google Books id"),
    "publisher": _("Publisher"),
    "publication_year": _("Year published"),
    "first_published_year": _("First published"),
    "page_count": _("Pages"),
    "format": _("Format"),
    "date_added": _("Date added"),
    "date_read": _("Date read"),
}
# Shown with the series, or as the row's warnings.
READ_AS_HIDDEN = {"series_number", "series_entries", "warnings"}


def import_row_links(job: ImportJob) -> dict[str, str]:
    """The job's rows list: all of them, each status, and those with warnings."""
    base = reverse("admin:catalog_importrow_changelist")
    links = {"all": f"{base}?{urlencode({'job': job.pk})}"}
    for status in ImportRow.Status.values:
        links[status] = f"{base}?{urlencode({'job': job.pk, 'status__exact': status})}"
    links["warnings"] = f"{base}?{urlencode({'job': job.pk, 'warnings': 'yes'})}"
    return links


def work_label(work: Work) -> str:
    """'Title' by Author, B. Author: the book as a librarian recognises it (credits prefetched)."""
    authors = [c.author.name for c in work.credits.all() if c.role == WorkAuthor.Role.AUTHOR]
    title = work.title
    if work.title_is_placeholder:
        title = gettext("%(key)s (%(placeholder)s)") % {
            "key": title,
            "placeholder": PLACEHOLDER_TITLE_LABEL,
        }
    if not authors:
        return gettext("'%(title)s'") % {"title": title}
    return gettext("'%(title)s' by %(authors)s") % {"title": title, "authors": ", ".join(authors)}


def edition_label(edition: Edition) -> str:
    key = edition.isbn13 or edition.isbn10 or edition.asin
    return (
        gettext("edition %(key)s") % {"key": key}
        if key
        else gettext("edition #%(id)d") % {"id": edition.pk}
    )


def matched_template(row: ImportRow) -> str:
    """How an updated or duplicate row found its book, with a {book} placeholder."""
    if row.matched_by == ImportRow.MatchedBy.TITLE_AUTHOR:
        return gettext("Matched by title and author: {book}")
    if row.matched_by == ImportRow.MatchedBy.EARLIER_ROW:
        return gettext("Matched the book an earlier row of this file made: {book}")
    if row.matched_by:  # an identifier: ISBN, Goodreads id, ASIN…
        return gettext("Matched by %(key)s: {book}") % {"key": row.get_matched_by_display()}
    return gettext("Matched: {book}")  # rows imported before the key was recorded


def correction_text(row: ImportRow) -> str:
    """Who corrected a re-run row by hand, when and which columns ("" for a row as in the
    file): shown with the row, never among its warnings."""
    if row.corrected_at is None:
        return ""
    values = {
        "user": row.corrected_by.get_username() if row.corrected_by else gettext("a deleted user"),
        "date": date_format(timezone.localtime(row.corrected_at), "DATETIME_FORMAT"),
        "columns": ", ".join(row.corrected_columns),
    }
    if row.corrected_columns:
        return gettext("Corrected by %(user)s on %(date)s: %(columns)s") % values
    return gettext("Re-run unchanged by %(user)s on %(date)s") % values


def series_text(normalized: dict) -> str:
    """Every series a row was read with, primary first ("Discworld #40; Moist von Lipwig #3");
    rows read before several series were kept have only the primary one."""
    entries = normalized.get("series_entries") or (
        [(normalized["series"], normalized.get("series_number", ""))]
        if normalized.get("series")
        else []
    )
    return "; ".join(f"{name} #{number}" if number else name for name, number in entries)


def credit_text(credit: dict) -> str:
    """ "Name" for an author, "Name (Translator)" for any other role."""
    name, role = credit.get("name", ""), credit.get("role", WorkAuthor.Role.AUTHOR)
    if role == WorkAuthor.Role.AUTHOR:
        return name
    return f"{name} ({dict(WorkAuthor.Role.choices).get(role, role)})"


def read_as_rows(normalized: dict) -> list[tuple[str, str]]:
    """(label, text) for what a row was read as, in the reader's field order."""
    rows = []
    for name, value in normalized.items():
        if name in READ_AS_HIDDEN:
            continue
        if name == "credits":
            text = "; ".join(credit_text(credit) for credit in value)
        elif name == "series":
            text = series_text(normalized)
        elif isinstance(value, list):
            text = ", ".join(str(item) for item in value)
        else:
            text = str(value)
        if text:
            rows.append((READ_AS_LABELS.get(name, name.replace("_", " ").capitalize()), text))
    return rows


class ImportJobFilter(admin.SimpleListFilter):
    """The rows of one import: its page links here. Shown only when a job is chosen."""

    title = _("import")
    parameter_name = "job"

    def lookups(self, request, model_admin):
        self.job = None
        value = self.value()
        if value is None:
            return []
        if not value.isdigit():
            raise IncorrectLookupParameters(value)
        self.job = ImportJob.objects.filter(pk=value).first()
        # A deleted job keeps its choice, so the list stays filtered (and empty).
        return [(value, str(self.job) if self.job else gettext("Import #%s") % value)]

    def queryset(self, request, queryset):
        return queryset.filter(job_id=self.value()) if self.value() else queryset


class RowWarningsFilter(admin.SimpleListFilter):
    title = _("warnings")
    parameter_name = "warnings"

    def lookups(self, request, model_admin):
        return [("yes", _("With warnings")), ("no", _("Without warnings"))]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(ROW_HAS_WARNINGS)
        if self.value() == "no":
            return queryset.exclude(ROW_HAS_WARNINGS)
        return queryset


@admin.register(ImportRow)
class ImportRowAdmin(admin.ModelAdmin):
    """Every row of every import, reached from its job's page: what each row was read as and
    became, its warnings, its cells; a failed row can be corrected and re-run. Only imports
    write rows: the admin shows them."""

    change_list_template = "admin/catalog/importrow/change_list.html"
    change_form_template = "admin/catalog/importrow/change_form.html"
    list_display = ["line", "status_and_correction", "read_as", "in_catalog", "notes"]
    list_display_links = ["line"]
    list_filter = [ImportJobFilter, "status", RowWarningsFilter, "matched_by"]
    list_per_page = 100
    show_full_result_count = False
    # job_id, not job: ordering by the job would join it for its own ordering.
    ordering = ["-job_id", "line_number"]
    search_fields = ["normalized__title"]
    search_help_text = _("The title as the row was read.")
    fieldsets = [
        (
            None,
            {"fields": ["job_link", "line_number", "status_badge", "in_catalog", "notes"]},
        )
    ]
    readonly_fields = ["job_link", "status_badge", "correction", "in_catalog", "notes"]

    def get_fieldsets(self, request, obj=None):
        if obj is None or obj.corrected_at is None:
            return self.fieldsets
        fields = list(self.fieldsets[0][1]["fields"])  # who corrected it, after its status
        fields.insert(fields.index("status_badge") + 1, "correction")
        return [(None, {"fields": fields})]

    def get_queryset(self, request):
        credits = WorkAuthor.objects.select_related("author").order_by("position")
        return (
            super()
            .get_queryset(request)
            .select_related("work", "edition", "corrected_by")
            .prefetch_related(Prefetch("work__credits", queryset=credits))
        )

    def has_view_permission(self, request, obj=None):
        return permissions.user_can_view_imports(request.user)

    def has_module_permission(self, request):
        return False  # reached from a job's page; the index lists the jobs

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # corrections go through "Correct and re-run", which imports the row

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:row_id>/rerun/",
                wrap(lambda request, row_id: views.import_row_rerun(request, row_id, self)),
                name="catalog_importrow_rerun",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = getattr(response, "context_data", {}).get("cl")
        job = next(
            (
                getattr(spec, "job", None)
                for spec in getattr(changelist, "filter_specs", [])
                if isinstance(spec, ImportJobFilter)
            ),
            None,
        )
        if job is not None:
            response.context_data["import_job"] = job
            response.context_data["title"] = gettext("Rows of %(job)s") % {"job": job}
        return response

    def change_view(self, request, object_id, form_url="", extra_context=None):
        row = self.get_object(request, unquote(object_id))
        extra = {}
        if row is not None:
            refusal = services.import_row_rerun_refusal(row=row)
            extra = {
                "import_job": row.job,
                "cells": self.cells(row),
                "read_as": read_as_rows(row.normalized),
                "can_rerun": not refusal
                and permissions.user_can_manage_import(request.user, row.job),
                "rerun_refusal": refusal if row.status == ImportRow.Status.FAILED else "",
                "cells_deleted": row.job.file_status == ImportJob.FileStatus.DELETED,
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    @staticmethod
    def cells(row: ImportRow) -> list[tuple[str, str]]:
        """(column, cell) for every column of the header, and any cell beyond it."""
        if not row.raw:
            return []  # deleted with the uploaded file, or refused by the database
        columns = BaseImporter(row.job.header)
        padded = [*row.raw, *[""] * (len(row.job.header) - len(row.raw))]
        return [(columns.column_name(index), cell) for index, cell in enumerate(padded)]

    @admin.display(description=_("Line"), ordering="line_number")
    def line(self, row):
        return row.line_number

    @admin.display(description=_("Import"))
    def job_link(self, row):
        url = reverse("admin:catalog_importjob_change", args=[row.job_id])
        return format_html('<a href="{}">{}</a>', url, row.job)

    @admin.display(description=_("Status"), ordering="status")
    def status_badge(self, row):
        return format_html(
            '<span class="status-badge" style="background:{}">{}</span>',
            ROW_STATUS_COLOURS.get(row.status, "#777"),
            row.get_status_display(),
        )

    @admin.display(description=_("Status"), ordering="status")
    def status_and_correction(self, row):
        correction = correction_text(row)
        if not correction:
            return self.status_badge(row)
        return format_html(
            '{}<br><span class="quiet import-row-correction">{}</span>',
            self.status_badge(row),
            correction,
        )

    @admin.display(description=_("Corrected"))
    def correction(self, row):
        return correction_text(row)

    @admin.display(description=_("Read as"))
    def read_as(self, row):
        data = row.normalized or {}
        if not data.get("title"):
            return "–"
        title = data["title"] + (f": {data['subtitle']}" if data.get("subtitle") else "")
        series = series_text(data)
        authors = [
            c.get("name", "")
            for c in data.get("credits", [])
            if c.get("role", WorkAuthor.Role.AUTHOR) == WorkAuthor.Role.AUTHOR
        ]
        key = data.get("isbn13") or data.get("isbn10") or data.get("asin") or ""
        return format_html(
            "<strong>{}</strong>{}{}{}",
            title,
            format_html(" ({})", series) if series else "",
            format_html("<br>{}", gettext("by %(authors)s") % {"authors": ", ".join(authors)})
            if authors
            else "",
            format_html('<br><span class="quiet">{}</span>', key) if key else "",
        )

    @admin.display(description=_("In the catalog"))
    def in_catalog(self, row):
        if row.work is None:
            return "–"
        book = format_html(
            '<a href="{}">{}</a>',
            reverse("admin:catalog_work_change", args=[row.work_id]),
            work_label(row.work),
        )
        if row.status in (ImportRow.Status.UPDATED, ImportRow.Status.DUPLICATE):
            book = format_html(matched_template(row), book=book)
        if row.edition is None:
            return book
        return format_html(
            '{} · <a href="{}">{}</a>',
            book,
            reverse("admin:catalog_edition_change", args=[row.edition_id]),
            edition_label(row.edition),
        )

    @admin.display(description=_("Warnings and errors"))
    def notes(self, row):
        error = format_html('<p class="import-row-error">{}</p>', row.error) if row.error else ""
        if not row.messages:
            return error or "–"
        return format_html(
            '{}<ul class="import-row-messages">{}</ul>',
            error,
            format_html_join("", "<li>{}</li>", ((message,) for message in row.messages)),
        )
