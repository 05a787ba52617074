"""Authors: their list ordered by the name they are listed by, their works, their photo."""

from typing import TYPE_CHECKING

from django.contrib import admin
from django.contrib.admin.views.main import ORDER_VAR, ChangeList
from django.db import models
from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from bookstore.admin_deletion import DeletedWithItsRecordsMixin
from bookstore.admin_links import (
    InlineReadWithItsPageMixin,
    InlineRelationsLinkedForViewerMixin,
    RelationsLinkedForViewerMixin,
)
from bookstore.admin_lists import EmptyListHelpMixin, QuickActionCheckboxMixin
from catalog.admin.display import (
    cover_thumbnail_html,
    credit_place_text,
    credits_in_order,
    empty_list_import_help,
)
from catalog.admin.works import (
    AUTHOR_LISTED_NAME,
    URL_FIELDS_ASSUME_HTTPS,
    KeptMeanwhileMessageMixin,
)
from catalog.forms import AuthorAdminForm
from catalog.life_years import author_life_text, author_year_text
from catalog.models import Author, EnrichmentStatus, WorkAuthor

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

#: How a librarian asks enrichment about an author, in the author list's words. The action
#: queues only an author still missing a bio, a birth year or an id (enrichment's
#: authors_missing_q, which catalog does not import): said, so that a skip is no surprise.
ASK = _(
    'To ask: tick it in the author list and choose "Enrich selected authors" (it looks up an '
    "author still missing a bio, a birth year or an id)."
)
ASK_AGAIN = _(
    'To ask again: tick it in the author list and choose "Enrich selected authors" (it looks '
    "up an author still missing a bio, a birth year or an id)."
)
#: The same, to a user the author list does not offer the action to (it needs the permission to
#: review enrichment): who can ask, rather than a way that ends at "No action selected".
ASK_SOMEONE = _(
    "Your account cannot send authors to enrichment: someone who may review enrichment can "
    '(the author list\'s "Enrich selected authors").'
)

#: An author without a photo, by its stored enrichment status (the one its Enrichment badge
#: shows): what is true of the photo, and what a librarian can do.
NO_PHOTO_BY_STATUS: dict[str, "StrPromise"] = {
    EnrichmentStatus.NOT_ENRICHED: _(
        "None: this author has not been sent to enrichment, which fetches one, verified, with "
        "its licence."
    ),
    EnrichmentStatus.QUEUED: _(
        "None yet: this author is queued for enrichment, which fetches one, verified, with its "
        "licence."
    ),
    EnrichmentStatus.WAITING: _(
        "None yet: no provider could be reached; enrichment asks again on its own and fetches "
        "one, verified, with its licence."
    ),
    EnrichmentStatus.NEEDS_REVIEW: _(
        "None yet: this author's enrichment waits in review; a photo it found comes once a "
        "reviewer approves it."
    ),
    EnrichmentStatus.ENRICHED: _(
        "None: enrichment matched this author but kept no photo (none it may show was found, a "
        "reviewer left it out, or its download is still under way)."
    ),
    EnrichmentStatus.UNRESOLVED: _("None: no provider knows this author, so none was found."),
    EnrichmentStatus.DISMISSED: _(
        "None: a reviewer dismissed what enrichment found for this author."
    ),
    EnrichmentStatus.FAILED: _("None: this author's enrichment failed before one was found."),
}
#: The statuses whose text ends with the way to ask again (the others are on their way).
ASKED_AND_ENDED = {
    EnrichmentStatus.ENRICHED,
    EnrichmentStatus.UNRESOLVED,
    EnrichmentStatus.DISMISSED,
    EnrichmentStatus.FAILED,
}


def no_photo_text(author: Author, *, may_ask: bool) -> str:
    """What the Photo field says of an author without one: true for where its enrichment
    stands (never "enrichment fetches one" of an author no provider knows), and, where it can
    be asked for, how: for a user who `may_ask` (the author list offers them "Enrich selected
    authors"), the way; for another, who can."""
    status = author.enrichment_status
    if status not in NO_PHOTO_BY_STATUS:
        status = EnrichmentStatus.NOT_ENRICHED
    text = str(NO_PHOTO_BY_STATUS[status])
    if status == EnrichmentStatus.NOT_ENRICHED:
        return f"{text} {ASK if may_ask else ASK_SOMEONE}"
    if status in ASKED_AND_ENDED:
        return f"{text} {ASK_AGAIN if may_ask else ASK_SOMEONE}"
    return text


class AuthorWorksInline(
    InlineReadWithItsPageMixin, InlineRelationsLinkedForViewerMixin, admin.TabularInline
):
    """What an author wrote: part of the author, so their reader reads it."""

    model = WorkAuthor
    fk_name = "author"
    extra = 0
    fields = ["work", "role", "place_in_credits"]
    readonly_fields = ["work", "role", "place_in_credits"]
    can_delete = False
    verbose_name = _("work")
    verbose_name_plural = _("works")
    template = "admin/catalog/author/works_inline.html"  # an empty table says why

    def get_queryset(self, request):
        # Each work's credits in their order, for place_in_credits: two queries, not one a row.
        return (
            super()
            .get_queryset(request)
            .select_related("work")
            .prefetch_related(credits_in_order())
        )

    @admin.display(description=_("place in its credits"))
    def place_in_credits(self, credit):
        return credit_place_text(credit)

    def has_add_permission(self, request, obj=None):
        return False


class AuthorChangeList(ChangeList):
    def get_ordering_field_columns(self):
        """The default order is by the name listed (AUTHOR_LISTED_NAME), so the list marks its
        Sort name column, not Name, which only breaks ties (Django marks no column for an
        expression, and would mark the next field of the order)."""
        columns = super().get_ordering_field_columns()
        if ORDER_VAR in self.params or "listed_sort_name" not in self.list_display:
            return columns
        return {self.list_display.index("listed_sort_name"): "asc"}


@admin.register(Author)
class AuthorAdmin(
    DeletedWithItsRecordsMixin,
    KeptMeanwhileMessageMixin,
    QuickActionCheckboxMixin,
    EmptyListHelpMixin,
    RelationsLinkedForViewerMixin,
    admin.ModelAdmin,
):
    form = AuthorAdminForm
    list_display = ["name", "listed_sort_name", "lived", "work_count"]
    search_fields = ["name", "sort_name"]
    list_per_page = 50
    show_full_result_count = False
    inlines = [AuthorWorksInline]
    formfield_overrides = URL_FIELDS_ASSUME_HTTPS
    # A photo is only ever one the enrichment pipeline fetched and verified, with its licence.
    readonly_fields = ["created_at", "updated_at", "photo_preview", "merged_into"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "name",
                    "sort_name",
                    ("birth_year", "death_year"),
                    ("birth_date", "death_date"),
                    "short_description",
                    "bio",
                    "bio_source",
                    ("gender", "nationality"),
                ]
            },
        ),
        (
            _("Identifiers"),
            {
                "fields": [
                    ("openlibrary_key", "wikidata_id", "goodreads_author_id"),
                    ("viaf_id", "isni"),
                    "merged_into",
                ]
            },
        ),
        (_("Photo"), {"fields": ["photo_preview"]}),
        (
            _("Record"),
            {"fields": [("created_at", "updated_at"), "shown_values"], "classes": ["collapse"]},
        ),
    ]

    def get_fieldsets(self, request, obj=None):
        """To a user who may only view, the life years as read ("384 BC", "c. 1850"), not the
        number the input holds ("-384")."""
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        years = {"birth_year": "born", "death_year": "died"}
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        tuple(years.get(f, f) for f in field)
                        if isinstance(field, tuple)
                        else years.get(field, field)
                        for field in options["fields"]
                    ],
                },
            )
            for name, options in fieldsets
        ]

    @admin.display(description=_("Lived"), ordering="birth_year")
    def lived(self, author):
        """ "384 BC–322 BC": two namesakes told apart on the list."""
        return author_life_text(author) or "–"

    @admin.display(description=_("Birth year"), ordering="birth_year")
    def born(self, author):
        return author_year_text(author, "birth") or "–"

    @admin.display(description=_("Death year"), ordering="death_year")
    def died(self, author):
        return author_year_text(author, "death") or "–"

    def image_source_label(self, source: str) -> str:
        """What the photo's credit says of its source key: enrichment's admin names it by its
        label (catalog knows no provider)."""
        return source

    def may_ask_enrichment(self, request) -> bool:
        """Whether the author list offers this user "Enrich selected authors": never here
        (catalog has no enrichment); enrichment's admin, which adds the action, says."""
        return False

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # The Photo field's advice is for the user reading it (photo_preview gets no request).
        if obj is not None:
            obj.may_ask_enrichment = self.may_ask_enrichment(request)
        return super().render_change_form(request, context, add, change, form_url, obj)

    @admin.display(description=_("Photo"))
    def photo_preview(self, author):
        if not author.photo and author.merged_into_id:
            return _("None: a merged author (a redirect) is never enriched.")
        if not author.photo:
            return no_photo_text(author, may_ask=getattr(author, "may_ask_enrichment", False))
        credit = [
            self.image_source_label(author.photo_source),
            author.photo_licence,
            author.photo_artist,
        ]
        return format_html(
            '{}<br><span class="small">{}</span>',
            cover_thumbnail_html(author.photo_thumbnail or author.photo, width=120),
            " · ".join(part for part in credit if part),
        )

    def get_queryset(self, request):
        # Counted per listed author (a correlated subquery), not grouped over every author and
        # credit before the page is cut: that took 0.6 s on 20,000 authors.
        works = (
            WorkAuthor.objects.filter(author=OuterRef("pk"))
            .order_by()
            .values("author")
            .annotate(n=Count("work", distinct=True))
            .values("n")
        )
        return (
            super()
            .get_queryset(request)
            .annotate(work_total=Coalesce(Subquery(works, output_field=models.IntegerField()), 0))
        )

    def get_ordering(self, request):
        # An expression (catalog 0025's index is on it), so not the `ordering` attribute, which
        # the admin's checks and type stubs want as field names.
        return [AUTHOR_LISTED_NAME.asc(), "name"]

    def get_changelist(self, request, **kwargs):
        return AuthorChangeList

    def empty_list_help(self, request):
        return empty_list_import_help(
            request, _("No authors yet: they come with the books an import adds.")
        )

    @admin.display(description=_("Sort name"), ordering=AUTHOR_LISTED_NAME)
    def listed_sort_name(self, author):
        return author.sort_name

    @admin.display(description=_("Works"), ordering="work_total")
    def work_count(self, author):
        return author.work_total
