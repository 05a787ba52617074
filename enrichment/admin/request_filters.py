"""The enrichment queue's list filters: which requests (current or all history, works' or
authors'), and by status, confidence, provider, trigger and cover (photo) proposal, each by the
review panel's labels."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from enrichment import dashboard, presenters
from enrichment.models import EnrichmentRequest
from enrichment.providers.registry import provider_choices
from enrichment.selectors import current_requests, requests_asking_provider


class ProviderFilter(admin.SimpleListFilter):
    title = _("provider")
    parameter_name = "provider"

    def lookups(self, request, model_admin):
        return provider_choices()

    def queryset(self, request, queryset):
        provider = self.value()
        return requests_asking_provider(queryset, provider) if provider else queryset


class HistoryFilter(admin.SimpleListFilter):
    """The queue opens on each work's current request (selectors.current_requests); the
    requests those superseded are one click away."""

    title = _("history")
    parameter_name = presenters.HISTORY_PARAMETER
    ALL = presenters.ALL_HISTORY

    def lookups(self, request, model_admin):
        return [(self.ALL, _("All history"))]

    def choices(self, changelist):
        yield {
            "selected": self.value() != self.ALL,
            "query_string": changelist.get_query_string(remove=[self.parameter_name]),
            "display": _("Current requests (one per work or author)"),
        }
        yield {
            "selected": self.value() == self.ALL,
            "query_string": changelist.get_query_string({self.parameter_name: self.ALL}),
            "display": _("All history"),
        }

    def queryset(self, request, queryset):
        if self.value() == self.ALL:
            return queryset
        return current_requests(queryset=queryset)


class StatusFilter(admin.SimpleListFilter):
    """The status by the dashboard's labels, in its order: "Skipped / dismissed", where the
    field's own choice, "Skipped", listed the requests a reviewer dismissed too. The query
    string is the field filter's, so the dashboard's links and bookmarks keep working."""

    title = _("status")
    parameter_name = "status__exact"

    def lookups(self, request, model_admin):
        return list(dashboard.STATUS_ORDER)

    def queryset(self, request, queryset):
        return queryset.filter(status=self.value()) if self.value() else queryset


class ConfidenceFilter(admin.SimpleListFilter):
    """The match's confidence by its label, "no match" for none (the dashboard links here)."""

    title = _("confidence")
    parameter_name = "confidence__exact"

    def lookups(self, request, model_admin):
        return [(value, presenters.tier_label(value)) for value in EnrichmentRequest.Confidence]

    def queryset(self, request, queryset):
        return queryset.filter(confidence=self.value()) if self.value() else queryset


class TargetFilter(admin.SimpleListFilter):
    """Works' requests or authors' (they share the queue)."""

    title = _("book or author")
    parameter_name = "target"

    def lookups(self, request, model_admin):
        return [("works", _("Works")), ("authors", _("Authors"))]

    def queryset(self, request, queryset):
        if self.value() == "works":
            return queryset.filter(work__isnull=False)
        if self.value() == "authors":
            return queryset.filter(author__isnull=False)
        return queryset


class TriggerFilter(admin.SimpleListFilter):
    """What queued the requests, by the review panel's labels (presenters.TRIGGER_LABELS); the
    query string is the field filter's, so links to it keep working."""

    title = _("trigger")
    parameter_name = "trigger__exact"

    def lookups(self, request, model_admin):
        return list(presenters.TRIGGER_LABELS.items())

    def queryset(self, request, queryset):
        return queryset.filter(trigger=self.value()) if self.value() else queryset


class CoverProposalFilter(admin.SimpleListFilter):
    """Whether a cover was proposed, or an author's photo (the proposal's "cover" of an author)."""

    title = _("cover or photo proposal")
    parameter_name = "cover_proposal"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Has a cover or photo proposal")),
            ("no", _("No cover or photo proposal")),
        ]

    def queryset(self, request, queryset):
        if self.value() == "yes":
            return queryset.filter(proposal__has_key="cover")
        if self.value() == "no":
            return queryset.exclude(proposal__has_key="cover")
        return queryset
