"""Open Library's search API as a discovery source: a year's works, most editions (or best
rated) first, kept by the month of their first dated edition.

`search.json?q=first_publish_year:YYYY&sort=editions` lists the works first published in a
year; the month comes from each work's `publish_date` list: a work belongs to the month of its
earliest date with a month, when no earlier date exists (the rule of
`enrichment.publication_dates.first_published_in`, with `first_publish_year` as a year-only
date). A work whose dates give no month belongs to no month.

Every page goes through the Open Library provider's own machinery
(`Provider.lookup_one`): its rate limit, daily budget, circuit breaker, byte cap and request
deadline apply, and the SourceRecord cache keeps each page of a year, so the twelve months of
one year cost its pages once. Each cached page holds only what discovery reads.
"""

import functools
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from enrichment.backfill.books import DiscoveredBook
from enrichment.backfill.sources import openlibrary_common as common
from enrichment.backfill.sources.base import DiscoverySource, SourceAnswer
from enrichment.candidates import LookupResult, LookupStatus, lookup_status_label
from enrichment.faults import NOT_REACHED_KINDS
from enrichment.providers import cache, fields, openlibrary
from enrichment.providers.base import Provider
from enrichment.providers.exchange import REQUESTS_SENT
from enrichment.providers.openlibrary import olid
from enrichment.providers.registry import get_provider, provider_label
from enrichment.publication_dates import first_published_in, openlibrary_publish_month

PROVIDER = "openlibrary"
#: Only the fields discovery reads (the answer stays small, and so does its cache record).
SEARCH_FIELDS = "key,title,author_name,edition_count,first_publish_year,publish_date,isbn,subject"
PAGE_SIZE = 100
SORTS = ("editions", "rating")
#: Part of each page's cache key: a change of what a cached page holds must bump it.
PAGE_FORMAT = 1


@dataclass(slots=True)
class SearchWork:
    """One work of a search page: the book it would be, and its publication months (YYYYMM,
    YYYY00 for a year alone; only those up to the searched year's end: later ones cannot
    change which month the work belongs to)."""

    book: DiscoveredBook
    publish_months: list[int]


@dataclass(slots=True)
class SearchPage:
    """A page of a year's search, as the provider machinery hands it back (it sets
    `cache_key` on every record it parses)."""

    works: list[SearchWork] = field(default_factory=list)
    num_found: int | None = None  # the year's works, when the answer says
    docs: int = 0  # docs on the page, kept or not: fewer than PAGE_SIZE is the last page
    cache_key: str = ""


def page_key(*, year: int, sort: str, page: int) -> str:
    """The cache key of one page: the same year, order and page are the same request."""
    return cache.fit_key(
        f"backfill-search:v{PAGE_FORMAT}:first_publish_year:{year}:sort={sort}"
        f":limit={PAGE_SIZE}:page={page}"
    )


def compact_doc(doc: Any, *, year: int) -> dict | None:
    """A search doc reduced to what discovery reads, each value checked and capped (the docs
    come from outside: any field may be missing or of another type). None: not a work."""
    if not isinstance(doc, dict):
        return None
    work_id = olid(doc.get("key"), "W")
    title = common.capped_title(doc.get("title"))
    if not title or not work_id:
        return None
    isbn13s, _ = fields.isbn_lists(fields.as_list(doc.get("isbn"))[: 4 * common.ISBNS_MAX_COUNT])
    end_of_year = year * 100 + 12
    months = {openlibrary_publish_month(date) for date in fields.as_list(doc.get("publish_date"))}
    edition_count = doc.get("edition_count")
    return {
        "key": work_id,
        "title": title,
        "authors": common.capped_authors(fields.as_list(doc.get("author_name"))),
        "edition_count": edition_count
        if isinstance(edition_count, int) and not isinstance(edition_count, bool)
        else None,
        "first_publish_year": fields.positive_int(doc.get("first_publish_year")),
        "isbns": common.capped_isbn13s(isbn13s),
        "genres": common.capped_genres(fields.as_list(doc.get("subject"))),
        "publish_months": sorted(m for m in months if m is not None and m <= end_of_year),
    }


def fetch_page(provider: Provider, *, year: int, sort: str, page: int) -> dict:
    """One request for a page; the payload to cache (raises on an answer of the wrong shape:
    the machinery makes it an UNPARSEABLE fault; on one that is only Open Library's error, a
    search its Solr could not run: a server error, never the month's last page)."""
    body = openlibrary.read_error_body(
        provider.get_json(
            f"{provider.base_url}/search.json",
            params={
                "q": f"first_publish_year:{year}",
                "sort": sort,
                "fields": SEARCH_FIELDS,
                "limit": PAGE_SIZE,
                "page": page,
            },
        )
    )
    fields.expect(body, dict, "search answer")
    docs = fields.expect(body.get("docs", []), list, "search docs")
    num_found = body.get("num_found", body.get("numFound"))
    return {
        "num_found": num_found if type(num_found) is int else None,
        "docs": len(docs),
        "works": [work for doc in docs if (work := compact_doc(doc, year=year))],
    }


def parse_page(payload: Any) -> list[SearchPage]:
    """A cached (or fresh) page payload -> [SearchPage]. Raises on a payload of another shape
    (an older format in the cache: it is asked again)."""
    fields.expect(payload, dict, "search page")
    num_found = payload["num_found"]
    page = SearchPage(
        num_found=None if num_found is None else int(num_found), docs=int(payload["docs"])
    )
    for work in fields.expect(payload["works"], list, "search page works"):
        page.works.append(
            SearchWork(
                book=DiscoveredBook(
                    title=work["title"],
                    authors=list(work["authors"]),
                    source=OpenLibrarySearchSource.name,
                    genres=list(work["genres"]),
                    isbns=list(work["isbns"]),
                    openlibrary_work_key=work["key"],
                    edition_count=work["edition_count"],
                    extra={"first_publish_year": work["first_publish_year"]},
                ),
                publish_months=[
                    *work["publish_months"],
                    # The year alone: an earlier first year rules the work out of this year.
                    *([work["first_publish_year"] * 100] if work["first_publish_year"] else []),
                ],
            )
        )
    return [page]


def works_of_month(works: Iterable[SearchWork], *, year: int, month: int) -> list[DiscoveredBook]:
    """The page's works first published in `month` of `year`, in the page's order."""
    return [
        replace(work.book, year=year, month=month)
        for work in works
        if first_published_in(work.publish_months, year=year, month=month)
    ]


def failure_text(result: LookupResult[Any]) -> str:
    """Why a page has no answer, for people: "Open Library: its daily quota is spent (...)".
    A request that never reached the server (no network, DNS, refused, TLS) is said as its
    fault says it ("openlibrary.org could not be found (DNS lookup failed)"): the exchange
    files it as a server error, which the server never made."""
    if result.fault is not None and result.fault.kind in NOT_REACHED_KINDS:
        return f"{provider_label(PROVIDER)}: {result.fault.message}"
    text = f"{provider_label(PROVIDER)}: {lookup_status_label(result.status)}"
    return f"{text} ({result.error})" if result.error else text


class OpenLibrarySearchSource(DiscoverySource):
    name = "openlibrary_search"
    label = _("Open Library search")

    def __init__(self, provider: Provider | None = None):
        # A test passes a provider on its own clock; a run builds the configured one.
        self._provider = provider

    @property
    def provider(self) -> Provider | None:
        if self._provider is None:
            self._provider = get_provider(PROVIDER)
        return self._provider

    def is_configured(self) -> bool:
        return self.provider is not None and bool(self.provider.base_url)

    def discover(self, *, year: int, month: int, limit: int) -> SourceAnswer:
        provider = self.provider
        sort = settings.BACKFILL_SEARCH_SORT
        if sort not in SORTS:
            return SourceAnswer(
                error=gettext("BACKFILL_SEARCH_SORT must be one of %(sorts)s, not %(sort)r.")
                % {"sorts": ", ".join(SORTS), "sort": sort}
            )
        if provider is None or not provider.base_url:
            return SourceAnswer(error=gettext("OPENLIBRARY_URL is not set."))
        if limit <= 0:
            return SourceAnswer()
        books: list[DiscoveredBook] = []
        sent_before = REQUESTS_SENT[provider.name]
        error = ""
        for number in range(1, max(0, settings.BACKFILL_SEARCH_PAGES) + 1):
            result = provider.lookup_one(
                key=page_key(year=year, sort=sort, page=number),
                fetch=functools.partial(fetch_page, provider, year=year, sort=sort, page=number),
                parse=parse_page,
            )
            if result.status != LookupStatus.FOUND:
                error = failure_text(result)  # the pages already read still count
                break
            [page] = result.candidates
            books.extend(works_of_month(page.works, year=year, month=month))
            last_page = page.docs < PAGE_SIZE or (
                page.num_found is not None and number * PAGE_SIZE >= page.num_found
            )
            if len(books) >= limit or last_page:
                break
        calls = REQUESTS_SENT[provider.name] - sent_before
        return SourceAnswer(books=books[:limit], calls=calls, error=error)
