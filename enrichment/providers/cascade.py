"""The ISBN resolution cascade, for rows without a usable ISBN: title + author -> one ISBN.

Providers are asked in `ENRICHMENT_PROVIDERS` order and the first confident candidate with an
ISBN wins. A wrong book is worse than no book, so the default test is strict and needs both the
title and an author to match; a provider that is unavailable (no key, quota spent, circuit open)
is skipped, not failed, and the answer says so.
"""

import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from rapidfuzz import fuzz

from catalog import text
from enrichment.candidates import NO_TITLE_SEARCH, Candidate, LookupResult, LookupStatus
from enrichment.faults import ClassifiedFault, reached_the_server
from enrichment.providers.base import Provider, TitleQuery
from enrichment.providers.registry import enabled_providers

TITLE_MIN_SCORE = 90
AUTHOR_MIN_SCORE = 85
_NUMBER = re.compile(r"\d+")

IsConfident = Callable[[Candidate, str, str], bool]


@dataclass(frozen=True, slots=True)
class ProviderOutcome:
    provider: str
    status: LookupStatus | str  # a LookupStatus, or NO_TITLE_SEARCH
    detail: str = ""
    retry_after: float | None = None  # an unavailable provider: seconds until it may serve
    fault: ClassifiedFault | None = None  # a failed one: its fault, classified
    from_cache: bool = False  # answered from the SourceRecord cache: no request sent
    asked: bool = True  # False: held back before sending (breaker, budget, our rate limit)

    @property
    def request_sent(self) -> bool:
        """Whether this outcome cost the provider one request (what backfill reports count):
        asked, not from the cache, and the request reached the server."""
        return (
            self.asked
            and not self.from_cache
            and self.status not in (NO_TITLE_SEARCH, LookupStatus.NOT_CONFIGURED)
            and reached_the_server(self.fault)
        )


@dataclass(slots=True)
class IsbnResolution:
    """What the cascade found, and what it could not ask. `isbn13` is "" when nothing resolved."""

    isbn13: str = ""
    provider: str = ""
    candidate: Candidate | None = None
    asked: list[ProviderOutcome] = field(default_factory=list)  # answered (found or not)
    skipped: list[ProviderOutcome] = field(default_factory=list)  # unavailable: not asked
    failed: list[ProviderOutcome] = field(default_factory=list)  # faults: worth asking later

    @property
    def resolved(self) -> bool:
        return bool(self.isbn13)

    @property
    def is_final(self) -> bool:
        """False when a provider failed or was only unavailable for now (a quota spent, a
        breaker open, a request our limits held back): ask again later."""
        for_now = {LookupStatus.QUOTA_EXHAUSTED, LookupStatus.CIRCUIT_OPEN}
        return self.resolved or not (
            self.failed
            or any(outcome.status in for_now or not outcome.asked for outcome in self.skipped)
        )


def is_confident_match(candidate: Candidate, title: str, author: str) -> bool:
    """Strict: normalized titles (series and subtitle dropped) >= 90 with the same numbers, and
    an author >= 85."""
    wanted_title = text.normalize_title(title)
    wanted_author = text.normalize_person_name(author)
    if not wanted_title or not wanted_author or not candidate.title:
        return False
    their_title = text.normalize_title(candidate.title)
    if fuzz.token_sort_ratio(wanted_title, their_title) < TITLE_MIN_SCORE:
        return False
    # "27 The Great Gatsby" is 97 % alike "7 The Great Gatsby", "Volume 12" "Volume 2": a number
    # that differs is another book, however alike the rest.
    if sorted(_NUMBER.findall(wanted_title)) != sorted(_NUMBER.findall(their_title)):
        return False
    return any(
        fuzz.token_sort_ratio(wanted_author, text.normalize_person_name(person.name))
        >= AUTHOR_MIN_SCORE
        for person in candidate.authors
        if person.role == "author"
    )


def resolve_isbn(
    *,
    title: str,
    author: str,
    providers: Sequence[Provider] | None = None,
    is_confident: IsConfident | None = None,
) -> IsbnResolution:
    """Ask each provider's title search in turn; stop at the first confident ISBN."""
    [resolution] = resolve_isbns(
        [TitleQuery(title=title, author=author)], providers=providers, is_confident=is_confident
    )
    return resolution


def resolve_isbns(
    queries: Sequence[TitleQuery],
    *,
    providers: Sequence[Provider] | None = None,
    is_confident: IsConfident | None = None,
) -> list[IsbnResolution]:
    """`resolve_isbn` for many books, in order: each provider is asked in one `search_many`
    for the books no earlier provider resolved (Open Library groups them in few requests)."""
    is_confident = is_confident or is_confident_match
    providers = enabled_providers() if providers is None else providers
    resolutions = [IsbnResolution() for _ in queries]
    for provider in providers:
        pending = [i for i, resolution in enumerate(resolutions) if not resolution.resolved]
        if not pending:
            break
        if not provider.supports_search:
            for i in pending:
                resolutions[i].skipped.append(ProviderOutcome(provider.name, NO_TITLE_SEARCH))
            continue
        results = provider.search_many([queries[i] for i in pending])
        for i, result in zip(pending, results, strict=True):
            _take(resolutions[i], provider.name, result, queries[i], is_confident)
    return resolutions


def _take(
    resolution: IsbnResolution,
    provider: str,
    result: LookupResult,
    query: TitleQuery,
    is_confident: IsConfident,
) -> None:
    """One provider's answer to one book's search, into its resolution."""
    outcome = ProviderOutcome(
        provider,
        result.status,
        result.error,
        result.retry_after,
        result.fault,
        from_cache=result.from_cache,
        asked=result.asked,
    )
    if result.was_skipped:
        resolution.skipped.append(outcome)
        return
    if result.status != LookupStatus.FOUND and result.status != LookupStatus.NOT_FOUND:
        resolution.failed.append(outcome)
        return
    resolution.asked.append(outcome)
    for candidate in result.candidates:
        if candidate.isbn13 and is_confident(candidate, query.title, query.author):
            resolution.isbn13 = candidate.isbn13[0]
            resolution.provider = provider
            resolution.candidate = candidate
            return
