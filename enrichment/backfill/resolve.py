"""Discovered books -> ISBNs: the source's own ISBN when a catalogue source gave one, else the
providers' title + author cascade (`enrichment.providers.cascade.resolve_isbn`), the one an
import's rows without an ISBN go through: providers in ENRICHMENT_PROVIDERS order, a provider out
of budget or with its breaker open skipped (not failed), and the strict tiers (a title alone
never resolves; a book without an author is not searched at all).

Once a book finds every searching provider unavailable (nothing asked, nothing failed: budgets
spent, breakers open, our limits holding), the books after it are not searched: asking again
would only be refused. They stay unresolved, not final, for a later run.
"""

import logging
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from catalog import text
from enrichment.backfill.books import DiscoveredBook
from enrichment.backfill.dedupe import book_isbns
from enrichment.providers.base import Provider
from enrichment.providers.cascade import IsbnResolution, ProviderOutcome, resolve_isbn
from enrichment.providers.registry import enabled_providers

logger = logging.getLogger(__name__)

#: Why the cascade did not search for a book (`ResolvedBook.not_searched`).
NO_AUTHOR = "no_author"  # a title alone never resolves: nothing to ask
NO_TITLE = "no_title"
PROVIDERS_UNAVAILABLE = "providers_unavailable"  # every provider refused an earlier book
OUT_OF_TIME = "out_of_time"  # the caller's time was up (a task's timeout): asked later


@dataclass(slots=True)
class ResolvedBook:
    """A discovered book and the ISBN-13 it resolved to ("" when none), by `provider`: the
    discovery source's name when the source gave the ISBN, else the provider whose title search
    found it (`resolution` holds what the cascade asked and could not ask)."""

    book: DiscoveredBook
    isbn13: str = ""
    provider: str = ""
    resolution: IsbnResolution | None = None
    not_searched: str = ""  # NO_AUTHOR, NO_TITLE, PROVIDERS_UNAVAILABLE; "" when searched
    error: str = ""  # an internal error while resolving this book (it alone failed)

    @property
    def resolved(self) -> bool:
        return bool(self.isbn13)

    @property
    def final(self) -> bool:
        """False when asking again later may resolve it: a provider failed or was unavailable
        for now, the book was not asked (providers unavailable) or its search broke."""
        if self.resolved:
            return True
        if self.error or self.not_searched in (PROVIDERS_UNAVAILABLE, OUT_OF_TIME):
            return False
        if self.resolution is None:
            return True  # nothing to search by: asking again changes nothing
        return self.searched and self.resolution.is_final  # nobody asked: ask later

    @property
    def waits_for_providers(self) -> bool:
        """Nobody could be asked about it (every provider unavailable): it was not tried."""
        if self.not_searched == PROVIDERS_UNAVAILABLE:
            return True
        return self.resolution is not None and not self.resolved and not self.searched

    @property
    def not_tried(self) -> bool:
        """Nobody was asked about it for now (every provider unavailable, or the caller's time
        was up): a try is not to be recorded, it keeps its place for the next."""
        return self.waits_for_providers or self.not_searched == OUT_OF_TIME

    @property
    def searched(self) -> bool:
        """Whether a provider was asked about it (answered or failed)."""
        return self.resolution is not None and bool(self.resolution.asked or self.resolution.failed)


@dataclass(slots=True)
class Resolutions:
    """Every book's resolution, in the books' order, and the requests sent per provider (cache
    hits and requests held back by the limits are not requests)."""

    books: list[ResolvedBook] = field(default_factory=list)
    calls: dict[str, int] = field(default_factory=dict)
    # True when the run stopped asking, and what the unavailable providers said then (none
    # when no provider is enabled at all).
    stopped: bool = False
    stopped_by: list[ProviderOutcome] = field(default_factory=list)

    @property
    def resolved(self) -> list[ResolvedBook]:
        return [book for book in self.books if book.resolved]

    @property
    def unresolved(self) -> list[ResolvedBook]:
        return [book for book in self.books if not book.resolved]


def books_resolve(
    books: Sequence[DiscoveredBook],
    *,
    providers: Sequence[Provider] | None = None,
    after_each: Callable[[], None] | None = None,
    deadline: float | None = None,
) -> Resolutions:
    """Each book's ISBN-13: its source's first valid one (no request), else the cascade's.

    `after_each` is called after each book searched (a worker's heartbeat; it may raise to stop
    the run). Past `deadline` (a `time.monotonic()` value) the remaining books are not searched:
    they stay unresolved, not final (OUT_OF_TIME), so that a task ends before its timeout.
    """
    providers = enabled_providers() if providers is None else list(providers)
    # No provider at all: nobody can search (a source's ISBN still needs nobody).
    resolutions = Resolutions(stopped=not providers)
    calls: Counter[str] = Counter()
    for book in books:
        isbns = book_isbns(book)
        if isbns:  # a catalogue source's edition: its ISBN is known, nobody need be asked
            resolutions.books.append(ResolvedBook(book, isbn13=isbns[0], provider=book.source))
            continue
        if resolutions.stopped:
            resolutions.books.append(ResolvedBook(book, not_searched=PROVIDERS_UNAVAILABLE))
            continue
        if deadline is not None and time.monotonic() >= deadline:
            resolutions.books.append(ResolvedBook(book, not_searched=OUT_OF_TIME))
            continue
        resolved = _book_search(book, providers)
        if after_each is not None:
            after_each()
        resolutions.books.append(resolved)
        resolution = resolved.resolution
        if resolution is None:
            continue
        for outcome in (*resolution.asked, *resolution.failed, *resolution.skipped):
            if outcome.request_sent:
                calls[outcome.provider] += 1
        if not resolution.resolved and not resolution.asked and not resolution.failed:
            # Not one provider could search: the next books would only be refused too.
            resolutions.stopped = True
            resolutions.stopped_by = list(resolution.skipped)
    resolutions.calls = dict(calls)
    return resolutions


def _book_search(book: DiscoveredBook, providers: Sequence[Provider]) -> ResolvedBook:
    if not text.normalize_title(book.title):
        return ResolvedBook(book, not_searched=NO_TITLE)
    if not text.normalize_person_name(book.first_author):
        return ResolvedBook(book, not_searched=NO_AUTHOR)
    try:
        resolution = resolve_isbn(title=book.title, author=book.first_author, providers=providers)
    except Exception as exc:  # this book fails alone; the others are still resolved
        logger.exception("Resolving the backfill book %r failed", book.title)
        return ResolvedBook(book, error=f"Internal error: {type(exc).__name__}: {exc}"[:500])
    return ResolvedBook(
        book, isbn13=resolution.isbn13, provider=resolution.provider, resolution=resolution
    )
