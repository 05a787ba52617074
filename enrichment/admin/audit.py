"""The audit log: read-only entries, and revert for users with the permission."""

from collections.abc import Collection

from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_value, unquote
from django.core.files.storage import storages
from django.db.models import Prefetch
from django.urls import path, reverse
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from bookstore.admin_links import ViewerOnObjectMixin, link_for_viewer, viewer_request
from bookstore.admin_lists import help_with_link, with_note
from catalog.admin.display import cover_url_thumbnail_html
from catalog.models import Author, Work
from enrichment import audit_queries, bulk_operations, presenters, revert, views
from enrichment.admin.actions import action_confirmation, action_confirmed, action_selection
from enrichment.admin.base import (
    NarrowedListMixin,
    ReadOnlyAdmin,
    ReviewPermissionMixin,
    badge,
    short,
)
from enrichment.covers.cleanup import cover_sha256s_deleted
from enrichment.covers.store import small_thumbnail_name, stored_sha256
from enrichment.history import edition_name
from enrichment.models import AuditLogEntry, AuthorMerge, EnrichmentRequest
from enrichment.proposals import field_label, in_field_order
from enrichment.providers.registry import provider_label
from enrichment.request_status import (
    DISMISSED_BY,
    DISMISSED_BY_PARAMETER,
    audit_action_label,
    audit_entry_title,
    entry_activity,
    entry_superseded_annotation,
)

ACTION_COLOURS = {
    "auto_apply": "#2e7d32",
    "cover": "#1f6fb2",
    "review_apply": "#6a1b9a",
    "dismiss": "#8d6e63",
    "revert": "#c62828",
}


# --- The audit log -------------------------------------------------------------------------------


def cover_file_html(name: str, value, *, width: int = 40, deleted: Collection[str] = ()):
    """A cover the log recorded by its storage name, shown as a thumbnail (its small WebP when
    it was stored by hash), never as a path, or said to be deleted when its hash is in
    `deleted` (a broken image showed nothing at all); None for another field or no cover."""
    if name != "cover" or not value or not isinstance(value, str):
        return None
    if stored_sha256(value) in deleted:
        return format_html('<span class="empty">{}</span>', _("a cover since deleted"))
    return cover_url_thumbnail_html(
        storages["default"].url(small_thumbnail_name(value) or value), width=width
    )


class AuditProviderFilter(admin.SimpleListFilter):
    title = _("provider")
    parameter_name = "provider"

    def lookups(self, request, model_admin):
        # The providers the log names, by their labels: one switched off since is still a choice
        # for its entries, one configured that changed nothing is none.
        labelled = [(name, provider_label(name)) for name in audit_queries.providers_named()]
        return sorted(labelled, key=lambda choice: choice[1].casefold())

    def queryset(self, request, queryset):
        name = self.value()
        if not name:
            return queryset
        return queryset.filter(audit_queries.provider_named_q(name))


class ActorFilter(admin.SimpleListFilter):
    title = _("user")
    parameter_name = "actor"
    #: The entries of users deleted since: listed, by their names, and choosable together.
    REMOVED = "removed"

    def lookups(self, request, model_admin):
        from django.contrib.auth import get_user_model

        # The users the log names: a staff member who changed nothing is no choice, one who has
        # since left the staff still is; users since removed, while the log holds an entry of
        # one (or the list shows them: the choice stays marked).
        actors = get_user_model().objects.filter(
            pk__in=AuditLogEntry.objects.filter(actor__isnull=False).values("actor")
        )
        removed = self.value() == self.REMOVED or audit_queries.removed_users_made_entries()
        # Choices as the query string gives them (text): the counts' facets pass them as is.
        return [
            ("worker", _("Enrichment worker")),
            *([(self.REMOVED, _("A user since removed"))] if removed else []),
            *(
                (str(pk), username)
                for pk, username in actors.order_by("username").values_list("pk", "username")[:100]
            ),
        ]

    def queryset(self, request, queryset):
        value = self.value()
        if value == "worker":
            return queryset.filter(audit_queries.by_worker_q())
        if value == self.REMOVED:
            return queryset.filter(audit_queries.by_removed_user_q())
        if value and value.isdigit():
            return queryset.filter(actor_id=int(value))
        return queryset


class AuthorEntriesFilter(admin.SimpleListFilter):
    """The list an author's page links to ("Its audit log entries"): the entries recorded on it
    and the merges that made it a redirect (audit_queries.entries_of_author_q), where the plain
    lookup left those out. Shown only while it narrows the list, naming the author."""

    title = _("author")
    parameter_name = "author__id__exact"  # the lookup it replaces: links and bookmarks keep working

    def lookups(self, request, model_admin):
        value = self.value()
        author = Author.objects.filter(pk=int(value)).first() if value and value.isdigit() else None
        return [(str(author.pk), str(author))] if author else []

    def queryset(self, request, queryset):
        value = self.value()
        if value and value.isdigit():
            return queryset.filter(audit_queries.entries_of_author_q(int(value)))
        return queryset


class DismissedByFilter(admin.SimpleListFilter):
    """The dismissals a reviewer made apart from those a re-run recorded for the proposal it
    replaced (request_status.entry_activity), as the dashboard counts them; offered beside the
    action filter's "Dismissed", which lists both."""

    title = _("dismissed by")
    parameter_name = DISMISSED_BY_PARAMETER

    def lookups(self, request, model_admin):
        if request.GET.get("action__exact") != AuditLogEntry.Action.DISMISS and not self.value():
            return []
        return [("reviewer", _("A reviewer")), ("rerun", _("A re-run (superseded)"))]

    def queryset(self, request, queryset):
        activity = DISMISSED_BY.get(self.value() or "")
        if activity is None:
            return queryset
        return queryset.alias(activity=entry_activity()).filter(activity=activity)


class SinceDateFilter(admin.DateFieldListFilter):
    """The admin's date filter, which also says "Since Nov. 30, 2026, 6:54 a.m." (selected) when
    a link narrowed the list by its start alone, as the dashboard's "Last 24 hours" bars do:
    none of its choices was marked, and the list looked like the whole log but for its count."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.title = _("date")  # the field's name, "created at", read "By created at"

    def choices(self, changelist):
        choices = list(super().choices(changelist))
        since = self.date_params.get(f"{self.field_generic}gte", "")
        if since and len(self.date_params) == 1 and not any(c["selected"] for c in choices):
            when = parse_datetime(since)
            choices.append(
                {
                    "selected": True,
                    "query_string": changelist.get_query_string(),
                    "display": gettext("Since %(when)s")
                    % {"when": display_for_value(when, "") if when else since},
                }
            )
        return choices


def covers_deleted(entries) -> set[str]:
    """The hashes of the covers these entries name whose files were deleted since."""
    return cover_sha256s_deleted(
        value
        for entry in entries
        for value in (entry.changes or {}).get("cover", {}).values()
        if isinstance(value, str)
    )


def merge_duplicates(entries) -> dict[int, Author]:
    """Merge entry id -> the duplicate author it merged, for these entries' merges and the merges
    they revert: recorded on the kept author, their changes marked "duplicate" are the other's.
    One query, none for a page without a merge."""
    ids = {e.pk for e in entries if e.action == AuditLogEntry.Action.MERGE}
    ids |= {
        e.reverts_id for e in entries if e.action == AuditLogEntry.Action.REVERT and e.author_id
    }
    if not ids:
        return {}
    merges = AuthorMerge.objects.filter(audit_entry__in=ids).select_related("duplicate")
    return {merge.audit_entry_id: merge.duplicate for merge in merges if merge.audit_entry_id}


#: What a change was written to, as the entry's page names it (the log keeps the key).
TARGET_LABELS = {
    # Cell values, capitalised as the table's other cells ("Cover", "Publisher") are.
    "work": _("Work"),
    "edition": _("Edition"),
    "author": _("Author"),
    "duplicate": _("The duplicate author"),
}


def target_label(target: str, *, duplicate: Author | None = None, edition=None) -> str:
    """ "Edition ISBN 9780261102217" (which of the work's editions: history.edition_name), or
    "U. K. Le Guin (the duplicate)" for a merge's change to its duplicate."""
    if target == "duplicate" and duplicate is not None:
        return gettext("%(author)s (the duplicate)") % {"author": duplicate}
    if target == "edition" and edition is not None:
        return gettext("Edition %(edition)s") % {"edition": edition_name(edition)}
    return str(TARGET_LABELS.get(target, target))


@admin.register(AuditLogEntry)
class AuditLogEntryAdmin(
    NarrowedListMixin, ReviewPermissionMixin, ViewerOnObjectMixin, ReadOnlyAdmin
):
    """Read-only for everyone, superusers included: the log is written by the services only."""

    narrowed_subtitle = _("Only the entries of %(whose)s")

    change_form_template = "admin/enrichment/auditlogentry/change_form.html"
    # Five columns, who and which request under when and whence: the list fits 1,280 px beside
    # the navigation and the filters.
    list_display = [
        "created_by",
        "action_reverted",
        "work_link",
        "changes_summary",
        "provider_and_request",
    ]
    list_display_links = ["created_by"]
    list_filter = [
        "action",
        AuditProviderFilter,
        ActorFilter,
        DismissedByFilter,
        ("created_at", SinceDateFilter),
        AuthorEntriesFilter,
    ]
    list_select_related = ["work", "author", "actor"]
    search_fields = ["work__title", "author__name", "note"]
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
                    ("provider_names", "tier_label"),
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
        "tier_label",
        "note",
    ]

    @admin.display(description=_("Provider"), ordering="provider")
    def provider_names(self, entry):
        # As the provider filter lists it: a revert names none.
        return ", ".join(provider_label(p) for p in audit_queries.entry_providers(entry)) or "–"

    @admin.display(description=_("Confidence"), ordering="tier")
    def tier_label(self, entry):
        return presenters.tier_label(audit_queries.entry_tier(entry)) or "–"

    def empty_list_help(self, request):
        return help_with_link(
            _(
                "Enrichment has changed nothing yet. Each cover or field it applies, by itself "
                "or when a reviewer approves, is recorded here with the value it replaced, and "
                "can be reverted."
            ),
            reverse("admin:enrichment_dashboard"),
            _("See the enrichment dashboard"),
        )

    def get_queryset(self, request):
        # The reverts of each row, for "reverted" or "partly reverted" under its action.
        reverts = AuditLogEntry.objects.only("pk", "changes", "reverts_id")
        queryset = super().get_queryset(request).prefetch_related(Prefetch("reverted_by", reverts))
        return queryset.annotate(**entry_superseded_annotation())  # "Superseded by a re-run"

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        # The page's covers since deleted, in one round of queries for all its rows.
        deleted = covers_deleted(changelist.result_list)
        duplicates = merge_duplicates(changelist.result_list)
        for entry in changelist.result_list:
            entry.covers_deleted = deleted
            entry.duplicate = duplicates.get(entry.pk) or duplicates.get(entry.reverts_id)
        return changelist

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "<int:object_id>/revert/",
                wrap(lambda request, object_id: views.audit_revert_view(request, object_id, self)),
                name="enrichment_auditlogentry_revert",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        entry = self.get_object(request, unquote(object_id))
        extra = {}
        if entry is not None:
            check = revert.revert_check(entry)
            later = list(AuditLogEntry.objects.filter(reverts=entry).select_related("actor"))
            deleted = covers_deleted([entry])
            duplicate = merge_duplicates([entry]).get(entry.reverts_id or entry.pk)
            extra = {
                "subtitle": audit_entry_title(entry),  # its title and breadcrumb
                "entry": entry,
                # In a sentence that ends with its own full stop: a re-run's note has one already.
                "note_in_sentence": entry.note.strip().rstrip("."),
                "change_rows": [
                    {
                        "name": field_label(name),
                        "old": presenters.field_value_text(
                            name, change.get("old"), beside=presenters.changes_side(entry, "old")
                        ),
                        "new": presenters.field_value_text(
                            name, change.get("new"), beside=presenters.changes_side(entry, "new")
                        ),
                        "old_cover": cover_file_html(
                            name, change.get("old"), width=80, deleted=deleted
                        ),
                        "new_cover": cover_file_html(
                            name, change.get("new"), width=80, deleted=deleted
                        ),
                        "target": target_label(
                            change.get("target", ""), duplicate=duplicate, edition=entry.edition
                        ),
                    }
                    for name, change in in_field_order(entry.changes)
                ],
                # Offered only when a revert would put back a field; why not, for the others.
                "can_revert": self.has_revert_permission(request) and bool(check.revertible),
                # A merge's refusal is of the whole entry ("This entry cannot…"), said unless
                # a revert did it (its line says so); an entry of a kind nothing reverts (a
                # dismissal, a revert) needs no reason said.
                "cannot_revert": revert.refusal_lines(
                    {
                        name: why
                        for name, why in check.cannot.items()
                        if name != "*" or (entry.action == AuditLogEntry.Action.MERGE and not later)
                    }
                ),
                "revert_url": reverse("admin:enrichment_auditlogentry_revert", args=[entry.pk]),
                "reverted_by": [
                    (undo, ", ".join(field_label(name) for name in undo.changes or {}))
                    for undo in later
                ],
            }
        return super().change_view(request, object_id, form_url, {**(extra_context or {}), **extra})

    @admin.display(description=_("Created at"), ordering="created_at")
    def created_by(self, entry):
        """The list's cell: when, and by whom below."""
        return with_note(
            display_for_value(entry.created_at, "–"),  # the admin's format and time zone
            gettext("by %(user)s") % {"user": self.actor_name(entry)},
        )

    @admin.display(description=_("Action"), ordering="action")
    def action_badge(self, entry):
        return badge(audit_action_label(entry), ACTION_COLOURS.get(entry.action, "#777"))

    @admin.display(description=_("Action"), ordering="action")
    def action_reverted(self, entry):
        """The list's cell: the action, and "reverted" below once a later entry reverted it,
        "partly reverted" when that revert left some of its fields (nothing when not: the
        usual)."""
        state = revert.entry_revert_state(entry)
        if not state:
            return self.action_badge(entry)
        note = gettext("partly reverted") if state == "partly" else gettext("reverted")
        return with_note(self.action_badge(entry), note)

    @admin.display(description=_("Provider"), ordering="provider")
    def provider_and_request(self, entry):
        """The list's cell: the providers, and the request that applied the change below."""
        if not entry.request_id:
            return self.provider_names(entry)
        link = link_for_viewer(
            viewer_request(entry),
            EnrichmentRequest,
            reverse("admin:enrichment_enrichmentrequest_change", args=[entry.request_id]),
            gettext("request #%(id)s") % {"id": entry.request_id},
        )
        return with_note(self.provider_names(entry), link)

    @admin.display(description=_("Work or author"), ordering="work__title_normalized")
    def work_link(self, entry):
        viewer = viewer_request(entry)
        if entry.author_id is not None:
            url = reverse("admin:catalog_author_change", args=[entry.author_id])
            return format_html(
                '{} <span class="small">({})</span>',
                link_for_viewer(viewer, Author, url, entry.author),
                _("author"),
            )
        if entry.work_id is None:
            return "–"
        url = reverse("admin:catalog_work_change", args=[entry.work_id])
        return link_for_viewer(viewer, Work, url, entry.work)

    @admin.display(description=_("Changes (old → new)"))
    def changes_summary(self, entry):
        if not entry.changes:
            return entry.note or "–"
        return format_html_join(
            mark_safe("<br>"),
            '<span class="change"><b>{}</b>{}: {} → {}</span>',
            (
                (field_label(name),
                 self._on_duplicate(entry, change),
                 self._value(name, change.get("old"), "del", entry=entry, side="old"),
                 self._value(name, change.get("new"), "ins", entry=entry, side="new"))
                for name, change in in_field_order(entry.changes)
            ),
        )  # fmt: skip

    @staticmethod
    def _on_duplicate(entry, change: dict):
        """ " (on U. K. Le Guin)" after a change a merge made to its duplicate: the row names the
        kept author, and "Merged into: #12 Ursula K. Le Guin" read as that author's own."""
        duplicate = getattr(entry, "duplicate", None)
        if change.get("target") != "duplicate" or duplicate is None:
            return ""
        return format_html(
            ' <span class="small">({})</span>', gettext("on %(author)s") % {"author": duplicate}
        )

    @staticmethod
    def _value(name: str, value, tag: str, *, entry, side: str):
        thumbnail = cover_file_html(name, value, deleted=entry.covers_deleted)
        if thumbnail:
            return thumbnail
        beside = presenters.changes_side(entry, side)  # a year's date: "c. 1850"
        text = short(presenters.field_value_text(name, value, beside=beside), 32)
        if not text:
            return format_html('<span class="empty">{}</span>', _("empty"))
        return format_html("<{}>{}</{}>", tag, text, tag)

    @admin.display(description=_("By"), ordering="actor__username")
    def actor_name(self, entry):
        if entry.actor:
            return entry.actor.get_username()
        if audit_queries.made_by_removed_user(entry):  # the user filter's "A user since removed"
            return gettext("%(user)s (since removed)") % {"user": entry.actor_label}
        return entry.actor_label or "–"

    @admin.display(description=_("Request"))
    def request_link(self, entry):
        if not entry.request_id:
            return "–"
        return link_for_viewer(
            viewer_request(entry),
            EnrichmentRequest,
            reverse("admin:enrichment_enrichmentrequest_change", args=[entry.request_id]),
            f"#{entry.request_id}",
        )

    @admin.display(description=_("Reverts"))
    def reverts_link(self, entry):
        if not entry.reverts_id:
            return "–"
        return format_html(
            '<a href="{}">{}</a>',
            reverse("admin:enrichment_auditlogentry_change", args=[entry.reverts_id]),
            gettext("entry #%(id)s") % {"id": entry.reverts_id},
        )

    @admin.action(description=_("Revert selected entries"), permissions=["revert"])
    def revert_selected(self, request, queryset):
        count = queryset.count()
        if count > bulk_operations.BULK_INLINE_MAX:
            self.message_user(
                request,
                gettext(
                    "Revert at most %(most)s entries at a time (%(count)s selected): narrow the "
                    "list with the filters."
                )
                % {"most": bulk_operations.BULK_INLINE_MAX, "count": f"{count:,}"},
                messages.WARNING,
            )
            return None
        if not action_confirmed(request):
            selection = action_selection(self, request, count, gettext("audit log entries"))
            entries = queryset.select_related("work", "author").order_by("pk")[:10]
            statement = gettext(
                "You are about to revert %(selection)s: each field gets back its old value "
                "where it still holds what the entry set; a field changed since is left as it "
                "is, and the message says so."
            ) % {"selection": selection}
            left = revert.entries_with_nothing_to_revert(queryset)
            if left == count:  # a "Yes" would change nothing: none is offered
                statement = gettext(
                    "Reverting %(selection)s would change nothing: each is already reverted, "
                    "changed since, or has nothing that can be put back."
                ) % {"selection": selection}
            elif left:
                statement += " " + ngettext(
                    "Of these, %(left)s will be left as it is: already reverted, changed since, "
                    "or with nothing that can be put back.",
                    "Of these, %(left)s will be left as they are: already reverted, changed "
                    "since, or with nothing that can be put back.",
                    left,
                ) % {"left": f"{left:,}"}
            return action_confirmation(
                self,
                request,
                count=count,
                statement=statement,
                yes_label=ngettext("Yes, revert it", "Yes, revert them", count),
                kind_label=gettext("Revert"),
                examples=[presenters.audit_entry_label(entry) for entry in entries],
                nothing_to_do=left == count,
            )
        result = revert.audit_revert_bulk(queryset=queryset, actor=request.user)
        self.message_user(
            request,
            presenters.bulk_summary(result, verb=gettext("reverted")),
            messages.SUCCESS if result.changed else messages.WARNING,
        )
        return None


# --- Bulk operations -----------------------------------------------------------------------------
