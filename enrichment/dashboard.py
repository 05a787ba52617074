"""The admin dashboard's figures, as bars: the counts come from enrichment.selectors (shared
with `enrichment_report`), plus the running imports, bulk operations and the day's activity."""

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import ImportJob
from enrichment.models import AuditLogEntry, BulkOperation, EnrichmentRequest
from enrichment.selectors import (
    COMPLETENESS_BUCKETS,
    MISSING_AUTHORS,
    MISSING_FIELDS,
    ProviderHealth,
    ProvidersReachability,
    catalog_counts,
    covers_by_source,
    provider_health,
    provider_states,
    providers_reachability,
    queue_counts,
)

if TYPE_CHECKING:
    from django_stubs_ext import StrOrPromise


@dataclass
class Bar:
    """One row of a bar chart: a label, a count, its share of the chart's scale, a link."""

    label: "StrOrPromise"
    count: int
    percent: float = 0.0
    url: str = ""
    colour: str = ""


def bars(rows: list[Bar], *, scale: int | None = None) -> list[Bar]:
    top = scale if scale is not None else max((r.count for r in rows), default=0)
    for row in rows:
        row.percent = round(100 * row.count / top, 1) if top else 0.0
    return rows


@dataclass
class Figures:
    works: dict = field(default_factory=dict)
    covers_by_source: list[Bar] = field(default_factory=list)
    completeness: list[Bar] = field(default_factory=list)
    missing_fields: list[Bar] = field(default_factory=list)
    queue: list[Bar] = field(default_factory=list)
    review_by_confidence: list[Bar] = field(default_factory=list)
    providers: list[ProviderHealth] = field(default_factory=list)
    reachability: ProvidersReachability = field(default_factory=ProvidersReachability)
    imports: list[ImportJob] = field(default_factory=list)
    bulk_operations: list[BulkOperation] = field(default_factory=list)
    activity: list[Bar] = field(default_factory=list)


def dashboard_figures(*, now=None) -> Figures:
    now = now or timezone.now()
    figures = Figures()
    figures.works = catalog_counts()
    figures.covers_by_source = bars([Bar(s, n) for s, n in covers_by_source().items()])
    figures.completeness = bars(
        [
            Bar(label, figures.works[f"bucket{i}"])
            for i, (label, _, _) in enumerate(COMPLETENESS_BUCKETS)
        ],
        scale=figures.works["total"],
    )
    missing = [*MISSING_FIELDS, MISSING_AUTHORS]
    figures.missing_fields = bars(
        [Bar(label, figures.works[f"missing{i}"]) for i, (label, _) in enumerate(missing)],
        scale=figures.works["total"],
    )
    by_status, by_confidence = queue_counts()
    figures.queue = bars(
        [Bar(label, by_status.get(value, 0), colour=value) for value, label in STATUS_ORDER]
    )
    figures.review_by_confidence = bars(
        [
            Bar(label, by_confidence.get(value, 0), colour=value)
            for value, label in EnrichmentRequest.Confidence.choices
            if by_confidence.get(value)
        ]
    )
    states = provider_states()  # one query for the providers' table and the notice
    figures.providers = provider_health(now=now, states=states)
    figures.reachability = providers_reachability(now=now, states=states)
    figures.imports = list(
        ImportJob.objects.filter(
            status__in=[ImportJob.Status.PENDING, ImportJob.Status.RUNNING]
        ).order_by("-created_at")[:10]
    )
    figures.bulk_operations = list(
        BulkOperation.objects.filter(
            status__in=[BulkOperation.Status.PENDING, BulkOperation.Status.RUNNING]
        )
        .select_related("created_by")
        .defer("object_ids")
        .order_by("-created_at")[:10]
    )
    activity = (
        AuditLogEntry.objects.filter(created_at__gte=now - datetime.timedelta(days=1))
        .values_list("action")
        .annotate(n=Count("pk"))
        .order_by()
    )
    labels = dict(AuditLogEntry.Action.choices)
    figures.activity = bars([Bar(labels.get(a, a), n, colour=a) for a, n in activity])
    return figures


#: The queue's statuses in the order a librarian reads them (counted over works' current
#: requests: selectors.queue_counts).
STATUS_ORDER = (
    (EnrichmentRequest.Status.NEEDS_REVIEW, _("Needs review")),
    (EnrichmentRequest.Status.PENDING, _("Pending")),
    (EnrichmentRequest.Status.IN_PROGRESS, _("In progress")),
    (EnrichmentRequest.Status.COMPLETED, _("Completed")),
    (EnrichmentRequest.Status.SKIPPED, _("Skipped / dismissed")),
    (EnrichmentRequest.Status.FAILED, _("Failed")),
)
