"""The works list: catalog's works admin plus the enrichment triggers and filters."""

from django.contrib import admin
from django.urls import path, reverse

from catalog import selectors
from catalog.admin import WorkAdmin
from catalog.models import Work
from enrichment import views
from enrichment.admin.actions import bulk_action
from enrichment.admin.base import ReviewPermissionMixin
from enrichment.models import BulkOperation
from enrichment.providers.registry import provider_choices
from enrichment.selectors import COMPLETENESS_BUCKETS, MISSING_AUTHORS, MISSING_FIELDS


class EnrichmentStatusFilter(admin.SimpleListFilter):
    title = "enrichment"
    parameter_name = "enrichment_status"

    def lookups(self, request, model_admin):
        return [(value or "none", label) for value, label in Work.EnrichmentStatus.choices]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return queryset.filter(enrichment_status="" if value == "none" else value)


class CompletenessFilter(admin.SimpleListFilter):
    title = "completeness"
    parameter_name = "completeness"

    def lookups(self, request, model_admin):
        return [(f"{low}-{high}", label) for label, low, high in COMPLETENESS_BUCKETS]

    def queryset(self, request, queryset):
        try:
            low, high = (int(part) for part in (self.value() or "").split("-"))
        except ValueError:
            return queryset
        return queryset.filter(completeness__range=(low, high))


class MissingFieldFilter(admin.SimpleListFilter):
    title = "missing"
    parameter_name = "missing"

    def lookups(self, request, model_admin):
        return [(str(i), label) for i, (label, _) in enumerate(self.fields())]

    def queryset(self, request, queryset):
        value, fields = self.value(), self.fields()
        if value and value.isdigit() and int(value) < len(fields):
            return queryset.filter(fields[int(value)][1])
        return queryset

    @staticmethod
    def fields():
        return [*MISSING_FIELDS, MISSING_AUTHORS]


class CoverSourceFilter(admin.SimpleListFilter):
    title = "cover source"
    parameter_name = "cover_source"

    def lookups(self, request, model_admin):
        return provider_choices()

    def queryset(self, request, queryset):
        source = self.value()
        if not source:
            return queryset
        # The works the dashboard counts under this source: those whose shown verified cover
        # came from it (catalog.selectors.works_with_cover_source), each once.
        source = "" if source == "unknown" else source
        return selectors.works_with_cover_source(queryset).filter(verified_cover_source=source)


class EnrichmentWorkAdmin(ReviewPermissionMixin, WorkAdmin):
    """catalog's works admin, plus "Enrich selected" and "Enrich all missing covers / metadata"
    (catalog never imports enrichment: the triggers are added from this side)."""

    change_list_template = "admin/enrichment/work/change_list.html"
    list_filter = [
        *WorkAdmin.list_filter,
        EnrichmentStatusFilter,
        CompletenessFilter,
        MissingFieldFilter,
        CoverSourceFilter,
    ]
    actions = ["enrich_selected"]

    def get_urls(self):
        wrap = self.admin_site.admin_view
        return [
            path(
                "enrich-missing/",
                wrap(lambda request: views.enrich_missing(request, self)),
                name="catalog_work_enrich_missing",
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_enrich": self.has_review_permission(request),
            "enrich_missing_url": reverse("admin:catalog_work_enrich_missing"),
        }
        return super().changelist_view(request, extra_context)

    @admin.action(description="Enrich selected works", permissions=["review"])
    def enrich_selected(self, request, queryset):
        return bulk_action(
            self, request, queryset, kind=BulkOperation.Action.ENRICH_WORKS, noun="works"
        )


admin.site.unregister(Work)
admin.site.register(Work, EnrichmentWorkAdmin)
