"""Works and editions: their lists with thumbnails and ISBN search, filters and inlines, and
what the authors' admin (`catalog.admin.authors`) shares with them."""

from typing import TYPE_CHECKING, Any

from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_value
from django.contrib.admin.views.main import SEARCH_VAR
from django.db import models
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce, NullIf
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from bookstore.admin_deletion import DeletedWithItsRecordsMixin
from bookstore.admin_links import (
    InlineReadWithItsPageMixin,
    InlineRelationsLinkedForViewerMixin,
    RelationsLinkedForViewerMixin,
    ViewerOnObjectMixin,
    link_for_viewer,
    viewer_request,
)
from bookstore.admin_lists import EmptyListHelpMixin, QuickActionCheckboxMixin, with_note
from catalog import isbn, selectors
from catalog.admin.display import (
    PLACEHOLDER_TITLE_HELP,
    PLACEHOLDER_TITLE_LABEL,
    ImportToolMixin,
    cover_thumbnail_html,
    credit_place_text,
    credits_in_order,
    empty_list_import_help,
    work_title_html,
)
from catalog.admin.filters import (
    EditionFormatFilter,
    EditionLanguageFilter,
    FormatFilter,
    HasCoverFilter,
    LanguageFilter,
    language_name,
)
from catalog.admin.paging import EstimatedCountPaginator, SearchedOnceChangeList
from catalog.forms import EditionAdminForm, WorkAdminForm, WorkCreditForm, WorkCreditFormSet
from catalog.models import Edition, Work, WorkAuthor

# Cover URLs typed by hand default to https.
URL_FIELDS_ASSUME_HTTPS: dict[type[models.Field], dict[str, str]] = {
    models.URLField: {"assume_scheme": "https"}
}


# The mixin extends ModelAdmin; the type checker is told so (at run time it stays a plain mixin).
if TYPE_CHECKING:
    _ModelAdminBase = admin.ModelAdmin
else:
    _ModelAdminBase = object


class IsbnSearchMixin(_ModelAdminBase):
    """Admin search that also finds a book by any spelling of its ISBN (hyphens, ISBN-10)."""

    isbn_prefix = ""

    def get_search_results(self, request, queryset, search_term):
        condition = selectors.isbn_filter(search_term, prefix=self.isbn_prefix)
        if condition is not None:
            return queryset.filter(condition), bool(self.isbn_prefix)
        return super().get_search_results(request, queryset, search_term)


#: The cover image's check, read-only, shown only beside an image (CoverFieldsMixin).
COVER_CHECK_FIELDS = ("cover_verified", "cover_checksum")


class CoverFieldsMixin(_ModelAdminBase):
    """The "Cover" fieldset of works and editions: the hash and the time the bytes were checked
    are read-only, and an image a librarian uploads by hand drops what was known of the one it
    replaces (`cover_replaced`)."""

    cover_readonly_fields = ["cover_preview", *COVER_CHECK_FIELDS]
    cover_fieldset: tuple[Any, Any] = (  # one fieldset, as ModelAdmin.fieldsets lists them
        _("Cover"),
        {
            "fields": [
                "cover_preview",
                "cover",
                ("cover_source", "cover_source_url"),
                COVER_CHECK_FIELDS,
            ]
        },
    )

    def get_fieldsets(self, request, obj=None):
        """The image's check only where there is an image: an add page, or a book without a
        cover, has nothing that was checked."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and obj.cover:
            return fieldsets
        return [
            (
                name,
                {
                    **options,
                    "fields": [f for f in options["fields"] if f != COVER_CHECK_FIELDS],
                },
            )
            for name, options in fieldsets
        ]

    @admin.display(description=_("Image checked"))
    def cover_verified(self, obj):
        if not obj.cover_verified_at:
            return _("Not checked: it was stored before images were checked.")
        checked = display_for_value(obj.cover_verified_at, "")  # in the site's time zone
        if not (obj.cover_width and obj.cover_height):
            return _("%(when)s: a valid image.") % {"when": checked}
        return _("%(when)s: a valid image, %(width)s × %(height)s pixels.") % {
            "when": checked,
            "width": obj.cover_width,
            "height": obj.cover_height,
        }

    @admin.display(description=_("File fingerprint (SHA-256)"))
    def cover_checksum(self, obj):
        return obj.cover_sha256 or "–"

    def save_model(self, request, obj, form, change):
        if "cover" in form.changed_data:
            self.cover_replaced(obj, form)
        super().save_model(request, obj, form, change)

    def cover_replaced(self, obj, form) -> None:
        """A librarian uploaded another image, or cleared it: what was known of the one it
        replaces goes (enrichment's admin then checks and stores an upload: its
        VerifiedCoverUploadMixin)."""
        obj.cover_thumbnail = ""
        obj.cover_sha256 = ""
        obj.cover_width = obj.cover_height = obj.cover_verified_at = None
        for name in ("cover_source", "cover_source_url"):
            if name not in form.changed_data:
                setattr(obj, name, "")


class KeptMeanwhileMessageMixin:
    """Says which fields kept a value changed elsewhere while the page was open
    (catalog.forms.KeepsChangesMadeMeanwhileForm): the page's and its inlines'."""

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)  # type: ignore[misc]
        kept = list(getattr(form, "kept_meanwhile", []))
        for formset in formsets:
            for inline_form in formset.forms:
                kept += getattr(inline_form, "kept_meanwhile", [])
        if kept:
            names = list(dict.fromkeys(kept))
            self.message_user(  # type: ignore[attr-defined]
                request,
                ngettext(
                    "%(fields)s changed while you edited (by the enrichment worker or a "
                    "colleague): kept as it is now.",
                    "%(fields)s changed while you edited (by the enrichment worker or a "
                    "colleague): kept as they are now.",
                    len(names),
                )
                % {"fields": ", ".join(names)},
                messages.WARNING,
            )


class WorkAuthorInline(
    InlineReadWithItsPageMixin, InlineRelationsLinkedForViewerMixin, admin.TabularInline
):
    """Who a work is by: part of the work, so its reader reads them."""

    model = WorkAuthor
    # Translators, narrators, illustrators… as well as authors: not "Work authors".
    verbose_name = _("author or contributor")
    verbose_name_plural = _("authors and contributors")
    extra = 0
    autocomplete_fields = ["author"]
    fields = ["position", "author", "role"]
    readonly_fields = ["place_in_credits"]  # shown only in place of the position, to readers
    form = WorkCreditForm
    formset = WorkCreditFormSet
    ordering = ["position"]

    def get_fields(self, request, obj=None):
        fields = super().get_fields(request, obj)
        if not self.page_read_only(request, obj):
            return fields
        # A reader reads where each credit stands, "1 of 2", not the stored position ("0").
        return ["place_in_credits" if name == "position" else name for name in fields]

    def get_queryset(self, request):
        return super().get_queryset(request).prefetch_related(credits_in_order())

    @admin.display(description=_("place in its credits"))
    def place_in_credits(self, credit):
        return credit_place_text(credit)


class EditionInline(admin.StackedInline):
    model = Edition
    form = EditionAdminForm  # keeps what changed elsewhere while the work page was open
    extra = 0
    show_change_link = True
    fields = [
        ("cover_preview", "isbn13", "isbn10", "asin"),
        ("title", "subtitle"),
        ("publisher", "publication_date", "publication_date_precision"),
        ("format", "language", "page_count"),
        "shown_values",
    ]
    readonly_fields = ["cover_preview"]

    @admin.display(description=_("Cover"))
    def cover_preview(self, edition):
        return cover_thumbnail_html(edition.cover_thumbnail or edition.cover, width=60)


#: The work page's fields shown, to a reader who may not edit it, by a display of their own.
SUBJECTS_READ = {"subjects": "subjects_read"}


@admin.register(Work)
class WorkAdmin(
    ImportToolMixin,
    DeletedWithItsRecordsMixin,
    KeptMeanwhileMessageMixin,
    QuickActionCheckboxMixin,
    EmptyListHelpMixin,
    CoverFieldsMixin,
    IsbnSearchMixin,
    ViewerOnObjectMixin,
    admin.ModelAdmin,
):
    isbn_prefix = "editions__"
    change_list_template = "admin/catalog/work/change_list.html"
    form = WorkAdminForm
    list_display = [
        "thumbnail",
        "display_title",
        "author_names",
        "isbn",
        "first_published_year",
        "edition_count",
    ]
    list_display_links = ["thumbnail", "display_title"]
    list_filter = [HasCoverFilter, LanguageFilter, FormatFilter]
    # Searched through the title and name indexes: get_search_results (catalog.selectors).
    search_fields = ["title", "subtitle", "series", "credits__author__name"]
    search_help_text = _("Title, author, series, or an ISBN in any form (hyphens, ISBN-10 or 13).")
    list_per_page = 50
    show_full_result_count = False
    paginator = EstimatedCountPaginator  # unfiltered, PostgreSQL's estimate, said so
    #: Filters whose condition is a probe per work (a correlated EXISTS over the credits): a list
    #: they filter is counted as a search is, its ids read once in list order up to a cap.
    capped_count_filters: tuple[str, ...] = ()
    inlines = [WorkAuthorInline, EditionInline]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    readonly_fields = [
        *CoverFieldsMixin.cover_readonly_fields,
        "title_notice",
        "all_series",
        "subjects_read",
        "created_at",
        "updated_at",
    ]
    fieldsets = [
        (None, {"fields": ["title", "subtitle", ("series", "series_number"), "all_series"]}),
        (_("About"), {"fields": ["description", "first_published_year", "subjects"]}),
        (_("Identifiers"), {"fields": ["openlibrary_work_key"]}),
        CoverFieldsMixin.cover_fieldset,
        # shown_values: the values the page showed (KeepsChangesMadeMeanwhileForm), hidden.
        (
            _("Record"),
            {"fields": [("created_at", "updated_at"), "shown_values"], "classes": ["collapse"]},
        ),
    ]

    def get_queryset(self, request):
        queryset = super().get_queryset(request).prefetch_related("credits__author")
        queryset = selectors.works_with_listed_isbn(selectors.works_with_display_cover(queryset))
        # Counted per listed work (a correlated subquery): an aggregate would GROUP BY every
        # work, and make the list's count keep every annotation (0.9 s on 100,000 works).
        editions = (
            Edition.objects.filter(work=OuterRef("pk"))
            .order_by()
            .values("work")
            .annotate(n=Count("pk"))
            .values("n")
        )
        return queryset.annotate(
            edition_total=Coalesce(Subquery(editions, output_field=models.IntegerField()), 0)
        )

    def get_changelist(self, request, **kwargs):
        return SearchedOnceChangeList

    def counted_by_probes(self, request) -> bool:
        """Whether a filter of this request probes each row (counted up to a cap)."""
        return any(request.GET.get(name) for name in self.capped_count_filters)

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        search_term = request.GET.get(SEARCH_VAR, "").strip()
        searched = bool(search_term)
        probed = self.counted_by_probes(request)
        return self.paginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            # The page's rows, fetched by id without the search: its ISBN kept for the column.
            rows=self.listing_the_isbn_searched(self.get_queryset(request), search_term),
            # The search's index lookup, or the filter's probes, once for the count and the page.
            ids_first=searched or probed,
            probed=probed and not searched,
        )

    def get_search_results(self, request, queryset, search_term):
        """An ISBN in any form (IsbnSearchMixin), else every word in the title, subtitle,
        series or an author's name, through their indexes (selectors.work_search_q)."""
        if not search_term.strip():
            return queryset, False
        condition = selectors.isbn_filter(search_term, prefix=self.isbn_prefix)
        if condition is not None:
            return self.listing_the_isbn_searched(queryset.filter(condition), search_term), True
        return queryset.filter(selectors.work_search_q(search_term)), False

    @staticmethod
    def listing_the_isbn_searched(queryset, search_term: str):
        """Works found by an ISBN show it in the ISBN column, not their first edition's: a
        work in paperback and hardcover found by the hardcover's ISBN lists that one."""
        searched = isbn.parse_isbn(search_term)
        if searched is None:
            return queryset
        return queryset.annotate(listed_isbn=Value(searched.isbn13))

    def empty_list_help(self, request):
        return empty_list_import_help(
            request,
            _(
                "The catalog is empty. Import an export from Goodreads, StoryGraph, "
                "LibraryThing, Libib, calibre, Open Library, BookWyrm or Openreads, or any CSV: "
                "its books are listed here and enriched with covers and metadata."
            ),
        )

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and not self.has_change_permission(request, obj):
            # Read, not edited: the subjects one per line as the form has them, where the
            # admin shows a read-only JSON field as its raw list, ["Western", "Fiction"].
            fieldsets = [
                (name, {**options, "fields": [SUBJECTS_READ.get(f, f) for f in options["fields"]]})
                for name, options in fieldsets
            ]
        if obj is None or not obj.title_is_placeholder:
            return fieldsets
        (name, options), *rest = fieldsets  # the notice beside the title it is about
        fields = [("title", "title_notice"), *options["fields"][1:]]
        return [(name, {**options, "fields": fields}), *rest]

    @admin.display(description=_("Subjects"))
    def subjects_read(self, work):
        if not work.subjects:
            return self.get_empty_value_display()
        return format_html_join(mark_safe("<br>"), "{}", ((subject,) for subject in work.subjects))

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

    @admin.display(description=_("Shown"))
    def cover_preview(self, work):
        thumbnail = cover_thumbnail_html(work.display_cover, width=180)
        holder = selectors.cover_holder(work) if work.pk else None
        if not isinstance(holder, Edition):
            return thumbnail
        return format_html(
            '{}<span class="cover-origin">{} {}</span>',
            thumbnail,
            _("The work has no image of its own: this one is its edition's."),
            link_for_viewer(
                viewer_request(work),
                Edition,
                reverse("admin:catalog_edition_change", args=[holder.pk]),
                holder.isbn13 or holder.title or _("edition"),
            ),
        )

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

    @admin.display(description=_("Authors"))
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

    @admin.display(description=_("Editions"), ordering="edition_total")
    def edition_count(self, work):
        return work.edition_total

    @admin.display(description=_("ISBN"), ordering="listed_isbn")
    def isbn(self, work):
        return work.listed_isbn


@admin.register(Edition)
class EditionAdmin(
    DeletedWithItsRecordsMixin,
    KeptMeanwhileMessageMixin,
    QuickActionCheckboxMixin,
    EmptyListHelpMixin,
    CoverFieldsMixin,
    IsbnSearchMixin,
    RelationsLinkedForViewerMixin,
    admin.ModelAdmin,
):
    form = EditionAdminForm
    # Six columns, the ISBN-10 under the ISBN-13 and the language under the format: the list
    # fits 1,280 px beside the navigation and the filters.
    list_display = [
        "thumbnail",
        "display_title",
        "isbns",
        "publisher",
        "publication",
        "format_and_language",
    ]
    list_display_links = ["thumbnail", "display_title"]
    # Edition's own order ("work", then the date), spelled by the work's title: the header then
    # marks Title first and Published second. Given as "work", it marked Published alone, the
    # admin finding no column for "work".
    ordering = ["work__title_normalized", "work_id", "publication_date", "id"]
    list_select_related = ["work"]
    list_filter = [HasCoverFilter, EditionFormatFilter, EditionLanguageFilter]
    search_fields = ["title", "work__title", "publisher", "asin"]
    search_help_text = _("Title, publisher, ASIN, or an ISBN in any form.")
    list_per_page = 50
    show_full_result_count = False
    autocomplete_fields = ["work"]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    readonly_fields = [*CoverFieldsMixin.cover_readonly_fields, "created_at", "updated_at"]
    fieldsets = [
        (None, {"fields": ["work", ("title", "subtitle")]}),
        (_("Identifiers"), {"fields": [("isbn13", "isbn10", "asin")]}),
        (
            _("Publication"),
            {
                "fields": [
                    "publisher",
                    ("publication_date", "publication_date_precision"),
                    ("format", "language", "page_count"),
                ]
            },
        ),
        (
            _("Other identifiers"),
            {"fields": [("openlibrary_edition_key", "google_books_id", "goodreads_book_id")]},
        ),
        CoverFieldsMixin.cover_fieldset,
        # shown_values: the values the page showed (KeepsChangesMadeMeanwhileForm), hidden.
        (
            _("Record"),
            {"fields": [("created_at", "updated_at"), "shown_values"], "classes": ["collapse"]},
        ),
    ]

    @admin.display(description="")
    def thumbnail(self, edition):
        return cover_thumbnail_html(edition.cover_thumbnail or edition.cover)

    @admin.display(description=_("Shown"))
    def cover_preview(self, edition):
        return cover_thumbnail_html(edition.cover, width=180)

    def empty_list_help(self, request):
        return empty_list_import_help(
            request, _("No editions yet: each imported book brings its edition (ISBN, publisher).")
        )

    @admin.display(description=_("Title"), ordering="work__title_normalized")
    def display_title(self, edition):
        return edition.title or work_title_html(edition.work)

    @admin.display(description=_("Published"), ordering="publication_date")
    def publication(self, edition):
        return edition.publication_date_display

    @admin.display(description=_("ISBN"), ordering="isbn13")
    def isbns(self, edition):
        """The ISBN-13, and the ISBN-10 below it (alone when the edition has no ISBN-13);
        without an ISBN, the identifier it is found by, named ("ASIN B00…"): two untitled
        editions of a work read the same in the title column."""
        if not edition.isbn13:
            if edition.isbn10:
                return edition.isbn10
            other = edition.identifier_text()
            return format_html('<span class="quiet">{}</span>', other) if other else None
        if not edition.isbn10:
            return edition.isbn13
        return with_note(edition.isbn13, edition.isbn10)

    @admin.display(description=_("Format"), ordering="format")
    def format_and_language(self, edition):
        """The format, and the language below it, by its name."""
        shown = edition.get_format_display() or self.get_empty_value_display()
        return with_note(shown, language_name(edition.language)) if edition.language else shown


# The name an author is listed by: its sort name, or its name when the source gave none
# (Goodreads' co-authors, StoryGraph's authors), so that such an author sits among the others
# rather than before all of them. A literal '' rather than a parameter: catalog 0025's index is
# on this expression, and SQLite matches an index's expression only without parameters.
AUTHOR_LISTED_NAME = Coalesce(NullIf("sort_name", RawSQL("''", ())), "name")
