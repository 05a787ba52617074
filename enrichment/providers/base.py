"""What every provider client shares: HTTP, failure classification, the cache and the limits.

A provider module only builds its requests and parses bodies into Candidates. The base class
turns everything that can go wrong into a LookupStatus: nothing raises out of `lookup_isbns`,
`lookup_keys` or `search`, whatever the provider answered (only a database that fails even to
record the fault lets its error through).

Order of a lookup: SourceRecord cache (no HTTP on a hit) -> daily budget, circuit breaker and
token bucket (`enrichment.throttle`) -> one HTTP request, its body read under a byte cap and the
whole exchange under a deadline -> parse -> text fields cut to what the catalog keeps -> cache
the (bounded) answer.

Anything else that goes wrong while handling a provider's answer (a bug our code trips on, a
database refusal of its data) becomes an UNPARSEABLE fault of that provider, recorded in its
state: a batch never stops half way because of one provider.
"""

import functools
import logging
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from typing import Any, ClassVar
from urllib.parse import quote

from django.conf import settings
from django.utils.functional import Promise

from catalog import isbn, text
from enrichment.candidates import Candidate, LookupResult, LookupStatus, RecordT
from enrichment.providers import cache
from enrichment.providers.exchange import (
    ProviderExchange,
    _Fault,
)

logger = logging.getLogger(__name__)

StrOrPromise = str | Promise

#: After one of these, the other batches of the same lookup are not sent either (a TIMEOUT
#: cost a whole request deadline: asking again would hold the worker that long per batch).
STOP_STATUSES = frozenset(
    {
        LookupStatus.TIMEOUT,
        LookupStatus.THROTTLED,
        LookupStatus.QUOTA_EXHAUSTED,
        LookupStatus.AUTH_REFUSED,
        LookupStatus.CIRCUIT_OPEN,
    }
)


#: What a batched `fetch` answers for a key its one answer cannot decide (a grouped search whose
#: answer was cut short, or whose record fits two of the group's books): that key gets no result
#: and is not cached, so the caller asks it alone.
ASK_ALONE: Any = object()


@dataclass(frozen=True, slots=True)
class TitleQuery:
    """One title + author search."""

    title: str
    author: str

    @property
    def key(self) -> str:
        return search_key(title=self.title, author=self.author)


def search_key(*, title: str, author: str) -> str:
    """The cache key of a title + author search: the same words mean the same request."""
    return cache.fit_key(
        f"search:{text.normalize_text(title)}|{text.normalize_person_name(author)}"
    )


def record_url(template: str, ids: dict[str, str], key: str) -> str:
    """`template` ("https://host/books/{}") filled with the id `ids[key]`, or "" without one.

    Only the id's last path segment is used, quoted: ids come from provider data and must not
    steer the link elsewhere.
    """
    value = str((ids or {}).get(key) or "")
    return template.format(quote(value.rsplit("/", 1)[-1], safe="")) if value else ""


def chunks(items: Sequence[str], size: int) -> Iterator[list[str]]:
    size = max(1, size)
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


@dataclass(frozen=True, slots=True)
class SettingNames:
    """The names of a provider's own settings in bookstore/settings.py ("" when it has none).

    The one place that says which setting holds a provider's rate, budget, batch size, URLs and
    key: the client and `throttle.limits_for` read them through `Provider.setting`, the start-up
    check (enrichment.checks) by these names, so no module names a provider's setting twice.
    """

    url: str = ""  # the provider's base URL (or endpoint)
    covers_url: str = ""  # where its cover images are served, when not under `url`
    api_key: str = ""
    rate: str = ""  # requests per second; no rate setting: unlimited (a local source)
    daily_budget: str = ""  # cost units per UTC day, 0 = unlimited
    max_in_flight: str = ""  # 0 = unlimited
    batch_size: str = ""  # ISBNs per request; none: `fixed_batch_size`


class Provider(ProviderExchange):
    """One data source. Subclasses describe themselves in class attributes (`name`, `label`,
    capabilities, `setting_names`, `book_url`) and implement the fetch / parse hooks below.

    Providers without a title search set `supports_search = False`: their `search` answers
    NOT_FOUND without a request, and the ISBN cascade skips them.
    """

    #: What people see on screen instead of `name`.
    label: ClassVar[StrOrPromise] = ""
    supports_search: ClassVar[bool] = True
    supports_covers: ClassVar[bool] = True
    #: Whether its answers are kept as source records (the cache); a local source keeps none.
    keeps_answers: ClassVar[bool] = True
    #: ISBNs per request when no setting says (1: no batch endpoint).
    fixed_batch_size: ClassVar[int] = 1
    setting_names: ClassVar[SettingNames] = SettingNames()

    def __repr__(self):
        return f"<{type(self).__name__} {self.name}>"

    # --- the provider's own settings, read through `setting_names` -------------------------------

    @classmethod
    def setting(cls, role: str) -> Any:
        """The value of the setting the class names for `role` (a SettingNames field: "url",
        "api_key", "rate"...), read now (an override in a test or a shell counts); None when the
        class names no setting for it."""
        name = getattr(cls.setting_names, role)
        return getattr(settings, name) if name else None

    @classmethod
    def configured_url(cls, role: str = "url") -> str:
        """A URL setting (`url`, `covers_url`) without its trailing slash; "" when not named."""
        return str(cls.setting(role) or "").rstrip("/")

    @property
    def base_url(self) -> str:
        return self.configured_url()

    @property
    def api_key(self) -> str:
        """The provider's key ("" when it names none or none is set)."""
        return str(self.setting("api_key") or "")

    # --- what a provider module may override ---------------------------------------------------

    @property
    def batch_size(self) -> int:
        """ISBNs per request, from the provider's batch-size setting if it has one."""
        value = self.setting("batch_size")
        return int(value) if value is not None else self.fixed_batch_size

    @classmethod
    def book_url(cls, ids: dict[str, str]) -> str:
        """A human page for the provider's record named by a candidate's `provider_ids`, or ""
        (no id of this provider among them)."""
        return ""

    @classmethod
    def book_pages(cls, ids: dict[str, str]) -> list[tuple[str, str]]:
        """Every page of the provider's records among `ids`, as (what it is, url): a provider
        with several kinds of record (an edition and its work) names each; most have one."""
        url = cls.book_url(ids)
        return [("", url)] if url else []

    def is_configured(self) -> bool:
        return True

    def secrets(self) -> list[str]:
        """Values never to be written into an error message or a log line (the API key)."""
        return [self.api_key] if self.api_key else []

    def request_cost(self, isbns: Sequence[str]) -> int:
        """Units of the daily budget one batch request uses."""
        return 1

    def fetch_isbns(self, isbns: list[str]) -> dict[str, Any]:
        """One request for these ISBN-13s -> {isbn13: payload} for those the provider answered.

        A missing key means "no match". Raise ProviderFault or UnexpectedShape on a bad answer.
        """
        raise NotImplementedError

    def parse_isbn(self, isbn13: str, payload: Any) -> list[Candidate]:
        """The Candidates in one ISBN's payload that really are that ISBN (may be none)."""
        raise NotImplementedError

    def fetch_search(self, *, title: str, author: str) -> Any:
        raise NotImplementedError

    def parse_search(self, payload: Any) -> list[Candidate]:
        raise NotImplementedError

    # --- the interface the engine calls ---------------------------------------------------------

    def lookup_isbns(self, isbns: Sequence[str]) -> dict[str, LookupResult]:
        """One LookupResult per asked ISBN, keyed by its ISBN-13 (an invalid ISBN: by itself).

        Cached answers are reused; the rest are asked `batch_size` at a time.
        """
        results: dict[str, LookupResult] = {}
        try:
            self._lookup_isbns(isbns, results)
        except Exception as exc:
            # Keys answered before the failure keep their answer; the others get the fault.
            fault = self._internal_fault(exc)
            for raw in isbns:
                key = isbn.to_isbn13(raw) or isbn.canonicalize(raw) or str(raw)
                if key not in results:
                    results[key] = self._fault_result(key, fault)
        return results

    def _lookup_isbns(self, isbns: Sequence[str], results: dict[str, LookupResult]) -> None:
        wanted: dict[str, None] = {}  # ordered and without repeats
        for raw in isbns:
            isbn13 = isbn.to_isbn13(raw)
            if isbn13 is None:
                key = isbn.canonicalize(raw) or str(raw)
                results[key] = self._result(key, LookupStatus.NOT_FOUND, error="not a valid ISBN")
            else:
                wanted[isbn13] = None
        self._lookup_keys(
            list(wanted),
            results,
            fetch=self.fetch_isbns,
            parser=self._isbn_parser,
            batch_size=self.batch_size,
            cost=self.request_cost,
        )

    def lookup_keys(
        self,
        keys: Sequence[str],
        *,
        fetch: Callable[[list[str]], dict[str, Any]],
        parser: Callable[[str], Callable[[Any], list[RecordT]]],
        batch_size: int,
        cost: Callable[[list[str]], int] | None = None,
    ) -> dict[str, LookupResult[RecordT]]:
        """One LookupResult per key ("author:OL23919A", "wikidata-openlibrary:OL23919A"...), as
        `lookup_isbns` answers ISBNs: cached answers are reused and the rest asked `batch_size`
        keys a request. `fetch(keys)` sends one request and returns {key: payload} for the keys
        answered (a key left out is "no match"; ASK_ALONE: undecided, left out of the answer
        and the cache); `parser(key)` reads one key's payload.
        """
        results: dict[str, LookupResult[RecordT]] = {}
        try:
            self._lookup_keys(
                list(dict.fromkeys(keys)),
                results,
                fetch=fetch,
                parser=parser,
                batch_size=batch_size,
                cost=cost,
            )
        except Exception as exc:
            # Keys answered before the failure keep their answer; the others get the fault.
            fault = self._internal_fault(exc)
            for key in keys:
                if key not in results:
                    results[key] = self._fault_result(key, fault)
        return results

    def _lookup_keys(
        self,
        keys: list[str],
        results: dict[str, LookupResult[RecordT]],
        *,
        fetch: Callable[[list[str]], dict[str, Any]],
        parser: Callable[[str], Callable[[Any], list[RecordT]]],
        batch_size: int,
        cost: Callable[[list[str]], int] | None,
    ) -> None:
        """The batched lookup of distinct keys: the cache in one query, then one request per
        `batch_size` keys, each batch's answers cached at once."""
        if not self.is_configured():
            for key in keys:
                results[key] = self._result(key, LookupStatus.NOT_CONFIGURED)
            return

        cached_records = self._read_cache([cache.cache_key(key) for key in keys])
        missing = []
        for key in keys:
            record = cached_records.get(cache.cache_key(key))
            cached = record and self._cached_result(key, record, parser(key))
            if cached:
                results[key] = cached
            else:
                missing.append(key)

        stop: _Fault | None = None
        for chunk in chunks(missing, batch_size):
            send = functools.partial(fetch, chunk)
            chunk_cost = cost(chunk) if cost else 1
            outcome = stop or self._exchange_after_429(cost=chunk_cost, send=send)
            if isinstance(outcome, _Fault):
                for key in chunk:
                    results[key] = self._fault_result(key, outcome)
                if outcome.status in STOP_STATUSES and stop is None:
                    stop = replace(outcome, error=f"not asked after: {outcome.error}")
                continue
            entries: list[tuple[LookupResult[Any], Any]] = []
            for key in chunk:
                payload = outcome.get(key)
                if payload is ASK_ALONE:
                    continue
                result = self._answer(key, payload, parser(key))
                entries.append((result, payload))
                results[key] = result
            self._write_cache(entries)

    def search(self, *, title: str, author: str) -> LookupResult:
        """Candidates for a title + author. Not every candidate is that book: match them."""
        key = search_key(title=title, author=author)
        if not self.supports_search:
            return self._result(key, LookupStatus.NOT_FOUND, error="no title search")
        if not text.normalize_text(title):
            return self._result(key, LookupStatus.NOT_FOUND, error="no title to search for")
        return self.lookup_one(
            key=key,
            fetch=lambda: self.fetch_search(title=title, author=author),
            parse=self.parse_search,
        )

    def search_many(self, queries: Sequence[TitleQuery]) -> list[LookupResult]:
        """`search` for each query, answers in the same order; after a search that ends in a
        STOP_STATUSES fault (a timeout: a whole deadline) the others are not sent (their cached
        answers still count), as the other batches of a batched lookup. A provider whose search
        takes several queries a request (Open Library) overrides it."""
        results: list[LookupResult] = []
        stop: _Fault | None = None
        for query in queries:
            if stop is None or not text.normalize_text(query.title):
                result = self.search(title=query.title, author=query.author)  # sends nothing
            else:
                result = self.lookup_one(
                    key=query.key,
                    fetch=lambda: None,  # never called: `stop` answers what the cache lacks
                    parse=self.parse_search,
                    stop=stop,
                )
            if stop is None and result.status in STOP_STATUSES:
                stop = _Fault(
                    result.status,
                    f"not asked after: {result.error}",
                    result.retry_after,
                    result.fault,
                    asked=result.asked,
                )
            results.append(result)
        return results

    # --- plumbing for provider modules ------------------------------------------------------------

    def lookup_one(
        self,
        *,
        key: str,
        fetch: Callable[[], Any],
        parse: Callable[[Any], list[RecordT]],
        stop: _Fault | None = None,
    ) -> LookupResult[RecordT]:
        """One cached request: a search, or a record by the provider's own id.

        `fetch` returns the payload to cache (None: no such record); with `stop`, a key not in
        the cache gets that fault and nothing is sent.
        """
        try:
            return self._lookup_one(key=key, fetch=fetch, parse=parse, stop=stop)
        except Exception as exc:
            return self._fault_result(key, self._internal_fault(exc))

    def _lookup_one(
        self,
        *,
        key: str,
        fetch: Callable[[], Any],
        parse: Callable[[Any], list[RecordT]],
        stop: _Fault | None,
    ) -> LookupResult[RecordT]:
        if not self.is_configured():
            return self._result(key, LookupStatus.NOT_CONFIGURED)
        record = self._read_cache([key]).get(key)
        cached = record and self._cached_result(key, record, parse)
        if cached:
            return cached
        outcome = stop or self._exchange_after_429(cost=1, send=lambda: {key: fetch()})
        if isinstance(outcome, _Fault):
            return self._fault_result(key, outcome)
        result = self._answer(key, outcome[key], parse)
        self._write_cache([(result, outcome[key])])
        return result

    def _exchange_after_429(self, *, cost: int, send: Callable[[], Any]) -> Any:
        """One request; after a 429 one more try: the limiter now holds every worker until its
        Retry-After, and when that fits in max_wait, waiting beats failing the books asked (a
        batch, or a single search: a timing jitter's 429 would back it off for a minute)."""
        outcome = self._exchange(cost=cost, send=send)
        if isinstance(outcome, _Fault) and outcome.status == LookupStatus.THROTTLED:
            outcome = self._exchange(cost=cost, send=send)
        return outcome

    def _isbn_parser(self, isbn13: str) -> Callable[[Any], list[Candidate]]:
        def parse(payload: Any) -> list[Candidate]:
            candidates = self.parse_isbn(isbn13, payload)
            for candidate in candidates:
                candidate.queried_isbn = isbn13
            return candidates

        return parse
