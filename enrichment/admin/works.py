"""The works list: catalog's works admin plus the enrichment triggers and filters; the work
page's "Enrichment" section."""

from urllib.parse import urlencode

from django.contrib import admin
from django.contrib.admin.utils import display_for_value
from django.db.models import OuterRef, Subquery
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from bookstore.admin_links import admin_may_view, count_link, link_for_viewer, viewer_request
from bookstore.db_clock import database_now_expression
from catalog import selectors
from catalog.admin import WorkAdmin
from catalog.models import Work
from enrichment import presenters, views
from enrichment.admin.actions import bulk_action
from enrichment.admin.base import ReviewPermissionMixin
from enrichment.admin.cover_uploads import VerifiedCoverUploadMixin, VerifiedWorkAdminForm
from enrichment.backfill.months import month_key_name
from enrichment.backfill.sources import source_label
from enrichment.covers.store import UPLOADED_BY_HAND, UPLOADED_BY_HAND_LABEL
from enrichment.heartbeats import worker_running_expression
from enrichment.history import history_note_if_empty, history_rows_as_entries_say
from enrichment.models import AuditLogEntry, BulkOperation, EnrichmentRequest
from enrichment.providers.registry import provider_choices, provider_label
from enrichment.request_status import (
    NOTHING_ADDED,
    NOTHING_ADDED_LABEL,
    request_status_words,
    target_added_nothing,
    target_changed_annotation,
    target_status_choices,
    target_status_filter,
)
from enrichment.selectors import (
    COMPLETENESS_BUCKETS,
    MISSING_AUTHORS,
    MISSING_FIELDS,
    WorkEnrichment,
    request_last_try_at,
    work_enrichment,
    works_by_author_completeness,
)
from enrichment.templatetags.admin_time import moment_age
from enrichment.waiting import next_try_words, waiting_words

#: The works list's status filter values that probe each work (`target_status_filter`).
STATUSES_PROBED = (Work.EnrichmentStatus.ENRICHED, NOTHING_ADDED)


class EnrichmentStatusFilter(admin.SimpleListFilter):
    """By enrichment status as the list shows it: "Matched, nothing added" apart from
    "Enriched" (request_status.target_status_q); the authors list's is this one of authors."""

    title = _("enrichment")
    parameter_name = "enrichment_status"
    target = "work"

    def lookups(self, request, model_admin):
        return [(value or "none", label) for value, label in target_status_choices()]

    def queryset(self, request, queryset):
        value = self.value()
        if value is None:
            return queryset
        return target_status_filter(queryset, "" if value == "none" else value, target=self.target)


class CompletenessFilter(admin.SimpleListFilter):
    """By completeness band (COMPLETENESS_BUCKETS), on any model with a `completeness`."""

    title = _("completeness")
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
    title = _("details missing")
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


class AuthorCompletenessOfWorkFilter(admin.SimpleListFilter):
    """Works by their authors' completeness (EXISTS on the credits, never Python)."""

    title = _("author completeness")
    parameter_name = "author_completeness"

    def lookups(self, request, model_admin):
        return [(key, label) for key, label, _condition in works_by_author_completeness()]

    def queryset(self, request, queryset):
        for key, _label, condition in works_by_author_completeness():
            if key == self.value():
                return queryset.filter(condition)
        return queryset


class SyntheticFilter(admin.SimpleListFilter):
    """Works the catalog backfill found that no provider has resolved yet, or the others."""

    title = _("backfill")
    parameter_name = "synthetic"

    def lookups(self, request, model_admin):
        return [
            ("yes", _("Synthetic: not resolved to an ISBN yet")),
            ("no", _("Not synthetic")),
        ]

    def queryset(self, request, queryset):
        if self.value() not in ("yes", "no"):
            return queryset
        return queryset.filter(synthetic=self.value() == "yes")


class CoverSourceFilter(admin.SimpleListFilter):
    title = _("cover source")
    parameter_name = "cover_source"

    def lookups(self, request, model_admin):
        return [*provider_choices(), (UPLOADED_BY_HAND, UPLOADED_BY_HAND_LABEL)]

    def queryset(self, request, queryset):
        source = self.value()
        if not source:
            return queryset
        # The works the dashboard counts under this source: those whose shown verified cover
        # came from it (catalog.selectors.works_with_cover_source), each once.
        source = "" if source == "unknown" else source
        return selectors.works_showing_cover_from(source, queryset)


# get_enrichment_status_display() rebuilds the choices' dict on every call: 50 rows a page.
ENRICHMENT_STATUS_LABELS = dict(Work.EnrichmentStatus.choices)


def when_text(moment) -> str:
    """ "Mar 3, 2025, 2:05 p.m. (3 hours ago)", in the site's time zone."""
    return gettext("%(when)s (%(ago)s ago)") % {
        "when": display_for_value(moment, "–"),
        "ago": moment_age(moment),
    }


class EnrichmentWorkAdmin(VerifiedCoverUploadMixin, ReviewPermissionMixin, WorkAdmin):
    """catalog's works admin, plus "Enrich selected" and "Enrich all missing covers / metadata"
    (catalog never imports enrichment: the triggers are added from this side), and uploaded
    covers checked and stored as fetched ones."""

    form = VerifiedWorkAdminForm

    change_list_template = "admin/enrichment/work/change_list.html"
    list_filter = [
        *WorkAdmin.list_filter,
        EnrichmentStatusFilter,
        CompletenessFilter,
        MissingFieldFilter,
        AuthorCompletenessOfWorkFilter,
        CoverSourceFilter,
        SyntheticFilter,
    ]
    list_display = [*WorkAdmin.list_display, "enrichment_state"]
    # Counted up to a cap: an exact count probes every one of a million works' credits (0.4–1.3 s).
    capped_count_filters = (AuthorCompletenessOfWorkFilter.parameter_name,)
    actions = ["enrich_selected"]
    readonly_fields = [
        *WorkAdmin.readonly_fields,
        "enrichment_status_text",
        "confidence_label",
        "completeness_label",
        "last_try",
        "discovery_summary",
    ]
    enrichment_fields = [
        ("enrichment_status_text", "confidence_label", "completeness_label"),
        "last_try",
    ]

    def counted_by_probes(self, request) -> bool:
        # "Enriched" and "Matched, nothing added" probe each work's audit entries: counted up to
        # a cap too (an exact count joined every entry: 0.4-0.7 s at a million works).
        shown_status = request.GET.get(EnrichmentStatusFilter.parameter_name)
        return super().counted_by_probes(request) or shown_status in STATUSES_PROBED

    def history_view(self, request, object_id, extra_context=None):
        """Its History, each enrichment row as its audit entry says it now (rows written by
        older versions too: history.history_rows_as_entries_say)."""
        response = super().history_view(request, object_id, extra_context)
        action_list = (getattr(response, "context_data", None) or {}).get("action_list")
        if action_list is not None:
            history_rows_as_entries_say(list(action_list))
        history_note_if_empty(response)
        return response

    def get_queryset(self, request):
        # A waiting work's next try: its pending request's next_attempt_at (one subquery).
        pending = EnrichmentRequest.objects.filter(
            work=OuterRef("pk"), status=EnrichmentRequest.Status.PENDING
        ).values("next_attempt_at")[:1]
        return (
            super()
            .get_queryset(request)
            .annotate(
                enrichment_next_try_at=Subquery(pending),
                worker_running=worker_running_expression(),
                # The database's now, read with the rows: a next try is due on its clock.
                database_now=database_now_expression(),
                # "Matched, nothing added" where the status says "enriched" (one query).
                **target_changed_annotation(),
            )
        )

    @admin.display(description=_("Enrichment"), ordering="enrichment_status")
    def enrichment_state(self, work):
        if work.enrichment_status == Work.EnrichmentStatus.WAITING:
            waiting = self._waiting_words(work)  # short in the list, its sentence on hover
            return format_html('<span title="{}">{}</span>', waiting.full, waiting.short)
        return self._status_label(work)

    @staticmethod
    def _waiting_words(work):
        return waiting_words(
            getattr(work, "enrichment_next_try_at", None),
            worker_running=getattr(work, "worker_running", None),
            now=getattr(work, "database_now", None),
        )

    @staticmethod
    def _status_label(work):
        if target_added_nothing(work):
            return NOTHING_ADDED_LABEL
        return ENRICHMENT_STATUS_LABELS.get(work.enrichment_status, work.enrichment_status)

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

    @admin.action(description=_("Enrich selected works"), permissions=["review"])
    def enrich_selected(self, request, queryset):
        return bulk_action(
            self, request, queryset, kind=BulkOperation.Action.ENRICH_WORKS, noun=gettext("works")
        )

    # The work page's "Enrichment" section: where the work stands, links to the rest.

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None:
            return fieldsets  # a new work has no enrichment yet
        fields = [*self.enrichment_fields, *(["discovery_summary"] if obj.discovery else [])]
        section = (_("Enrichment"), {"fields": fields, "description": self._links(request, obj)})
        return [fieldsets[0], section, *fieldsets[1:]]

    @staticmethod
    def _enrichment(work) -> WorkEnrichment:
        # Read once per page: the section's fields and its links all use it.
        if not hasattr(work, "_enrichment"):
            work._enrichment = work_enrichment(work)
        return work._enrichment

    def _links(self, request, work):
        """Its requests and audit entries (for those who may see them), and its History."""
        summary = self._enrichment(work)
        links = []
        if admin_may_view(request, EnrichmentRequest):
            query = urlencode(
                {"work__id__exact": work.pk, presenters.HISTORY_PARAMETER: presenters.ALL_HISTORY}
            )
            links.append(
                count_link(
                    f"{reverse('admin:enrichment_enrichmentrequest_changelist')}?{query}",
                    gettext("Its enrichment requests (%(n)s)") % {"n": summary.request_count},
                    summary.request_count,
                )
            )
        if admin_may_view(request, AuditLogEntry):
            query = urlencode({"work__id__exact": work.pk})
            links.append(
                count_link(
                    f"{reverse('admin:enrichment_auditlogentry_changelist')}?{query}",
                    gettext("Its audit log entries (%(n)s)") % {"n": summary.audit_count},
                    summary.audit_count,
                )
            )
        history = reverse("admin:catalog_work_history", args=[work.pk])
        links.append(
            format_html(
                '<a href="{}">{}</a>', history, gettext("History (enrichment's changes included)")
            )
        )
        return format_html_join(" · ", "{}", ((link,) for link in links))

    @admin.display(description=_("Status"))
    def enrichment_status_text(self, work):
        if work.enrichment_status == Work.EnrichmentStatus.WAITING:
            return self._waiting_words(work).full  # the page has room for the sentence
        return self._status_label(work)  # as the list shows it

    @admin.display(description=_("Confidence"))
    def confidence_label(self, work):
        return presenters.tier_label(work.enrichment_confidence) or "–"

    @admin.display(description=_("Completeness"))
    def completeness_label(self, work):
        return f"{work.completeness} %"

    @admin.display(description=_("Backfill"))
    def discovery_summary(self, work):
        """How the catalog backfill found the work, and where its resolution stands."""
        record = work.discovery or {}
        source = source_label(str(record.get("source") or ""))
        lines = [
            gettext("Found by %(source)s for %(month)s.")
            % {"source": source or "?", "month": month_key_name(str(record.get("month") or "?"))}
        ]
        if record.get("resolved_by"):
            lines.append(
                gettext("Resolved to an ISBN by %(provider)s.")
                % {"provider": provider_label(str(record["resolved_by"]))}
            )
        elif work.synthetic:
            lines.append(
                gettext("Synthetic: no provider has resolved it yet; retried daily (%(n)s tries).")
                % {"n": record.get("tries") or 0}
            )
        holder = record.get("duplicate_of")
        if work.synthetic and holder:
            url = reverse("admin:catalog_work_change", args=[holder])
            duplicate = format_html(
                '{} <a href="{}">{}</a>',
                gettext("Its ISBN belongs to another work: merge them by hand if they are one:"),
                url,
                gettext("work #%(id)s") % {"id": holder},
            )
            return format_html_join(
                mark_safe("<br>"), "{}", [(line,) for line in lines] + [(duplicate,)]
            )
        return format_html_join(mark_safe("<br>"), "{}", [(line,) for line in lines])

    @admin.display(description=_("Last try"))
    def last_try(self, work):
        current = self._enrichment(work).current
        if current is None:
            return gettext("Never: no enrichment request yet.")
        return format_html(
            "{} — {}",
            self._try_text(current),
            link_for_viewer(
                viewer_request(work),
                EnrichmentRequest,
                reverse("admin:enrichment_enrichmentrequest_change", args=[current.pk]),
                gettext("request #%(id)s") % {"id": current.pk},
            ),
        )

    @staticmethod
    def _try_text(current: EnrichmentRequest) -> str:
        Status = EnrichmentRequest.Status
        if current.status == Status.IN_PROGRESS:
            return gettext("Being looked up now")
        tried = request_last_try_at(current)  # the API's status reads the same rule
        if current.status == Status.PENDING:
            if tried is None:
                return gettext("Not tried yet (queued %(when)s)") % {
                    "when": when_text(current.created_at)
                }
            return gettext("%(when)s; %(next)s") % {
                "when": when_text(tried),
                "next": next_try_words(current.next_attempt_at),
            }
        return gettext("%(when)s: %(status)s") % {
            "when": when_text(tried),
            "status": request_status_words(current),
        }


admin.site.unregister(Work)
admin.site.register(Work, EnrichmentWorkAdmin)
