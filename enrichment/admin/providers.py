"""Provider health (breaker states) and the cache of their answers (source records)."""

import json

from django.contrib import admin
from django.contrib.admin.utils import display_for_value
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _

from bookstore.admin_lists import with_note
from enrichment import provider_figures, throttle
from enrichment.admin.base import ReadOnlyAdmin, badge, yes_or_no
from enrichment.models import ProviderState, SourceRecord
from enrichment.providers.registry import provider_choices, provider_label

BREAKER_COLOURS = {"closed": "#2e7d32", "half_open": "#b26a00", "open": "#c62828"}
#: Not shown as stored: the budget in force now is (budget_left), and the last error's full text
#: is, behind a "details" toggle (last_error_in_full).
HIDDEN_FIELDS = ["daily_budget", "last_error_detail"]


class SourceProviderFilter(admin.SimpleListFilter):
    title = _("provider")
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

    def empty_list_help(self, request):
        return _(
            "No provider answer is kept yet: each answer (or “no match”) to a lookup is kept "
            "here after enrichment first asks, so that asking again costs nothing."
        )

    # The provider by its label, and the answer indented to be read, never as stored.
    readonly_fields = [
        "provider_name",
        "lookup_key",
        "status",
        "fetched_at",
        "expires_at",
        "answer",
    ]
    fields = tuple(readonly_fields)

    @admin.display(description=_("Provider"), ordering="provider")
    def provider_name(self, record):
        return provider_label(record.provider)

    @admin.display(description=_("Answer"))
    def answer(self, record):
        if record.payload is None:
            return "–"
        text = json.dumps(record.payload, indent=2, ensure_ascii=False, sort_keys=True)
        return format_html('<pre class="source-answer">{}</pre>', text)


#: Stored fields the state's page shows otherwise: today's figures by the one rule (selectors:
#: the row's own are those of the UTC day it last sent a request), and the rate limit in words
#: instead of its token bucket's internal figures.
SHOWN_INSTEAD = {
    "tokens": ("rate_limit",),
    "tokens_updated_at": (),
    "day": (),
    "requests_today": ("requests_today_count", "budget_left"),
    "quota_exhausted": ("quota_spent_today",),
}


@admin.register(ProviderState)
class ProviderStateAdmin(ReadOnlyAdmin):
    # Seven columns, two figures in some cells: the list fits 1,280 px beside the navigation.
    list_display = [
        "provider_name",
        "breaker",
        "budget_today",
        "in_flight",
        "throttled_until",
        "last_success_at",
        "last_error_short",
    ]
    # The stored daily_budget is only the budget at the last request: the page shows the one
    # in force now (budget_left) instead.
    # The provider by its label, never its key.
    exclude = [*HIDDEN_FIELDS, "provider", *SHOWN_INSTEAD]
    readonly_fields = [
        "provider_name",
        *(
            shown
            for field in ProviderState._meta.fields
            if field.name not in HIDDEN_FIELDS and field.name != "provider"
            for shown in SHOWN_INSTEAD.get(field.name, (field.name,))
        ),
        "last_error_in_full",
    ]

    def empty_list_help(self, request):
        return _(
            "No provider has been asked yet: each one's breaker, rate limit and daily budget "
            "show here after its first request."
        )

    @admin.display(description=_("Provider"), ordering="provider")
    def provider_name(self, state):
        return provider_label(state.provider)

    @admin.display(description=_("Breaker"), ordering="breaker_state")
    def breaker(self, state):
        shown = badge(
            state.get_breaker_state_display(), BREAKER_COLOURS.get(state.breaker_state, "#555")
        )
        if not state.consecutive_failures:
            return shown
        failures = ngettext(
            "%(n)s failure in a row", "%(n)s failures in a row", state.consecutive_failures
        ) % {"n": f"{state.consecutive_failures:,}"}
        return with_note(shown, failures)

    @admin.display(description=_("Requests today"))
    def requests_today_count(self, state):
        return f"{self._daily(state).requests_today:,}"

    @admin.display(description=_("Budget left today"))
    def budget_left(self, state):
        return self._budget_text(self._daily(state))

    @admin.display(description=_("Budget left today"))
    def budget_today(self, state):
        """The list's cell: the budget left, and the requests sent today below it."""
        daily = self._daily(state)
        sent = ngettext("%(n)s request today", "%(n)s requests today", daily.requests_today) % {
            "n": f"{daily.requests_today:,}"
        }
        return with_note(self._budget_text(daily), sent)

    @staticmethod
    def _budget_text(daily) -> str:
        if daily.quota_exhausted:
            return gettext("none: the provider says its quota is spent")
        if daily.left is None:
            return gettext("unlimited")
        return gettext("%(left)s of %(budget)s") % {
            "left": f"{daily.left:,}",
            "budget": f"{daily.budget:,}",
        }

    @admin.display(description=_("Quota spent today"))
    def quota_spent_today(self, state):
        return yes_or_no(
            self._daily(state).quota_exhausted,
            yes=gettext("yes: the provider said its daily quota is spent"),
            no=gettext("no"),
        )

    @admin.display(description=_("Rate limit"))
    def rate_limit(self, state):
        limits = throttle.limits_for(state.provider)
        if limits.rate <= 0:
            return gettext("none")
        every = gettext("one request every %(seconds)s s") % {
            "seconds": seconds_text(1 / limits.rate)
        }
        wait = throttle.rate_limit_wait(state, limits, throttle.shared_now())
        if wait <= 0:
            return gettext("%(every)s; the next can go now") % {"every": every}
        return gettext("%(every)s; the next can go in %(seconds)s s") % {
            "every": every,
            "seconds": seconds_text(wait),
        }

    @admin.display(description=_("Last error"), ordering="last_error_at")
    def last_error_short(self, state):
        fault = provider_figures.state_fault(state)  # one line: host and kind, never a URL's query
        if not fault:
            return "–"
        return with_note(
            format_html('<span class="fault-line">{}</span>', fault.message),
            display_for_value(state.last_error_at, "–"),  # the admin's format and time zone
        )

    @admin.display(description=_("Last error in full"))
    def last_error_in_full(self, state):
        fault = provider_figures.state_fault(state)
        if fault is None:
            return "–"
        return render_to_string("admin/enrichment/includes/fault.html", {"fault": fault})

    @staticmethod
    def _daily(state):
        # Today's figures by the one rule (enrichment.selectors), never the row's stale ones.
        return provider_figures.provider_daily_budget(provider=state.provider, state=state)


def seconds_text(seconds: float) -> str:
    """ "1.1" for 1.11 s, "0.011" for a fast local provider: two significant digits below 10."""
    return f"{seconds:.2g}" if seconds < 10 else f"{seconds:,.0f}"


# --- The works list: enrichment triggers ---------------------------------------------------------
