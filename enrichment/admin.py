from django.contrib import admin

from enrichment.models import ProviderState, SourceRecord


class ReadOnlyAdmin(admin.ModelAdmin):
    """Written only by the provider clients: the admin shows, it never edits."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SourceRecord)
class SourceRecordAdmin(ReadOnlyAdmin):
    list_display = ["provider", "lookup_key", "status", "fetched_at", "expires_at"]
    list_filter = ["provider", "status"]
    search_fields = ["lookup_key"]
    date_hierarchy = "fetched_at"
    show_full_result_count = False  # a big table: no second COUNT(*) per page


@admin.register(ProviderState)
class ProviderStateAdmin(ReadOnlyAdmin):
    list_display = [
        "provider",
        "breaker_state",
        "consecutive_failures",
        "day",
        "requests_today",
        "daily_budget",
        "quota_exhausted",
        "in_flight",
        "throttled_until",
        "last_success_at",
        "last_error_at",
    ]
    readonly_fields = [field.name for field in ProviderState._meta.fields]
