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
from django.db import connection
from django.db.models import Avg, Count, Exists, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from catalog.models import Work, WorkAuthor
from catalog.selectors import works_by_cover_source, works_with_cover_q
from enrichment import queue
from enrichment.faults import ClassifiedFault, classify_fault, host_of
from enrichment.models import EnrichmentRequest, ProviderState
from enrichment.providers.registry import enabled_providers, get_provider, provider_label
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
#: Unreachable is not unknown: works that providers answered and none knew, and works waiting
#: for providers that could not be asked, are counted apart (report and dashboard).
UNRESOLVED_WORKS = Q(enrichment_status=Work.EnrichmentStatus.UNRESOLVED)
WAITING_WORKS = Q(enrichment_status=Work.EnrichmentStatus.WAITING)
#: A provider whose last this-many requests failed to reach it (DNS, refused, timeout, TLS,
#: 429, 5xx) is unreachable, even before its breaker opens.
UNREACHABLE_AFTER_FAILURES = 3


def catalog_counts() -> dict:
    """Works; works with a verified cover (`verified`), with a cover whose bytes were never
    verified only (`unverified`), with none (`missing_cover`); average completeness, its buckets
    and the missing fields: one query, plus one for the credits."""
    aggregates = {
        "total": Count("*"),
        "verified": Count("pk", filter=works_with_cover_q(verified=True)),
        "with_cover": Count("pk", filter=works_with_cover_q()),
        "average": Avg("completeness"),
        "unresolved": Count("pk", filter=UNRESOLVED_WORKS),
        "waiting": Count("pk", filter=WAITING_WORKS),
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
    totals: dict[str, int] = {}
    for source, n in works_by_cover_source().items():
        totals[source or "unknown"] = totals.get(source or "unknown", 0) + n
    return dict(sorted(totals.items(), key=lambda item: (-item[1], item[0])))


def metadata_counts() -> dict:
    """Average completeness and the works lacking each key field (the report's figures)."""
    metadata = Work.objects.aggregate(
        average_completeness=Avg("completeness"),
        missing_description=Count("pk", filter=Q(description="")),
        missing_first_published_year=Count("pk", filter=Q(first_published_year__isnull=True)),
        missing_subjects=Count("pk", filter=Q(subjects=[])),
        unresolved=Count("pk", filter=UNRESOLVED_WORKS),
        waiting=Count("pk", filter=WAITING_WORKS),
    )
    metadata["missing_any_key_metadata"] = Work.objects.filter(
        queue.works_missing_metadata()
    ).count()
    metadata["average_completeness"] = round(metadata["average_completeness"] or 0, 1)
    return metadata


def queue_counts() -> tuple[dict[str, int], dict[str, int]]:
    """Works' current requests by status (current_requests: one per work, so no figure exceeds
    the works), every status present, and works waiting for review by confidence (from the
    narrow works table)."""
    current = current_requests(for_counting=True)
    counted = dict(current.values_list("status").annotate(n=Count("*")).order_by())
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
    last_fault: ClassifiedFault | None = None  # the last error classified (state_fault)
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


def provider_states() -> dict[str, ProviderState]:
    """Every provider's state row, by provider (one query)."""
    return {state.provider: state for state in ProviderState.objects.all()}


def provider_health(
    *, now=None, states: dict[str, ProviderState] | None = None
) -> list[ProviderHealth]:
    """Each configured provider's breaker, budget left today (provider_daily_budget) and last
    error (one query, none given the `states`)."""
    now = now or timezone.now()
    states = provider_states() if states is None else states
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
            item.last_fault = state_fault(state)
            item.last_error_at = state.last_error_at
            item.last_success_at = state.last_success_at
            item.state_id = state.pk
        health.append(item)
    return health


def state_fault(state: ProviderState) -> ClassifiedFault | None:
    """A provider's last error, classified: as stored, or for a row written before faults were
    classified, from its "status: error" text (URL queries cut)."""
    if state.last_error_kind:
        return ClassifiedFault(
            kind=state.last_error_kind,
            host=state.last_error_host,
            http_status=state.last_error_status,
            detail=state.last_error_detail or state.last_error,
        )
    if not state.last_error:
        return None
    status, _sep, error = state.last_error.partition(": ")
    return classify_fault(error=error or state.last_error, status=status)


@dataclass(frozen=True)
class UnreachableProvider:
    """A provider that cannot be reached now, as the notice names it."""

    name: str
    label: str
    host: str
    kind: str  # a FaultKind
    kind_label: str
    since: datetime.datetime | None  # the first failure of the current run of failures
    breaker_open: bool
    next_try_at: datetime.datetime | None  # when the worker asks it again (None: no book waits)
    fault: ClassifiedFault | None


@dataclass(frozen=True)
class ProvidersReachability:
    """Which of the enabled online providers cannot be reached (the dashboard's and the admin
    index's notice)."""

    online: int = 0  # enabled providers asked over the network
    unreachable: list[UnreachableProvider] = field(default_factory=list)

    @property
    def none_reachable(self) -> bool:
        return bool(self.online) and len(self.unreachable) >= self.online

    @property
    def next_try_at(self) -> datetime.datetime | None:
        return min((p.next_try_at for p in self.unreachable if p.next_try_at), default=None)


def providers_reachability(
    *, now: datetime.datetime | None = None, states: dict[str, ProviderState] | None = None
) -> ProvidersReachability:
    """Every enabled online provider (one with a URL: not the local dump) whose breaker is open,
    or whose last UNREACHABLE_AFTER_FAILURES requests failed to reach it, with its host, since
    when, the kind of failure, and when the worker asks it again: when its breaker lets a request
    through and a waiting book is due. One query (none given the `states`), one more when a
    provider is unreachable."""
    now = now or timezone.now()
    online = [p for p in enabled_providers() if p.setting_names.url]
    states = provider_states() if states is None else states
    unreachable = []
    due: list[datetime.datetime | None] = []
    for provider in online:
        state = states.get(provider.name)
        if state is None:
            continue
        fault = state_fault(state)
        breaker_open = state.breaker_state != ProviderState.Breaker.CLOSED
        failing = (
            state.consecutive_failures >= UNREACHABLE_AFTER_FAILURES
            and fault is not None
            and fault.unreachable
        )
        if not (breaker_open or failing):
            continue
        if not due:  # the first book due again, once
            due.append(
                EnrichmentRequest.objects.filter(status=EnrichmentRequest.Status.PENDING)
                .order_by("next_attempt_at")
                .values_list("next_attempt_at", flat=True)
                .first()
            )
        next_try = due[0] and max(due[0], now)
        if next_try and breaker_open and state.opened_at:
            reopens = state.opened_at + datetime.timedelta(
                seconds=limits_for(state.provider).breaker_open_seconds
            )
            next_try = max(next_try, reopens)
        unreachable.append(
            UnreachableProvider(
                name=provider.name,
                label=provider_label(provider.name),
                host=(fault.host if fault and fault.host else host_of(provider.base_url)),
                kind=fault.kind if fault else "",
                kind_label=fault.kind_label if fault else "",
                since=state.failing_since or state.opened_at or state.last_error_at,
                breaker_open=breaker_open,
                next_try_at=next_try,
                fault=fault,
            )
        )
    return ProvidersReachability(online=len(online), unreachable=unreachable)


def current_requests(
    *, queryset: QuerySet[EnrichmentRequest] | None = None, for_counting: bool = False
) -> QuerySet[EnrichmentRequest]:
    """Each work's (each author's) current request: its newest (highest id), so the older ones
    it superseded (skipped while offline, re-run, dismissed) are history. The queue opens on
    these and the dashboard counts them."""
    queryset = EnrichmentRequest.objects.all() if queryset is None else queryset
    if for_counting and connection.vendor == "sqlite":
        # Counting every row: SQLite groups the newest id per work on the (work, id) index
        # 2.5x faster than it probes NOT EXISTS per row (PostgreSQL is the other way round).
        newest = Q()
        for target in ("work_id", "author_id"):
            per_target = EnrichmentRequest.objects.filter(**{f"{target}__isnull": False})
            newest |= Q(
                pk__in=per_target.values(target).annotate(newest=Max("pk")).values("newest")
            )
        return queryset.filter(newest)
    # NOT EXISTS a newer one, answered by the (work, id) and (author, id) indexes: the first
    # rows of an ordered page stop early (a grouped MAX per work was 5x slower on PostgreSQL,
    # measured). A NULL target matches nothing, so each request is compared on its own kind.
    newer_of_work = EnrichmentRequest.objects.filter(
        work_id=OuterRef("work_id"), pk__gt=OuterRef("pk")
    )
    newer_of_author = EnrichmentRequest.objects.filter(
        author_id=OuterRef("author_id"), pk__gt=OuterRef("pk")
    )
    return queryset.filter(~Exists(newer_of_work), ~Exists(newer_of_author))


@dataclass
class WorkEnrichment:
    """What the work page shows of a work's enrichment: its current request and how many
    requests and audit entries it has."""

    current: EnrichmentRequest | None
    request_count: int
    audit_count: int


def work_enrichment(work: Work) -> WorkEnrichment:
    requests = EnrichmentRequest.objects.filter(work=work)
    return WorkEnrichment(
        current=requests.order_by("-pk").first(),  # the newest, as current_requests has it
        request_count=requests.count(),
        audit_count=work.enrichment_audit.count(),
    )
