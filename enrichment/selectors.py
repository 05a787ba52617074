"""The coverage figures, computed once for both the `enrichment_report` command (reports.py) and
the admin dashboard (dashboard.py), so that both count the same things the same way.

Every figure is computed by the database (COUNT with filters, GROUP BY), never row by row, so
they cost the same handful of queries on 100 works and on 100,000. Covers are counted in works,
never in images: a work counts once, under the source of the verified cover it shows (its own
cover's, else its first verified edition's: catalog.selectors.works_with_cover_source).
"""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Avg, Count, Q
from django.utils import timezone

from catalog.models import Work, WorkAuthor
from catalog.selectors import works_with_cover_q, works_with_cover_source
from enrichment import queue
from enrichment.models import EnrichmentRequest, ProviderState
from enrichment.providers.registry import get_provider, provider_label
from enrichment.throttle import budget_day, limits_for

#: Completeness buckets: (label, lowest, highest), as the works list's filter has them.
COMPLETENESS_BUCKETS = (
    ("0–24 %", 0, 24),
    ("25–49 %", 25, 49),
    ("50–74 %", 50, 74),
    ("75–99 %", 75, 99),
    ("100 %", 100, 100),
)
#: Fields whose absence is counted: (label, condition on Work).
MISSING_FIELDS = (
    ("description", Q(description="")),
    ("first published year", Q(first_published_year__isnull=True)),
    ("subjects", Q(subjects=[])),
)
#: The works list's "missing" filter has these and authors (counted apart: see catalog_counts).
MISSING_AUTHORS = ("authors", ~Q(pk__in=WorkAuthor.objects.values("work_id")))
#: Cover sources the source document counted as "high-res Archive.org" covers.
OPEN_LIBRARY_SOURCES = ("openlibrary", "openlibrary_dump", "archive_org")


def catalog_counts() -> dict:
    """Works; works with a verified cover (`verified`), with a cover whose bytes were never
    verified only (`unverified`), with none (`missing_cover`); average completeness, its buckets
    and the missing fields: one query, plus one for the credits."""
    aggregates = {
        "total": Count("*"),
        "verified": Count("pk", filter=works_with_cover_q(verified=True)),
        "with_cover": Count("pk", filter=works_with_cover_q()),
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
    """Works with a verified cover, by the source of the cover they show ("unknown" when it was
    not recorded), most first: each work counts once, however many editions have covers."""
    rows = (
        works_with_cover_source()
        .filter(verified_cover_source__isnull=False)
        .values_list("verified_cover_source")
        .annotate(n=Count("pk"))
        .order_by()
    )
    totals: dict[str, int] = {}
    for source, n in rows:
        totals[source or "unknown"] = totals.get(source or "unknown", 0) + n
    return dict(sorted(totals.items(), key=lambda item: (-item[1], item[0])))


def metadata_counts() -> dict:
    """Average completeness and the works lacking each key field (the report's figures)."""
    metadata = Work.objects.aggregate(
        average_completeness=Avg("completeness"),
        missing_description=Count("pk", filter=Q(description="")),
        missing_first_published_year=Count("pk", filter=Q(first_published_year__isnull=True)),
        missing_subjects=Count("pk", filter=Q(subjects=[])),
        unresolved=Count("pk", filter=Q(enrichment_status=Work.EnrichmentStatus.UNRESOLVED)),
    )
    metadata["missing_any_key_metadata"] = Work.objects.filter(
        queue.works_missing_metadata()
    ).count()
    metadata["average_completeness"] = round(metadata["average_completeness"] or 0, 1)
    return metadata


def queue_counts() -> tuple[dict[str, int], dict[str, int]]:
    """Requests by status, every status present (COUNT(*) by status: the status index answers
    it alone), and works waiting for review by confidence (from the narrow works table)."""
    counted = dict(
        EnrichmentRequest.objects.values_list("status").annotate(n=Count("*")).order_by()
    )
    by_status = {status: counted.get(status, 0) for status in EnrichmentRequest.Status.values}
    by_confidence = dict(
        Work.objects.filter(enrichment_status=Work.EnrichmentStatus.NEEDS_REVIEW)
        .values_list("enrichment_confidence")
        .annotate(n=Count("*"))
        .order_by()
    )
    return by_status, by_confidence


@dataclass(frozen=True)
class DailyBudget:
    """A provider's daily budget and its use today, as the throttle enforces them."""

    requests_today: int = 0
    budget: int = 0  # 0: unlimited
    quota_exhausted: bool = False  # the provider itself said so, today

    @property
    def left(self) -> int | None:
        """Units left today; None: unlimited."""
        if self.quota_exhausted:
            return 0
        return max(0, self.budget - self.requests_today) if self.budget else None

    @property
    def percent_left(self) -> float | None:
        left = self.left
        return None if left is None or not self.budget else round(100 * left / self.budget, 1)


def provider_daily_budget(
    *, provider: str, state: ProviderState | None, now: datetime.datetime | None = None
) -> DailyBudget:
    """The budget from the settings now (`throttle.limits_for`, what the next request is
    checked against), never the copy stored with the state, which is as old as the provider's
    last request; and the state's counts only when they are for today's UTC day."""
    now = now or timezone.now()
    budget = limits_for(provider).daily_budget
    if state is None or state.day != budget_day(now.timestamp()):
        return DailyBudget(budget=budget)
    return DailyBudget(
        requests_today=state.requests_today,
        budget=budget,
        quota_exhausted=state.quota_exhausted,
    )


@dataclass
class ProviderHealth:
    name: str
    label: str
    configured: bool
    daily: DailyBudget = field(default_factory=DailyBudget)
    breaker: str = ProviderState.Breaker.CLOSED
    breaker_label: str = "Closed"
    failures: int = 0
    last_error: str = ""
    last_error_at: datetime.datetime | None = None
    last_success_at: datetime.datetime | None = None
    state_id: int | None = None

    # The daily figures by the names the dashboard template and the report read.
    @property
    def requests_today(self) -> int:
        return self.daily.requests_today

    @property
    def budget(self) -> int:
        return self.daily.budget

    @property
    def quota_exhausted(self) -> bool:
        return self.daily.quota_exhausted

    @property
    def budget_left(self) -> int | None:
        return self.daily.left

    @property
    def budget_percent_left(self) -> float | None:
        return self.daily.percent_left


def provider_health(*, now=None) -> list[ProviderHealth]:
    """Each configured provider's breaker, budget left today (provider_daily_budget) and last
    error (one query)."""
    now = now or timezone.now()
    states = {state.provider: state for state in ProviderState.objects.all()}
    health = []
    for name in settings.ENRICHMENT_PROVIDERS:
        client = get_provider(name)
        state = states.get(name)
        item = ProviderHealth(
            name=name,
            label=provider_label(name),
            configured=bool(client and client.is_configured()),
            daily=provider_daily_budget(provider=name, state=state, now=now),
        )
        if state is not None:
            item.breaker = state.breaker_state
            item.breaker_label = state.get_breaker_state_display()
            item.failures = state.consecutive_failures
            item.last_error = state.last_error
            item.last_error_at = state.last_error_at
            item.last_success_at = state.last_success_at
            item.state_id = state.pk
        health.append(item)
    return health
