"""Processing claimed requests: ask the providers, score, merge, decide, apply.

One batch of requests is worked together so that each provider is asked once for all of them
(Open Library's Books API takes 100 ISBNs a request, ISBNdb's bulk endpoint up to 1,000).
Providers are asked in `ENRICHMENT_PROVIDERS` order; a later provider is asked only for the
books still unidentified, or identified without a cover when a cover is wanted. Rows without a
usable ISBN go through the title + author resolution cascade, with the stricter tiers.

Every claimed request leaves a batch final or backed off, never in progress: an exception while
handling one provider's answers is that provider's fault (recorded in its state) for the books
it was asked about, and the other providers and books carry on.
"""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from catalog.models import Work
from enrichment import apply, throttle
from enrichment.candidates import (
    RETRYABLE_STATUSES,
    SKIP_STATUSES,
    Candidate,
    LookupResult,
    LookupStatus,
)
from enrichment.matching import TIER_ORDER, BookQuery, MatchScore, Tier, score_candidate
from enrichment.merge import build_proposal, merge_candidates
from enrichment.models import EnrichmentRequest
from enrichment.providers.base import REQUESTS_SENT, Provider
from enrichment.providers.cascade import resolve_isbn
from enrichment.providers.registry import enabled_providers

logger = logging.getLogger(__name__)
Status = EnrichmentRequest.Status


@dataclass
class RunStats:
    """What a run did, for enrich_missing's summary."""

    statuses: Counter = field(default_factory=Counter)
    provider_requests: Counter = field(default_factory=Counter)  # lookups answered over HTTP
    cache_hits: int = 0

    def add(self, other: "RunStats") -> None:
        self.statuses.update(other.statuses)
        self.provider_requests.update(other.provider_requests)
        self.cache_hits += other.cache_hits


@dataclass
class _Book:
    """One claimed request while it is being worked."""

    request: EnrichmentRequest
    query: BookQuery
    scored: list[tuple[Candidate, MatchScore]] = field(default_factory=list)
    faults: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)
    attempted: list[str] = field(default_factory=list)
    via_search: bool = False

    @property
    def best_tier(self) -> Tier:
        return max((s.tier for _, s in self.scored), key=TIER_ORDER.get, default=Tier.NONE)

    def has_cover_ref(self) -> bool:
        return any(
            c.covers for c, s in self.scored if TIER_ORDER[s.tier] >= TIER_ORDER[Tier.MEDIUM]
        )

    def satisfied(self) -> bool:
        if TIER_ORDER[self.best_tier] < TIER_ORDER[Tier.HIGH]:
            return False
        return not self.request.wants_cover or self.has_cover_ref() or _work_has_cover(self)


def _work_has_cover(book: _Book) -> bool:
    return bool(book.request.work.cover) or any(e.cover for e in book.request.work.editions.all())


def book_query(work: Work, edition=None) -> BookQuery:
    editions = [edition] if edition else list(work.editions.all())
    isbn13 = next((e.isbn13 for e in editions if e and e.isbn13), "")
    authors = tuple(c.author.name for c in work.credits.all() if c.role == "author") or tuple(
        c.author.name for c in work.credits.all()
    )
    return BookQuery(title=work.title, authors=authors, isbn13=isbn13, subtitle=work.subtitle)


def process_requests(
    requests: list[EnrichmentRequest], *, providers: list[Provider] | None = None
) -> RunStats:
    """Work a batch of claimed requests to a final status (or a backed-off retry)."""
    stats = RunStats()
    if not requests:
        return stats
    providers = enabled_providers() if providers is None else providers
    sent_before = Counter(REQUESTS_SENT)
    work_ids = [r.work_id for r in requests]
    works = {
        w.pk: w
        for w in Work.objects.filter(pk__in=work_ids).prefetch_related(
            "editions", "credits__author"
        )
    }
    books = []
    for request in requests:
        request.work = works[request.work_id]
        books.append(_Book(request=request, query=book_query(request.work, request.edition)))

    try:
        _ask_by_isbn(books, providers, stats)
        _ask_by_title(books, providers, stats)
    except Exception as exc:  # never leave claimed requests in progress: back them all off
        logger.exception("Enrichment lookups failed for a batch of %s requests", len(books))
        for book in books:
            book.faults.append(f"Internal error: {exc}")

    for book in books:
        try:
            status = _decide(book)
        except Exception as exc:  # one book's bug must not lose the others' work
            logger.exception("Enrichment request %s failed", book.request.pk)
            status = _retry_or_fail(book.request, f"Internal error: {exc}")
        stats.statuses[status] += 1
    stats.provider_requests = +(Counter(REQUESTS_SENT) - sent_before)
    return stats


def _record(book: _Book, provider: str, result: LookupResult, stats: RunStats) -> None:
    if result.status in SKIP_STATUSES or result.status == LookupStatus.CIRCUIT_OPEN:
        book.skipped.append(f"{provider}: {result.status}")  # not asked: unavailable for now
        return
    if provider not in book.attempted:
        book.attempted.append(provider)
    if result.from_cache:
        stats.cache_hits += 1
    if result.status in RETRYABLE_STATUSES:
        book.faults.append(f"{provider}: {result.status} {result.error}".strip())
        return
    for candidate in result.candidates:
        book.scored.append((candidate, score_candidate(book.query, candidate)))


def _ask_by_isbn(books: list[_Book], providers: list[Provider], stats: RunStats) -> None:
    for provider in providers:
        wanted = defaultdict(list)
        for book in books:
            if book.query.isbn13 and not book.satisfied():
                wanted[book.query.isbn13].append(book)
        if not wanted:
            return
        try:
            results = provider.lookup_isbns(list(wanted))
            for isbn13, waiting in wanted.items():
                result = results.get(isbn13)
                if result is None:
                    continue
                for book in waiting:
                    _record(book, provider.name, result, stats)
        except Exception as exc:
            # One provider's failure is its fault for these books; the other providers go on.
            _provider_failed(provider, exc, [b for waiting in wanted.values() for b in waiting])


def _provider_failed(provider: Provider, exc: Exception, books: list[_Book]) -> None:
    """An exception while handling a provider's answers: a fault on its record (breaker, last
    error) and on each book it was asked for, which will be retried."""
    logger.exception("%s: handling its answers failed", provider.name)
    error = f"internal error: {type(exc).__name__}: {exc}"
    throttle.record_error(
        provider=provider.name, error=error, limits=throttle.limits_for(provider.name)
    )
    for book in books:
        if provider.name not in book.attempted:
            book.attempted.append(provider.name)
        book.faults.append(f"{provider.name}: {LookupStatus.UNPARSEABLE} {error}")


def _ask_by_title(books: list[_Book], providers: list[Provider], stats: RunStats) -> None:
    """Books without an ISBN, or whose ISBN no provider knows: title + author search."""
    for book in books:
        if book.scored or not book.query.title or not book.query.authors:
            continue
        if book.query.isbn13 and book.faults:
            continue  # the ISBN lookup failed for now: retry it before guessing by title
        book.via_search = True
        try:
            resolution = resolve_isbn(
                title=book.query.title, author=book.query.authors[0], providers=providers
            )
        except Exception as exc:  # this book is retried; the batch's other books go on
            logger.exception("Title search failed for request %s", book.request.pk)
            book.faults.append(f"Internal error in the title search: {exc}")
            continue
        for outcome in resolution.asked:
            if outcome.provider not in book.attempted:
                book.attempted.append(outcome.provider)
        book.skipped += [f"{o.provider}: {o.status}" for o in resolution.skipped]
        book.faults += [f"{o.provider}: {o.status} {o.detail}".strip() for o in resolution.failed]
        if resolution.candidate is not None:
            book.scored.append(
                (resolution.candidate, score_candidate(book.query, resolution.candidate))
            )


def _decide(book: _Book) -> str:
    request = book.request
    request.providers_attempted = book.attempted
    tier = book.best_tier
    matched = [(c, s) for c, s in book.scored if s.tier == tier and tier != Tier.NONE]
    details = {
        "query": {
            "title": book.query.title,
            "authors": list(book.query.authors),
            "isbn13": book.query.isbn13,
        },
        "via_title_search": book.via_search,
        "candidates": [
            {
                "provider": c.provider,
                "ids": c.provider_ids,
                "title": c.title,
                "isbn13": c.isbn13[:5],
                "source_url": c.source_url,
                "notes": c.notes,
                "isbn_score": s.isbn,
                "title_score": s.title,
                "author_score": s.author,
                "tier": str(s.tier),
                "reasons": s.reasons,
            }
            for c, s in book.scored[:20]
        ],
        "skipped": book.skipped,
        "faults": book.faults,
    }
    request.match_details = details

    if not matched:
        if book.faults:
            return _retry_or_fail(request, "; ".join(book.faults))
        reason = "No provider knows this book."
        if book.scored:
            reason = "Providers answered, but no record matched this book's title."
        if book.skipped and not book.attempted:
            reason = "Every provider is unavailable for now: " + ", ".join(book.skipped)
        return apply.request_finish_unmatched(request=request, reason=reason)

    merged = merge_candidates([c for c, _ in matched], provider_order=settings.ENRICHMENT_PROVIDERS)
    best_score = max((s for _, s in matched), key=lambda s: (s.isbn, s.title, s.author))
    current = apply.current_values(request.work, apply.target_edition(request))
    proposal = build_proposal(
        current=current,
        merged=merged,
        tier=str(tier),
        scores={"isbn": best_score.isbn, "title": best_score.title, "author": best_score.author},
    )
    covers = [
        {
            "provider": ref.provider,
            "url": ref.url,
            "cover_id": ref.cover_id,
            "size_label": ref.size_label,
            "width": ref.width,
            "height": ref.height,
        }
        for ref in merged.covers
    ]
    details["contributors"] = merged.contributors()
    details["authors"] = [
        {"name": a.name, "role": a.role, "source": merged.authors_source} for a in merged.authors
    ]
    request.match_details = details
    return apply.request_apply_decision(
        request=request, tier=tier, proposal=proposal, covers=covers, authors=merged.authors
    )


def _retry_or_fail(request: EnrichmentRequest, error: str) -> str:
    """Provider faults: back off exponentially, and give up after max_attempts."""
    now = timezone.now()
    if request.attempts >= request.max_attempts:
        status = Status.FAILED
        next_at = request.next_attempt_at
    else:
        status = Status.PENDING
        delay = settings.ENRICHMENT_RETRY_BASE_SECONDS * 2 ** max(request.attempts - 1, 0)
        next_at = now + timedelta(seconds=delay)
    with transaction.atomic():
        EnrichmentRequest.objects.filter(pk=request.pk, claim_token=request.claim_token).update(
            status=status,
            last_error=error[:2000],
            next_attempt_at=next_at,
            claim_token="",
            queued_at=None,  # no task holds it: the sweep sends it again once it is due
            match_details=request.match_details,
            providers_attempted=request.providers_attempted,
            updated_at=now,
            finished_at=now if status == Status.FAILED else None,
        )
        if status == Status.FAILED:
            Work.objects.filter(pk=request.work_id).update(
                enrichment_status=Work.EnrichmentStatus.FAILED, last_enriched_at=now
            )
    return status


def run_now(*, request_ids: list[int], progress=None) -> RunStats:
    """Process requests in this process, batch by batch (enrich_missing --now)."""
    from enrichment import cover_apply, queue

    stats = RunStats()
    remaining = list(request_ids)
    size = max(settings.ENRICHMENT_BATCH_SIZE, 1)
    done = 0
    while remaining:
        batch, remaining = remaining[:size], remaining[size:]
        claimed = queue.requests_claim(request_ids=batch, limit=len(batch))
        batch_stats = process_requests(claimed)
        stats.add(batch_stats)
        cover_ids = list(
            EnrichmentRequest.objects.filter(
                pk__in=batch, cover_status=EnrichmentRequest.CoverStatus.PENDING
            ).values_list("pk", flat=True)
        )
        if cover_ids:
            cover_apply.requests_fetch_covers(request_ids=cover_ids)
        done += len(batch)
        if progress:
            progress(done)
    return stats
