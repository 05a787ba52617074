"""Shared limits on provider traffic: token bucket, daily budget, circuit breaker, in-flight cap.

The state lives in the database (`ProviderState`, one row per provider), so it holds across
worker processes and machines with nothing beyond the database the queue already uses. Every
decision is made in one short transaction that locks the provider's row: `select_for_update()`
on PostgreSQL; on SQLite the project's IMMEDIATE transaction mode (settings.py) takes the write
lock at BEGIN, which serializes writers the same way. Waiting happens outside the transaction.

Each decision reads the time inside its transaction from one clock for every process
(`shared_now`): on PostgreSQL the database server's, so that machines whose clocks have drifted
apart still space their requests by the rate (each one's reading of "now" sets the bucket's
refill); on SQLite, which lives on one machine, this machine's. An injectable `clock` (epoch
seconds) and `sleep` replace it in tests, which run on a fake clock.
"""

import logging
import math
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, timedelta

from django.conf import settings
from django.db import connection, transaction
from django.utils.translation import gettext

from bookstore.db_clock import database_now
from enrichment.candidates import ANSWER_STATUSES, LookupStatus
from enrichment.faults import (
    DETAIL_MAX_CHARS,
    PASSING_KINDS,
    ClassifiedFault,
    classify_fault,
    fault_detail,
    reached_the_server,
)
from enrichment.models import ProviderState

logger = logging.getLogger(__name__)

Clock = Callable[[], float]
Sleep = Callable[[float], None]

#: Faults that count against the breaker. NOT_FOUND is an answer, and a refused key or a spent
#: quota says nothing about the provider's health.
BREAKER_FAULTS = frozenset(
    {
        LookupStatus.THROTTLED,
        LookupStatus.SERVER_ERROR,
        LookupStatus.TIMEOUT,
        LookupStatus.UNPARSEABLE,
    }
)
#: How long to wait between two looks at a full in-flight cap.
IN_FLIGHT_POLL_SECONDS = 0.25
IN_FLIGHT_FULL = "too many requests in flight"


@dataclass(frozen=True, slots=True)
class Limits:
    rate: float  # requests per second; 0 = unlimited
    daily_budget: int = 0  # cost units per UTC day; 0 = unlimited
    max_in_flight: int = 0  # 0 = unlimited
    breaker_failures: int = 5
    breaker_open_seconds: float = 60.0
    lease_seconds: float = 60.0  # a request in flight longer than this is presumed dead


@dataclass(frozen=True, slots=True)
class Permit:
    """The answer to "may I send a request now?"."""

    provider: str
    granted: bool
    at: float  # clock time of the decision
    status: LookupStatus | None = None  # why not: QUOTA_EXHAUSTED, CIRCUIT_OPEN or THROTTLED
    retry_after: float | None = None
    reason: str = ""
    waited: float = 0.0
    probe: bool = False  # this request is the half-open breaker's probe
    lease_id: str = ""
    cost: int = 0  # what the request took from the daily budget
    # Refused by a breaker held open by a fault that waiting will not mend (held_fault).
    fault: ClassifiedFault | None = None


def limits_for(provider: str) -> Limits:
    """The provider's limits from the settings its class names (`Provider.setting_names`).

    A provider without a rate setting (a local source) or an unknown name is not limited;
    the start-up check (enrichment.checks) refuses unknown names in ENRICHMENT_PROVIDERS.
    """
    from enrichment.providers.registry import provider_class  # registry -> base -> throttle

    cls = provider_class(provider)

    def value(role: str) -> float:
        setting = cls.setting(role) if cls is not None else None
        return float(setting) if setting is not None else 0.0

    # Send a little under the published rate: at exactly 1/rate apart, a few milliseconds of
    # jitter between our decision and the request reaching the provider earns a 429.
    headroom = 1.0 - getattr(settings, "ENRICHMENT_RATE_HEADROOM", 0.0)
    return Limits(
        rate=value("rate") * headroom,
        daily_budget=int(value("daily_budget")),
        max_in_flight=int(value("max_in_flight")),
        breaker_failures=settings.ENRICHMENT_BREAKER_FAILURES,
        breaker_open_seconds=float(settings.ENRICHMENT_BREAKER_OPEN_SECONDS),
        lease_seconds=request_seconds() + 5.0,
    )


def request_seconds() -> float:
    """The most one provider request may take, connect, headers and body included (enforced
    by a watchdog in enrichment.providers.base)."""
    return settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT + settings.ENRICHMENT_HTTP_READ_TIMEOUT


def cap_retry_after(seconds: float | None) -> float | None:
    """A provider's wait, kept within [0, ENRICHMENT_MAX_RETRY_AFTER_SECONDS] (None: no wait).

    An absurd Retry-After must neither hold a provider for a century nor overflow a datetime.
    """
    if seconds is None or math.isnan(seconds):
        return None
    return min(max(0.0, seconds), float(settings.ENRICHMENT_MAX_RETRY_AFTER_SECONDS))


def shared_now() -> float:
    """Now in epoch seconds, as every process on every machine reads it (bookstore.db_clock:
    PostgreSQL's clock, one round trip, or this machine's on SQLite)."""
    return database_now().timestamp()


def shared_now_sql() -> str:
    """`shared_now` as an SQL expression, for a statement that reads the time itself (no round
    trip of its own): PostgreSQL's clock, or on SQLite this machine's (SQLite reads it)."""
    if connection.vendor == "postgresql":
        return "extract(epoch FROM clock_timestamp())"
    return "((julianday('now') - 2440587.5) * 86400.0)"  # julianday 2440587.5: 1970-01-01


def _now(clock: Clock | None) -> float:
    return clock() if clock is not None else shared_now()


def acquire_permit(
    *,
    provider: str,
    limits: Limits,
    cost: int = 1,
    max_wait: float = 10.0,
    clock: Clock | None = None,
    sleep: Sleep = time.sleep,
) -> Permit:
    """Wait (up to `max_wait` seconds) for the right to send one request costing `cost` units.

    A refused permit says why; a granted one must be closed with `record_outcome`.
    """
    local_clock = clock or time.monotonic  # the wait is this process's own
    deadline = local_clock() + max_wait
    while True:
        budget = max(0.0, deadline - local_clock())
        permit, wait = _decide(
            provider=provider, limits=limits, cost=cost, max_wait=budget, clock=clock
        )
        if permit.granted:
            if wait > 0:
                sleep(wait)  # our token is reserved: sleep outside the transaction
            return replace(permit, waited=wait)
        # A full in-flight cap frees up when a request ends, not at a known time: look again.
        if permit.reason != IN_FLIGHT_FULL or local_clock() + IN_FLIGHT_POLL_SECONDS > deadline:
            return permit
        sleep(IN_FLIGHT_POLL_SECONDS)


def record_outcome(
    *,
    permit: Permit,
    status: LookupStatus,
    limits: Limits,
    retry_after: float | None = None,
    error: str = "",
    fault: ClassifiedFault | None = None,
    quota_exhausted: bool = False,
    clock: Clock | None = None,
) -> None:
    """Close a granted permit: free its in-flight slot and feed the breaker.

    `quota_exhausted` marks the day's budget spent (the provider said so, e.g. a daily 429).
    A fault becomes the provider's last error: `fault` classified, else `error` classified here.
    """
    with transaction.atomic():
        state = _locked_state(permit.provider)
        now = _now(clock)
        _drop_lease(state, permit.lease_id, now)
        if permit.probe:
            state.probe_started_at = None
        if status in ANSWER_STATUSES:
            if state.breaker_state != ProviderState.Breaker.CLOSED:
                logger.warning(
                    "%s: answering again: circuit breaker closed after %s in a row",
                    permit.provider,
                    _failures(state.consecutive_failures),
                )
            state.consecutive_failures = 0
            state.breaker_state = ProviderState.Breaker.CLOSED
            state.opened_at = None
            state.failing_since = None
            state.last_success_at = _dt(now)
        elif status in BREAKER_FAULTS:
            if state.consecutive_failures == 0 or state.failing_since is None:
                state.failing_since = _dt(now)  # a new run of failures starts
            state.consecutive_failures += 1
            reopen = state.breaker_state == ProviderState.Breaker.HALF_OPEN
            if reopen or state.consecutive_failures >= limits.breaker_failures:
                why = (fault or classify_fault(error=error, status=status)).message
                if reopen:  # its probe failed: one line a probe, a warning once per outage
                    logger.info(
                        "%s: still failing (%s): circuit breaker open again for %g s",
                        permit.provider,
                        why,
                        limits.breaker_open_seconds,
                    )
                elif state.breaker_state != ProviderState.Breaker.OPEN:
                    logger.warning(
                        "%s: circuit breaker opened after %s in a row (%s): no request for %g s",
                        permit.provider,
                        _failures(state.consecutive_failures),
                        why,
                        limits.breaker_open_seconds,
                    )
                state.breaker_state = ProviderState.Breaker.OPEN
                state.opened_at = _dt(now)
        retry_after = cap_retry_after(retry_after)
        if status == LookupStatus.THROTTLED and retry_after:
            until = now + retry_after
            if state.throttled_until is None or state.throttled_until.timestamp() < until:
                state.throttled_until = _dt(until)
        if quota_exhausted:
            _roll_day(state, now, limits)
            state.quota_exhausted = True
        if status not in ANSWER_STATUSES:
            fault = fault or classify_fault(error=error, status=status)
            _record_fault(state, fault, now)
            if not reached_the_server(fault) and state.day == budget_day(permit.at):
                # The provider never saw it: its budget is not spent (offline, a day of
                # refused probes would otherwise spend it and leave the books until midnight).
                state.requests_today = max(0, state.requests_today - permit.cost)
        state.save()


def _failures(count: int) -> str:
    return f"{count} failure" if count == 1 else f"{count} failures"


def _record_fault(state: ProviderState, fault: ClassifiedFault, now: float) -> None:
    state.last_error = fault.message[:500]
    state.last_error_kind = fault.kind
    state.last_error_host = fault.host[:255]
    state.last_error_status = fault.http_status
    state.last_error_detail = fault.detail
    state.last_error_at = _dt(now)


def record_error(
    *,
    provider: str,
    error: str,
    limits: Limits,
    clock: Clock | None = None,
    fault: ClassifiedFault | None = None,
) -> None:
    """A fault outside any request (our code failed on the provider's answer): it counts
    against the breaker and becomes the provider's last error, like an unreadable answer."""
    record_outcome(
        permit=Permit(provider, granted=True, at=_now(clock)),
        status=LookupStatus.UNPARSEABLE,
        limits=limits,
        error=error,
        fault=fault or classify_fault(error=error),  # our code's error: kind "other"
        clock=clock,
    )


def held_fault(state: ProviderState) -> ClassifiedFault | None:
    """The fault an open breaker holds back, when waiting will not mend it (not one of
    faults.PASSING_KINDS: a failed secure connection, an answer that cannot be read, a refused
    request); None for a provider down, busy or unreachable, which passes on its own.

    A request the breaker refuses is then that fault, with no request sent: every book it holds
    back counts the attempt on its own backoff and ends failed with the reason after
    ENRICHMENT_MAX_ATTEMPTS, rather than waiting with no attempt counted while only the probe's
    book moves on (one a breaker's open time: a catalogue took days to end failed)."""
    kind = state.last_error_kind
    if not kind or kind in PASSING_KINDS:
        return None
    note = gettext(
        "Not sent: the circuit breaker holds back every request after this fault, which "
        "waiting will not mend."
    )
    detail = state.last_error_detail or state.last_error
    return ClassifiedFault(
        kind=kind,
        host=state.last_error_host,
        http_status=state.last_error_status,
        detail=fault_detail(f"{detail[: DETAIL_MAX_CHARS - len(note) - 1]}\n{note}"),
    )


def provider_state(*, provider: str) -> ProviderState | None:
    """The provider's current state row, for display (None before its first request)."""
    return ProviderState.objects.filter(provider=provider).first()


# --- internals -----------------------------------------------------------------------------------


def _decide(
    *, provider: str, limits: Limits, cost: int, clock: Clock | None, max_wait: float
) -> tuple[Permit, float]:
    """One locked look at the state: grant (with the wait for our reserved token) or refuse."""
    with transaction.atomic():
        state = _locked_state(provider)
        now = _now(clock)  # read under the lock: the decisions follow one another in time
        _roll_day(state, now, limits)
        _expire_leases(state, now)

        def refuse(status: LookupStatus, reason: str, retry_after: float | None = None):
            state.save()
            fault = held_fault(state) if status == LookupStatus.CIRCUIT_OPEN else None
            permit = Permit(provider, False, now, status, retry_after, reason, fault=fault)
            return permit, 0.0

        if state.quota_exhausted:
            return refuse(LookupStatus.QUOTA_EXHAUSTED, "the provider's daily quota is spent")
        if limits.daily_budget and state.requests_today + cost > limits.daily_budget:
            left = max(0, limits.daily_budget - state.requests_today)
            return refuse(LookupStatus.QUOTA_EXHAUSTED, f"daily budget spent ({left} left)")

        probe = False
        if state.breaker_state == ProviderState.Breaker.OPEN:
            opened = state.opened_at.timestamp() if state.opened_at else now  # never None when open
            reopens_at = opened + limits.breaker_open_seconds
            if now < reopens_at:
                return refuse(LookupStatus.CIRCUIT_OPEN, "circuit open", reopens_at - now)
            state.breaker_state = ProviderState.Breaker.HALF_OPEN
            probe = True
        elif state.breaker_state == ProviderState.Breaker.HALF_OPEN:
            started = state.probe_started_at
            if started and now < started.timestamp() + limits.lease_seconds:
                return refuse(LookupStatus.CIRCUIT_OPEN, "circuit half-open: probe in flight", 1.0)
            probe = True

        if limits.max_in_flight and len(state.leases) >= limits.max_in_flight:
            return refuse(LookupStatus.THROTTLED, IN_FLIGHT_FULL, IN_FLIGHT_POLL_SECONDS)

        retry_after_wait = 0.0
        if state.throttled_until and state.throttled_until.timestamp() > now:
            # cap_retry_after: a row written before the cap (one said 2126) waits no longer.
            retry_after_wait = cap_retry_after(state.throttled_until.timestamp() - now) or 0.0
            if retry_after_wait < state.throttled_until.timestamp() - now:
                state.throttled_until = _dt(now + retry_after_wait)
        token_wait = rate_limit_wait(state, limits, now)
        wait = max(retry_after_wait, token_wait)
        if wait > max_wait:
            reason = (
                "the provider's Retry-After" if retry_after_wait >= token_wait else "rate limit"
            )
            return refuse(LookupStatus.THROTTLED, reason, wait)
        if limits.rate > 0:
            # Empty until this caller's turn (negative while reserved), so the next caller's
            # turn is one interval after it: after a Retry-After too, when the turn is later
            # than the token's and the callers it held back would otherwise all go at its end.
            state.tokens = -wait * limits.rate
            state.tokens_updated_at = _dt(now)

        lease_id = uuid.uuid4().hex
        state.leases = [*state.leases, [lease_id, now + wait + limits.lease_seconds]]
        state.in_flight = len(state.leases)
        state.requests_today += cost
        if probe:
            state.probe_started_at = _dt(now)
        state.save()
        return Permit(provider, True, now, probe=probe, lease_id=lease_id, cost=cost), wait


def rate_limit_wait(state: ProviderState, limits: Limits, now: float) -> float:
    """Seconds until the rate limit lets this provider's next request go (0: now), from its
    token bucket (capacity one token, refilled at `limits.rate`; negative while reserved)."""
    if limits.rate <= 0:
        return 0.0
    last = state.tokens_updated_at.timestamp() if state.tokens_updated_at else now
    tokens = min(1.0, state.tokens + (now - last) * limits.rate)
    return max(0.0, (1.0 - tokens) / limits.rate)


def _locked_state(provider: str) -> ProviderState:
    # get_or_create copes with two processes creating the first row at once (it gets it again).
    ProviderState.objects.get_or_create(provider=provider)
    return ProviderState.objects.select_for_update().get(provider=provider)


def budget_day(now: float) -> date:
    """The day a daily budget counts for: the UTC date of `now` (epoch seconds)."""
    return _dt(now).date()


def next_budget_day_start(now: float) -> datetime:
    """When the daily budgets start again after `now`: the next UTC midnight."""
    return datetime.combine(budget_day(now) + timedelta(days=1), datetime.min.time(), tzinfo=UTC)


def _roll_day(state: ProviderState, now: float, limits: Limits) -> None:
    """At the first look on a new UTC day, the day's counts start again."""
    today = budget_day(now)
    # A record of the budget in force at this look, nothing more: `_decide` checks against
    # `limits` (the settings now), and screens read those too (enrichment.selectors).
    state.daily_budget = limits.daily_budget
    if state.day != today:
        state.day = today
        state.requests_today = 0
        state.quota_exhausted = False


def _expire_leases(state: ProviderState, now: float) -> None:
    state.leases = [lease for lease in state.leases if lease[1] > now]
    state.in_flight = len(state.leases)


def _drop_lease(state: ProviderState, lease_id: str, now: float) -> None:
    state.leases = [lease for lease in state.leases if lease[0] != lease_id and lease[1] > now]
    state.in_flight = len(state.leases)


def _dt(epoch: float) -> datetime:
    return datetime.fromtimestamp(epoch, tz=UTC)
