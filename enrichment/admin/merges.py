"""Duplicate authors proposed for merging (AuthorMerge): the list, and Merge / Dismiss.

Proposals are written by the daily task, `manage.py reconcile_authors` or the list's "Look for
duplicates now" button (enrichment.reconcile), and decided by `enrichment.author_merges`; nobody
edits one by hand. Reviewers (`review_enrichment`) see the list and may merge or dismiss; a merge
is reverted from its audit log entry.
"""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, IntegerField, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_POST
from django_q.models import Schedule

from bookstore import task_queue
from bookstore.admin_links import ViewerOnObjectMixin, link_for_viewer, viewer_request
from bookstore.admin_lists import help_with_link
from bookstore.db_clock import database_now
from catalog.generic_titles import is_generic_title
from catalog.life_years import year_text
from catalog.models import Author, WorkAuthor
from enrichment import author_merges, bulk_operations, reconcile
from enrichment.admin.actions import action_confirmation, action_confirmed, action_selection
from enrichment.admin.base import ReadOnlyAdmin, ReviewPermissionMixin, badge
from enrichment.author_candidates import AUTHOR_ID_LABELS
from enrichment.models import AuditLogEntry, AuthorMerge
from enrichment.permissions import REVIEW_PERMISSION
from enrichment.review import BulkResult
from enrichment.templatetags.admin_time import admin_time, sentence_end
from enrichment.waiting import Due, due_state

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


def _open_proposals(queryset) -> tuple[int, list[AuthorMerge], str]:
    """-> (how many are selected, those still proposed, what a merge or a dismissal says of
    the others beforehand: it leaves them)."""
    count = queryset.count()
    proposed = queryset.filter(status=Status.PROPOSED).select_related("kept", "duplicate")
    pairs = list(proposed.order_by("pk"))
    left = count - len(pairs)
    caveat = ""
    if left and pairs:
        caveat = ngettext(
            "%(count)s of them is no longer proposed (merged, dismissed or reverted): it is "
            "left as it is.",
            "%(count)s of them are no longer proposed (merged, dismissed or reverted): they are "
            "left as they are.",
            left,
        ) % {"count": f"{left:,}"}
    return count, pairs, caveat


def _author_words(author: Author) -> str:
    return gettext("“%(name)s” (#%(id)s)") % {"name": author.name, "id": author.pk}


@admin.register(AuthorMerge)
class AuthorMergeAdmin(ReviewPermissionMixin, ViewerOnObjectMixin, ReadOnlyAdmin):
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
        text = gettext(
            "No duplicate authors are waiting for a decision. Once a day the task queue looks "
            "for authors who are one person: the same id (%(kinds)s), or names that match (in "
            "any alphabet) and a book in common; a name alone is never enough. It lists each "
            "pair here, to merge or dismiss."
        ) % {"kinds": ", ".join(AUTHOR_ID_LABELS.values())}
        next_run = (
            Schedule.objects.filter(func=reconcile.PROPOSE_TASK)
            .values_list("next_run", flat=True)
            .first()
        )
        if next_run:
            state = due_state(next_run, now=database_now())
            if state == Due.AHEAD:
                said = gettext("Next search: %(when)s") % {"when": admin_time(next_run)}
            elif state == Due.DUE:
                said = gettext("Next search: due now")
            else:  # a past time read as one still ahead, before
                said = gettext("Next search: overdue since %(when)s") % {
                    "when": admin_time(next_run)
                }
            # "… 5:44 p.m." ends the sentence once (sentence_end), not "p.m..".
            text += " " + sentence_end(said)
        if self._may_search(request):
            text += " " + gettext("“Look for duplicates now” searches at once.")
        return help_with_link(text)

    @staticmethod
    def _may_search(request) -> bool:
        return request.user.has_perm(REVIEW_PERMISSION)

    def changelist_view(self, request, extra_context=None):
        extra_context = {"can_find_duplicates": self._may_search(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context)

    def get_urls(self):
        return [
            path(
                "find-duplicates/",
                self.admin_site.admin_view(require_POST(self.find_duplicates_view)),
                name="enrichment_authormerge_find_duplicates",
            ),
            *super().get_urls(),
        ]

    def find_duplicates_view(self, request):
        """Queue the daily search for duplicate authors now (a pass over every author: a worker
        runs it). Proposals already recorded, or decided, are not proposed again."""
        if not self._may_search(request):
            raise PermissionDenied
        if not task_queue.enqueue_if_reachable(reconcile.PROPOSE_TASK):
            self.message_user(
                request,
                task_queue.unreachable_text()
                + " "
                + gettext(
                    "The search did not start. Nothing was lost: the proposals listed here "
                    "stand, and the daily search still runs. Try again in a few minutes."
                ),
                messages.ERROR,
            )
            return redirect("admin:enrichment_authormerge_changelist")
        self.message_user(
            request,
            gettext(
                "Looking for duplicate authors: a worker is searching. Reload this list in a "
                "minute or two to see any pair it found."
            ),
            messages.SUCCESS,
        )
        return redirect("admin:enrichment_authormerge_changelist")

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
            '{} <span class="quiet">#{}</span>',
            link_for_viewer(
                viewer_request(merge),
                Author,
                reverse("admin:catalog_author_change", args=[author.pk]),
                author.name,
            ),
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
                    " / ".join(year_text(year) for year in years),
                )
            )
        if not lines:
            return "–"
        return format_html_join(mark_safe("<br>"), "<b>{}</b>: {}", lines)

    @admin.display(description=_("Audit entry"))
    def audit_link(self, merge):
        if not merge.audit_entry_id:
            return "–"
        return link_for_viewer(
            viewer_request(merge),
            AuditLogEntry,
            reverse("admin:enrichment_auditlogentry_change", args=[merge.audit_entry_id]),
            f"#{merge.audit_entry_id}",
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
        if not action_confirmed(request):
            return self._merge_confirmation(request, queryset)
        result = author_merges.author_merges_apply_bulk(queryset=queryset, actor=request.user)
        self.message_user(
            request,
            merge_summary(result, done=gettext("merged")),
            messages.SUCCESS if result.changed else messages.WARNING,
        )
        return None

    def _merge_confirmation(self, request, queryset):
        """What merging the selection will do, asked first (a merge moves credits, ids and
        fields, and is undone only from its audit entry): which author goes into which, how
        many works each moves, and the proposals it leaves alone."""
        count, pairs, caveat = _open_proposals(queryset)
        selection = action_selection(self, request, count, gettext("proposals"))
        works = author_merges.works_moving(pairs)
        moving = sum(works.values())
        if not pairs:
            statement = gettext(
                "Merging %(selection)s would change nothing: none of them is still proposed."
            ) % {"selection": selection}
        else:
            statement = gettext(
                "You are about to merge the authors of %(selection)s: the works of each "
                "duplicate are credited to the author kept, who takes the ids and details it "
                "lacks, and the duplicate becomes a redirect to it. Each merge can be reverted "
                "from its audit log entry."
            ) % {"selection": selection}
            statement += " " + ngettext(
                "%(count)s work moves in all.", "%(count)s works move in all.", moving
            ) % {"count": f"{moving:,}"}
        examples = [
            ngettext(
                "%(duplicate)s into %(kept)s: %(count)s work moves",
                "%(duplicate)s into %(kept)s: %(count)s works move",
                works[merge.pk],
            )
            % {
                "duplicate": _author_words(merge.duplicate),
                "kept": _author_words(merge.kept),
                "count": f"{works[merge.pk]:,}",
            }
            for merge in pairs[:10]
        ]
        return action_confirmation(
            self,
            request,
            count=len(pairs),
            statement=statement,
            yes_label=ngettext("Yes, merge it", "Yes, merge them", len(pairs)),
            kind_label=gettext("Merge authors"),
            examples=examples,
            caveat=caveat,
            nothing_to_do=not pairs,
            examples_heading=ngettext("The merge", "The merges", len(pairs)),
        )

    def _dismiss_confirmation(self, request, queryset):
        """Dismissing is asked first too: a dismissed pair is never proposed again."""
        count, pairs, caveat = _open_proposals(queryset)
        selection = action_selection(self, request, count, gettext("proposals"))
        if not pairs:
            statement = gettext(
                "Dismissing %(selection)s would change nothing: none of them is still proposed."
            ) % {"selection": selection}
        else:
            statement = gettext(
                "You are about to dismiss %(selection)s: the authors stay apart, and the pair "
                "is not proposed again."
            ) % {"selection": selection}
        examples = [
            gettext("%(duplicate)s and %(kept)s")
            % {"duplicate": _author_words(merge.duplicate), "kept": _author_words(merge.kept)}
            for merge in pairs[:10]
        ]
        return action_confirmation(
            self,
            request,
            count=len(pairs),
            statement=statement,
            yes_label=ngettext("Yes, dismiss it", "Yes, dismiss them", len(pairs)),
            kind_label=gettext("Dismiss proposals"),
            examples=examples,
            caveat=caveat,
            nothing_to_do=not pairs,
        )

    @admin.action(description=_("Dismiss the selected proposals"), permissions=["review"])
    def dismiss_selected(self, request, queryset):
        if self._too_many(request, queryset):
            return None
        if not action_confirmed(request):
            return self._dismiss_confirmation(request, queryset)
        result = author_merges.author_merges_dismiss_bulk(queryset=queryset, actor=request.user)
        self.message_user(
            request,
            merge_summary(result, done=gettext("dismissed")),
            messages.SUCCESS if result.changed else messages.WARNING,
        )
        return None
