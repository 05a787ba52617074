"""Catalog backfill months (BackfillMonth): the list with each month's metrics, the month's page
with its sources and earlier runs, and the actions Queue now / Retry / Cancel / Run again, plus
"Add months" (enrichment.admin.backfill_actions; the cells' text: backfill_cells).

Months are written by `manage.py backfill`, "Add months" and the scheduler
(enrichment.backfill.months); nobody edits one by hand. Acting on months needs
`enrichment.run_backfill`; running a completed month again spends its provider requests once
more and needs `enrichment.rerun_backfill`. The actions and the button show only to users who
hold them, and the server checks them again.
"""

from django.contrib import admin
from django.contrib.admin.utils import display_for_value
from django.db.models import ExpressionWrapper, F, IntegerField, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django_q.models import Schedule

from bookstore.admin_links import ViewerOnObjectMixin, link_for_viewer, viewer_request
from bookstore.admin_lists import help_with_link, with_note
from bookstore.db_clock import database_now_expression
from catalog.models import Work
from enrichment.admin.backfill_actions import (
    RERUN_PERMISSION,
    RUN_PERMISSION,
    BackfillMonthActions,
)
from enrichment.admin.backfill_cells import (
    STATUS_COLOURS,
    discovered_with_duplicates,
    earlier_runs_table,
    error_short,
    resolved_text,
    resolved_with_synthetic,
    sources_table,
    waiting_words,
)
from enrichment.admin.base import ReadOnlyAdmin, badge
from enrichment.backfill import months as backfill_months
from enrichment.backfill.months import calls_text
from enrichment.heartbeats import worker_running_expression
from enrichment.models import BackfillMonth
from enrichment.waiting import WaitingWords

__all__ = ["RERUN_PERMISSION", "RUN_PERMISSION", "BackfillMonthAdmin"]

#: The schedule that takes waiting months (enrichment migration 0015 creates it).
SCHEDULER_TASK = "enrichment.tasks.run_backfill_scheduler"
#: Months in publication order, for the list's "Month" column.
MONTH_ORDER = ExpressionWrapper(F("year") * 100 + F("month"), output_field=IntegerField())


@admin.register(BackfillMonth)
class BackfillMonthAdmin(BackfillMonthActions, ViewerOnObjectMixin, ReadOnlyAdmin):
    change_list_template = "admin/enrichment/backfillmonth/change_list.html"
    list_display = [
        "month_label",
        "status_badge",
        "discovered",
        "resolved_in_list",
        "queued",
        "calls",
        "run_times",
        "error_short",
    ]
    list_display_links = ["month_label"]
    list_filter = ["status", "year"]
    list_per_page = 100
    show_full_result_count = False
    actions = ["queue_now", "retry_months", "cancel_months", "rerun_months"]
    fieldsets = [
        (None, {"fields": [("month_label", "status_badge"), ("requested_by", "created_at")]}),
        (
            _("What the month found"),
            {
                "fields": [
                    "books_discovered",
                    "duplicates_dropped",
                    "resolved",
                    "synthetic_works",
                    "queued_for_enrichment",
                    "calls",
                    "sources_table",
                    "works_link",
                ]
            },
        ),
        (
            _("Run"),
            {
                "fields": [
                    ("retry_count", "started_at"),
                    ("heartbeat_at", "completed_at"),
                    "waiting",
                    "error",
                    "earlier_runs_table",
                ]
            },
        ),
    ]
    readonly_fields = [
        "month_label",
        "status_badge",
        "resolved",
        "calls",
        "sources_table",
        "works_link",
        "earlier_runs_table",
        "waiting",
    ]

    def get_queryset(self, request):
        return (
            super()
            .get_queryset(request)
            .annotate(
                # When a waiting month may be taken, read once with the rows: the scheduler's
                # next run, whether a worker runs it, and the database's now to judge it by.
                scheduler_next_run=Subquery(
                    Schedule.objects.filter(func=SCHEDULER_TASK).values("next_run")[:1]
                ),
                worker_running=worker_running_expression(),
                database_now=database_now_expression(),
            )
        )

    def has_view_permission(self, request, obj=None):
        # Whoever may run the backfill may watch it without a separate view permission.
        return (
            super().has_view_permission(request, obj)
            or self.has_run_backfill_permission(request)
            or self.has_rerun_backfill_permission(request)
        )

    def empty_list_help(self, request):
        if not self.has_run_backfill_permission(request):
            # Not "add a range of months" to someone who may not (no Add months for them).
            return help_with_link(
                _(
                    "No backfill month yet. The backfill finds the books published in a month "
                    "that the catalog lacks and adds them: someone who may run the backfill adds "
                    "a range of months, and the scheduler works through them, newest first."
                )
            )
        text = _(
            "No backfill month yet. The backfill finds the books published in a month that the "
            "catalog lacks and adds them: add a range of months, and the scheduler works "
            "through them, newest first."
        )
        return help_with_link(
            text, reverse("admin:enrichment_backfillmonth_add_months"), gettext("Add months")
        )

    def changelist_view(self, request, extra_context=None):
        extra = {"can_add_months": self.has_run_backfill_permission(request)}
        return super().changelist_view(request, {**(extra_context or {}), **extra})

    # --- Columns -----

    @admin.display(description=_("Month"), ordering=MONTH_ORDER)
    def month_label(self, month):
        return str(month)  # "March 2024" (the key, "2024-03", is the API's and the command's)

    @admin.display(description=_("Status"), ordering="status")
    def status_badge(self, month):
        shown = badge(month.get_status_display(), STATUS_COLOURS.get(month.status, "#777"))
        notes = []
        if month.status in backfill_months.CLAIMABLE and backfill_months.month_in_future(month):
            notes.append(gettext("not before %(month)s begins") % {"month": month})
        if month.retry_count:
            notes.append(
                ngettext("%(n)s retry", "%(n)s retries", month.retry_count)
                % {"n": month.retry_count}
            )
        if earlier := len(month.earlier_runs or []):
            notes.append(
                ngettext("%(n)s earlier run", "%(n)s earlier runs", earlier) % {"n": earlier}
            )
        return with_note(shown, " · ".join(notes)) if notes else shown

    @admin.display(description=_("Resolved"), ordering="isbns_resolved")
    def resolved(self, month):
        return resolved_text(month.isbns_resolved, month.resolution_rate)

    @admin.display(description=_("Provider calls"))
    def calls(self, month):
        return calls_text(month.provider_calls, status=month.status)

    # Eight columns, a second figure under the first in two cells: the list fits a 1,280 px
    # window beside the navigation and the filters.
    @admin.display(description=_("Discovered"), ordering="books_discovered")
    def discovered(self, month):
        """The books discovered, and the duplicates dropped among them below."""
        return discovered_with_duplicates(month.books_discovered, month.duplicates_dropped)

    @admin.display(description=_("Resolved"), ordering="isbns_resolved")
    def resolved_in_list(self, month):
        """The ISBNs resolved, and below them the synthetic works written for the books no
        provider resolved."""
        return resolved_with_synthetic(
            month.isbns_resolved, month.resolution_rate, month.synthetic_works
        )

    @admin.display(description=_("Queued"), ordering="queued_for_enrichment")
    def queued(self, month):
        return f"{month.queued_for_enrichment:,}"

    @admin.display(description=_("Run"), ordering="started_at")
    def run_times(self, month):
        """Started, then completed ("…" while it runs); a waiting month's second line says
        until when it waits."""
        waits = self._waits(month)
        # Briefly: the list's column is narrow (the sentence on hover, and on its page).
        waiting = (
            format_html('<span title="{}">{}</span>', waits.full, waits.short)
            if waits.short
            else ""
        )
        if waiting and not month.started_at:
            return waiting
        if not month.started_at and not month.completed_at:
            return "–"
        return format_html(
            '<span title="{}">{}<br>{}</span>',
            gettext("Started, then completed"),
            display_for_value(month.started_at, "–"),  # the admin's format, the site's time zone
            waiting or display_for_value(month.completed_at, "…"),
        )

    def get_fieldsets(self, request, obj=None):
        # The mixins' (a relation such as who asked links only for who may open it).
        fieldsets = super().get_fieldsets(request, obj)
        if obj is not None and self._waits(obj).full:
            return fieldsets
        # Only a waiting month's page says until when it waits.
        return [
            (name, {**options, "fields": [f for f in options["fields"] if f != "waiting"]})
            for name, options in fieldsets
        ]

    @admin.display(description=_("Waiting"))
    def waiting(self, month):
        return self._waits(month).full

    @staticmethod
    def _waits(month) -> WaitingWords:
        return waiting_words(
            month,
            # Read with the rows (get_queryset); a month loaded otherwise has none of them.
            next_run=getattr(month, "scheduler_next_run", None),
            now=getattr(month, "database_now", None) or timezone.now(),
            worker_running=getattr(month, "worker_running", True),
        )

    @admin.display(description=_("Error"))
    def error_short(self, month):
        return error_short(month.error)

    @admin.display(description=_("Discovery sources"))
    def sources_table(self, month):
        return sources_table(month)

    @admin.display(description=_("Its works"))
    def works_link(self, month):
        # Each work the backfill writes keeps its month in `discovery` (enrichment.backfill.works);
        # the works list filters on any field lookup of its query string.
        url = f"{reverse('admin:catalog_work_changelist')}?discovery__month={month.label}"
        request = viewer_request(month)
        return format_html(
            "{} · {}",
            link_for_viewer(request, Work, url, gettext("The works this month added")),
            link_for_viewer(request, Work, f"{url}&synthetic=yes", gettext("its synthetic works")),
        )

    @admin.display(description=_("Earlier runs"))
    def earlier_runs_table(self, month):
        return earlier_runs_table(month)
