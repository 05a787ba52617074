"""Duplicate authors proposed for merging (AuthorMerge): the list, and Merge / Dismiss.

Proposals are written by `manage.py reconcile_authors` (enrichment.reconcile) and decided by
`enrichment.author_merges`; nobody edits one by hand. Reviewers (`review_enrichment`) see the
list and may merge or dismiss; a merge is reverted from its audit log entry.
"""

from django.contrib import admin, messages
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from bookstore.admin_lists import help_with_link
from catalog.generic_titles import is_generic_title
from catalog.models import WorkAuthor
from enrichment import author_merges, bulk_operations
from enrichment.admin.base import ReadOnlyAdmin, ReviewPermissionMixin, badge
from enrichment.author_candidates import AUTHOR_ID_LABELS
from enrichment.models import AuthorMerge
from enrichment.permissions import REVIEW_PERMISSION
from enrichment.review import BulkResult

Status = AuthorMerge.Status
STATUS_COLOURS = {
    Status.PROPOSED: "#b26a00",
    Status.MERGED: "#2e7d32",
    Status.DISMISSED: "#8d6e63",
    Status.REVERTED: "#c62828",
}


def merge_summary(result: BulkResult, *, done: str) -> str:
    """ "2 merged, 1 skipped (one of the authors is already merged into another: 1)." """
    text = gettext("%(count)s %(done)s") % {"count": f"{result.changed:,}", "done": done}
    if result.unchanged:
        text += gettext(", %(count)s skipped") % {"count": f"{result.unchanged:,}"}
    if result.reasons:
        reasons = "; ".join(f"{why}: {n:,}" for why, n in result.reasons.most_common(5))
        text += f" ({reasons})"
    return text + "."


@admin.register(AuthorMerge)
class AuthorMergeAdmin(ReviewPermissionMixin, ReadOnlyAdmin):
    list_display = [
        "created_at",
        "kept_link",
        "duplicate_link",
        "reason",
        "evidence_summary",
        "status_badge",
    ]
    list_display_links = ["created_at"]
    list_filter = ["status", "reason"]
    list_select_related = ["kept", "duplicate"]
    search_fields = ["kept__name", "duplicate__name"]
    list_per_page = 50
    show_full_result_count = False
    actions = ["merge_selected", "dismiss_selected"]
    fields = [
        ("status_badge", "reason", "created_at"),
        ("kept_link", "duplicate_link"),
        "evidence_summary",
        ("reviewed_by", "reviewed_at", "audit_link"),
    ]
    readonly_fields = [
        "status_badge",
        "reason",
        "created_at",
        "kept_link",
        "duplicate_link",
        "evidence_summary",
        "reviewed_by",
        "reviewed_at",
        "audit_link",
    ]

    def has_view_permission(self, request, obj=None):
        # Reviewers decide proposals: they see them without a separate view permission.
        return super().has_view_permission(request, obj) or request.user.has_perm(REVIEW_PERMISSION)

    def empty_list_help(self, request):
        return help_with_link(
            _(
                "No duplicate authors proposed. `manage.py reconcile_authors` proposes authors "
                "that share an external id, or whose names match (transliterated) and who share "
                "a work; a name alone is never enough."
            )
        )

    def get_queryset(self, request):
        # Each author's credits, for an open proposal's line: what the merge would move.
        def credits_of(field: str):
            counted = (
                WorkAuthor.objects.filter(author_id=OuterRef(field))
                .order_by()
                .values("author_id")
                .annotate(n=Count("pk"))
                .values("n")
            )
            return Coalesce(Subquery(counted, output_field=IntegerField()), 0)

        return (
            super()
            .get_queryset(request)
            .annotate(
                kept_credits=credits_of("kept_id"), duplicate_credits=credits_of("duplicate_id")
            )
        )

    @admin.display(description=_("Keep"), ordering="kept__name")
    def kept_link(self, merge):
        return self._author_link(merge, merge.kept, getattr(merge, "kept_credits", None))

    @admin.display(description=_("Duplicate"), ordering="duplicate__name")
    def duplicate_link(self, merge):
        return self._author_link(merge, merge.duplicate, getattr(merge, "duplicate_credits", None))

    @staticmethod
    def _author_link(merge, author, credits: int | None):
        link = format_html(
            '<a href="{}">{}</a> <span class="quiet">#{}</span>',
            reverse("admin:catalog_author_change", args=[author.pk]),
            author.name,
            author.pk,
        )
        if merge.status != Status.PROPOSED or credits is None:
            return link  # once decided, the counts say what happened since, not the choice
        count = ngettext("%(count)s credit", "%(count)s credits", credits) % {
            "count": f"{credits:,}"
        }
        return format_html('{}<br><span class="small">{}</span>', link, count)

    @admin.display(description=_("Status"), ordering="status")
    def status_badge(self, merge):
        return badge(merge.get_status_display(), STATUS_COLOURS.get(merge.status, "#777"))

    @admin.display(description=_("Evidence"))
    def evidence_summary(self, merge):
        evidence = merge.evidence or {}
        lines = []
        ids = evidence.get("ids") or {}
        if ids:
            lines.append(
                (
                    gettext("Same id"),
                    ", ".join(f"{AUTHOR_ID_LABELS.get(k, k)} {v}" for k, v in ids.items()),
                )
            )
        names = evidence.get("names") or {}
        if names:
            lines.append(
                (gettext("Names"), f"“{names.get('kept', '')}” / “{names.get('duplicate', '')}”")
            )
        if evidence.get("works"):
            # Proposals recorded before generic titles stopped counting say so.
            works = [
                gettext("%(title)s (a generic title: no evidence)") % {"title": title}
                if is_generic_title(title)
                else title
                for title in evidence["works"][:3]
            ]
            lines.append((gettext("Shared works"), "; ".join(works)))
        if evidence.get("isbns"):
            lines.append((gettext("Shared ISBNs"), ", ".join(evidence["isbns"][:3])))
        for kind, values in (evidence.get("conflicting_ids") or {}).items():
            label = AUTHOR_ID_LABELS.get(kind, kind)
            lines.append(
                (
                    gettext("Different %(label)s ids") % {"label": label},
                    " / ".join(values),
                )
            )
        year_labels = {"birth_year": gettext("Born"), "death_year": gettext("Died")}
        for what, years in (evidence.get("conflicting_years") or {}).items():
            lines.append(
                (
                    gettext("%(what)s in different years") % {"what": year_labels.get(what, what)},
                    " / ".join(str(year) for year in years),
                )
            )
        if not lines:
            return "–"
        return format_html_join(mark_safe("<br>"), "<b>{}</b>: {}", lines)

    @admin.display(description=_("Audit entry"))
    def audit_link(self, merge):
        if not merge.audit_entry_id:
            return "–"
        return format_html(
            '<a href="{}">#{}</a>',
            reverse("admin:enrichment_auditlogentry_change", args=[merge.audit_entry_id]),
            merge.audit_entry_id,
        )

    def _too_many(self, request, queryset) -> bool:
        count = queryset.count()
        if count <= bulk_operations.BULK_INLINE_MAX:
            return False
        self.message_user(
            request,
            gettext(
                "Choose at most %(max)s proposals at a time (%(count)s selected): narrow the "
                "list with the filters."
            )
            % {"max": bulk_operations.BULK_INLINE_MAX, "count": f"{count:,}"},
            messages.WARNING,
        )
        return True

    @admin.action(description=_("Merge the selected authors"), permissions=["review"])
    def merge_selected(self, request, queryset):
        if self._too_many(request, queryset):
            return None
        result = author_merges.author_merges_apply_bulk(queryset=queryset, actor=request.user)
        self.message_user(
            request,
            merge_summary(result, done=gettext("merged")),
            messages.SUCCESS if result.changed else messages.WARNING,
        )
        return None

    @admin.action(description=_("Dismiss the selected proposals"), permissions=["review"])
    def dismiss_selected(self, request, queryset):
        if self._too_many(request, queryset):
            return None
        result = author_merges.author_merges_dismiss_bulk(queryset=queryset, actor=request.user)
        self.message_user(
            request,
            merge_summary(result, done=gettext("dismissed")),
            messages.SUCCESS if result.changed else messages.WARNING,
        )
        return None
