"""The author list: catalog's authors admin plus enrichment's columns, filters and the "Enrich
selected authors" action (catalog never imports enrichment: they are added from this side)."""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.utils import display_for_value
from django.contrib.admin.views.main import PAGE_VAR
from django.core.paginator import Paginator
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bookstore.admin_links import admin_may_view, count_link
from catalog.admin.authors import AuthorAdmin
from catalog.models import Author, EnrichmentStatus
from enrichment.admin.actions import bulk_action
from enrichment.admin.base import ReviewPermissionMixin, badge
from enrichment.admin.works import CompletenessFilter, EnrichmentStatusFilter
from enrichment.audit_queries import entries_of_author_q
from enrichment.author_candidates import AUTHOR_ID_FIELDS, AUTHOR_ID_LABELS
from enrichment.author_state import authors_missing_q
from enrichment.history import (
    history_note_if_empty,
    history_rows_as_entries_say,
    merge_history_rows,
)
from enrichment.models import AuditLogEntry, BulkOperation, EnrichmentRequest
from enrichment.presenters import ALL_HISTORY, HISTORY_PARAMETER, cover_source_label
from enrichment.request_status import (
    NOTHING_ADDED_LABEL,
    TARGET_STATUS_LABELS,
    target_added_nothing,
    target_changed_annotation,
)
from enrichment.selectors import (
    AUTHOR_DETAILS,
    AUTHOR_NOT_REDIRECT,
    AUTHORS_MISSING_KEY,
)

#: An author's enrichment status -> its badge's colour (the queue's colours).
STATUS_COLOURS = {
    EnrichmentStatus.NOT_ENRICHED: "#777",
    EnrichmentStatus.QUEUED: "#1f6fb2",
    EnrichmentStatus.WAITING: "#9e9e9e",
    EnrichmentStatus.ENRICHED: "#2e7d32",
    EnrichmentStatus.NEEDS_REVIEW: "#b26a00",
    EnrichmentStatus.UNRESOLVED: "#8d6e63",
    EnrichmentStatus.DISMISSED: "#8d6e63",
    EnrichmentStatus.FAILED: "#c62828",
}
REDIRECT_COLOUR = "#455a64"
#: An author that reads "Matched, nothing added" (request_status.target_added_nothing).
NOTHING_ADDED_COLOUR = "#558b2f"
#: The ids the list shows (every kind an author holds), each under its name; Open Library's
#: keys say "OL" themselves, so its name is shortened to fit the column.
ID_FIELDS = tuple(
    (field_name, "OL" if kind == "openlibrary_author" else AUTHOR_ID_LABELS[kind])
    for kind, field_name in AUTHOR_ID_FIELDS.items()
)


class AuthorEnrichmentStatusFilter(EnrichmentStatusFilter):
    """The works list's, of authors: "Matched, nothing added" apart from "Enriched"."""

    target = "author"


#: An author detail's key ("bio", "photo"…) -> the condition of holding it.
AUTHOR_DETAIL_CONDITIONS = {key: condition for key, _label, condition in AUTHOR_DETAILS}


class AuthorCompletenessFilter(CompletenessFilter):
    """By completeness band, as the works list and the dashboard have them."""


class AuthorHasFilter(admin.SimpleListFilter):
    title = _("details held")
    parameter_name = "has"

    def lookups(self, request, model_admin):
        return [(key, label) for key, label, _condition in AUTHOR_DETAILS]

    def queryset(self, request, queryset):
        condition = AUTHOR_DETAIL_CONDITIONS.get(self.value() or "")
        return queryset if condition is None else queryset.filter(condition)


class AuthorMissingFilter(admin.SimpleListFilter):
    title = _("details missing")
    parameter_name = "missing"

    def lookups(self, request, model_admin):
        return [
            *((key, label) for key, label, _condition in AUTHOR_DETAILS),
            (AUTHORS_MISSING_KEY, _("a bio, dates or ids (what enrichment looks for)")),
        ]

    def queryset(self, request, queryset):
        if self.value() == AUTHORS_MISSING_KEY:
            return queryset.filter(authors_missing_q())  # enrich_missing --authors' rule
        condition = AUTHOR_DETAIL_CONDITIONS.get(self.value() or "")
        return queryset if condition is None else queryset.exclude(condition)


class RedirectFilter(admin.SimpleListFilter):
    title = _("redirect")
    parameter_name = "redirect"

    def lookups(self, request, model_admin):
        return [
            ("no", _("Authors (no redirects)")),
            ("yes", _("Redirects (merged into another author)")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "no":
            return queryset.filter(AUTHOR_NOT_REDIRECT)
        if self.value() == "yes":
            return queryset.exclude(AUTHOR_NOT_REDIRECT)
        return queryset


class EnrichmentAuthorAdmin(ReviewPermissionMixin, AuthorAdmin):
    """catalog's authors admin, plus completeness, enrichment status, ids and "Enrich selected
    authors". A redirect (merged into another author) shows where it points and is never
    queued."""

    list_display = [
        "name",
        "listed_sort_name",
        "lived",
        "completeness_label",
        "enrichment_badge",
        "ids",
        "work_count",
    ]
    list_select_related = ["merged_into"]
    list_filter = [
        AuthorEnrichmentStatusFilter,
        AuthorCompletenessFilter,
        AuthorHasFilter,
        AuthorMissingFilter,
        RedirectFilter,
    ]
    search_help_text = _("Name or sort name.")
    actions = ["enrich_selected"]

    def image_source_label(self, source: str) -> str:
        return cover_source_label(source) if source else ""  # its label, not its key

    def may_ask_enrichment(self, request) -> bool:
        # The action's own permission check (get_actions), not a copy of it.
        return "enrich_selected" in self.get_actions(request)

    def get_queryset(self, request):
        # "Matched, nothing added" where the status says "enriched": read in the list's query.
        return super().get_queryset(request).annotate(**target_changed_annotation("author"))

    def history_view(self, request, object_id, extra_context=None):
        """Its History, with the merges that made it a redirect and their reverts, which are
        recorded on the author it was merged into (history.merge_history_rows), in time order
        among its own rows; each enrichment row as its audit entry says it now (rows written by
        older versions too: history.history_rows_as_entries_say)."""
        response = super().history_view(request, object_id, extra_context)
        context = getattr(response, "context_data", None) or {}
        rows = merge_history_rows(context["object"]) if "object" in context else []
        if "action_list" in context and not rows:
            history_rows_as_entries_say(list(context["action_list"]))
            history_note_if_empty(response, of_author=True)
        if rows:
            own = list(context["action_list"].paginator.object_list)
            history_rows_as_entries_say(own)
            every = sorted([*own, *rows], key=lambda row: row.action_time)
            paginator = Paginator(every, 100)  # the admin's page size for a History
            page = paginator.get_page(request.GET.get(PAGE_VAR, 1))
            context.update(
                action_list=page,
                page_range=paginator.get_elided_page_range(page.number),
                pagination_required=paginator.count > 100,
            )
        return response

    @admin.display(description=_("Completeness"), ordering="completeness")
    def completeness_label(self, author):
        return f"{author.completeness} %"

    @admin.display(description=_("Enrichment"), ordering="enrichment_status")
    def enrichment_badge(self, author):
        if author.merged_into_id:
            return format_html(
                '{} <a href="{}">{}</a>',
                badge(gettext("Redirect"), REDIRECT_COLOUR),
                reverse("admin:catalog_author_change", args=[author.merged_into_id]),
                gettext("→ %(name)s") % {"name": author.merged_into},
            )
        if target_added_nothing(author):  # its request matched, with nothing to add
            return badge(NOTHING_ADDED_LABEL, NOTHING_ADDED_COLOUR)
        value = author.enrichment_status
        return badge(TARGET_STATUS_LABELS.get(value, value), STATUS_COLOURS.get(value, "#777"))

    @admin.display(description=_("Ids"))
    def ids(self, author):
        held = [(label, getattr(author, name)) for name, label in ID_FIELDS]
        held = [(label, value) for label, value in held if value]
        if not held:
            return "–"
        return format_html_join(", ", "{} {}", held)

    # The author page's "Enrichment" section: where the author stands, links to the rest.

    enrichment_fields = [("enrichment_badge", "completeness_label", "last_enriched")]

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets
        section = (
            _("Enrichment"),
            {"fields": self.enrichment_fields, "description": self._links(request, obj)},
        )
        return [fieldsets[0], section, *fieldsets[1:]]

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), *self.enrichment_fields[0]]

    @admin.display(description=_("Last enriched"))
    def last_enriched(self, author):
        return display_for_value(author.last_enriched_at, "–")

    @staticmethod
    def _links(request, author):
        """Its enrichment requests and audit entries (for those who may see them), its
        History."""
        links = []
        if admin_may_view(request, EnrichmentRequest):
            query = urlencode({"author__id__exact": author.pk, HISTORY_PARAMETER: ALL_HISTORY})
            requests = author.enrichment_requests.count()
            links.append(
                count_link(
                    f"{reverse('admin:enrichment_enrichmentrequest_changelist')}?{query}",
                    gettext("Its enrichment requests (%(n)s)") % {"n": requests},
                    requests,
                )
            )
        if admin_may_view(request, AuditLogEntry):
            entries = AuditLogEntry.objects.filter(entries_of_author_q(author.pk)).count()
            links.append(
                count_link(
                    f"{reverse('admin:enrichment_auditlogentry_changelist')}?"
                    + urlencode({"author__id__exact": author.pk}),
                    gettext("Its audit log entries (%(n)s)") % {"n": entries},
                    entries,
                )
            )
        history = reverse("admin:catalog_author_history", args=[author.pk])
        links.append(
            format_html(
                '<a href="{}">{}</a>', history, gettext("History (enrichment's changes included)")
            )
        )
        return format_html_join(" · ", "{}", ((link,) for link in links))

    @admin.action(description=_("Enrich selected authors"), permissions=["review"])
    def enrich_selected(self, request, queryset):
        return bulk_action(
            self,
            request,
            queryset,
            kind=BulkOperation.Action.ENRICH_AUTHORS,
            noun=gettext("authors"),
        )


admin.site.unregister(Author)
admin.site.register(Author, EnrichmentAuthorAdmin)
