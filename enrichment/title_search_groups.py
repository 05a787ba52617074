"""Title searches grouped across batches: one Open Library search.json request for the books
that several batches could not identify by ISBN or key.

A 100-book batch holds two or three books that need a title search; searched in their batch
they cost a request each batch. Instead the batch gives them back here: pending, marked
`awaiting_title_search` in the database (never only in the broker or a worker's memory: a
worker that dies loses nothing, and the sweep sends them again), until a group task takes up to
OPENLIBRARY_SEARCH_GROUP_SIZE of them, from any batch, and works them to the end with the
engine (the same lookups, answered from the cache, then the search cascade, the scoring and
the decision: enrichment.engine.process_title_search_group).

A group is searched when it is full, when its oldest book has waited
OPENLIBRARY_SEARCH_GATHER_SECONDS, or when no other batch is at work (none can join it), so the
gathering never holds up the last books of a run. OPENLIBRARY_SEARCH_GATHER_SECONDS = 0 turns
it off: each batch searches its own books.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import timedelta

from django.conf import settings
from django.db.models import F, Q, QuerySet

from bookstore import task_queue
from bookstore.db_clock import database_now
from enrichment import queue
from enrichment.models import EnrichmentRequest
from enrichment.providers.base import Provider
from enrichment.providers.openlibrary import OpenLibraryProvider

Status = EnrichmentRequest.Status


def gathering_enabled(providers: Sequence[Provider]) -> bool:
    """Whether a batch's title searches wait for other batches': there is a gathering time,
    and Open Library, which takes several searches a request, is asked."""
    return (
        settings.OPENLIBRARY_SEARCH_GATHER_SECONDS > 0
        and settings.OPENLIBRARY_SEARCH_GROUP_SIZE > 1
        and any(isinstance(provider, OpenLibraryProvider) for provider in providers)
    )


def waiting_requests() -> QuerySet[EnrichmentRequest]:
    """Books waiting for a grouped title search (none claimed)."""
    return EnrichmentRequest.objects.filter(status=Status.PENDING, awaiting_title_search=True)


def requests_await_title_search(*, requests: Sequence[EnrichmentRequest], now=None) -> int:
    """Give claimed requests back, pending and marked, until a group task takes them (at the
    latest after the gathering time, by the sweep); the claim was no attempt. Returns how many
    were still ours."""
    now = now or database_now()
    deadline = now + timedelta(seconds=settings.OPENLIBRARY_SEARCH_GATHER_SECONDS)
    by_token: dict[str, list[int]] = defaultdict(list)
    for request in requests:
        by_token[request.claim_token].append(request.pk)
    given_back = 0
    for token, ids in by_token.items():
        given_back += EnrichmentRequest.objects.filter(
            pk__in=ids, status=Status.IN_PROGRESS, claim_token=token
        ).update(
            status=Status.PENDING,
            awaiting_title_search=True,
            claim_token="",
            queued_at=None,  # past its deadline the sweep hands it to a group task
            next_attempt_at=deadline,
            attempts=F("attempts") - 1,
            updated_at=now,
        )
    return given_back


def batches_at_work(*, now=None) -> bool:
    """Whether a batch that may still add books to a group is at work: a work's request in
    progress, or handed to a worker and due, that is not itself waiting for a title search."""
    now = now or database_now()
    return (
        EnrichmentRequest.objects.filter(work__isnull=False, awaiting_title_search=False)
        .filter(
            Q(status=Status.IN_PROGRESS)
            | Q(status=Status.PENDING, queued_at__isnull=False, next_attempt_at__lte=now)
        )
        .exists()
    )


def group_ready(*, now=None, request_ids: Sequence[int] | None = None) -> bool:
    """A group is searched when it is full, when its oldest book's gathering time is over, or
    when no batch at work could add to it."""
    now = now or database_now()
    waiting = waiting_requests()
    if request_ids is not None:
        waiting = waiting.filter(pk__in=list(request_ids))
    size = max(settings.OPENLIBRARY_SEARCH_GROUP_SIZE, 1)
    count = waiting.values("pk")[:size].count()
    if not count:
        return False
    if count >= size or waiting.filter(next_attempt_at__lte=now).exists():
        return True
    return not batches_at_work(now=now)


def title_search_group_claim(
    *, now=None, request_ids: Sequence[int] | None = None, force: bool = False
) -> list[EnrichmentRequest]:
    """Take up to OPENLIBRARY_SEARCH_GROUP_SIZE waiting books, from any batch, when the group
    is ready (`force`: now, as enrich_missing --now does once its batches are done); the claim
    is exclusive (queue.requests_claim), so two group tasks never take the same book. Stamped
    and judged on the database's clock, as every claim (bookstore.db_clock)."""
    now = now or database_now()
    if not force and not group_ready(now=now, request_ids=request_ids):
        return []
    return queue.requests_claim(
        request_ids=request_ids,
        limit=max(settings.OPENLIBRARY_SEARCH_GROUP_SIZE, 1),
        now=now,
        title_search_group=True,
    )


def title_search_group_finish(*, requests: Sequence[EnrichmentRequest]) -> None:
    """A group's books are settled: those that ended no longer wait for a group (an ended
    request is no run's, so this needs no claim). One backed off or waiting for its providers
    starts again from its lookups (a batch): its back-off, fenced by this run's claim token,
    cleared its mark (outcomes._back_off); one the sweep took from this run and gave back
    waits for the newer group, and keeps its mark."""
    EnrichmentRequest.objects.filter(
        pk__in=[request.pk for request in requests], awaiting_title_search=True
    ).exclude(status__in=EnrichmentRequest.ACTIVE_STATUSES).update(awaiting_title_search=False)


def title_search_group_dispatch() -> bool:
    """Queue a group task when books wait for a title search (it searches them once the group
    is ready: a batch's end, a group's end, or the sweep past the gathering time, queue it)."""
    if not waiting_requests().exists():
        return False
    return task_queue.enqueue_recorded(queue.TITLE_SEARCH_GROUP_TASK)
