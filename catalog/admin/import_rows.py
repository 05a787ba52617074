"""Every row of every import: what it was read as and became, its warnings and cells, and
the correction of a failed row."""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.options import IncorrectLookupParameters
from django.contrib.admin.utils import display_for_value, unquote
from django.db.models import Prefetch, Q
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bookstore.admin_links import ViewerOnObjectMixin, link_for_viewer, viewer_request
from bookstore.admin_lists import EmptyListHelpMixin, QuickActionCheckboxMixin, help_with_link
from catalog import permissions, services, views
from catalog.admin.display import (
    PLACEHOLDER_TITLE_LABEL,
    admin_change_url,
    empty_list_import_help,
)
from catalog.admin.filters import language_name
from catalog.admin.paging import DeferredJoinPaginator, requested_page_start
from catalog.importers import BaseImporter
from catalog.models import Edition, ImportJob, ImportRow, Work, WorkAuthor

ROW_STATUS_COLOURS = {
    ImportRow.Status.CREATED: "#2e7d32",
    ImportRow.Status.UPDATED: "#1f6fb2",
    ImportRow.Status.DUPLICATE: "#6d6d6d",
    ImportRow.Status.FAILED: "#c62828",
}
# get_FOO_display() rebuilds the choices' dict on every call: 100 rows a page.
ROW_STATUS_LABELS = dict(ImportRow.Status.choices)
MATCHED_BY_LABELS = dict(ImportRow.MatchedBy.choices)
# A row's warnings are a JSON list; the database keeps whether it is empty (ImportRow.has_warnings,
# indexed with the job), so a million rows are never compared one by one.
ROW_HAS_WARNINGS = Q(has_warnings=True)
#: A job's rows are counted up to this many past the page shown; past it the list says "more
#: than" (counting a million rows costs more than the rest of the page; the job page has the
#: exact counts).
ROWS_COUNT_CAP = 10_000
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
    "language": _("Language"),
    "date_added": _("Date added"),
    "date_read": _("Date read"),
}
# Shown with the series or the title, or as the row's warnings.
READ_AS_HIDDEN = {"series_number", "series_entries", "title_is_placeholder", "warnings"}


def import_row_links(job: ImportJob) -> dict[str, str]:
    """The job's rows list: all of them, each status, and those with warnings."""
    base = reverse("admin:catalog_importrow_changelist")
    links = {"all": f"{base}?{urlencode({'job': job.pk})}"}
    for status in ImportRow.Status.values:
        links[status] = f"{base}?{urlencode({'job': job.pk, 'status__exact': status})}"
    links["warnings"] = f"{base}?{urlencode({'job': job.pk, 'warnings': 'yes'})}"
    return links


def placeholder_title_text(key: str) -> str:
    """A title that is only an Open Library key, said so: "OL123W (title not known yet)"."""
    return gettext("%(key)s (%(placeholder)s)") % {
        "key": key,
        "placeholder": PLACEHOLDER_TITLE_LABEL,
    }


def work_label(work: Work) -> str:
    """'Title' by Author, B. Author: the book as a librarian recognises it (credits prefetched)."""
    authors = [c.author.name for c in work.credits.all() if c.role == WorkAuthor.Role.AUTHOR]
    title = placeholder_title_text(work.title) if work.title_is_placeholder else work.title
    if not authors:
        return gettext("'%(title)s'") % {"title": title}
    return gettext("'%(title)s' by %(authors)s") % {"title": title, "authors": ", ".join(authors)}


def edition_label(edition: Edition) -> str:
    """The edition beside its work's label: by the identifier it is found by ("edition ISBN
    9780261102217"), else "its edition" (its title, if any, is most often the work's)."""
    key = edition.identifier_text()
    return gettext("edition %(key)s") % {"key": key} if key else gettext("its edition")


def matched_template(row: ImportRow) -> str:
    """How an updated or duplicate row found its book, with a {book} placeholder."""
    if row.matched_by == ImportRow.MatchedBy.TITLE_AUTHOR:
        return gettext("Matched by title and author: {book}")
    if row.matched_by == ImportRow.MatchedBy.EARLIER_ROW:
        return gettext("Matched the book an earlier row of this file made: {book}")
    if row.matched_by:  # an identifier: ISBN, Goodreads id, ASIN…
        key = MATCHED_BY_LABELS.get(row.matched_by, row.matched_by)
        return gettext("Matched by %(key)s: {book}") % {"key": key}
    return gettext("Matched: {book}")  # rows imported before the key was recorded


def correction_text(row: ImportRow) -> str:
    """Who corrected a re-run row by hand, when and which columns ("" for a row as in the
    file): shown with the row, never among its warnings."""
    if row.corrected_at is None:
        return ""
    values = {
        "user": row.corrected_by.get_username() if row.corrected_by else gettext("a deleted user"),
        "date": display_for_value(row.corrected_at, "–"),  # the admin's format and time zone
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
        elif name == "title" and normalized.get("title_is_placeholder"):
            text = placeholder_title_text(value)
        # By the names the catalog shows, as the mapping step's preview reads them.
        elif name == "format" and value in Edition.Format.values:
            text = str(Edition.Format(value).label)
        elif name == "language" and value:
            text = language_name(value)
        elif isinstance(value, list):
            text = ", ".join(str(item) for item in value)
        else:
            text = str(value)
        if text:
            rows.append((READ_AS_LABELS.get(name, name.replace("_", " ").capitalize()), text))
    return rows


#: The import filter offers the newest imports only (one query however many there are); an
#: older one's rows are reached from its page, whose counts link here filtered by its id.
JOB_FILTER_CHOICES = 20


#: A row not read as a book shows its first cells that hold something, each cut to this length.
UNREAD_CELLS_SHOWN, UNREAD_CELL_CHARS = 3, 40


def unread_cells_html(raw: list | None):
    """A row the importer did not read as a book (a failed row): its cells are shown as they
    were, so that "Read as" never claims the row held nothing; "–" only for a row without a
    value (or whose cells were deleted with the file)."""
    cells = [str(cell).strip() for cell in raw or [] if str(cell).strip()]
    if not cells:
        return "–"
    shown = [
        cell if len(cell) <= UNREAD_CELL_CHARS else cell[: UNREAD_CELL_CHARS - 1] + "…"
        for cell in cells[:UNREAD_CELLS_SHOWN]
    ]
    return format_html(
        '<span class="quiet">{}</span><br>{}{}',
        gettext("Not read as a book; its cells:"),
        " · ".join(shown),
        " · …" if len(cells) > UNREAD_CELLS_SHOWN else "",
    )


def empty_job_rows_reason(job: ImportJob | None, job_id: str, *, narrowed: bool):
    """Why one job's rows list is empty, from the job's state: never "nothing matches these
    filters" when only the job was chosen, and a link to that job's page or rows, never to
    every import's rows as "the whole list"."""
    if job is None:
        return gettext("There is no Import #%(id)s: it was deleted, and its rows with it.") % {
            "id": job_id
        }
    if narrowed:
        return help_with_link(
            gettext("No row of this import matches these filters or this search."),
            f"?{urlencode({ImportJobFilter.parameter_name: job.pk})}",
            gettext("Show every row of this import"),
        )
    if job.status == ImportJob.Status.PENDING:
        reason = gettext("No row read yet: this import is waiting for a worker to start it.")
    elif job.status == ImportJob.Status.RUNNING:
        reason = gettext("No row recorded yet: its first rows are being imported.")
    elif job.status == ImportJob.Status.CANCELLED:
        reason = gettext("No row was read: the import was cancelled before its first row.")
    elif job.status == ImportJob.Status.FAILED:
        reason = gettext("No row was read: the import stopped before its first row.")
    else:
        reason = gettext("This import recorded no row.")
    return help_with_link(
        reason,
        reverse("admin:catalog_importjob_change", args=[job.pk]),
        gettext("Its page says how it went.")
        if job.is_finished
        else gettext("Its page shows how it goes."),
    )


class ImportJobFilter(admin.SimpleListFilter):
    """The rows of one import: the newest imports, and the one chosen (its page links here)."""

    title = _("import")
    parameter_name = "job"

    def lookups(self, request, model_admin):
        self.job = None
        value = self.value()
        if value is not None and not value.isdigit():
            raise IncorrectLookupParameters(value)
        newest = list(
            ImportJob.objects.only("pk", "original_filename").order_by("-pk")[:JOB_FILTER_CHOICES]
        )
        choices = [(str(job.pk), str(job)) for job in newest]
        if value is None:
            return choices
        self.job = next((job for job in newest if str(job.pk) == value), None)
        if self.job is None:
            self.job = ImportJob.objects.filter(pk=value).first()
            # A deleted job keeps its choice, so the list stays filtered (and empty).
            label = str(self.job) if self.job else gettext("Import #%s") % value
            choices.append((value, label))
        return choices

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


class MatchedByFilter(admin.ChoicesFieldListFilter):
    """The key a row was matched on, headed as a librarian reads it (the field's own name
    read "By matched by")."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("how it was matched")


@admin.register(ImportRow)
class ImportRowAdmin(
    QuickActionCheckboxMixin, EmptyListHelpMixin, ViewerOnObjectMixin, admin.ModelAdmin
):
    """Every row of every import, reached from its job's page: what each row was read as and
    became, its warnings, its cells; a failed row can be corrected and re-run. Only imports
    write rows: the admin shows them."""

    change_list_template = "admin/catalog/importrow/change_list.html"
    change_form_template = "admin/catalog/importrow/change_form.html"
    list_display = ["line", "job_column", "status_and_correction", "read_as", "in_catalog", "notes"]
    list_display_links = ["line"]
    list_filter = [ImportJobFilter, "status", RowWarningsFilter, ("matched_by", MatchedByFilter)]
    list_per_page = 100
    show_full_result_count = False
    paginator = DeferredJoinPaginator  # the page's ids through an index, then those rows
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

    def get_list_display(self, request):
        shown = self.list_display
        if request.GET.get(ImportJobFilter.parameter_name):
            # One job's rows (its page links here): the title names the job.
            shown = [name for name in shown if name != "job_column"]
        # "Read as" shows a failed row's cells only to those who may read them.
        return [self._read_as_for(request) if name == "read_as" else name for name in shown]

    def _read_as_for(self, request):
        @admin.display(description=_("Read as"))
        def read_as(row):
            readable = permissions.user_can_read_import_cells(request.user, row.job)
            return self.read_as(row, cells_readable=readable)

        return read_as

    def get_queryset(self, request):
        credits = WorkAuthor.objects.select_related("author").order_by("position")
        return (
            super()
            .get_queryset(request)
            .select_related("job", "work", "edition", "corrected_by")
            # The job's name and id are shown; its wide fields are read only on a row's page.
            .defer("job__header", "job__column_map", "job__warnings", "job__error")
            .prefetch_related(Prefetch("work__credits", queryset=credits))
        )

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return self.paginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            rows=self.get_queryset(request),
            count_from=requested_page_start(request, per_page),
            count_cap=ROWS_COUNT_CAP,
        )

    def has_view_permission(self, request, obj=None):
        return permissions.user_can_view_imports(request.user)

    def has_module_permission(self, request):
        return False  # reached from a job's page; the index lists the jobs

    def empty_list_help(self, request):
        return empty_list_import_help(
            request, _("No rows yet: each import lists here the rows it read from its file.")
        )

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
        context = getattr(response, "context_data", None)  # none on a redirect
        if context is None:
            return response
        changelist = context.get("cl")
        job_filter = next(
            (
                spec
                for spec in getattr(changelist, "filter_specs", [])
                if isinstance(spec, ImportJobFilter)
            ),
            None,
        )
        job = getattr(job_filter, "job", None)
        if job is not None:
            context["import_job"] = job
            context["title"] = gettext("Rows of %(job)s") % {"job": job}
            # "Show all" beside the search: every row of this import, not of every import.
            changelist.show_all_query = urlencode({ImportJobFilter.parameter_name: job.pk})
            changelist.narrowed_within_scope = self.narrowed(request)
        job_id = job_filter.value() if job_filter is not None else None
        if job_id and not changelist.result_count:
            context["empty_list_reason"] = empty_job_rows_reason(
                job, job_id, narrowed=self.narrowed(request)
            )
        return response

    @staticmethod
    def narrowed(request) -> bool:
        """Whether anything but the job narrows the list (another filter, a search)."""
        ignored = {ImportJobFilter.parameter_name, "o", "p", "all", "_facets"}
        return any(value for name, value in request.GET.items() if name not in ignored)

    def history_view(self, request, object_id, extra_context=None):
        """A row's History is its import's: a row changes only by a re-run, logged there."""
        row = self.get_object(request, unquote(object_id))
        if row is None:
            return super().history_view(request, object_id, extra_context)
        return redirect("admin:catalog_importjob_history", row.job_id)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        row = self.get_object(request, unquote(object_id))
        extra = {}
        if row is not None:
            refusal = services.import_row_rerun_refusal(row=row)
            readable = permissions.user_can_read_import_cells(request.user, row.job)
            extra = {
                "import_job": row.job,
                "cells": self.cells(row) if readable else [],
                "cells_withheld": not readable,
                "read_as": read_as_rows(row.normalized),
                "can_rerun": not refusal
                and permissions.user_can_correct_import_row(request.user, row.job),
                "rerun_refusal": refusal if row.status == ImportRow.Status.FAILED else "",
                "cells_deleted": row.job.file_status == ImportJob.FileStatus.DELETED,
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    @staticmethod
    def cells(row: ImportRow) -> list[tuple[str, str, bool]]:
        """(column, cell, corrected by hand) for every column of the header, and any cell
        beyond it. A re-run keeps the corrected cells in place of the file's (the uploaded
        file still holds those), so the page marks them."""
        if not row.raw:
            return []  # deleted with the uploaded file, or refused by the database
        columns = BaseImporter(row.job.header)
        corrected = set(row.corrected_columns or [])
        padded = [*row.raw, *[""] * (len(row.job.header) - len(row.raw))]
        return [
            (name, cell, name in corrected)
            for name, cell in ((columns.column_name(i), cell) for i, cell in enumerate(padded))
        ]

    @admin.display(description=_("Line"), ordering="line_number")
    def line(self, row):
        return row.line_number

    @admin.display(description=_("Import"), ordering="job_id")
    def job_column(self, row):
        return format_html(
            '<a href="{}">{}</a>',
            admin_change_url("admin:catalog_importjob_change", row.job_id),
            row.job,
        )

    @admin.display(description=_("Import"))
    def job_link(self, row):
        url = reverse("admin:catalog_importjob_change", args=[row.job_id])
        return format_html('<a href="{}">{}</a>', url, row.job)

    @admin.display(description=_("Status"), ordering="status")
    def status_badge(self, row):
        return format_html(
            '<span class="status-badge" style="background:{}">{}</span>',
            ROW_STATUS_COLOURS.get(row.status, "#777"),
            ROW_STATUS_LABELS.get(row.status, row.status),
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
    def read_as(self, row, *, cells_readable: bool = True):
        data = row.normalized or {}
        if not data.get("title"):
            return unread_cells_html(row.raw) if cells_readable else "–"
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
            # A row that made or matched a book whose book is gone (the row keeps its work's id
            # only as long as the work exists): said, never a bare dash beside "Created".
            if row.status != ImportRow.Status.FAILED:
                return gettext("Its book was deleted since.")
            return "–"
        viewer = viewer_request(row)
        book = link_for_viewer(
            viewer,
            Work,
            admin_change_url("admin:catalog_work_change", row.work_id),
            work_label(row.work),
        )
        if row.status in (ImportRow.Status.UPDATED, ImportRow.Status.DUPLICATE):
            book = format_html(matched_template(row), book=book)
        if row.edition is None:
            return book
        return format_html(
            "{} · {}",
            book,
            link_for_viewer(
                viewer,
                Edition,
                admin_change_url("admin:catalog_edition_change", row.edition_id),
                edition_label(row.edition),
            ),
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
