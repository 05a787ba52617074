"""How the providers stand, for the dashboard, its notice and `enrichment_report`: each one's
daily budget, health and last fault, and whether they can be reached at all (split from
enrichment.selectors)."""

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.utils import timezone

from bookstore.db_clock import database_now_expression
from enrichment.faults import ClassifiedFault, classify_fault, host_of
from enrichment.models import EnrichmentRequest, ProviderState
from enrichment.providers.registry import enabled_providers, get_provider, provider_label
from enrichment.throttle import budget_day, limits_for

#: A provider whose last this-many requests failed to reach it (DNS, refused, timeout, TLS,
#: 429, 5xx) is unreachable, even before its breaker opens.
UNREACHABLE_AFTER_FAILURES = 3


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
    *,
    now: datetime.datetime | None = None,
    states: dict[str, ProviderState] | None = None,
    health: list[ProviderHealth] | None = None,
) -> ProvidersReachability:
    """Every enabled online provider (one with a URL: not the local dump) whose breaker is open,
    or whose last UNREACHABLE_AFTER_FAILURES requests failed to reach it, with its host, since
    when, the kind of failure, and when the worker asks it again: when its breaker lets a request
    through and a waiting book is due. One query (none given the `states`), one more when a
    provider is unreachable; given the providers' `health` (provider_health), whether each is
    configured is taken from it rather than asked again (the local dump's check is a query).
    A book is due on the clock due times are stamped on, the database's, read with it (`now`:
    another moment), never this machine's."""
    if health is None:
        enabled = enabled_providers()
    else:
        enabled = [p for h in health if h.configured and (p := get_provider(h.name)) is not None]
    online = [p for p in enabled if p.setting_names.url]
    states = provider_states() if states is None else states
    unreachable = []
    due: list[tuple[datetime.datetime, datetime.datetime] | None] = []
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
        if not due:  # the first book due again, once, and the database's now read with it
            due.append(
                EnrichmentRequest.objects.filter(status=EnrichmentRequest.Status.PENDING)
                .order_by("next_attempt_at")
                .annotate(read_at=database_now_expression())
                .values_list("next_attempt_at", "read_at")
                .first()
            )
        first_due = due[0]
        next_try = first_due and max(first_due[0], now or first_due[1])
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
