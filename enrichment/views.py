"""Admin views of the review panel (wired in by enrichment/admin/ through get_urls).

Every view is wrapped by `admin_site.admin_view` (staff login and CSRF protection); those that
change something take POST only and check their permission here, on the server, whatever the
page showed. They parse the request, call one service (`enrichment.review`, `revert`,
`bulk_operations`), and report; what the pages show is built in `enrichment.presenters`
(the review page in `enrichment.review_page`).
"""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext
from django.views.decorators.http import require_POST

from bookstore.admin_links import admin_may_view
from enrichment import (
    bulk_operations,
    dashboard,
    dashboard_page,
    presenters,
    queue,
    revert,
    review,
    review_page,
)
from enrichment.models import AuditLogEntry, BulkOperation, EnrichmentRequest
from enrichment.permissions import REVERT_PERMISSION, REVIEW_PERMISSION
from enrichment.proposals import field_label_in_sentence, in_field_order
from enrichment.safe_approval import safe_approval_allowed

Status = EnrichmentRequest.Status


def require(request, permission: str) -> None:
    if not request.user.has_perm(permission):
        raise PermissionDenied


# --- The review page ----------------------------------------------------------------------------


def _after_decision(req: EnrichmentRequest):
    """Straight on to the next request waiting for review, else back to the queue."""
    next_id = review_page.next_for_review(req)
    if next_id:
        return redirect("admin:enrichment_enrichmentrequest_change", next_id)
    url = reverse("admin:enrichment_enrichmentrequest_changelist")
    return redirect(f"{url}?status__exact={Status.NEEDS_REVIEW}")


def _work_link(req: EnrichmentRequest):
    """A link to the request's work (author)."""
    return format_html(
        '<a href="{}">{}</a>',
        presenters.request_target_url(req),
        presenters.request_target(req),
    )


@require_POST
def request_approve_view(request, object_id):
    require(request, REVIEW_PERMISSION)
    req = get_object_or_404(
        EnrichmentRequest.objects.select_related("work", "author"), pk=object_id
    )
    safe = "_safe" in request.POST
    fields = None if safe else request.POST.getlist("fields")
    if fields is not None and not fields:
        one_click = req.status == Status.NEEDS_REVIEW and safe_approval_allowed(req)
        messages.warning(
            request,
            gettext("Tick the fields to apply, or approve the safe proposal.")
            if one_click
            else gettext("Tick the fields to apply."),
        )
        return redirect("admin:enrichment_enrichmentrequest_change", req.pk)
    try:
        result = review.request_approve(
            request=req,
            actor=request.user,
            fields=fields,
            # What the page showed for each field: a value changed since is not replaced unseen.
            shown={
                name: request.POST[f"shown-{name}"]
                for name in fields or []
                if f"shown-{name}" in request.POST
            },
        )
    except review.ReviewError as error:
        messages.error(request, format_html(gettext("Not approved: {}"), error))
        return redirect("admin:enrichment_enrichmentrequest_change", req.pk)
    if result.already_done:
        messages.info(request, format_html(gettext("{} was already approved."), _work_link(req)))
        return redirect("admin:enrichment_enrichmentrequest_change", req.pk)
    applied = [field_label_in_sentence(n) for n, _ in in_field_order(result.applied)]
    parts = [
        gettext("applied %(fields)s") % {"fields": ", ".join(applied)}
        if applied
        else gettext("nothing to apply")
    ]
    if result.cover:
        parts.append(gettext("the cover download is queued: it shows here once it is verified"))
    for name, why in result.refused.items():
        parts.append(
            gettext("%(field)s not applied: %(reason)s")
            % {"field": field_label_in_sentence(name), "reason": why}
        )
    level = messages.WARNING if result.refused else messages.SUCCESS
    messages.add_message(
        request,
        level,
        format_html(gettext("{} approved: {}."), _work_link(req), "; ".join(parts)),
    )
    return _after_decision(req)


@require_POST
def request_dismiss_view(request, object_id):
    require(request, REVIEW_PERMISSION)
    req = get_object_or_404(EnrichmentRequest.objects.select_related("work"), pk=object_id)
    try:
        result = review.request_dismiss(
            request=req, actor=request.user, reason=request.POST.get("reason", "")
        )
    except review.ReviewError as error:
        messages.error(request, format_html(gettext("Not dismissed: {}"), error))
        return redirect("admin:enrichment_enrichmentrequest_change", req.pk)
    if result.dismissed:
        messages.success(
            request, format_html(gettext("Dismissed the proposal for {}."), _work_link(req))
        )
    else:
        messages.info(request, gettext("It was already dismissed."))
    return _after_decision(req)


@require_POST
def request_rerun_view(request, object_id):
    require(request, REVIEW_PERMISSION)
    req = get_object_or_404(EnrichmentRequest.objects.select_related("work"), pk=object_id)
    result = review.request_rerun(request=req, actor=request.user)
    if result.new_request_id:
        text = (
            gettext(
                "Enrichment of {} will run again (request #{}); the proposal waiting for review "
                "was superseded (dismissed, in the audit log)."
            )
            if result.superseded
            else gettext("Enrichment of {} will run again (request #{}).")
        )
        messages.success(request, format_html(text, _work_link(req), result.new_request_id))
        return redirect("admin:enrichment_enrichmentrequest_change", result.new_request_id)
    messages.warning(request, format_html(gettext("Not queued: {}."), result.reason))
    return redirect("admin:enrichment_enrichmentrequest_change", req.pk)


# --- Audit log ----------------------------------------------------------------------------------


def audit_revert_view(request, object_id, model_admin):
    """Asks first, as the bulk revert does: a GET, or the entry page's button, shows what would
    be put back field by field (a GET changes nothing); only the confirming POST (`post=yes`)
    changes the catalog."""
    require(request, REVERT_PERMISSION)
    entry = get_object_or_404(AuditLogEntry.objects.select_related("work", "author"), pk=object_id)
    change_url = reverse("admin:enrichment_auditlogentry_change", args=[entry.pk])
    if not (request.method == "POST" and request.POST.get("post") == "yes"):
        check = revert.revert_check(entry)
        if not check.revertible:  # nothing to confirm: why not, as the revert would say
            for labels, why in revert.refusal_lines(check.refusals()):
                messages.warning(
                    request, format_html(gettext("{} cannot be reverted: {}."), labels, why)
                )
            return redirect(change_url)
        return _audit_revert_confirmation(request, entry, check, model_admin, change_url)
    result = revert.audit_revert(entry=entry, actor=request.user)
    if result.reverted and result.revert_entry is not None:
        names = ", ".join(field_label_in_sentence(n) for n, _ in in_field_order(result.reverted))
        messages.success(
            request,
            format_html(
                gettext('Reverted {} on {} (<a href="{}">entry #{}</a>).'),
                names,
                format_html(
                    '<a href="{}">{}</a>',
                    reverse("admin:catalog_author_change", args=[entry.author_id])
                    if entry.author_id
                    else reverse("admin:catalog_work_change", args=[entry.work_id]),
                    entry.author or entry.work,
                ),
                reverse("admin:enrichment_auditlogentry_change", args=[result.revert_entry.pk]),
                result.revert_entry.pk,
            ),
        )
    for labels, why in revert.refusal_lines(result.refused):
        messages.warning(request, format_html(gettext("{} cannot be reverted: {}."), labels, why))
    return redirect(change_url)


def _audit_revert_confirmation(request, entry, check, model_admin, change_url):
    lines = [
        presenters.revert_line(entry, name)
        for name, _ in in_field_order(
            {n: entry.changes[n] for n in revert.fields_put_back(entry, check)}
        )
    ]
    caveat = " ".join(
        gettext("%(what)s cannot be reverted: %(why)s.") % {"what": labels, "why": why}
        for labels, why in revert.refusal_lines(check.refusals())
    )
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Are you sure?"),
        "opts": model_admin.model._meta,
        "kind_label": gettext("Revert"),
        "statement": gettext(
            "You are about to revert %(entry)s: each field below gets back its old value."
        )
        % {"entry": presenters.audit_entry_label(entry)},
        "caveat": caveat,
        "examples_heading": gettext("It puts back"),
        "examples": lines,
        "count": len(lines),
        "yes_label": gettext("Yes, revert it"),
        "back_url": change_url,
        "single": True,  # posts to this view, not to a list's action
        "media": model_admin.media,
    }
    return TemplateResponse(request, "admin/enrichment/bulk_confirmation.html", context)


# --- Bulk operations ----------------------------------------------------------------------------


def bulk_progress(request, object_id):
    operation = get_object_or_404(BulkOperation.objects.defer("object_ids"), pk=object_id)
    return JsonResponse(
        {
            "status": operation.status,
            "status_label": operation.get_status_display(),
            "finished": operation.is_finished,
            "total": operation.total,
            "done": operation.done,
            "percent": operation.progress_percent,
            "changed": operation.changed,
            "unchanged": operation.unchanged,
            "failed": operation.failed,
            "stalled": bulk_operations.bulk_operation_is_stalled(operation),
        }
    )


@require_POST
def bulk_resume(request, object_id):
    require(request, REVIEW_PERMISSION)
    operation = get_object_or_404(BulkOperation, pk=object_id)
    if bulk_operations.bulk_operation_resume(operation=operation):
        messages.info(request, gettext("Resumed: a worker will carry on from where it stopped."))
    else:
        messages.info(request, gettext("It is not stalled: nothing to resume."))
    return redirect("admin:enrichment_bulkoperation_change", operation.pk)


# --- Works: "Enrich all missing covers / metadata" ----------------------------------------------

ENRICH_CHOICES = {
    "both": {"covers": True, "metadata": True},
    "covers": {"covers": True, "metadata": False},
    "metadata": {"covers": False, "metadata": True},
}


def enrich_missing(request, model_admin):
    require(request, REVIEW_PERMISSION)
    if request.method == "POST":
        options = ENRICH_CHOICES.get(request.POST.get("what", "both"), ENRICH_CHOICES["both"])
        outcome = bulk_operations.works_enrich_missing(
            actor=request.user, covers=options["covers"], metadata=options["metadata"]
        )
        if outcome.operation is not None:
            messages.info(
                request,
                gettext("Queuing %(count)s works for enrichment in the background.")
                % {"count": f"{outcome.selected:,}"},
            )
            return redirect("admin:enrichment_bulkoperation_change", outcome.operation.pk)
        if outcome.result is not None:
            summary = presenters.bulk_summary(
                outcome.result,
                verb=str(BulkOperation.DONE_VERBS[BulkOperation.Action.ENRICH_MISSING]),
            )
            messages.success(request, summary)
        return redirect("admin:catalog_work_changelist")
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Enrich all missing covers / metadata"),
        "opts": model_admin.model._meta,
        # What the works lack (synthetic works wait for the backfill's retry), what each choice
        # would queue, and those it leaves: a proposal waiting for review, or queued already.
        "missing_covers": queue.works_needing_enrichment(covers=True, metadata=False).count(),
        "missing_metadata": queue.works_needing_enrichment(covers=False, metadata=True).count(),
        "queues_either": queue.works_to_enqueue(covers=True, metadata=True).count(),
        "queues_covers": queue.works_to_enqueue(covers=True, metadata=False).count(),
        "queues_metadata": queue.works_to_enqueue(covers=False, metadata=True).count(),
        "held_back": presenters.held_back_text(
            **queue.held_back_counts(
                queue.works_needing_enrichment(covers=True, metadata=True), "work"
            )
        ),
        "inline_max": bulk_operations.BULK_INLINE_MAX,
    }
    return TemplateResponse(request, "admin/enrichment/enrich_missing.html", context)


# --- Dashboard ----------------------------------------------------------------------------------


def dashboard_view(request, model_admin):
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Enrichment dashboard"),
        "opts": model_admin.model._meta,
        **dashboard_page.dashboard_context(
            dashboard.dashboard_figures(), may_view=lambda model: admin_may_view(request, model)
        ),
        "can_refresh": request.user.has_perm(REVIEW_PERMISSION),
    }
    return TemplateResponse(request, "admin/enrichment/dashboard.html", context)


@require_POST
def dashboard_refresh_view(request):
    """Count the dashboard's figures now (seconds on a big catalog: reviewers only)."""
    require(request, REVIEW_PERMISSION)
    if dashboard.dashboard_snapshot_refresh_requested():
        messages.success(request, gettext("The figures were counted again just now."))
    else:
        messages.info(request, gettext("The figures were counted moments ago: shown as they are."))
    return redirect("admin:enrichment_dashboard")
