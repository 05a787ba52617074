"""Provider health (breaker states) and the cache of their answers (source records)."""

import json

from django.contrib import admin
from django.template.loader import render_to_string
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enrichment import selectors
from enrichment.admin.base import ReadOnlyAdmin, badge
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


@admin.register(ProviderState)
class ProviderStateAdmin(ReadOnlyAdmin):
    list_display = [
        "provider_name",
        "breaker",
        "consecutive_failures",
        "day",
        "requests_today_count",
        "budget_left",
        "quota_spent_today",
        "in_flight",
        "throttled_until",
        "last_success_at",
        "last_error_short",
        "last_error_at",
    ]
    # The stored daily_budget is only the budget at the last request: the page shows the one
    # in force now (budget_left) instead.
    # The provider by its label, never its key.
    exclude = [*HIDDEN_FIELDS, "provider"]
    readonly_fields = [
        "provider_name",
        *(
            field.name
            for field in ProviderState._meta.fields
            if field.name not in HIDDEN_FIELDS and field.name != "provider"
        ),
        "last_error_in_full",
        "budget_left",
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
        return badge(
            state.get_breaker_state_display(), BREAKER_COLOURS.get(state.breaker_state, "#555")
        )

    @admin.display(description=_("Requests today"))
    def requests_today_count(self, state):
        return f"{self._daily(state).requests_today:,}"

    @admin.display(description=_("Budget left today"))
    def budget_left(self, state):
        daily = self._daily(state)
        if daily.quota_exhausted:
            return gettext("none: the provider says its quota is spent")
        if daily.left is None:
            return gettext("unlimited")
        return gettext("%(left)s of %(budget)s") % {
            "left": f"{daily.left:,}",
            "budget": f"{daily.budget:,}",
        }

    @admin.display(description=_("Quota spent today"), boolean=True)
    def quota_spent_today(self, state):
        return self._daily(state).quota_exhausted

    @admin.display(description=_("Last error"))
    def last_error_short(self, state):
        fault = selectors.state_fault(state)  # one line: host and kind, never a URL's query
        return format_html('<span class="fault-line">{}</span>', fault.message) if fault else "–"

    @admin.display(description=_("Last error in full"))
    def last_error_in_full(self, state):
        fault = selectors.state_fault(state)
        if fault is None:
            return "–"
        return render_to_string("admin/enrichment/includes/fault.html", {"fault": fault})

    @staticmethod
    def _daily(state):
        # Today's figures by the one rule (enrichment.selectors), never the row's stale ones.
        return selectors.provider_daily_budget(provider=state.provider, state=state)


# --- The works list: enrichment triggers ---------------------------------------------------------
