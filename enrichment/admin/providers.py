"""Provider health (breaker states) and the cache of their answers (source records)."""

from django.contrib import admin

from enrichment.admin.base import ReadOnlyAdmin, badge, short
from enrichment.models import ProviderState, SourceRecord
from enrichment.providers.registry import provider_choices, provider_label

BREAKER_COLOURS = {"closed": "#2e7d32", "half_open": "#b26a00", "open": "#c62828"}


class SourceProviderFilter(admin.SimpleListFilter):
    title = "provider"
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

    @admin.display(description="Provider", ordering="provider")
    def provider_name(self, record):
        return provider_label(record.provider)


@admin.register(ProviderState)
class ProviderStateAdmin(ReadOnlyAdmin):
    list_display = [
        "provider_name",
        "breaker",
        "consecutive_failures",
        "day",
        "requests_today",
        "budget_left",
        "quota_exhausted",
        "in_flight",
        "throttled_until",
        "last_success_at",
        "last_error_short",
        "last_error_at",
    ]
    readonly_fields = [field.name for field in ProviderState._meta.fields]

    @admin.display(description="Provider", ordering="provider")
    def provider_name(self, state):
        return provider_label(state.provider)

    @admin.display(description="Breaker", ordering="breaker_state")
    def breaker(self, state):
        return badge(state.get_breaker_state_display(), BREAKER_COLOURS.get(state.breaker_state))

    @admin.display(description="Budget left today")
    def budget_left(self, state):
        if not state.daily_budget:
            return "unlimited"
        return f"{max(0, state.daily_budget - state.requests_today):,} of {state.daily_budget:,}"

    @admin.display(description="Last error")
    def last_error_short(self, state):
        return short(state.last_error, 80) or "–"


# --- The works list: enrichment triggers ---------------------------------------------------------
