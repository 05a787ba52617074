"""Read queries for the admin dashboard: a few aggregates, whatever the size of the catalog.

Every figure is computed by the database (COUNT with filters, GROUP BY), never row by row, so
the page costs the same handful of queries on 100 rows and on 100,000.
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Avg, Count, Q
from django.utils import timezone

from catalog.models import Edition, ImportJob, Work, WorkAuthor
from enrichment.models import AuditLogEntry, BulkOperation, EnrichmentRequest, ProviderState
from enrichment.providers.registry import get_provider, provider_label
from enrichment.throttle import limits_for

#: Completeness buckets: (label, lowest, highest), as the works list's filter has them.
COMPLETENESS_BUCKETS = (
    ("0–24 %", 0, 24),
    ("25–49 %", 25, 49),
    ("50–74 %", 50, 74),
    ("75–99 %", 75, 99),
    ("100 %", 100, 100),
)
#: Fields whose absence the dashboard counts: (label, condition on Work).
MISSING_FIELDS = (
    ("description", Q(description="")),
    ("first published year", Q(first_published_year__isnull=True)),
    ("subjects", Q(subjects=[])),
)
#: The works list's "missing" filter has these and authors (counted apart: see catalog_counts).
MISSING_AUTHORS = ("authors", ~Q(pk__in=WorkAuthor.objects.values("work_id")))


@dataclass
class Bar:
    """One row of a bar chart: a label, a count, its share of the chart's scale, a link."""

    label: str
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
class ProviderHealth:
    name: str
    label: str
    configured: bool
    breaker: str = ProviderState.Breaker.CLOSED
    breaker_label: str = "Closed"
    failures: int = 0
    requests_today: int = 0
    budget: int = 0  # 0: unlimited
    quota_exhausted: bool = False
    last_error: str = ""
    last_error_at: datetime.datetime | None = None
    last_success_at: datetime.datetime | None = None
    state_id: int | None = None

    @property
    def budget_left(self) -> int | None:
        if self.quota_exhausted:
            return 0
        return max(0, self.budget - self.requests_today) if self.budget else None

    @property
    def budget_percent_left(self) -> float | None:
        left = self.budget_left
        return None if left is None or not self.budget else round(100 * left / self.budget, 1)


@dataclass
class Figures:
    works: dict = field(default_factory=dict)
    covers_by_source: list[Bar] = field(default_factory=list)
    completeness: list[Bar] = field(default_factory=list)
    missing_fields: list[Bar] = field(default_factory=list)
    queue: list[Bar] = field(default_factory=list)
    review_by_confidence: list[Bar] = field(default_factory=list)
    providers: list[ProviderHealth] = field(default_factory=list)
    imports: list[ImportJob] = field(default_factory=list)
    bulk_operations: list[BulkOperation] = field(default_factory=list)
    activity: list[Bar] = field(default_factory=list)


def catalog_counts() -> dict:
    """Works, covers (verified, unverified, missing), completeness buckets and missing fields:
    one query."""
    verified = Q(cover_verified_at__isnull=False) & ~Q(cover="")
    verified_editions = Edition.objects.filter(cover_verified_at__isnull=False).exclude(cover="")
    any_editions = Edition.objects.exclude(cover="")
    has_verified = verified | Q(pk__in=verified_editions.values("work_id"))
    has_any = ~Q(cover="") | Q(pk__in=any_editions.values("work_id"))
    aggregates = {
        "total": Count("*"),
        "verified": Count("pk", filter=has_verified),
        "with_cover": Count("pk", filter=has_any),
        "average": Avg("completeness"),
    }
    for i, (_label, low, high) in enumerate(COMPLETENESS_BUCKETS):
        aggregates[f"bucket{i}"] = Count("pk", filter=Q(completeness__range=(low, high)))
    for i, (_label, condition) in enumerate(MISSING_FIELDS):
        aggregates[f"missing{i}"] = Count("pk", filter=condition)
    counts = Work.objects.aggregate(**aggregates)
    # Works with credits from the credits' own index: cheaper than NOT IN over every work.
    credited = WorkAuthor.objects.values("work_id").distinct().count()
    counts[f"missing{len(MISSING_FIELDS)}"] = counts["total"] - credited
    counts["missing_cover"] = counts["total"] - counts["with_cover"]
    counts["unverified"] = counts["with_cover"] - counts["verified"]
    counts["average"] = round(counts["average"] or 0)
    return counts


def covers_by_source() -> dict[str, int]:
    """Verified cover images by the provider they came from (works' own and editions')."""
    totals: dict[str, int] = {}
    for model in (Work, Edition):
        rows = (
            model.objects.filter(cover_verified_at__isnull=False)
            .exclude(cover="")
            .values_list("cover_source")
            .annotate(n=Count("pk"))
            .order_by()
        )
        for source, n in rows:
            totals[source or "unknown"] = totals.get(source or "unknown", 0) + n
    return dict(sorted(totals.items(), key=lambda item: -item[1]))


def queue_counts() -> tuple[dict[str, int], dict[str, int]]:
    """Requests by status (COUNT(*) by status: the status index answers it alone), and works
    waiting for review by confidence (from the narrow works table, not the wide queue rows)."""
    by_status = dict(
        EnrichmentRequest.objects.values_list("status").annotate(n=Count("*")).order_by()
    )
    by_confidence = dict(
        Work.objects.filter(enrichment_status=Work.EnrichmentStatus.NEEDS_REVIEW)
        .values_list("enrichment_confidence")
        .annotate(n=Count("*"))
        .order_by()
    )
    return by_status, by_confidence


def provider_health(*, now=None) -> list[ProviderHealth]:
    """Each configured provider's breaker, budget left today and last error (one query)."""
    now = now or timezone.now()
    today = now.astimezone(datetime.UTC).date()
    states = {state.provider: state for state in ProviderState.objects.all()}
    health = []
    for name in settings.ENRICHMENT_PROVIDERS:
        client = get_provider(name)
        limits = limits_for(name)
        item = ProviderHealth(
            name=name,
            label=provider_label(name),
            configured=bool(client and client.is_configured()),
            budget=limits.daily_budget,
        )
        state = states.get(name)
        if state is not None:
            current_day = state.day == today
            item.breaker = state.breaker_state
            item.breaker_label = state.get_breaker_state_display()
            item.failures = state.consecutive_failures
            item.requests_today = state.requests_today if current_day else 0
            item.quota_exhausted = state.quota_exhausted and current_day
            item.last_error = state.last_error
            item.last_error_at = state.last_error_at
            item.last_success_at = state.last_success_at
            item.state_id = state.pk
        health.append(item)
    return health


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
    figures.providers = provider_health(now=now)
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


#: The queue's statuses in the order a librarian reads them.
STATUS_ORDER = (
    (EnrichmentRequest.Status.NEEDS_REVIEW, "Needs review"),
    (EnrichmentRequest.Status.PENDING, "Pending"),
    (EnrichmentRequest.Status.IN_PROGRESS, "In progress"),
    (EnrichmentRequest.Status.COMPLETED, "Completed"),
    (EnrichmentRequest.Status.SKIPPED, "Skipped / dismissed"),
    (EnrichmentRequest.Status.FAILED, "Failed"),
)
