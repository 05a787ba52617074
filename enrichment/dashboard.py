"""The admin dashboard's figures, as bars: the counts come from enrichment.selectors (shared
with `enrichment_report`), plus the running imports, bulk operations and the day's activity."""

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import EnrichmentStatus, ImportJob
from enrichment.models import AuditLogEntry, BackfillMonth, BulkOperation, EnrichmentRequest
from enrichment.selectors import (
    AUTHOR_DETAILS,
    AUTHORS_MISSING_KEY,
    COMPLETENESS_BUCKETS,
    MISSING_AUTHORS,
    MISSING_FIELDS,
    NOT_ENRICHED_KEY,
    ProviderHealth,
    ProvidersReachability,
    author_counts,
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
class AuthorPanel:
    """The authors' figures beside the works' (selectors.author_counts), each linked to the
    author list filtered to what it counts."""

    counts: dict = field(default_factory=dict)
    details: list[Bar] = field(default_factory=list)  # authors with a bio, a birth year…
    completeness: list[Bar] = field(default_factory=list)
    statuses: list[Bar] = field(default_factory=list)
    list_url: str = ""
    missing_url: str = ""
    redirects_url: str = ""


#: An author's enrichment status -> the colour of its bar (the queue's colours, review.css).
AUTHOR_STATUS_COLOURS = {
    EnrichmentStatus.NOT_ENRICHED: "none",
    EnrichmentStatus.QUEUED: "in_progress",
    EnrichmentStatus.WAITING: "pending",
    EnrichmentStatus.ENRICHED: "completed",
    EnrichmentStatus.NEEDS_REVIEW: "needs_review",
    EnrichmentStatus.UNRESOLVED: "skipped",
    EnrichmentStatus.DISMISSED: "skipped",
    EnrichmentStatus.FAILED: "failed",
}


def author_panel(counts: dict) -> AuthorPanel:
    """The authors' bars with their links to the author list's filters (enrichment.admin.
    authors); redirects are in no bar, only in their own link."""
    url = reverse("admin:catalog_author_changelist")

    def filtered(**params) -> str:
        return f"{url}?{urlencode({'redirect': 'no', **params})}"  # the figures' authors

    total = counts["total"]
    by_status = counts["by_enrichment_status"]
    return AuthorPanel(
        counts=counts,
        details=bars(
            [
                Bar(label, counts[f"with_{key}"], url=filtered(has=key))
                for key, label, _condition in AUTHOR_DETAILS
            ],
            scale=total,
        ),
        completeness=bars(
            [
                Bar(
                    label,
                    counts["completeness"][f"{low}-{high}"],
                    url=filtered(completeness=f"{low}-{high}"),
                )
                for label, low, high in COMPLETENESS_BUCKETS
            ],
            scale=total,
        ),
        statuses=bars(
            [
                Bar(
                    label,
                    by_status[value or NOT_ENRICHED_KEY],
                    url=filtered(enrichment_status=value or "none"),
                    colour=AUTHOR_STATUS_COLOURS[EnrichmentStatus(value)],
                )
                for value, label in EnrichmentStatus.choices
                if by_status[value or NOT_ENRICHED_KEY]
            ],
            scale=total,
        ),
        list_url=filtered(),
        missing_url=filtered(missing=AUTHORS_MISSING_KEY),
        redirects_url=filtered(redirect="yes"),
    )


#: A backfill month's status -> the colour of its bar (the queue's colours, review.css).
BACKFILL_STATUS_COLOURS = {
    BackfillMonth.Status.PENDING: "pending",
    BackfillMonth.Status.PROCESSING: "in_progress",
    BackfillMonth.Status.COMPLETED: "completed",
    BackfillMonth.Status.FAILED: "failed",
    BackfillMonth.Status.RETRY: "pending",
    BackfillMonth.Status.CANCELLED: "skipped",
}


def backfill_month_bars() -> list[Bar]:
    """The backfill's months by status, each linked to the months list filtered to it: one
    query; none when no month was ever asked for."""
    counts = dict(BackfillMonth.objects.values_list("status").annotate(n=Count("pk")).order_by())
    url = reverse("admin:enrichment_backfillmonth_changelist")
    return bars(
        [
            Bar(label, counts[value], url=f"{url}?status__exact={value}", colour=colour)
            for value, label in BackfillMonth.Status.choices
            if counts.get(value)
            and (colour := BACKFILL_STATUS_COLOURS[BackfillMonth.Status(value)])
        ]
    )


@dataclass
class Figures:
    works: dict = field(default_factory=dict)
    backfill_months: list[Bar] = field(default_factory=list)
    authors: AuthorPanel = field(default_factory=AuthorPanel)
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
    figures.authors = author_panel(author_counts())  # one aggregate query
    figures.backfill_months = backfill_month_bars()
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
    figures.reachability = providers_reachability(now=now, states=states, health=figures.providers)
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
