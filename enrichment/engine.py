"""Processing claimed requests: ask the providers, score, merge, decide, apply.

One batch of requests is worked together so that each provider is asked once for all of them
(Open Library's Books API takes 100 ISBNs a request, ISBNdb's bulk endpoint up to 1,000).
Providers are asked in `ENRICHMENT_PROVIDERS` order; a later provider is asked only for the
books still unidentified, or identified without a cover when a cover is wanted. Rows without a
usable ISBN go through the title + author resolution cascade, with the stricter tiers.

Books known by their Open Library keys (an Open Library reading log gives nothing else) are
asked first by those keys: Open Library's record of our edition, then of our work. A record
found by our own key is an identity match, like one found by our ISBN; what it teaches (the
work key, the edition's ISBN, the real title of a placeholder) serves the later steps, so the
other providers can be asked by that ISBN.

Every claimed request leaves a batch final or backed off, never in progress: an exception while
handling one provider's answers is that provider's fault (recorded in its state) for the books
it was asked about, and the other providers and books carry on.

Unreachable is not unknown: a book is "unresolved" only when the providers answered and none
knew it. When a provider could not be asked for now (breaker open, quota spent, our rate limit)
and nothing matched, the request waits, pending, until the first of them is expected back
(enrichment.waiting), without counting an attempt; its work shows "waiting". Faults (asked, and
it failed) back off, the work "waiting" meanwhile; after max_attempts a book other providers
answered is decided on their answers (searched by title when none knew its ISBN, as any book
nobody knows by its ISBN is), one nothing answered waits (providers unreachable) or ends FAILED
(enrichment.outcomes).
"""

import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field, replace

from django.conf import settings
from django.utils.translation import gettext

from bookstore import log_context
from bookstore.outages import is_outage
from catalog.models import Edition, Work
from enrichment import apply, author_engine, cover_apply, outcomes, throttle, title_search_groups
from enrichment.candidates import (
    Candidate,
    LookupResult,
    LookupStatus,
)
from enrichment.faults import ClassifiedFault, FaultKind, FaultLookup
from enrichment.matching import (
    TIER_ORDER,
    BookQuery,
    MatchScore,
    Tier,
    isbn13_of_our_edition,
    score_candidate,
)
from enrichment.merge import MergedRecord, MergedValue, merge_candidates
from enrichment.models import EnrichmentRequest
from enrichment.outcomes import RunStats
from enrichment.proposals import (
    CandidateSeen,
    HeldQuery,
    MatchDetails,
    ProposedAuthor,
    ProviderSkip,
    Scores,
    build_proposal,
)
from enrichment.providers.base import Provider, TitleQuery
from enrichment.providers.cascade import resolve_isbns
from enrichment.providers.exchange import REQUESTS_SENT
from enrichment.providers.openlibrary import OpenLibraryProvider
from enrichment.providers.registry import enabled_providers
from enrichment.tally import (
    batch_failed,
    decide_each,
    end_unmatched,
    internal_fault,
    provider_fault,
    tally_result,
    tally_skip,
)
from enrichment.waiting import Unavailable
from enrichment.work_state import (
    current_values,
    request_work,
    target_edition,
    target_has_cover,
)

logger = logging.getLogger(__name__)
Status = EnrichmentRequest.Status


@dataclass
class _Book:
    """One claimed request while it is being worked."""

    request: EnrichmentRequest
    edition: Edition | None  # the request's target edition
    query: BookQuery  # what we know, including what our own Open Library records taught
    held: BookQuery  # what the catalog holds
    scored: list[tuple[Candidate, MatchScore]] = field(default_factory=list)
    faults: list[ClassifiedFault] = field(default_factory=list)  # asked, and it failed
    skipped: list[ProviderSkip] = field(default_factory=list)  # not asked
    unavailable: list[Unavailable] = field(default_factory=list)  # skipped for now: until when
    attempted: list[str] = field(default_factory=list)  # asked (answered or failed)
    answered: list[str] = field(default_factory=list)  # found the book or said they do not know it
    via_search: bool = False
    learned: dict = field(default_factory=dict)  # what our own Open Library records taught

    @property
    def best_tier(self) -> Tier:
        return max((s.tier for _, s in self.scored), key=TIER_ORDER.__getitem__, default=Tier.NONE)

    def has_cover_ref(self) -> bool:
        return any(
            c.covers for c, s in self.scored if TIER_ORDER[s.tier] >= TIER_ORDER[Tier.MEDIUM]
        )

    def satisfied(self) -> bool:
        if TIER_ORDER[self.best_tier] < TIER_ORDER[Tier.HIGH]:
            return False
        return (
            not self.request.wants_cover
            or self.has_cover_ref()
            or target_has_cover(self.request, request_work(self.request), self.edition)
        )


def book_query(work: Work, edition=None) -> BookQuery:
    """What we know of the work; `edition` is the request's target edition (target_edition),
    whose ISBN and Open Library key come first."""
    editions = list(work.editions.all())
    ours = [edition] if edition else editions
    isbn13 = next((e.isbn13 for e in ours if e and e.isbn13), "")
    edition_key = next(
        (e.openlibrary_edition_key for e in [*ours, *editions] if e and e.openlibrary_edition_key),
        "",
    )
    authors = tuple(c.author.name for c in work.credits.all() if c.role == "author") or tuple(
        c.author.name for c in work.credits.all()
    )
    return BookQuery(
        title=work.title,
        authors=authors,
        isbn13=isbn13,
        subtitle=work.subtitle,
        openlibrary_edition_key=edition_key,
        openlibrary_work_key=work.openlibrary_work_key or "",
        title_is_placeholder=work.title_is_placeholder,
    )


def known_by_openlibrary_key(query: BookQuery) -> bool:
    """Whether Open Library's records are asked by our keys: for a book with a key and no ISBN,
    and for every book whose title is only a placeholder (nothing else identifies it)."""
    has_key = bool(query.openlibrary_edition_key or query.openlibrary_work_key)
    return has_key and (query.title_is_placeholder or not query.isbn13)


def process_requests(
    requests: list[EnrichmentRequest],
    *,
    providers: list[Provider] | None = None,
    gather_title_searches: bool = False,
) -> RunStats:
    """Work a batch of claimed requests to a final status (or a backed-off retry).

    `gather_title_searches` (a worker's batch): the books that need a title search wait for
    other batches' instead, to be searched in groups (enrichment.title_search_groups), when
    the settings gather them."""
    stats = RunStats()
    if not requests:
        return stats
    providers = enabled_providers() if providers is None else providers
    sent_before = Counter(REQUESTS_SENT)
    # Authors' requests share the queue and its batches: author_engine works them (its requests
    # are counted below with the rest).
    author_requests = [r for r in requests if r.author_id is not None]
    if author_requests:
        stats.add(author_engine.process_author_requests(author_requests, providers=providers))
        requests = [r for r in requests if r.author_id is None]
        if not requests:
            return stats
    work_ids = [r.work_id for r in requests if r.work_id is not None]
    works = {
        w.pk: w
        for w in Work.objects.filter(pk__in=work_ids).prefetch_related(
            "editions", "credits__author"
        )
    }
    books = []
    for request in requests:
        assert request.work_id is not None, "an author's request is author_engine's"
        request.work = works[request.work_id]
        edition = target_edition(request)
        query = book_query(request.work, edition)
        books.append(_Book(request=request, edition=edition, query=query, held=query))

    searching: list[_Book] = []
    try:
        _ask_by_openlibrary_key(books, providers, stats)
        _ask_by_isbn(books, providers, stats)
        searching = [book for book in books if _needs_title_search(book)]
    except Exception as exc:  # never leave claimed requests in progress: back them all off
        batch_failed(books, exc)
    if searching and gather_title_searches and title_search_groups.gathering_enabled(providers):
        given_back = title_search_groups.requests_await_title_search(
            requests=[book.request for book in searching]
        )
        stats.statuses["awaiting_title_search"] += given_back
        books = [book for book in books if book not in searching]
        searching = []
    # What the batched lookups identified is decided (and its cover queued) now: a title search
    # goes at about 1 request per second and must not hold it up.
    with cover_apply.covers_queued_together():  # their covers in a few tasks, not one each
        decide_each([book for book in books if book not in searching], _decide, stats)
    try:
        _ask_by_title(searching, providers, stats)
    except Exception as exc:
        batch_failed(searching, exc)
    decide_each(searching, _decide, stats)
    stats.provider_requests = +(Counter(REQUESTS_SENT) - sent_before)
    return stats


def process_title_search_group(
    *, request_ids: list[int] | None = None, force: bool = False
) -> RunStats:
    """Up to OPENLIBRARY_SEARCH_GROUP_SIZE books waiting for a title search, from any batch,
    worked to the end as their batch would have worked them (their lookups answered from the
    cache, then the search cascade, one Open Library request for the group), once the group is
    ready (title_search_groups.group_ready; `force`: now). A next group is queued when more
    books wait."""
    claimed = title_search_groups.title_search_group_claim(request_ids=request_ids, force=force)
    if not claimed:
        return RunStats()
    try:
        stats = process_requests(claimed)
    finally:
        title_search_groups.title_search_group_finish(requests=claimed)
    if request_ids is None:
        title_search_groups.title_search_group_dispatch()
    return stats


def _record(
    book: _Book, provider: str, result: LookupResult, stats: RunStats, *, lookup: FaultLookup
) -> list[tuple[Candidate, MatchScore]]:
    """Score a lookup's candidates for the book; returns the ones it added."""
    records = tally_result(book, provider, result, stats, lookup=lookup) or []
    added = [(candidate, score_candidate(book.query, candidate)) for candidate in records]
    book.scored += added
    return added


def _ask_by_openlibrary_key(books: list[_Book], providers: list[Provider], stats: RunStats) -> None:
    """Books known by their Open Library keys: the records of our edition and of our work."""
    provider = next((p for p in providers if isinstance(p, OpenLibraryProvider)), None)
    if provider is None:
        return
    for book in books:
        if not known_by_openlibrary_key(book.query):
            continue
        try:
            _ask_records(book, provider, stats)
        except Exception as exc:  # its fault for this book; the batch's other books go on
            _provider_failed(provider, exc, [book], lookup=FaultLookup.OPENLIBRARY_KEY)


def _ask_records(book: _Book, provider: OpenLibraryProvider, stats: RunStats) -> None:
    """Our edition's record first; then our work's, or the work that our edition's record
    names when we hold no work key (a work other than ours is not asked: it cannot be ours)."""
    if book.query.openlibrary_edition_key:
        result = provider.edition(book.query.openlibrary_edition_key)
        scored = _record(book, provider.name, result, stats, lookup=FaultLookup.OPENLIBRARY_KEY)
        named = [c.provider_ids.get("openlibrary_work", "") for c, s in scored if _ours(s)]
        work_key = next((key for key in named if key), "")
        if work_key and not book.query.openlibrary_work_key:
            _learn(book, openlibrary_work_key=work_key)
    if book.query.openlibrary_work_key:
        work = provider.work(book.query.openlibrary_work_key)
        _record(book, provider.name, work, stats, lookup=FaultLookup.OPENLIBRARY_KEY)
    identified = [c for c, s in book.scored if _ours(s)]
    if not identified:
        return
    # Later providers are asked by the ISBN our edition's record gives, and their records are
    # compared with the real title rather than with a placeholder.
    isbn13 = next(filter(None, (isbn13_of_our_edition(book.query, c) for c in identified)), "")
    if isbn13 and not book.query.isbn13:
        _learn(book, isbn13=isbn13)
    if book.query.title_is_placeholder:
        first = identified[0]  # our edition's record when there is one
        _learn(book, title=first.title, subtitle=first.subtitle, title_is_placeholder=False)


def _ours(score: MatchScore) -> bool:
    return score.tier == Tier.HIGH


def _learn(book: _Book, **values) -> None:
    book.query = replace(book.query, **values)
    book.learned.update(values)


def _ask_by_isbn(books: list[_Book], providers: list[Provider], stats: RunStats) -> None:
    for provider in providers:
        wanted = defaultdict(list)
        for book in books:
            if book.query.isbn13 and not book.satisfied():
                wanted[book.query.isbn13].append(book)
        if not wanted:
            return
        with log_context.bind(provider=provider.name):
            try:
                results = provider.lookup_isbns(list(wanted))
                for isbn13, waiting in wanted.items():
                    result = results.get(isbn13)
                    if result is None:
                        continue
                    for book in waiting:
                        _record(book, provider.name, result, stats, lookup=FaultLookup.ISBN)
            except Exception as exc:
                # One provider's failure is its fault for these books; the other providers go on.
                asked = [b for waiting in wanted.values() for b in waiting]
                _provider_failed(provider, exc, asked, lookup=FaultLookup.ISBN)


def _provider_failed(
    provider: Provider, exc: Exception, books: list[_Book], *, lookup: FaultLookup
) -> None:
    """An exception while handling a provider's answers: a fault on its record (breaker, last
    error) and on each book it was asked for, which will be retried. The database or the broker
    gone (bookstore.outages) is no fault of the provider's: raised again (tally.batch_failed)."""
    if is_outage(exc):
        raise exc
    logger.exception("%s: handling its answers failed", provider.name)
    error = f"internal error: {type(exc).__name__}: {exc}"
    fault = replace(
        provider_fault(provider.name, None, error, LookupStatus.UNPARSEABLE),
        kind=FaultKind.OTHER,
        lookup=lookup,
    )
    throttle.record_error(
        provider=provider.name, error=error, limits=throttle.limits_for(provider.name), fault=fault
    )
    for book in books:
        if provider.name not in book.attempted:
            book.attempted.append(provider.name)
        book.faults.append(fault)


def _needs_title_search(book: _Book) -> bool:
    """Books without an ISBN, or whose ISBN no provider knows, are searched by title + author."""
    if book.scored or not book.query.title or not book.query.authors:
        return False
    if book.query.title_is_placeholder:
        return False  # a key is no title to search for
    if not book.query.isbn13:
        return True
    # An ISBN lookup that failed, or that no provider could be asked, is retried before
    # guessing by title; past its attempts, one that some providers answered goes ahead
    # without the failing ones, as a book whose ISBN nobody knows does.
    return bool(book.answered) and (
        not book.faults or outcomes.goes_ahead_without_failing(book.request, book.answered)
    )


def _ask_by_title(books: list[_Book], providers: list[Provider], stats: RunStats) -> None:
    # One cascade for the batch: Open Library takes several searches a request.
    queries = [TitleQuery(title=book.query.title, author=book.query.authors[0]) for book in books]
    try:
        resolutions = resolve_isbns(queries, providers=providers)
    except Exception as exc:  # these books are retried
        logger.exception("Title search failed for %s requests", len(books))
        for book in books:
            book.via_search = True
            fault = internal_fault(f"Internal error in the title search: {exc}")
            book.faults.append(replace(fault, lookup=FaultLookup.TITLE_SEARCH))
        return
    for book, resolution in zip(books, resolutions, strict=True):
        book.via_search = True
        for outcome in resolution.asked:
            if outcome.provider not in book.attempted:
                book.attempted.append(outcome.provider)
            if outcome.provider not in book.answered:
                book.answered.append(outcome.provider)
        for outcome in resolution.skipped:
            tally_skip(book, outcome.provider, outcome.status, outcome.retry_after)
        for outcome in resolution.failed:
            if outcome.provider not in book.attempted:
                book.attempted.append(outcome.provider)
            fault = provider_fault(outcome.provider, outcome.fault, outcome.detail, outcome.status)
            book.faults.append(replace(fault, lookup=FaultLookup.TITLE_SEARCH))
        if resolution.candidate is not None:
            book.scored.append(
                (resolution.candidate, score_candidate(book.query, resolution.candidate))
            )


def _decide(book: _Book) -> str:
    with log_context.bind(work_id=book.request.work_id):  # every log line says which book
        return _decide_book(book)


def _decide_book(book: _Book) -> str:
    request = book.request
    request.providers_attempted = book.attempted
    tier = book.best_tier
    matched = [(c, s) for c, s in book.scored if s.tier == tier and tier != Tier.NONE]
    details = MatchDetails(
        query=HeldQuery(
            title=book.held.title,
            authors=list(book.held.authors),
            isbn13=book.held.isbn13,
            openlibrary_edition_key=book.held.openlibrary_edition_key,
            openlibrary_work_key=book.held.openlibrary_work_key,
            title_is_placeholder=book.held.title_is_placeholder,
        ),
        learned_from_openlibrary=book.learned,
        via_title_search=book.via_search,
        candidates=[
            CandidateSeen(
                provider=c.provider,
                ids=c.provider_ids,
                title=c.title,
                isbn13=c.isbn13[:5],
                queried_isbn=c.queried_isbn,
                lookup_key=c.cache_key,
                source_url=c.source_url,
                notes=c.notes,
                isbn_score=s.isbn,
                title_score=s.title,
                author_score=s.author,
                tier=str(s.tier),
                reasons=s.reasons,
                names_authors=bool(c.authors),
            )
            for c, s in book.scored[:20]
        ],
        skipped=book.skipped,
        faults=book.faults,
        answered=book.answered,
    )
    request.match_details = details

    if not matched:
        reason = "No provider knows this book."
        if book.faults:  # decided without the failing providers: they may know it
            reason = "The providers that answered do not know this book."
        if book.scored:
            reason = "Providers answered, but no record matched this book's title."
        if book.scored and book.held.title_is_placeholder:
            reason = gettext("No record found by this book's Open Library keys is this book.")
        if book.skipped and not book.answered:  # no key, key refused, no title search
            reason = gettext("No provider could look this book up: %(why)s.") % {
                "why": outcomes.skips_text(book.skipped)
            }
        return end_unmatched(book, request, reason=reason)

    merged = merge_candidates([c for c, _ in matched], provider_order=settings.ENRICHMENT_PROVIDERS)
    _add_our_edition_isbn(merged, [c for c, _ in matched], book.query)
    best = max((s for _, s in matched), key=lambda s: (s.isbn, s.title, s.author))
    proposal = build_proposal(
        current=current_values(request_work(request), book.edition),
        merged=merged,
        tier=str(tier),
        scores=Scores(isbn=best.isbn, title=best.title, author=best.author),
    )
    details.contributors = merged.contributors()
    details.authors = [
        ProposedAuthor(name=a.name, role=a.role, source=merged.authors_source)
        for a in merged.authors
    ]
    return apply.request_apply_decision(
        request=request, tier=tier, proposal=proposal, covers=merged.covers
    )


def _add_our_edition_isbn(
    merged: MergedRecord, candidates: list[Candidate], query: BookQuery
) -> None:
    """The ISBN-13 our edition's own record gives it: the one ISBN a proposal may carry."""
    for candidate in candidates:
        isbn13 = isbn13_of_our_edition(query, candidate)
        if isbn13:
            merged.fields["isbn13"] = MergedValue(value=isbn13, source=candidate.provider)
            return


def run_now(*, request_ids: list[int], progress=None) -> RunStats:
    """Process requests in this process, batch by batch (enrich_missing --now)."""
    from enrichment import queue

    stats = RunStats()
    remaining = list(request_ids)
    size = max(settings.ENRICHMENT_BATCH_SIZE, 1)
    done = 0
    while remaining:
        batch, remaining = remaining[:size], remaining[size:]
        claimed = queue.requests_claim(request_ids=batch, limit=len(batch))
        stats.add(process_requests(claimed, gather_title_searches=True))
        _fetch_pending_covers(batch)
        done += len(batch)
        if progress:
            progress(done)
    # The books the batches left waiting for a title search, searched in groups across them
    # (their covers fetched after; the batches' were fetched, or given up on, above).
    waiting = list(
        title_search_groups.waiting_requests()
        .filter(pk__in=request_ids)
        .values_list("pk", flat=True)
    )
    while (group := process_title_search_group(request_ids=waiting, force=True)).statuses:
        stats.add(group)
    stats.statuses.pop("awaiting_title_search", None)  # each was decided by its group
    _fetch_pending_covers(waiting)
    return stats


def _fetch_pending_covers(request_ids: list[int]) -> None:
    """enrich_missing --now downloads the covers its requests chose, in this process."""
    cover_ids = list(
        EnrichmentRequest.objects.filter(
            pk__in=request_ids, cover_status=EnrichmentRequest.CoverStatus.PENDING
        ).values_list("pk", flat=True)
    )
    if cover_ids:
        cover_apply.requests_fetch_covers(request_ids=cover_ids)
