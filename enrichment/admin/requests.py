"""The enrichment queue (EnrichmentRequest) and its review page: filters, list, actions."""

from django.contrib import admin
from django.contrib.admin.utils import display_for_value, unquote
from django.contrib.admin.views.main import PAGE_VAR
from django.core.exceptions import PermissionDenied
from django.db.models import IntegerField, Q, QuerySet
from django.db.models.expressions import RawSQL
from django.db.models.fields.json import KeyTransform
from django.urls import path, reverse
from django.utils.html import format_html
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bookstore.admin_links import (
    ViewerOnObjectMixin,
    admin_may_view,
    link_for_viewer,
    viewer_request,
)
from bookstore.admin_lists import EmptyListHelpMixin, QuickActionCheckboxMixin, help_with_link
from bookstore.db_clock import database_now_expression
from catalog import selectors
from catalog.admin.paging import DeferredJoinPaginator, SearchedOnceChangeList
from catalog.life_years import author_life_text
from catalog.models import Author, Edition, Work
from enrichment import match_summary, presenters, review_page, views
from enrichment.admin.actions import bulk_action
from enrichment.admin.base import NarrowedListMixin, ReviewPermissionMixin, badge
from enrichment.admin.request_filters import (
    ConfidenceFilter,
    CoverProposalFilter,
    HistoryFilter,
    ProviderFilter,
    StatusFilter,
    TargetFilter,
    TriggerFilter,
)
from enrichment.admin.request_images import RequestImagesMixin
from enrichment.decided_headline import reverted_since
from enrichment.heartbeats import worker_running_expression
from enrichment.models import AuditLogEntry, BulkOperation, EnrichmentRequest, SourceRecord
from enrichment.request_status import (
    image_status_text,
    request_changed_catalog_annotation,
    request_status_label,
    request_was_superseded,
)
from enrichment.selectors import request_last_try_at
from enrichment.templatetags.admin_time import moment_age
from enrichment.work_state import target_edition

Status = EnrichmentRequest.Status
REQUEST_COLOURS = {
    "needs_review": "#b26a00",
    "pending": "#777",
    "in_progress": "#1f6fb2",
    "completed": "#2e7d32",
    "failed": "#c62828",
    "skipped": "#8d6e63",
}
CONFIDENCE_COLOURS = {"high": "#2e7d32", "medium": "#1f6fb2", "low": "#b26a00", "none": "#777"}
#: The queue's default order: requests waiting for review first, then priority, then age. The
#: expression of the index that reads the queue in this order (migration 0019): its literal in
#: the SQL, never a bound parameter, or SQLite's planner cannot match it and sorts every row.
NEEDS_REVIEW_FIRST = RawSQL(
    f'CASE WHEN "enrichment_enrichmentrequest"."status" = \'{Status.NEEDS_REVIEW}\' '
    "THEN 0 ELSE 1 END",
    [],
    output_field=IntegerField(),
)
#: The queue is counted up to this many rows; past it the page says "more than 1,000" and pages
#: through the first 1,000 (20 pages; filters and the search reach the others). Each counted row
#: is a current-request probe: an exact count of 1,000,000 costs most of a second, 10,000 cost
#: 15 ms on SQLite and most of 100 ms on PostgreSQL.
COUNT_CAP = 1_000
#: The JSON keys the list's cells read (the proposed cover; match_summary.answered_providers), read
#: alone in SQL: a page's whole proposals and match details, turned into objects, cost more than
#: the page's queries.
LIST_JSON_KEYS = {
    "proposal": ("cover",),
    "match_details": ("answered", "faults", "candidates"),
}
#: Authors whose own requests a search lists (a name matched by more is too vague to list all).
SEARCH_AUTHORS_MAX = 500


class RequestChangeList(SearchedOnceChangeList):
    """The queue's change list: it knows whether it shows all history, and whether its count
    stopped at COUNT_CAP, for its count line."""

    all_history = False
    history_url = ""
    current_url = ""
    count_capped = False
    count_cap = COUNT_CAP


def list_rows(queryset: QuerySet) -> QuerySet:
    """The list's rows without their whole JSON: only LIST_JSON_KEYS, as annotations that
    list_row_json puts back in place (the cells then call the review page's own functions)."""
    keys = {
        f"list_{field}_{key}": KeyTransform(key, field)
        for field, names in LIST_JSON_KEYS.items()
        for key in names
    }
    return queryset.defer(*LIST_JSON_KEYS).annotate(**keys)


def list_row_json(row: EnrichmentRequest) -> None:
    """A row from list_rows gets its proposal and match details back, holding the list's keys
    only (a row listed without list_rows, a short list's, has them whole already)."""
    for field, names in LIST_JSON_KEYS.items():
        values = {key: getattr(row, f"list_{field}_{key}", None) for key in names}
        if f"list_{field}_{names[0]}" in row.__dict__:
            setattr(row, field, {key: value for key, value in values.items() if value is not None})


@admin.register(EnrichmentRequest)
class EnrichmentRequestAdmin(
    RequestImagesMixin,
    NarrowedListMixin,
    QuickActionCheckboxMixin,
    EmptyListHelpMixin,
    ReviewPermissionMixin,
    ViewerOnObjectMixin,
    admin.ModelAdmin,
):
    narrowed_subtitle = _("Only the requests of %(whose)s")
    written_by_the_application = True  # deleted with its work or author (admin_deletion)
    change_form_template = "admin/enrichment/enrichmentrequest/change_form.html"
    list_display = [
        "status_badge",
        "confidence_badge",
        "images",  # its heading says "cover", "photo" or both: get_list_display
        "book",
        "answered_by",
        "age",
    ]
    list_display_links = ["book"]
    list_filter = [
        HistoryFilter,
        TargetFilter,
        StatusFilter,
        ConfidenceFilter,
        ProviderFilter,
        TriggerFilter,
        CoverProposalFilter,
    ]
    list_select_related = ["work", "edition", "author"]
    search_fields = ["work__title", "work__credits__author__name"]  # see get_search_results
    search_help_text = _("Title, author, or an ISBN in any form.")  # an author's request: by name
    list_per_page = 50
    list_max_show_all = 200
    show_full_result_count = False  # a big table: no second COUNT(*) per page
    paginator = DeferredJoinPaginator
    actions = ["approve_selected", "dismiss_selected", "rerun_selected"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("book_link", "status_badge", "confidence_badge"),
                    ("trigger_label", "priority", "attempts", "answered_by"),
                    ("created_at", "last_try", "cover_state"),
                    ("reviewed", "last_error"),
                ]
            },
        )
    ]
    readonly_fields = [
        "book_link",
        "status_badge",
        "confidence_badge",
        "trigger_label",
        "priority",
        "attempts",
        "answered_by",
        "created_at",
        "last_try",
        "cover_state",
        "photo_state",
        "reviewed",
        "last_error",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("work", "edition", "author", "reviewed_by")
            .prefetch_related("work__editions", "work__credits__author")
            # A waiting request's next try needs a worker: read once for the page.
            .annotate(worker_running=worker_running_expression())
            # The database's now, read with the rows: a next try is due on its clock.
            .annotate(database_now=database_now_expression())
            # Whether a completed request added anything ("Matched, nothing added").
            .annotate(**request_changed_catalog_annotation())
        )

    def get_list_display(self, request):
        # The image column heads a list of works' requests "Cover", of authors' "Photo".
        column = {"works": "covers", "authors": "photos"}.get(
            request.GET.get(TargetFilter.parameter_name, ""), "images"
        )
        return [column if name == "images" else name for name in super().get_list_display(request)]

    def get_ordering(self, request):
        if request.GET.get("status__exact"):
            # One status: "needs review first" orders nothing, and without it the (status,
            # confidence, priority, age) indexes read the page in order.
            return ["-priority", "created_at", "pk"]
        return [NEEDS_REVIEW_FIRST.asc(), "-priority", "created_at", "pk"]

    def get_changelist(self, request, **kwargs):
        return RequestChangeList

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        assert isinstance(changelist, RequestChangeList)
        # The count under the list says which requests it counts, and links to the others.
        show = HistoryFilter.parameter_name
        changelist.all_history = request.GET.get(show) == HistoryFilter.ALL
        changelist.history_url = changelist.get_query_string({show: HistoryFilter.ALL}, [PAGE_VAR])
        changelist.current_url = changelist.get_query_string(remove=[show, PAGE_VAR])
        changelist.count_capped = getattr(changelist.paginator, "count_capped", False)
        changelist.count_cap = COUNT_CAP
        for row in changelist.result_list:
            list_row_json(row)
        return changelist

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return self.paginator(
            queryset,
            per_page,
            orphans,
            allow_empty_first_page,
            rows=list_rows(self.get_queryset(request)),
            count_cap=COUNT_CAP,
            ids_first=True,  # the capped count's ids are the pages': the filters run once
        )

    def get_search_results(self, request, queryset, search_term):
        """Title, author or ISBN, as work id subqueries: no join that duplicates rows, so no
        SELECT DISTINCT over 100,000 wide rows."""
        if not search_term.strip():
            return queryset, False
        isbn = selectors.isbn_filter(search_term)
        if isbn is not None:
            return queryset.filter(
                work_id__in=Edition.objects.filter(isbn).values("work_id")
            ), False
        works = Work.objects.filter(selectors.work_search_q(search_term))
        authors = Author.objects.filter(
            selectors.authors_named_q(selectors.search_terms(search_term))
        )
        # Matching works first (a narrow table), then their requests by the work_id index;
        # authors' requests by the authors named so (listed first: most searches name none,
        # and an OR of two subqueries would cost every search).
        condition = Q(work_id__in=works.values("pk"))
        named = authors.only("id", "merged_into_id")[:SEARCH_AUTHORS_MAX]
        # A merged duplicate's name finds the requests of the author it was merged into too,
        # as the works it names are found (no query more when no redirect is named).
        followed = selectors.redirects_followed({author.pk: author for author in named})
        author_ids = {*followed, *(author.pk for author in followed.values())}
        if author_ids:
            condition |= Q(author_id__in=sorted(author_ids))
        return queryset.filter(condition), False

    def get_object(self, request, object_id, from_field=None):
        # The review page needs the object before Django's change_view: fetch it once.
        cache = request.__dict__.setdefault("_enrichment_objects", {})
        if object_id not in cache:
            cache[object_id] = super().get_object(request, object_id, from_field)
        return cache[object_id]

    def empty_list_help(self, request):
        return help_with_link(
            _(
                "Nothing is queued for enrichment. Each import queues the books that lack a "
                "cover or metadata; on the works list, “Enrich all missing covers / metadata” "
                "queues every such book."
            ),
            reverse("admin:catalog_work_changelist"),
            _("Go to the works list"),
        )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False  # decisions go through the review buttons, never a model form

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path("dashboard/", wrap(self.dashboard_view), name="enrichment_dashboard"),
            path(
                "dashboard/refresh/",
                wrap(views.dashboard_refresh_view),
                name="enrichment_dashboard_refresh",
            ),
            path(
                "<int:object_id>/approve/",
                wrap(views.request_approve_view),
                name="enrichment_enrichmentrequest_approve",
            ),
            path(
                "<int:object_id>/dismiss/",
                wrap(views.request_dismiss_view),
                name="enrichment_enrichmentrequest_dismiss",
            ),
            path(
                "<int:object_id>/rerun/",
                wrap(views.request_rerun_view),
                name="enrichment_enrichmentrequest_rerun",
            ),
            *super().get_urls(),
        ]

    def dashboard_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        return views.dashboard_view(request, self)

    def changelist_view(self, request, extra_context=None):
        next_id = review_page.next_for_review() if request.method == "GET" else None
        extra_context = {
            **(extra_context or {}),
            "next_review_url": reverse("admin:enrichment_enrichmentrequest_change", args=[next_id])
            if next_id
            else "",
        }
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        extra = {}
        if obj is not None:
            extra = review_page.review_context(obj, can_review=self.has_review_permission(request))
            if not admin_may_view(request, Author if obj.author_id else Work):
                extra["work_url"] = ""  # "Open the work" would answer 403
            extra["can_view_source_records"] = admin_may_view(request, SourceRecord)
            extra["can_view_audit_log"] = admin_may_view(request, AuditLogEntry)
            # A request nothing matched (not found, failed, not tried yet) has no proposal; one
            # decided (dismissed, superseded) has one no longer to review.
            if extra["reviewable"]:
                extra["title"] = gettext("Review an enrichment proposal")
            elif extra["matched"]:
                extra["title"] = gettext("Enrichment proposal")
            else:
                extra["title"] = gettext("Enrichment request")
            extra["subtitle"] = gettext("%(target)s (request #%(id)s)") % {
                "target": presenters.request_target(obj),
                "id": obj.pk,
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    # Columns

    @admin.display(description=_("Status"), ordering="status")
    def status_badge(self, obj):
        """The status, and why it waits (providers could not be asked): briefly, the sentence
        on hover (the list's column is narrow; the request's page says it under Proposal)."""
        shown = badge(request_status_label(obj), REQUEST_COLOURS.get(obj.status, "#777"))
        waiting = review_page.request_waiting_words(obj)
        if waiting:
            return format_html(
                '{}<br><span class="small waiting" title="{}">{}</span>',
                shown,
                waiting.full,
                waiting.short,
            )
        return shown

    @admin.display(description=_("Confidence"), ordering="confidence")
    def confidence_badge(self, obj):
        if obj.confidence not in match_summary.MATCHED:
            return "–"  # not decided yet, or no match: no confidence to show
        label = presenters.tier_label(obj.confidence)
        return badge(label, CONFIDENCE_COLOURS.get(obj.confidence, "#777"))

    @admin.display(description=_("Book or author"), ordering="work__title_normalized")
    def book(self, obj):
        if obj.author is not None:
            return self._author_cell(obj.author)
        work = obj.work
        authors = ", ".join(c.author.name for c in work.credits.all())  # prefetched
        edition = target_edition(obj)  # the edition the proposal is for (editions prefetched)
        isbn = edition.isbn13 or edition.isbn10 if edition else ""
        return format_html(
            '<strong>{}</strong><span class="book-meta">{}{}</span>',
            work.title,
            authors or gettext("no author"),
            format_html(' · <span class="isbn">{}&nbsp;{}</span>', gettext("ISBN"), isbn)
            if isbn
            else "",
        )

    @staticmethod
    def _author_cell(author):
        years = author_life_text(author)
        return format_html(
            '<strong>{}</strong><span class="book-meta">{}{}</span>',
            author.name,
            gettext("author"),
            format_html(" · {}", years) if years else "",
        )

    @admin.display(description=_("Answered by"))
    def answered_by(self, obj):
        answered = presenters.providers_text(match_summary.answered_providers(obj))
        if answered:
            return answered
        return gettext("no provider answered") if obj.providers_attempted else "–"

    @admin.display(description=_("Age"), ordering="created_at")
    def age(self, obj):
        return format_html(
            '<span title="{}">{}</span>',
            display_for_value(obj.created_at, "–"),  # the admin's format, the site's time zone
            moment_age(obj.created_at),
        )

    # Review page fields

    @admin.display(description=_("Book or author"))
    def book_link(self, obj):
        return link_for_viewer(
            viewer_request(obj),
            Author if obj.author_id else Work,
            presenters.request_target_url(obj),
            presenters.request_target(obj),
        )

    @admin.display(description=_("Trigger"))
    def trigger_label(self, obj):
        return presenters.trigger_label(obj.trigger)

    @admin.display(description=_("Last try"))
    def last_try(self, obj):
        # The providers' last look, as the work page's "Last try" says it (one rule): a request
        # waiting for review was matched then, and is finished only once a reviewer decides.
        return display_for_value(request_last_try_at(obj), "–")

    @admin.display(description=_("Cover"))
    def cover_state(self, obj):
        status = image_status_text(obj)
        if status:
            return status
        item = obj.proposal.cover
        if item is not None and item.reverted and not item.applied:
            # Its step is cleared by the revert: "–" said nothing under "Cover reverted since".
            return gettext("Reverted since")
        if item is not None and item.proposed:  # a cover proposed, no cover work for it
            return capfirst(presenters.proposal_decided_note(obj)) or "–"
        return "–"

    @admin.display(description=_("Photo"))
    def photo_state(self, obj):
        """An author's request names its image a photo (`get_fieldsets`)."""
        return self.cover_state(obj)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or not obj.author_id:
            return fieldsets
        return [
            (
                name,
                {
                    **options,
                    "fields": [
                        tuple("photo_state" if f == "cover_state" else f for f in row)
                        for row in options["fields"]
                    ],
                },
            )
            for name, options in fieldsets
        ]

    @admin.display(description=_("Decision"))
    def reviewed(self, obj):
        """Who decided the request and when: a reviewer, or a re-run that superseded it."""
        if not obj.reviewed_at:
            return "–"
        when = display_for_value(obj.reviewed_at, "–")  # in the site's time zone and format
        if request_was_superseded(obj):
            newer = format_html(
                '<a href="{}">{}</a>',
                reverse("admin:enrichment_enrichmentrequest_change", args=[obj.superseded_by_id]),
                gettext("request #%(id)s") % {"id": obj.superseded_by_id},
            )
            if obj.reviewed_by_id is None:
                return format_html(
                    gettext("{} — superseded by {}: enrichment was run again."), when, newer
                )
            return format_html(
                gettext("{} — superseded by {}: enrichment was run again by {}."),
                when,
                newer,
                obj.reviewed_by,
            )
        who = obj.reviewed_by or self._reviewer_since_removed(obj)
        # The decision as recorded, and what of it was put back since (as the headline says).
        note = " ".join(filter(None, [obj.review_note, reverted_since(obj)]))
        if not who:
            return format_html("{} — {}", when, note)
        return format_html(gettext("{} by {} — {}"), when, who, note)

    @staticmethod
    def _reviewer_since_removed(obj) -> str:
        """The name the audit log kept for a decision whose user was since removed ("" when it
        names no person)."""
        label = (
            obj.audit_entries.filter(
                actor__isnull=True,
                action__in=[AuditLogEntry.Action.DISMISS, AuditLogEntry.Action.REVIEW_APPLY],
            )
            .order_by("-created_at", "-pk")
            .values_list("actor_label", flat=True)
            .first()
        )
        if not label or label == AuditLogEntry.label_for(None):
            return ""
        return gettext("%(name)s (a user since removed)") % {"name": label}

    # Actions

    @admin.action(
        description=_("Approve the safe proposal of selected requests"), permissions=["review"]
    )
    def approve_selected(self, request, queryset):
        return bulk_action(
            self, request, queryset, kind=BulkOperation.Action.APPROVE, noun=gettext("requests")
        )

    @admin.action(description=_("Dismiss selected requests"), permissions=["review"])
    def dismiss_selected(self, request, queryset):
        return bulk_action(
            self, request, queryset, kind=BulkOperation.Action.DISMISS, noun=gettext("requests")
        )

    @admin.action(description=_("Re-run enrichment of selected requests"), permissions=["review"])
    def rerun_selected(self, request, queryset):
        return bulk_action(
            self, request, queryset, kind=BulkOperation.Action.RERUN, noun=gettext("requests")
        )
