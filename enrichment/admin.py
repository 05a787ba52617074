"""The review panel: the enrichment queue and its review page, the audit log, bulk operations,
provider health, the dashboard, and the works list's enrichment triggers.

Everything here is presentation and wiring: decisions are services in `enrichment.review`,
views in `enrichment.views`. Buttons and actions show only to users with the permission, and
every view checks it again on the server.
"""

from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Case, Exists, IntegerField, OuterRef, Q, TextField, Value, When
from django.db.models.functions import Cast
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import smart_split, unescape_string_literal
from django.utils.timesince import timesince

from catalog import selectors
from catalog.admin import NO_COVER_HTML, STATUS_COLOURS, WorkAdmin
from catalog.admin import cover_thumbnail_html as catalog_thumbnail_html
from catalog.models import Edition, Work, WorkAuthor
from enrichment import review, views
from enrichment.models import (
    AuditLogEntry,
    BulkOperation,
    EnrichmentRequest,
    ProviderState,
    SourceRecord,
)
from enrichment.providers.registry import provider_choices, provider_label
from enrichment.selectors import COMPLETENESS_BUCKETS, MISSING_AUTHORS, MISSING_FIELDS
from enrichment.views import FIELD_LABELS, REVERT_PERMISSION, REVIEW_PERMISSION

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
ACTION_COLOURS = {
    "auto_apply": "#2e7d32",
    "cover": "#1f6fb2",
    "review_apply": "#6a1b9a",
    "dismiss": "#8d6e63",
    "revert": "#c62828",
}
BREAKER_COLOURS = {"closed": "#2e7d32", "half_open": "#b26a00", "open": "#c62828"}
#: The queue's default order: requests waiting for review first, then priority, then age.
NEEDS_REVIEW_FIRST = Case(
    When(status=Status.NEEDS_REVIEW, then=Value(0)), default=Value(1), output_field=IntegerField()
)
PROPOSED_THUMB_HTML = (
    '<img src="{}" alt="Proposed cover" title="Proposed by {}" class="cover-thumb proposed" '
    'width="40" loading="lazy" referrerpolicy="no-referrer">'
)
SMALL_LABELS = ("s", "m", "small", "thumbnail", "smallthumbnail", "medium")


class DeferredJoinPaginator(Paginator):
    """Pages of a big table with wide rows (JSON proposals): first the page's ids in list order,
    a narrow query that an index covers, then only those rows with their joins. Sorting 100,000
    full rows to keep 50 costs ten times more. `rows` fetches them: the admin's queryset with
    its joins and prefetches, without the list's filters (which the ids already answer)."""

    def __init__(self, *args, rows=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.rows = rows

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = list(self.object_list.values_list("pk", flat=True)[bottom:top])
        source = self.object_list if self.rows is None else self.rows
        rows = {row.pk: row for row in source.order_by().filter(pk__in=ids)}
        return self._get_page([rows[pk] for pk in ids if pk in rows], number, self)


def badge(label, colour: str):
    return format_html('<span class="status-badge" style="background:{}">{}</span>', colour, label)


def short(value, limit: int = 40) -> str:
    text = views.value_text(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written by the application only: the admin shows, it never edits."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReviewPermissionMixin:
    """`@admin.action(permissions=["review"])` and `["revert"]` ask these."""

    def has_review_permission(self, request):
        return request.user.has_perm(REVIEW_PERMISSION)

    def has_revert_permission(self, request):
        return request.user.has_perm(REVERT_PERMISSION)


# --- Bulk actions with a confirmation page -------------------------------------------------------

BULK_RUNNERS = {
    BulkOperation.Action.APPROVE: (review.requests_approve_bulk, "approved"),
    BulkOperation.Action.DISMISS: (review.requests_dismiss_bulk, "dismissed"),
    BulkOperation.Action.RERUN: (review.requests_rerun_bulk, "queued again"),
    BulkOperation.Action.ENRICH_WORKS: (review.works_enrich_bulk, "queued for enrichment"),
}


def selection_words(request, count: int, noun: str, *, select_across: bool) -> str:
    """ "all 1,532 requests matching status = needs_review, search “x”" or "the 12 selected"."""
    if not select_across:
        return f"the {count:,} selected {noun}"
    filters = [
        f"{key.split('__')[0].replace('_', ' ')} = {value}"
        for key, value in request.GET.items()
        if key not in ("p", "o", "q", "all") and value
    ]
    if request.GET.get("q"):
        filters.append(f"search “{request.GET['q']}”")
    where = f" matching {', '.join(filters)}" if filters else ""
    return f"all {count:,} {noun}{where}"


def example_label(obj) -> str:
    if isinstance(obj, EnrichmentRequest):
        return f"{obj.work.title} (request #{obj.pk}, {obj.get_status_display().lower()})"
    return str(obj)


def bulk_action(model_admin, request, queryset, *, kind: str, noun: str):
    """Confirm, then run: inline for a few rows, on a worker with a progress page for more.

    The confirmation page posts back to the same list URL (its filters and search in the query
    string) with `select_across`, so the selection is derived again on the server: at most a
    page of ids is ever posted, never thousands.
    """
    select_across = request.POST.get("select_across") == "1"
    count = queryset.count()
    if request.POST.get("post") != "yes":
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        context = {
            **model_admin.admin_site.each_context(request),
            "title": f"{BulkOperation.Action(kind).label}: are you sure?",
            "opts": model_admin.model._meta,
            "kind": kind,
            "kind_label": BulkOperation.Action(kind).label,
            "count": count,
            "selection": selection_words(request, count, noun, select_across=select_across),
            "examples": [example_label(obj) for obj in queryset.order_by("pk")[:10]],
            "select_across": select_across,
            # With select_across Django ignores the ids: one tells it this is a confirmation.
            "selected": selected[:1] if select_across else selected,
            "action": request.POST.get("action", ""),
            "background": count > review.BULK_INLINE_MAX,
            "inline_max": review.BULK_INLINE_MAX,
            "back_url": request.get_full_path(),
            "asks_reason": kind == BulkOperation.Action.DISMISS,
            "media": model_admin.media,
        }
        return TemplateResponse(request, "admin/enrichment/bulk_confirmation.html", context)

    options = {}
    if kind == BulkOperation.Action.DISMISS:
        options["reason"] = request.POST.get("reason", "").strip()[:1000]
    if count > review.BULK_INLINE_MAX:
        operation = review.bulk_operation_start(
            action=kind,
            actor=request.user,
            queryset=queryset,
            selection=selection_words(request, count, noun, select_across=select_across),
            query_string=request.GET.urlencode(),
            select_across=select_across,
            options=options,
        )
        model_admin.message_user(
            request, f"{count:,} {noun}: working on it in the background.", messages.INFO
        )
        return redirect("admin:enrichment_bulkoperation_change", operation.pk)
    runner, verb = BULK_RUNNERS[kind]
    result = runner(queryset=queryset, actor=request.user, **options)
    level = messages.WARNING if result.failed else messages.SUCCESS
    model_admin.message_user(request, views.bulk_summary(result, verb=verb), level)
    return None


# --- The queue -----------------------------------------------------------------------------------


class ProviderFilter(admin.SimpleListFilter):
    title = "provider"
    parameter_name = "provider"

    def lookups(self, request, model_admin):
        return provider_choices()

    def queryset(self, request, queryset):
        if not self.value():
            return queryset
        # The JSON list as text holds "name" in quotes on both databases.
        return queryset.alias(providers_text=Cast("providers_attempted", TextField())).filter(
            providers_text__contains=f'"{self.value()}"'
        )


class CoverProposalFilter(admin.SimpleListFilter):
    title = "cover proposal"
    parameter_name = "cover_proposal"

    def lookups(self, request, model_admin):
        return [("yes", "Has a cover proposal"), ("no", "No cover proposal")]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(proposal__has_key="cover")
        if self.value() == "no":
            return queryset.exclude(proposal__has_key="cover")
        return queryset


@admin.register(EnrichmentRequest)
class EnrichmentRequestAdmin(ReviewPermissionMixin, admin.ModelAdmin):
    change_form_template = "admin/enrichment/enrichmentrequest/change_form.html"
    list_display = [
        "status_badge",
        "confidence_badge",
        "covers",
        "book",
        "providers",
        "age",
    ]
    list_display_links = ["book"]
    list_filter = ["status", "confidence", ProviderFilter, "trigger", CoverProposalFilter]
    list_select_related = ["work", "edition"]
    search_fields = ["work__title", "work__credits__author__name"]  # see get_search_results
    search_help_text = "Title, author, or an ISBN in any form."
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
                    ("trigger", "priority", "attempts", "providers_list"),
                    ("created_at", "finished_at", "cover_state"),
                    ("reviewed", "last_error"),
                ]
            },
        )
    ]
    readonly_fields = [
        "book_link",
        "status_badge",
        "confidence_badge",
        "trigger",
        "priority",
        "attempts",
        "providers_list",
        "created_at",
        "finished_at",
        "cover_state",
        "reviewed",
        "last_error",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .select_related("work", "edition", "reviewed_by")
            .prefetch_related("work__editions", "work__credits__author")
        )

    def get_ordering(self, request):
        return [NEEDS_REVIEW_FIRST.asc(), "-priority", "created_at", "pk"]

    def get_paginator(self, request, queryset, per_page, orphans=0, allow_empty_first_page=True):
        return self.paginator(
            queryset, per_page, orphans, allow_empty_first_page, rows=self.get_queryset(request)
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
        works = Work.objects.all()
        for bit in smart_split(search_term):
            bit = unescape_string_literal(bit) if bit[:1] in ("'", '"') else bit
            by_author = WorkAuthor.objects.filter(author__name__icontains=bit).values("work_id")
            works = works.filter(Q(title__icontains=bit) | Q(pk__in=by_author))
        # Matching works first (a narrow table), then their requests by the work_id index.
        queryset = queryset.filter(work_id__in=works.values("pk"))
        return queryset, False

    def get_object(self, request, object_id, from_field=None):
        # The review page needs the object before Django's change_view: fetch it once.
        cache = request.__dict__.setdefault("_enrichment_objects", {})
        if object_id not in cache:
            cache[object_id] = super().get_object(request, object_id, from_field)
        return cache[object_id]

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
        next_id = views.next_for_review() if request.method == "GET" else None
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
            extra = views.review_context(obj, user=request.user)
            extra["title"] = "Review an enrichment proposal"
            extra["subtitle"] = f"{obj.work.title} (request #{obj.pk})"
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    # Columns

    @admin.display(description="Status", ordering="status")
    def status_badge(self, obj):
        return badge(obj.get_status_display(), REQUEST_COLOURS.get(obj.status, "#777"))

    @admin.display(description="Confidence", ordering="confidence")
    def confidence_badge(self, obj):
        if not obj.confidence:
            return "–"
        return badge(obj.get_confidence_display(), CONFIDENCE_COLOURS.get(obj.confidence, "#777"))

    @admin.display(description="Current → proposed")
    def covers(self, obj):
        return format_html(
            '<span class="cover-pair">{}<span class="cover-arrow">→</span>{}</span>',
            self._current_thumbnail(obj.work),
            self._proposed_thumbnail(obj),
        )

    @staticmethod
    def _current_thumbnail(work):
        if work.cover:
            return catalog_thumbnail_html(work.cover_thumbnail or work.cover)
        covered = [e for e in work.editions.all() if e.cover]  # prefetched
        if not covered:
            return NO_COVER_HTML
        edition = min(covered, key=lambda e: e.pk)
        return catalog_thumbnail_html(edition.cover_thumbnail or edition.cover)

    @staticmethod
    def _proposed_thumbnail(obj):
        item = (obj.proposal or {}).get("cover") or {}
        refs = item.get("proposed") or []
        if not refs:
            return mark_safe('<span class="cover-thumb cover-missing" title="No proposal">·</span>')
        small = [r for r in refs if str(r.get("size_label", "")).lower() in SMALL_LABELS]
        for ref in small + refs:
            url, _why = views.displayable_cover_url(ref.get("url", ""))
            if url:
                return format_html(PROPOSED_THUMB_HTML, url, ref.get("provider", ""))
        return format_html(
            '<span class="cover-thumb cover-missing" title="{}">?</span>',
            "Proposed cover on a host not on the allowlist",
        )

    @admin.display(description="Book", ordering="work__title_normalized")
    def book(self, obj):
        work = obj.work
        authors = ", ".join(c.author.name for c in work.credits.all())  # prefetched
        edition = obj.edition
        if edition is None:
            editions = sorted(work.editions.all(), key=lambda e: (not e.isbn13, e.pk))
            edition = editions[0] if editions else None
        isbn = edition.isbn13 or edition.isbn10 if edition else ""
        return format_html(
            '<strong>{}</strong><span class="book-meta">{}{}</span>',
            work.title,
            authors or "no author",
            format_html(' · <span class="isbn">ISBN&nbsp;{}</span>', isbn) if isbn else "",
        )

    @admin.display(description="Providers")
    def providers(self, obj):
        return ", ".join(provider_label(p) for p in obj.providers_attempted or []) or "–"

    @admin.display(description="Age", ordering="created_at")
    def age(self, obj):
        return format_html(
            '<span title="{}">{}</span>', obj.created_at.isoformat(), timesince(obj.created_at)
        )

    # Review page fields

    @admin.display(description="Book")
    def book_link(self, obj):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:catalog_work_change", args=[obj.work_id]),
            obj.work,
        )

    @admin.display(description="Cover")
    def cover_state(self, obj):
        return obj.get_cover_status_display() if obj.cover_status else "–"

    @admin.display(description="Providers asked")
    def providers_list(self, obj):
        return self.providers(obj)

    @admin.display(description="Reviewed")
    def reviewed(self, obj):
        if not obj.reviewed_at:
            return "–"
        return format_html(
            "{} by {} — {}",
            obj.reviewed_at.strftime("%Y-%m-%d %H:%M"),
            obj.reviewed_by or "someone since removed",
            obj.review_note,
        )

    # Actions

    @admin.action(
        description="Approve the safe proposal of selected requests", permissions=["review"]
    )
    def approve_selected(self, request, queryset):
        return bulk_action(
            self, request, queryset, kind=BulkOperation.Action.APPROVE, noun="requests"
        )

    @admin.action(description="Dismiss selected requests", permissions=["review"])
    def dismiss_selected(self, request, queryset):
        return bulk_action(
            self, request, queryset, kind=BulkOperation.Action.DISMISS, noun="requests"
        )

    @admin.action(description="Re-run enrichment of selected requests", permissions=["review"])
    def rerun_selected(self, request, queryset):
        return bulk_action(
            self, request, queryset, kind=BulkOperation.Action.RERUN, noun="requests"
        )


# --- The audit log -------------------------------------------------------------------------------


class AuditProviderFilter(admin.SimpleListFilter):
    title = "provider"
    parameter_name = "provider"

    def lookups(self, request, model_admin):
        return provider_choices()

    def queryset(self, request, queryset):
        name = self.value()
        if not name:
            return queryset
        # `provider` lists the sources of an entry's values, comma-separated.
        return queryset.filter(
            Q(provider=name)
            | Q(provider__startswith=f"{name},")
            | Q(provider__endswith=f",{name}")
            | Q(provider__contains=f",{name},")
        )


class ActorFilter(admin.SimpleListFilter):
    title = "user"
    parameter_name = "actor"

    def lookups(self, request, model_admin):
        from django.contrib.auth import get_user_model

        staff = get_user_model().objects.filter(is_staff=True).order_by("username")
        return [("worker", "Enrichment worker"), *staff.values_list("pk", "username")[:100]]

    def queryset(self, request, queryset):
        if self.value() == "worker":
            return queryset.filter(actor__isnull=True)
        if self.value() and self.value().isdigit():
            return queryset.filter(actor_id=int(self.value()))
        return queryset


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(ReviewPermissionMixin, ReadOnlyAdmin):
    """Read-only for everyone, superusers included: the log is written by the services only."""

    change_form_template = "admin/enrichment/auditlogentry/change_form.html"
    list_display = [
        "created_at",
        "action_badge",
        "work_link",
        "changes_summary",
        "provider_names",
        "actor_name",
        "request_link",
        "reverted",
    ]
    list_display_links = ["created_at"]
    list_filter = [
        "action",
        AuditProviderFilter,
        ActorFilter,
        ("created_at", admin.DateFieldListFilter),
    ]
    list_select_related = ["work", "actor"]
    search_fields = ["work__title", "note"]
    list_per_page = 50
    show_full_result_count = False
    actions = ["revert_selected"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    ("action_badge", "created_at", "actor_name"),
                    ("work_link", "request_link", "reverts_link"),
                    ("provider_names", "tier"),
                    "note",
                ]
            },
        )
    ]
    readonly_fields = [
        "action_badge",
        "created_at",
        "actor_name",
        "work_link",
        "request_link",
        "reverts_link",
        "provider_names",
        "tier",
        "note",
    ]

    @admin.display(description="Provider", ordering="provider")
    def provider_names(self, entry):
        # `provider` lists the sources of an entry's values, comma-separated.
        return ", ".join(provider_label(p) for p in entry.provider.split(",") if p) or "–"

    def get_queryset(self, request):
        undone = AuditLogEntry.objects.filter(reverts=OuterRef("pk"))
        return super().get_queryset(request).annotate(was_reverted=Exists(undone))

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/revert/",
                wrap(views.audit_revert_view),
                name="enrichment_auditlogentry_revert",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        entry = self.get_object(request, unquote(object_id))
        extra = {}
        if entry is not None:
            extra = {
                "subtitle": f"{entry.get_action_display()}: {entry.work} "
                f"({entry.created_at:%Y-%m-%d %H:%M})",
                "entry": entry,
                "change_rows": [
                    {
                        "name": FIELD_LABELS.get(name, name),
                        "old": views.value_text(change.get("old")),
                        "new": views.value_text(change.get("new")),
                        "target": change.get("target", ""),
                    }
                    for name, change in review.ordered(entry.changes)
                ],
                "can_revert": self.has_revert_permission(request)
                and entry.action in review.REVERTIBLE,
                "revert_url": reverse("admin:enrichment_auditlogentry_revert", args=[entry.pk]),
                "reverted_by": list(entry.reverted_by.select_related("actor")),
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    @admin.display(description="Action", ordering="action")
    def action_badge(self, entry):
        return badge(entry.get_action_display(), ACTION_COLOURS.get(entry.action, "#777"))

    @admin.display(description="Work", ordering="work__title_normalized")
    def work_link(self, entry):
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:catalog_work_change", args=[entry.work_id]),
            entry.work,
        )

    @admin.display(description="Changes (old → new)")
    def changes_summary(self, entry):
        if not entry.changes:
            return entry.note or "–"
        return format_html_join(
            mark_safe("<br>"),
            '<span class="change"><b>{}</b>: {} → {}</span>',
            (
                (FIELD_LABELS.get(name, name), self._value(change.get("old"), "del"),
                 self._value(change.get("new"), "ins"))
                for name, change in review.ordered(entry.changes)
            ),
        )  # fmt: skip

    @staticmethod
    def _value(value, tag: str):
        text = short(value, 32)
        if not text:
            return mark_safe('<span class="empty">empty</span>')
        return format_html("<{}>{}</{}>", tag, text, tag)

    @admin.display(description="By", ordering="actor__username")
    def actor_name(self, entry):
        return entry.actor.get_username() if entry.actor else entry.actor_label or "–"

    @admin.display(description="Request")
    def request_link(self, entry):
        if not entry.request_id:
            return "–"
        return format_html(
            '<a href="{}">#{}</a>',
            reverse("admin:enrichment_enrichmentrequest_change", args=[entry.request_id]),
            entry.request_id,
        )

    @admin.display(description="Reverts")
    def reverts_link(self, entry):
        if not entry.reverts_id:
            return "–"
        return format_html(
            '<a href="{}">entry #{}</a>',
            reverse("admin:enrichment_auditlogentry_change", args=[entry.reverts_id]),
            entry.reverts_id,
        )

    @admin.display(description="Reverted", boolean=True)
    def reverted(self, entry):
        return entry.was_reverted

    @admin.action(description="Revert selected entries", permissions=["revert"])
    def revert_selected(self, request, queryset):
        count = queryset.count()
        if count > review.BULK_INLINE_MAX:
            self.message_user(
                request,
                f"Revert at most {review.BULK_INLINE_MAX} entries at a time "
                f"({count:,} selected): narrow the list with the filters.",
                messages.WARNING,
            )
            return None
        result = review.audit_revert_bulk(queryset=queryset, actor=request.user)
        self.message_user(
            request,
            views.bulk_summary(result, verb="reverted"),
            messages.SUCCESS if result.changed else messages.WARNING,
        )
        return None


# --- Bulk operations -----------------------------------------------------------------------------


@admin.register(BulkOperation)
class BulkOperationAdmin(ReadOnlyAdmin):
    change_form_template = "admin/enrichment/bulkoperation/change_form.html"
    list_display = [
        "id",
        "action",
        "status_badge",
        "progress",
        "selection",
        "created_by",
        "created_at",
    ]
    list_filter = ["action", "status"]
    list_select_related = ["created_by"]
    show_full_result_count = False
    fieldsets = [
        (None, {"fields": [("action", "status_badge"), "selection", "list_link"]}),
        ("Run", {"fields": [("created_by", "created_at"), ("started_at", "finished_at")]}),
    ]
    readonly_fields = ["status_badge", "list_link"]

    def get_queryset(self, request):
        return super().get_queryset(request).defer("object_ids")  # up to 100,000 ids

    def has_view_permission(self, request, obj=None):
        # Reviewers start bulk operations: they may always watch them.
        return super().has_view_permission(request, obj) or request.user.has_perm(REVIEW_PERMISSION)

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/progress/",
                wrap(self._viewable(views.bulk_progress)),
                name="enrichment_bulkoperation_progress",
            ),
            path(
                "<int:object_id>/resume/",
                wrap(views.bulk_resume),
                name="enrichment_bulkoperation_resume",
            ),
            *super().get_urls(),
        ]

    def _viewable(self, view):
        def guarded(request, *args, **kwargs):
            if not self.has_view_permission(request):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return guarded

    def change_view(self, request, object_id, form_url="", extra_context=None):
        operation = self.get_object(request, unquote(object_id))
        extra = {}
        if operation is not None:
            extra = {
                "operation": operation,
                "stalled": review.bulk_operation_is_stalled(operation),
                "can_resume": request.user.has_perm(REVIEW_PERMISSION),
                "reasons": sorted((operation.reasons or {}).items(), key=lambda kv: -kv[1]),
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    @admin.display(description="Status", ordering="status")
    def status_badge(self, operation):
        return badge(operation.get_status_display(), STATUS_COLOURS.get(operation.status, "#777"))

    @admin.display(description="Progress")
    def progress(self, operation):
        return format_html(
            '<progress max="100" value="{}"></progress> {} of {}',
            operation.progress_percent,
            f"{operation.done:,}",
            f"{operation.total:,}",
        )

    @admin.display(description="List")
    def list_link(self, operation):
        if operation.action in (
            BulkOperation.Action.ENRICH_WORKS,
            BulkOperation.Action.ENRICH_MISSING,
        ):
            url = reverse("admin:catalog_work_changelist")
        else:
            url = reverse("admin:enrichment_enrichmentrequest_changelist")
        query = f"?{operation.query_string}" if operation.query_string else ""
        return format_html('<a href="{}{}">the list as it was filtered</a>', url, query)


# --- Providers and their cache -------------------------------------------------------------------


class SourceProviderFilter(admin.SimpleListFilter):
    title = "provider"
    parameter_name = "provider__exact"  # the review page's "cached answers" links use it

    def lookups(self, request, model_admin):
        return provider_choices()

    def queryset(self, request, queryset):
        return queryset.filter(provider=self.value()) if self.value() else queryset


@admin.register(SourceRecord)
class SourceRecordAdmin(ReadOnlyAdmin):
    list_display = ["provider_name", "lookup_key", "status", "fetched_at", "expires_at"]
    list_filter = [SourceProviderFilter, "status"]
    search_fields = ["lookup_key"]
    date_hierarchy = "fetched_at"
    show_full_result_count = False  # a big table: no second COUNT(*) per page

    @admin.display(description="Provider", ordering="provider")
    def provider_name(self, record):
        return provider_label(record.provider)


@admin.register(ProviderState)
class ProviderStateAdmin(ReadOnlyAdmin):
    list_display = [
        "provider_name",
        "breaker",
        "consecutive_failures",
        "day",
        "requests_today",
        "budget_left",
        "quota_exhausted",
        "in_flight",
        "throttled_until",
        "last_success_at",
        "last_error_short",
        "last_error_at",
    ]
    readonly_fields = [field.name for field in ProviderState._meta.fields]

    @admin.display(description="Provider", ordering="provider")
    def provider_name(self, state):
        return provider_label(state.provider)

    @admin.display(description="Breaker", ordering="breaker_state")
    def breaker(self, state):
        return badge(state.get_breaker_state_display(), BREAKER_COLOURS.get(state.breaker_state))

    @admin.display(description="Budget left today")
    def budget_left(self, state):
        if not state.daily_budget:
            return "unlimited"
        return f"{max(0, state.daily_budget - state.requests_today):,} of {state.daily_budget:,}"

    @admin.display(description="Last error")
    def last_error_short(self, state):
        return short(state.last_error, 80) or "–"


# --- The works list: enrichment triggers ---------------------------------------------------------


class EnrichmentStatusFilter(admin.SimpleListFilter):
    title = "enrichment"
    parameter_name = "enrichment_status"

    def lookups(self, request, model_admin):
        return [(value or "none", label) for value, label in Work.EnrichmentStatus.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(enrichment_status="" if value == "none" else value)


class CompletenessFilter(admin.SimpleListFilter):
    title = "completeness"
    parameter_name = "completeness"

    def lookups(self, request, model_admin):
        return [(f"{low}-{high}", label) for label, low, high in COMPLETENESS_BUCKETS]

    def queryset(self, request, queryset):
        try:
            low, high = (int(part) for part in (self.value() or "").split("-"))
        except ValueError:
            return queryset
        return queryset.filter(completeness__range=(low, high))


class MissingFieldFilter(admin.SimpleListFilter):
    title = "missing"
    parameter_name = "missing"

    def lookups(self, request, model_admin):
        return [(str(i), label) for i, (label, _) in enumerate(self.fields())]

    def queryset(self, request, queryset):
        value, fields = self.value(), self.fields()
        if value and value.isdigit() and int(value) < len(fields):
            return queryset.filter(fields[int(value)][1])
        return queryset

    @staticmethod
    def fields():
        return [*MISSING_FIELDS, MISSING_AUTHORS]


class CoverSourceFilter(admin.SimpleListFilter):
    title = "cover source"
    parameter_name = "cover_source"

    def lookups(self, request, model_admin):
        return provider_choices()

    def queryset(self, request, queryset):
        source = self.value()
        if not source:
            return queryset
        # The works the dashboard counts under this source: those whose shown verified cover
        # came from it (catalog.selectors.works_with_cover_source), each once.
        source = "" if source == "unknown" else source
        return selectors.works_with_cover_source(queryset).filter(verified_cover_source=source)


class EnrichmentWorkAdmin(ReviewPermissionMixin, WorkAdmin):
    """catalog's works admin, plus "Enrich selected" and "Enrich all missing covers / metadata"
    (catalog never imports enrichment: the triggers are added from this side)."""

    change_list_template = "admin/enrichment/work/change_list.html"
    list_filter = [
        *WorkAdmin.list_filter,
        EnrichmentStatusFilter,
        CompletenessFilter,
        MissingFieldFilter,
        CoverSourceFilter,
    ]
    actions = ["enrich_selected"]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "enrich-missing/",
                wrap(lambda request: views.enrich_missing(request, self)),
                name="catalog_work_enrich_missing",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_enrich": self.has_review_permission(request),
            "enrich_missing_url": reverse("admin:catalog_work_enrich_missing"),
        }
        return super().changelist_view(request, extra_context)

    @admin.action(description="Enrich selected works", permissions=["review"])
    def enrich_selected(self, request, queryset):
        return bulk_action(
            self, request, queryset, kind=BulkOperation.Action.ENRICH_WORKS, noun="works"
        )


admin.site.unregister(Work)
admin.site.register(Work, EnrichmentWorkAdmin)
