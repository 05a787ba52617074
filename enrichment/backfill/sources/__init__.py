"""Discovery sources by name, the ones BACKFILL_SOURCES enables, and one month's discovery."""

import logging

from django.conf import settings

from enrichment.backfill.books import DiscoveredBook, Discovery
from enrichment.backfill.sources.base import DiscoverySource, SourceAnswer
from enrichment.providers.registry import import_if_present

logger = logging.getLogger(__name__)

SOURCE_CLASSES = {
    "openlibrary_dump": "enrichment.backfill.sources.openlibrary_dump.OpenLibraryDumpSource",
    "openlibrary_search": "enrichment.backfill.sources.openlibrary_search.OpenLibrarySearchSource",
    "llm": "enrichment.backfill.sources.llm.LlmSource",
}


def source_class(name: str) -> type[DiscoverySource] | None:
    """The class of the source `name`; None for a name the project does not know, or whose
    module is missing (a screen showing old data must not fail on it)."""
    path = SOURCE_CLASSES.get(name)
    return import_if_present(path) if path is not None else None


def source_label(name: str) -> str:
    cls = source_class(name)
    return str(cls.label) if cls is not None and cls.label else name


def proposing_sources() -> frozenset[str]:
    """The names of the sources whose books are proposals only (`proposes_only`)."""
    return frozenset(
        name for name in SOURCE_CLASSES if (cls := source_class(name)) and cls.proposes_only
    )


def enabled_sources() -> list[DiscoverySource]:
    """The sources BACKFILL_SOURCES names, in its order, that are set up (an unknown name is
    left out: the start-up check names it)."""
    sources = []
    for name in settings.BACKFILL_SOURCES:
        cls = source_class(name)
        if cls is None:
            logger.warning("Unknown backfill source %r in BACKFILL_SOURCES: skipped", name)
            continue
        source = cls()
        if source.is_configured():
            sources.append(source)
    return sources


def discover_month(
    *, year: int, month: int, limit: int | None = None, sources: list[DiscoverySource] | None = None
) -> Discovery:
    """Ask each source for the month's books (up to `limit` each, BACKFILL_BOOKS_PER_MONTH by
    default) and keep each book once: a book several sources name keeps the first source's
    record, the others are listed in its `also_from` (and lend it the ISBNs it lacked)."""
    from enrichment.backfill.dedupe import distinct_books

    limit = settings.BACKFILL_BOOKS_PER_MONTH if limit is None else limit
    sources = enabled_sources() if sources is None else sources
    discovery = Discovery()
    found: list[DiscoveredBook] = []
    for source in sources:
        try:
            answer = source.discover(year=year, month=month, limit=limit)
        except Exception as exc:  # a bug in one source: the others still answer
            logger.exception("Backfill source %s failed for %04d-%02d", source.name, year, month)
            answer = SourceAnswer(error=f"Internal error: {exc}"[:500])
        for book in answer.books:
            book.source = book.source or source.name
        found.extend(answer.books)
        discovery.found[source.name] = len(answer.books)
        discovery.calls[source.name] = answer.calls
        if answer.error:
            discovery.errors[source.name] = answer.error
    discovery.books = distinct_books(found)
    return discovery
