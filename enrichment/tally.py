"""What the providers did for one claimed request while it is worked, and how a request that no
record matched ends: the rules both engines (books: enrichment.engine, authors:
enrichment.author_engine) follow.

A lookup's result is tallied on the item being worked (a book, a person): a provider skipped
(not asked; one only unavailable for now says until when), asked and failed (a classified
fault, with the provider's host), or answered (found records or said it knows none). Unreachable
is not unknown: an item nothing matched retries after faults, waits for providers that could not
be asked for now, and only then ends unmatched.
"""

import logging
from collections.abc import Callable, Sequence
from dataclasses import replace
from typing import Protocol, TypeVar

from bookstore import log_context
from bookstore.db_clock import database_now
from bookstore.outages import is_outage
from enrichment import apply, outcomes
from enrichment.candidates import ANSWER_STATUSES, LookupResult, RecordT
from enrichment.faults import ClassifiedFault, classify_fault, host_of
from enrichment.models import EnrichmentRequest
from enrichment.outcomes import RunStats
from enrichment.proposals import ProviderSkip
from enrichment.providers.registry import provider_class
from enrichment.waiting import UNAVAILABLE_FOR_NOW, Unavailable, next_try_at

logger = logging.getLogger(__name__)
ItemT = TypeVar("ItemT", bound="Tally")


class Tally(Protocol):
    """An item being worked (a claimed request's book or person): what each provider did."""

    request: EnrichmentRequest
    faults: list[ClassifiedFault]  # asked, and it failed
    skipped: list[ProviderSkip]  # not asked
    unavailable: list[Unavailable]  # skipped for now: until when
    attempted: list[str]  # asked (answered or failed)
    answered: list[str]  # found it or said they do not know it


def tally_result(
    item: Tally, provider: str, result: LookupResult[RecordT], stats: RunStats, *, lookup: str = ""
) -> list[RecordT] | None:
    """Tally a lookup's result; returns its records, or None when the provider did not answer
    (skipped or failed). `lookup`: which of the item's lookups it was (faults.FaultLookup)."""
    if result.was_skipped:
        tally_skip(item, provider, result.status, result.retry_after)
        return None
    if provider not in item.attempted:
        item.attempted.append(provider)
    if result.from_cache:
        stats.cache_hits += 1
    if result.status not in ANSWER_STATUSES:
        fault = provider_fault(provider, result.fault, result.error, result.status)
        item.faults.append(replace(fault, lookup=lookup))
        return None
    if provider not in item.answered:
        item.answered.append(provider)
    return list(result.candidates)


def tally_skip(item: Tally, provider: str, status: str, retry_after: float | None) -> None:
    """A provider not asked; one that is only unavailable for now says until when."""
    if status in UNAVAILABLE_FOR_NOW:
        item.unavailable.append((status, retry_after))
    skip = ProviderSkip(provider=provider, status=str(status))
    if skip not in item.skipped:
        item.skipped.append(skip)


def provider_fault(
    provider: str, fault: ClassifiedFault | None, error: str, status: str
) -> ClassifiedFault:
    """The provider's fault as its client classified it, else classified from its text."""
    fault = fault or classify_fault(error=error, status=status)
    return replace(fault, provider=provider, host=fault.host or provider_host(provider))


def provider_host(provider: str) -> str:
    cls = provider_class(provider)
    return host_of(cls.configured_url()) if cls is not None else ""


def internal_fault(error: str, *, provider: str = "") -> ClassifiedFault:
    """A fault of our own code while working an item (a provider's when it handled its answer)."""
    return classify_fault(provider=provider, error=error)


def end_unmatched(item: Tally, request: EnrichmentRequest, *, reason: str) -> str:
    """No record matched: back off after faults (past its attempts, a request some providers
    answered goes ahead without the failing ones), wait for providers that could not be asked
    for now, else end unmatched with the reason."""
    if item.faults and not outcomes.goes_ahead_without_failing(request, item.answered):
        return outcomes.retry_or_fail(request, item.faults, answered=item.answered)
    if item.unavailable:  # a provider that may know it could not be asked for now
        return outcomes.wait_for_providers(
            request, next_try_at(item.unavailable, now=database_now()), item.skipped
        )
    if item.faults:
        reason = outcomes.without_failing_text(reason, item.faults)
    return apply.request_finish_unmatched(request=request, reason=reason)


def batch_failed(items: Sequence[Tally], exc: Exception) -> None:
    """Our code failed while asking for a batch: a fault for each of its items, so that none is
    left in progress (each backs off). The database or the broker gone (bookstore.outages) is
    raised again: the task fails, as a worker killed would, its items left in progress for the
    sweep to give back, and no fault is told of a book or a provider that had none."""
    if is_outage(exc):
        raise exc
    logger.exception("Enrichment lookups failed for a batch of %s requests", len(items))
    for item in items:
        item.faults.append(internal_fault(f"Internal error: {exc}"))


def decide_each(items: Sequence[ItemT], decide: Callable[[ItemT], str], stats: RunStats) -> None:
    """Decide each item; one item's bug backs off that request and never the others'."""
    for item in items:
        try:
            status = decide(item)
        except Exception as exc:
            # The decision's own binding ended with the exception: name the work again.
            with log_context.bind(work_id=item.request.work_id):
                logger.exception("Enrichment request %s failed", item.request.pk)
            status = outcomes.retry_or_fail(
                item.request, [internal_fault(f"Internal error: {exc}")]
            )
        stats.statuses[status] += 1
