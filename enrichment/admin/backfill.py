"""Catalog backfill months (BackfillMonth): the list with each month's metrics, the month's page
with its sources and earlier runs, and the actions Queue now / Retry / Cancel / Run again, plus
"Add months".

Months are written by `manage.py backfill`, "Add months" and the scheduler
(enrichment.backfill.months); nobody edits one by hand. Acting on months needs
`enrichment.run_backfill`; running a completed month again spends its provider requests once
more and needs `enrichment.rerun_backfill`. The actions and the button show only to users who
hold them, and the server checks them again.
"""

from collections import Counter

from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.contrib.admin.utils import display_for_value
from django.core.exceptions import PermissionDenied
from django.db.models import ExpressionWrapper, F, IntegerField
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.dateparse import parse_datetime
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from bookstore.admin_links import ViewerOnObjectMixin, link_for_viewer, viewer_request
from bookstore.admin_lists import count_with_note, help_with_link, with_note
from catalog.models import Work
from enrichment.admin.actions import action_confirmation, action_confirmed, action_selection
from enrichment.admin.base import ReadOnlyAdmin, badge
from enrichment.backfill import months as backfill_months
from enrichment.backfill.months import calls_label, calls_text
from enrichment.models import BackfillMonth

RUN_PERMISSION = "enrichment.run_backfill"
RERUN_PERMISSION = "enrichment.rerun_backfill"
Status = BackfillMonth.Status
STATUS_COLOURS = {
    Status.PENDING: "#777",
    Status.PROCESSING: "#1f6fb2",
    Status.COMPLETED: "#2e7d32",
    Status.FAILED: "#c62828",
    Status.RETRY: "#b26a00",
    Status.CANCELLED: "#8d6e63",
    Status.PARTIAL: "#d84315",
}
ERROR_SHOWN = 50  # characters of a month's error in the lists (all of it on hover)
#: Months in publication order, for the list's "Month" column.
MONTH_ORDER = ExpressionWrapper(F("year") * 100 + F("month"), output_field=IntegerField())


def _in_settings_order(item) -> tuple[int, str]:
    """The sources as BACKFILL_SOURCES lists them (jsonb keeps no order), others after."""
    order = settings.BACKFILL_SOURCES
    return (order.index(item[0]) if item[0] in order else len(order), item[0])


def resolved_text(resolved: int, rate: float | None):
    """ "12 (75 %)": the ISBNs resolved and their share of the new books, when there were any."""
    if rate is None:
        return f"{resolved:,}"
    return format_html(
        '{} <span class="quiet">({}&nbsp;%)</span>', f"{resolved:,}", round(rate * 100)
    )


def discovered_with_duplicates(discovered: int, duplicates: int):
    """The books discovered, and the duplicates dropped among them below."""
    return count_with_note(
        discovered,
        ngettext("%(n)s duplicate dropped", "%(n)s duplicates dropped", duplicates),
        duplicates,
    )


def resolved_with_synthetic(resolved: int, rate: float | None, synthetic: int):
    """The ISBNs resolved, and below them the synthetic works written for the books no
    provider resolved."""
    shown = resolved_text(resolved, rate)
    if not synthetic:
        return shown
    note = ngettext("%(n)s synthetic work", "%(n)s synthetic works", synthetic)
    return with_note(shown, note % {"n": f"{synthetic:,}"})


def error_short(error: str):
    """A month's error cut to ERROR_SHOWN characters, all of it on hover ("" when none)."""
    if not error:
        return ""
    text = error if len(error) <= ERROR_SHOWN else error[: ERROR_SHOWN - 1] + "…"
    # A provider's error may hold a long unbroken word (a URL): break it anywhere.
    return format_html('<span title="{}" style="overflow-wrap:anywhere">{}</span>', error, text)


def statuses_text(statuses) -> str:
    return ", ".join(str(Status(status).label).lower() for status in statuses)


class MonthRangeForm(forms.Form):
    start = forms.CharField(label=_("From"), max_length=7, help_text=_("YYYY-MM, e.g. 2024-01"))
    end = forms.CharField(label=_("To"), max_length=7, help_text=_("YYYY-MM, included"))

    def _month(self, name):
        try:
            return backfill_months.parse_month(self.cleaned_data[name])
        except ValueError as exc:
            raise forms.ValidationError(str(exc)) from exc

    def clean_start(self):
        return self._month("start")

    def clean_end(self):
        return self._month("end")

    def clean(self):
        cleaned = super().clean() or {}
        if "start" in cleaned and "end" in cleaned:
            try:
                backfill_months.month_range(cleaned["start"], cleaned["end"])
            except ValueError as exc:
                raise forms.ValidationError(str(exc)) from exc
        return cleaned


@admin.register(BackfillMonth)
class BackfillMonthAdmin(ViewerOnObjectMixin, ReadOnlyAdmin):
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
    ]

    # --- Who sees what -----

    def has_run_backfill_permission(self, request):
        return request.user.has_perm(RUN_PERMISSION)

    def has_rerun_backfill_permission(self, request):
        return request.user.has_perm(RERUN_PERMISSION)

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
        """Started, then completed ("…" while it runs or waits)."""
        if not month.started_at and not month.completed_at:
            return "–"
        return format_html(
            '<span title="{}">{}<br>{}</span>',
            gettext("Started, then completed"),
            display_for_value(month.started_at, "–"),  # the admin's format, the site's time zone
            display_for_value(month.completed_at, "…"),
        )

    @admin.display(description=_("Error"))
    def error_short(self, month):
        return error_short(month.error)

    @admin.display(description=_("Discovery sources"))
    def sources_table(self, month):
        rows = [
            (
                calls_label(name),
                f"{(report or {}).get('books', 0):,}",
                f"{(report or {}).get('calls', 0):,}",
                (report or {}).get("error") or "–",
            )
            for name, report in sorted((month.sources or {}).items(), key=_in_settings_order)
        ]
        if not rows:
            return gettext("Not asked yet.")
        return format_html(
            '<table class="backfill-sources"><thead><tr><th>{}</th><th>{}</th><th>{}</th>'
            "<th>{}</th></tr></thead><tbody>{}</tbody></table>",
            gettext("Source"),
            gettext("Books named"),
            gettext("Requests"),
            gettext("Error"),
            format_html_join("", "<tr><td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>", rows),
        )

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
        """The runs a person replaced by running the month again, newest first: each one's
        outcome and figures as they stood, and when and by whom it was run again."""
        runs = list(reversed(month.earlier_runs or []))
        if not runs:
            return gettext("None: this is the month's first run.")
        rows = [
            (
                format_html(
                    "{}<br>{}",
                    _recorded_time(run.get("started_at"), "–"),
                    _recorded_time(run.get("completed_at"), "–"),
                ),
                _recorded_status(run.get("status")),
                discovered_with_duplicates(
                    run.get("books_discovered") or 0, run.get("duplicates_dropped") or 0
                ),
                resolved_with_synthetic(
                    run.get("isbns_resolved") or 0,
                    run.get("resolution_rate"),
                    run.get("synthetic_works") or 0,
                ),
                f"{run.get('queued_for_enrichment') or 0:,}",
                calls_text(run.get("provider_calls"), status=run.get("status") or ""),
                error_short(run.get("error") or "") or "–",
                format_html(
                    "{}<br>{}",
                    _recorded_time(run.get("run_again_at"), "–"),
                    run.get("run_again_by") or "–",
                ),
            )
            for run in runs
        ]
        headers = [
            gettext("Started, then completed"),
            gettext("Status"),
            gettext("Discovered"),
            gettext("Resolved"),
            gettext("Queued"),
            gettext("Provider calls"),
            gettext("Error"),
            gettext("Run again, by"),
        ]
        return format_html(
            '<table class="backfill-earlier-runs"><thead><tr>{}</tr></thead><tbody>{}</tbody>'
            "</table>",
            format_html_join("", "<th>{}</th>", ((header,) for header in headers)),
            format_html_join("", "<tr>" + "<td>{}</td>" * len(headers) + "</tr>", rows),
        )

    # --- Add months -----

    def get_urls(self):
        return [
            path(
                "add-months/",
                self.admin_site.admin_view(self.add_months_view),
                name="enrichment_backfillmonth_add_months",
            ),
            *super().get_urls(),
        ]

    def add_months_view(self, request):
        if not self.has_run_backfill_permission(request):
            raise PermissionDenied
        form = MonthRangeForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            created = backfill_months.backfill_months_create(
                start=form.cleaned_data["start"],
                end=form.cleaned_data["end"],
                requested_by=request.user,
            )
            self.message_user(
                request,
                gettext("%(created)s months created, %(existing)s existed already.")
                % {"created": f"{created.created:,}", "existing": f"{created.existing:,}"},
                messages.SUCCESS if created.created else messages.WARNING,
            )
            return redirect("admin:enrichment_backfillmonth_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("Add backfill months"),
            "opts": self.model._meta,
            "form": form,
            "max_months": backfill_months.MAX_MONTHS_PER_RANGE,
        }
        return TemplateResponse(request, "admin/enrichment/backfillmonth/add_months.html", context)

    # --- Actions -----

    def _act(
        self,
        request,
        queryset,
        *,
        allowed,
        service,
        done: str,
        rule: str,
        confirm: tuple,
        waits_until_begun: bool = False,
    ):
        """Ask first (the list actions' confirmation page), then run `service` on the chosen
        months and say how many changed, and how many were skipped and why (their status, not
        begun yet when `waits_until_begun`, or taken by a worker meanwhile)."""
        if not action_confirmed(request):
            statement, yes_label, kind_label = confirm
            count = queryset.count()
            selection = action_selection(self, request, count, gettext("months"))
            # None of them in a status it changes: a "Yes" would change nothing, none is offered.
            nothing_to_do = not queryset.filter(status__in=allowed).exists()
            if nothing_to_do:
                statement = gettext(
                    "Nothing would change for %(selection)s: only %(statuses)s months change."
                ) % {"selection": selection, "statuses": statuses_text(allowed)}
            else:
                statement = gettext(
                    "%(statement)s Only %(statuses)s months change; the others are "
                    "left as they are."
                ) % {
                    "statement": statement % {"selection": selection},
                    "statuses": statuses_text(allowed),
                }
            return action_confirmation(
                self,
                request,
                count=count,
                statement=statement,
                yes_label=yes_label,
                kind_label=kind_label,
                examples=[
                    gettext("%(month)s (%(status)s)")
                    % {"month": month, "status": month.get_status_display().lower()}
                    for month in queryset.order_by("-year", "-month")[:10]
                ],
                nothing_to_do=nothing_to_do,
            )
        before = Counter(queryset.values_list("status", flat=True))
        not_begun = (
            queryset.filter(status__in=allowed).filter(backfill_months.months_not_begun_q()).count()
            if waits_until_begun
            else 0
        )
        changed = service(months=queryset, user=request.user)
        by_status = {status: n for status, n in before.items() if status not in allowed}
        meanwhile = sum(before.values()) - changed - sum(by_status.values()) - not_begun
        text = ngettext("%(count)s month %(done)s.", "%(count)s months %(done)s.", changed) % {
            "count": f"{changed:,}",
            "done": done,
        }
        reasons = backfill_months.statuses_counted(by_status)
        if not_begun:
            reasons.append(gettext("not begun yet %(n)s") % {"n": f"{not_begun:,}"})
        if meanwhile > 0:
            reasons.append(gettext("taken or changed meanwhile %(n)s") % {"n": meanwhile})
        skipped = sum(by_status.values()) + not_begun + max(meanwhile, 0)
        if skipped:
            text += " " + gettext("%(count)s skipped (%(reasons)s): %(rule)s.") % {
                "count": f"{skipped:,}",
                "reasons": ", ".join(reasons),
                "rule": rule,
            }
        self.message_user(request, text, messages.SUCCESS if changed else messages.WARNING)
        return None

    @admin.action(description=_("Queue the selected months now"), permissions=["run_backfill"])
    def queue_now(self, request, queryset):
        return self._act(
            request,
            queryset,
            allowed=backfill_months.CLAIMABLE,
            service=backfill_months.backfill_months_queue_now,
            done=gettext("queued"),
            rule=gettext("only %(statuses)s months that have begun can be queued")
            % {"statuses": statuses_text(backfill_months.CLAIMABLE)},
            waits_until_begun=True,
            confirm=(
                gettext(
                    "You are about to hand %(selection)s to workers now, without waiting for "
                    "the scheduler."
                ),
                gettext("Yes, queue them now"),
                gettext("Queue now"),
            ),
        )

    @admin.action(description=_("Retry the selected months"), permissions=["run_backfill"])
    def retry_months(self, request, queryset):
        return self._act(
            request,
            queryset,
            allowed=backfill_months.RETRYABLE,
            service=backfill_months.backfill_months_retry,
            done=gettext("put back to retry"),
            rule=gettext("only %(statuses)s months can be retried")
            % {"statuses": statuses_text(backfill_months.RETRYABLE)},
            confirm=(
                gettext(
                    "You are about to put %(selection)s back to retry: the scheduler processes "
                    "them again, and their errors are cleared. A partly failed month keeps its "
                    "run on its page (Earlier runs) and its figures start from zero."
                ),
                gettext("Yes, retry them"),
                gettext("Retry"),
            ),
        )

    @admin.action(
        description=_("Run the selected completed months again"), permissions=["rerun_backfill"]
    )
    def rerun_months(self, request, queryset):
        return self._act(
            request,
            queryset,
            allowed=backfill_months.RERUNNABLE,
            service=lambda months, user: backfill_months.backfill_months_rerun(
                months=months, by=user.get_username()
            ),
            done=gettext("put back to run again"),
            rule=gettext("only %(statuses)s months can run again")
            % {"statuses": statuses_text(backfill_months.RERUNNABLE)},
            confirm=(
                gettext(
                    "You are about to run %(selection)s again from the start: the scheduler "
                    "asks their sources and providers again (spending their requests). Each "
                    "month keeps its earlier run on its page, and its figures start from zero; "
                    "the works the earlier run added are found again and counted as "
                    "duplicates, never copied, and its synthetic works are asked about again."
                ),
                gettext("Yes, run them again"),
                gettext("Run again"),
            ),
        )

    @admin.action(description=_("Cancel the selected months"), permissions=["run_backfill"])
    def cancel_months(self, request, queryset):
        return self._act(
            request,
            queryset,
            allowed=backfill_months.CANCELLABLE,
            service=backfill_months.backfill_months_cancel,
            done=gettext("cancelled"),
            rule=gettext("only %(statuses)s months can be cancelled")
            % {"statuses": statuses_text(backfill_months.CANCELLABLE)},
            confirm=(
                gettext(
                    "You are about to cancel %(selection)s: a month being processed stops at its "
                    "next step."
                ),
                gettext("Yes, cancel them"),
                gettext("Cancel"),
            ),
        )


def _recorded_time(value: str | None, empty: str):
    """A time `earlier_runs` keeps as ISO text, as the admin writes times."""
    return display_for_value(parse_datetime(value) if value else None, empty)


def _recorded_status(value: str | None):
    try:
        status = Status(value or "")
    except ValueError:
        return value or "–"
    return badge(status.label, STATUS_COLOURS.get(status, "#777"))
