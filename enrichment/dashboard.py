"""The admin dashboard's figures, as bars: the counts come from enrichment.selectors (shared
with `enrichment_report`), plus the running imports, bulk operations and the day's activity.

The figures that pass over every work, request, author and the day's audit entries (1.2 s on
1,000,000 works) are counted by a schedule every minute into a `DashboardSnapshot`, which the page
reads in one query and dates ("figures as of 14:05, 40 s ago"); the small tables (providers,
running imports and bulk operations, backfill months) are read live, and so is the operations
panel: the clusters' heartbeats, the queue's age and the biggest tables as last measured
(enrichment.operations_panel)."""

import datetime
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from urllib.parse import urlencode

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from catalog.models import EnrichmentStatus, ImportJob
from enrichment.models import (
    AuditLogEntry,
    BackfillMonth,
    BulkOperation,
    DashboardSnapshot,
    EnrichmentRequest,
)
from enrichment.operations_panel import OperationsFigures, operations_figures
from enrichment.provider_figures import (
    ProviderHealth,
    ProvidersReachability,
    provider_health,
    provider_states,
    providers_reachability,
)
from enrichment.request_status import (
    NOTHING_ADDED,
    activity_keys,
    activity_label,
    entry_activity,
    target_status_choices,
)
from enrichment.selectors import (
    AUTHOR_DETAILS,
    AUTHORS_MISSING_KEY,
    COMPLETENESS_BUCKETS,
    MISSING_AUTHORS,
    MISSING_FIELDS,
    NOT_ENRICHED_KEY,
    author_counts,
    author_statuses_as_listed,
    catalog_counts,
    covers_by_source,
    queue_counts,
)
from enrichment.throttle import next_budget_day_start

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


#: An author's enrichment status as its list shows it -> the colour of its bar (the queue's
#: colours, review.css).
AUTHOR_STATUS_COLOURS = {
    EnrichmentStatus.NOT_ENRICHED: "none",
    EnrichmentStatus.QUEUED: "in_progress",
    EnrichmentStatus.WAITING: "pending",
    EnrichmentStatus.ENRICHED: "completed",
    NOTHING_ADDED: "nothing_added",
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
    # As the author list shows them (its filter lists each bar), as enrichment_report says them.
    by_status = author_statuses_as_listed(counts)
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
                    colour=AUTHOR_STATUS_COLOURS[value],
                )
                for value, label in target_status_choices()
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
    BackfillMonth.Status.PARTIAL: "failed",
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


#: The dashboard's row of DashboardSnapshot.
SNAPSHOT_KEY = "dashboard"
#: The shape of the kept figures (dashboard_counts): change it with their keys.
# 2: a re-run's dismissals counted apart (request_status.entry_activity); 3: the enriched
# authors that read "Matched, nothing added" counted apart (selectors.author_counts).
FIGURES_VERSION = 3
#: How often the schedule counts the figures (migration 0018), as the page says it.
REFRESH_EVERY_SECONDS = 60
#: A refresh asked within this long of the last one reads that one: a button pressed twice, or
#: by several people at once, counts once.
REFRESH_MIN_INTERVAL_SECONDS = 5


def activity_since(as_of: datetime.datetime) -> datetime.datetime:
    """Where the "Last 24 hours" of figures counted at `as_of` begin, to the second: the bars
    count from here and their links list from here, so a bar and its list agree however old
    the figures are."""
    return (as_of - datetime.timedelta(days=1)).replace(microsecond=0)


def dashboard_counts(*, now: datetime.datetime) -> dict:
    """The figures that cost a pass over every row, as plain JSON: works (selectors.
    catalog_counts), covers by source, authors, the queue by status and the works waiting for
    review by confidence (selectors.queue_counts), and the audit log's last 24 hours by action."""
    by_status, by_confidence = queue_counts()
    # A re-run's dismissals apart from a reviewer's (request_status.entry_activity).
    activity = (
        AuditLogEntry.objects.filter(created_at__gte=activity_since(now))
        .annotate(activity=entry_activity())
        .values_list("activity")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {
        "version": FIGURES_VERSION,
        "works": catalog_counts(),
        "covers_by_source": covers_by_source(),
        "authors": author_counts(),
        "queue": by_status,
        "review_by_confidence": by_confidence,
        "activity": dict(activity),
    }


def dashboard_snapshot_refresh() -> DashboardSnapshot:
    """Count the dashboard's figures now and keep them (the schedule's task, the refresh button,
    and the first visit when none were kept). Figures are dated from when counting began."""
    now = timezone.now()
    started = time.perf_counter()
    figures = dashboard_counts(now=now)
    snapshot, _created = DashboardSnapshot.objects.update_or_create(
        key=SNAPSHOT_KEY,
        defaults={
            "figures": figures,
            "computed_at": now,
            "duration_ms": round((time.perf_counter() - started) * 1000),
        },
    )
    return snapshot


def dashboard_snapshot_refresh_requested(*, now: datetime.datetime | None = None) -> bool:
    """Someone asked for fresh figures: count them unless they were counted moments ago.
    True when they were counted now."""
    now = now or timezone.now()
    latest = DashboardSnapshot.objects.filter(key=SNAPSHOT_KEY).values_list(
        "computed_at", flat=True
    )
    counted_at = latest.first()
    if counted_at and (now - counted_at).total_seconds() < REFRESH_MIN_INTERVAL_SECONDS:
        return False
    dashboard_snapshot_refresh()
    return True


def dashboard_snapshot() -> DashboardSnapshot:
    """The kept figures (one query); counted now when none were kept, or when they were kept
    in another shape (FIGURES_VERSION: a release that counts something new)."""
    snapshot = DashboardSnapshot.objects.filter(key=SNAPSHOT_KEY).first()
    if snapshot is None or snapshot.figures.get("version") != FIGURES_VERSION:
        return dashboard_snapshot_refresh()
    return snapshot


@dataclass
class Figures:
    as_of: datetime.datetime | None = None  # when the snapshot's figures were counted
    age_seconds: int = 0  # how long ago, when the page was built
    stale: bool = False  # older than the schedule allows: no worker counted them since
    works: dict = field(default_factory=dict)
    backfill_months: list[Bar] = field(default_factory=list)
    authors: AuthorPanel = field(default_factory=AuthorPanel)
    covers_by_source: list[Bar] = field(default_factory=list)
    completeness: list[Bar] = field(default_factory=list)
    missing_fields: list[Bar] = field(default_factory=list)
    queue: list[Bar] = field(default_factory=list)
    review_by_confidence: list[Bar] = field(default_factory=list)
    providers: list[ProviderHealth] = field(default_factory=list)
    budgets_start_again: datetime.datetime | None = None  # the next UTC day (throttle's rule)
    reachability: ProvidersReachability = field(default_factory=ProvidersReachability)
    imports: list[ImportJob] = field(default_factory=list)
    bulk_operations: list[BulkOperation] = field(default_factory=list)
    activity: list[Bar] = field(default_factory=list)
    operations: OperationsFigures = field(default_factory=OperationsFigures)


def dashboard_figures(*, now=None, snapshot: DashboardSnapshot | None = None) -> Figures:
    """The dashboard's figures: the kept snapshot's (dashboard_snapshot) and the small tables'
    read now."""
    given, now = now, now or timezone.now()
    snapshot = snapshot or dashboard_snapshot()
    counts = snapshot.figures
    figures = Figures(as_of=snapshot.computed_at)
    figures.age_seconds = max(0, int((now - snapshot.computed_at).total_seconds()))
    figures.stale = figures.age_seconds > 3 * REFRESH_EVERY_SECONDS
    figures.works = counts["works"]
    figures.covers_by_source = bars([Bar(s, n) for s, n in counts["covers_by_source"].items()])
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
    figures.authors = author_panel(counts["authors"])
    figures.backfill_months = backfill_month_bars()
    by_status, by_confidence = counts["queue"], counts["review_by_confidence"]
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
    figures.budgets_start_again = next_budget_day_start(now.timestamp())
    figures.reachability = providers_reachability(
        now=given, states=states, health=figures.providers
    )
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
    # In the log's order of actions, whatever order the database counted them in.
    activity = counts["activity"]
    figures.activity = bars(
        [
            Bar(activity_label(key), activity[key], colour=key)
            for key in activity_keys()
            if activity.get(key)
        ]
    )
    # Heartbeats and due times are stamped on the database's clock: judged on it (unless given).
    figures.operations = operations_figures(now=given)
    return figures


#: The queue's statuses in the order a librarian reads them (counted over works' current
#: requests: selectors.queue_counts), each as it reads in the list its bar links to: completed
#: requests read "Completed" or "Matched, nothing added" (request_status.request_added_nothing,
#: a probe per request, too dear to count apart on every completed request each minute).
STATUS_ORDER = (
    (EnrichmentRequest.Status.NEEDS_REVIEW, _("Needs review")),
    (EnrichmentRequest.Status.PENDING, _("Pending")),
    (EnrichmentRequest.Status.IN_PROGRESS, _("In progress")),
    (EnrichmentRequest.Status.COMPLETED, _("Completed / matched, nothing added")),
    (EnrichmentRequest.Status.SKIPPED, _("Skipped / dismissed")),
    (EnrichmentRequest.Status.FAILED, _("Failed")),
)
