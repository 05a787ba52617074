"""Bulk actions with a confirmation page, shared by the queue and the works list."""

from collections.abc import Callable

from django.contrib import messages
from django.contrib.admin import helpers
from django.shortcuts import redirect
from django.template.response import TemplateResponse

from enrichment import bulk_operations, presenters, review
from enrichment.models import BulkOperation, EnrichmentRequest

BULK_RUNNERS: dict[str, tuple[Callable[..., review.BulkResult], str]] = {
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
            "background": count > bulk_operations.BULK_INLINE_MAX,
            "inline_max": bulk_operations.BULK_INLINE_MAX,
            "back_url": request.get_full_path(),
            "asks_reason": kind == BulkOperation.Action.DISMISS,
            "media": model_admin.media,
        }
        return TemplateResponse(request, "admin/enrichment/bulk_confirmation.html", context)

    options = {}
    if kind == BulkOperation.Action.DISMISS:
        options["reason"] = request.POST.get("reason", "").strip()[:1000]
    if count > bulk_operations.BULK_INLINE_MAX:
        operation = bulk_operations.bulk_operation_start(
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
    model_admin.message_user(request, presenters.bulk_summary(result, verb=verb), level)
    return None


# --- The queue -----------------------------------------------------------------------------------
