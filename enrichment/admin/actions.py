"""Bulk actions with a confirmation page, shared by the queue and the works list."""

from collections.abc import Callable
from typing import TYPE_CHECKING

from django.contrib import messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.text import get_text_list
from django.utils.translation import gettext, ngettext, ngettext_lazy
from django.utils.translation import gettext_lazy as _

from enrichment import bulk_operations, presenters, review
from enrichment.models import BulkOperation, EnrichmentRequest
from enrichment.request_status import request_status_words
from enrichment.safe_approval import safe_approval_withheld

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise

BULK_RUNNERS: dict[str, Callable[..., review.BulkResult]] = {
    BulkOperation.Action.APPROVE: review.requests_approve_bulk,
    BulkOperation.Action.DISMISS: review.requests_dismiss_bulk,
    BulkOperation.Action.RERUN: review.requests_rerun_bulk,
    BulkOperation.Action.ENRICH_WORKS: review.works_enrich_bulk,
    BulkOperation.Action.ENRICH_AUTHORS: review.authors_enrich_bulk,
}


#: What each bulk action does, as a sentence around the selection, and its "yes" button: both
#: take the selection's "count", so one request is "it" and several are "them".
CONFIRMATIONS = {
    BulkOperation.Action.APPROVE: (
        _(
            "You are about to approve the safe proposal of %(selection)s: only what the catalog "
            "lacks is filled in, nothing it holds is replaced."
        ),
        ngettext_lazy("Yes, approve it", "Yes, approve them", "count"),
    ),
    BulkOperation.Action.DISMISS: (
        ngettext_lazy(
            "You are about to dismiss %(selection)s: nothing it proposes will be applied.",
            "You are about to dismiss %(selection)s: nothing they propose will be applied.",
            "count",
        ),
        ngettext_lazy("Yes, dismiss it", "Yes, dismiss them", "count"),
    ),
    BulkOperation.Action.RERUN: (
        _(
            "You are about to run enrichment again for %(selection)s. A proposal waiting for "
            "review is replaced: dismissed as superseded, in the audit log."
        ),
        _("Yes, run it again"),
    ),
    BulkOperation.Action.ENRICH_WORKS: (
        _(
            "You are about to queue %(selection)s for enrichment. Works that lack nothing, are "
            "queued already, or have a proposal waiting for review, are left as they are."
        ),
        ngettext_lazy("Yes, queue it", "Yes, queue them", "count"),
    ),
    BulkOperation.Action.ENRICH_AUTHORS: (
        _(
            "You are about to queue %(selection)s for enrichment. Authors that have a bio, dates "
            "and ids, are queued already, have a proposal waiting for review, or are redirects "
            "are left as they are."
        ),
        ngettext_lazy("Yes, queue it", "Yes, queue them", "count"),
    ),
}


def list_filters_words(model_admin, request) -> list[str]:
    """The list's active filters and search as a librarian reads them: "status “Needs
    review”", "the search “gaiman”" (the filters' own titles and choice labels)."""
    try:
        changelist = model_admin.get_changelist_instance(request)
    except IncorrectLookupParameters:
        return []
    words: list[str] = []
    for spec in changelist.filter_specs:
        if not getattr(spec, "used_parameters", None):
            continue
        chosen = [c["display"] for c in spec.choices(changelist) if c.get("selected")]
        if chosen:
            words.append(
                gettext("%(filter)s “%(value)s”") % {"filter": spec.title, "value": chosen[0]}
            )
    if changelist.query:
        words.append(gettext("the search “%(terms)s”") % {"terms": changelist.query})
    return words


def selection_words(model_admin, request, count: int, noun: str, *, select_across: bool) -> str:
    """ "the 12 selected requests", "all 1,532 requests listed with status “Needs review” and
    the search “x”", "all 40 works in the list"."""
    if not select_across:
        if count == 1:
            return gettext("the selected %(noun)s") % {"noun": model_admin.opts.verbose_name}
        return gettext("the %(count)s selected %(noun)s") % {"count": f"{count:,}", "noun": noun}
    filters = list_filters_words(model_admin, request)
    values = {"count": f"{count:,}", "noun": noun, "filters": get_text_list([*filters], _("and"))}
    if filters:
        return gettext("all %(count)s %(noun)s listed with %(filters)s") % values
    return gettext("all %(count)s %(noun)s in the list") % values


def selects_across(request) -> bool:
    """Whether the list action runs on every row its filters give ("select all N")."""
    return request.POST.get("select_across") == "1"


def action_selection(model_admin, request, count: int, noun: str) -> str:
    """`selection_words` for the rows a list action was posted for."""
    return selection_words(model_admin, request, count, noun, select_across=selects_across(request))


def example_label(obj) -> str:
    if isinstance(obj, EnrichmentRequest):
        target = presenters.request_target(obj)
        return gettext("%(target)s (request #%(id)s, %(status)s)") % {
            "target": target,
            "id": obj.pk,
            "status": request_status_words(obj),
        }
    return str(obj)


#: What a bulk approval or dismissal that would leave every selected request alone says
#: instead of "You are about to…": it offers no "Yes" that would change nothing.
NOTHING_TO_DO = {
    BulkOperation.Action.APPROVE: _("Approving %(selection)s would change nothing."),
    BulkOperation.Action.DISMISS: _("Dismissing %(selection)s would change nothing."),
}


def _decision_caveat(queryset, kind: str) -> tuple[str, int]:
    """What a bulk approval or dismissal leaves alone (`review.requests_approve_bulk`,
    `requests_dismiss_bulk`), said beforehand: the requests not waiting for review, and for an
    approval the low-confidence ones; and how many it leaves."""
    if kind not in (BulkOperation.Action.APPROVE, BulkOperation.Action.DISMISS):
        return "", 0
    said = []
    decided = queryset.exclude(status=EnrichmentRequest.Status.NEEDS_REVIEW).count()
    if decided:
        said.append(
            ngettext(
                "%(count)s of them is not waiting for review (decided, not matched, or still "
                "being looked up): it is left as it is.",
                "%(count)s of them are not waiting for review (decided, not matched, or still "
                "being looked up): they are left as they are.",
                decided,
            )
            % {"count": f"{decided:,}"}
        )
    low = safe_approval_withheld(queryset).count()
    if low and kind == BulkOperation.Action.APPROVE:
        said.append(
            ngettext(
                "%(count)s of them is of low confidence (its title or author does not agree, so "
                "the record may be another book’s): it is left for you to check on its page.",
                "%(count)s of them are of low confidence (their title or author does not agree, "
                "so the record may be another book’s): they are left for you to check one by one.",
                low,
            )
            % {"count": f"{low:,}"}
        )
    left = decided + (low if kind == BulkOperation.Action.APPROVE else 0)
    return " ".join(said), left


def action_confirmed(request) -> bool:
    """True once the confirmation page was answered "yes": every list action that changes rows
    asks first (`action_confirmation`), and runs only on this second POST."""
    return request.POST.get("post") == "yes"


def action_confirmation(
    model_admin,
    request,
    *,
    count: int,
    statement: str,
    yes_label: "StrOrPromise",
    kind_label: "StrOrPromise",
    examples: list[str],
    background: bool = False,
    asks_reason: bool = False,
    caveat: str = "",
    nothing_to_do: bool = False,
    examples_heading: "StrOrPromise" = "",
) -> TemplateResponse:
    """The "Are you sure?" page of a list action: what happens to which rows in a sentence, a
    few of them, and a CSRF-protected form that posts the same action back with `post=yes`.

    It posts back to the same list URL (its filters and search in the query string) with
    `select_across`, so the selection is derived again on the server: at most a page of ids is
    ever posted, never thousands. Django runs the posted action only if the user may see it,
    so the action's permission is checked again on the confirming POST.
    """
    select_across = selects_across(request)
    selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Nothing to do") if nothing_to_do else gettext("Are you sure?"),
        "opts": model_admin.model._meta,
        "kind_label": kind_label,
        "count": count,
        "statement": statement,
        "yes_label": yes_label,
        "examples": examples,
        "examples_heading": examples_heading,  # "" : "It is", "They are" or "Among them"
        # How many are not listed ("and 1,202 more"), "" when every one is.
        "more": f"{count - len(examples):,}" if count > len(examples) else "",
        "select_across": select_across,
        # With select_across Django ignores the ids: one tells it this is a confirmation.
        "selected": selected[:1] if select_across else selected,
        "action": request.POST.get("action", ""),
        "background": background,
        "inline_max": bulk_operations.BULK_INLINE_MAX,
        "back_url": request.get_full_path(),
        "asks_reason": asks_reason,
        "caveat": caveat,  # what the action will leave alone, said beforehand
        "nothing_to_do": nothing_to_do,  # it would leave every row alone: no "Yes"
        "media": model_admin.media,
    }
    return TemplateResponse(request, "admin/enrichment/bulk_confirmation.html", context)


def bulk_action(model_admin, request, queryset, *, kind: str, noun: str):
    """Confirm, then run: inline for a few rows, on a worker with a progress page for more."""
    select_across = selects_across(request)
    count = queryset.count()
    selection = selection_words(model_admin, request, count, noun, select_across=select_across)
    if not action_confirmed(request):
        statement, yes = CONFIRMATIONS[BulkOperation.Action(kind)]
        caveat, left = _decision_caveat(queryset, kind)
        nothing_to_do = 0 < count == left
        if nothing_to_do:
            statement = NOTHING_TO_DO[BulkOperation.Action(kind)]
        return action_confirmation(
            model_admin,
            request,
            count=count,
            statement=statement % {"selection": selection, "count": count},
            yes_label=yes % {"count": count},
            kind_label=BulkOperation.Action(kind).label,
            examples=[example_label(obj) for obj in queryset.order_by("pk")[:10]],
            background=count > bulk_operations.BULK_INLINE_MAX,
            asks_reason=kind == BulkOperation.Action.DISMISS,
            caveat=caveat,
            nothing_to_do=nothing_to_do,
        )

    options = {}
    if kind == BulkOperation.Action.DISMISS:
        options["reason"] = request.POST.get("reason", "").strip()[:1000]
    if count > bulk_operations.BULK_INLINE_MAX:
        operation = bulk_operations.bulk_operation_start(
            action=kind,
            actor=request.user,
            queryset=queryset,
            selection=selection,
            query_string=request.GET.urlencode(),
            select_across=select_across,
            options=options,
        )
        model_admin.message_user(
            request,
            gettext("Working on %(selection)s in the background: this page shows how far it got.")
            % {"selection": selection},
            messages.INFO,
        )
        return redirect("admin:enrichment_bulkoperation_change", operation.pk)
    result = BULK_RUNNERS[kind](queryset=queryset, actor=request.user, **options)
    level = messages.WARNING if result.failed else messages.SUCCESS
    verb = str(BulkOperation.DONE_VERBS[BulkOperation.Action(kind)])
    model_admin.message_user(request, presenters.bulk_summary(result, verb=verb), level)
    return None


# --- The queue -----------------------------------------------------------------------------------
