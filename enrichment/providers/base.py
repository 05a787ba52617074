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
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, ClassVar
from urllib.parse import quote

import requests
from django.conf import settings
from django.utils.functional import Promise

from catalog import isbn, text
from enrichment import throttle
from enrichment.candidates import Candidate, LookupResult, LookupStatus, RecordT
from enrichment.faults import (
    ClassifiedFault,
    FaultKind,
    classify_fault,
    host_of,
    strip_url_queries,
)
from enrichment.http_deadline import Watchdog
from enrichment.models import SourceRecord
from enrichment.providers import cache, fields, http
from enrichment.providers.http import ProviderFault

logger = logging.getLogger(__name__)

StrOrPromise = str | Promise

#: The longest a lookup waits for its turn under the rate limit before answering THROTTLED.
DEFAULT_MAX_WAIT_SECONDS = 10.0
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
#: HTTP requests sent by this process, per provider (enrich_missing's summary reads the change).
REQUESTS_SENT: Counter = Counter()
# Errors a parser raises on a body it misreads; anything else is a bug (logged with its trace).
PARSE_ERRORS = (LookupError, ValueError, TypeError, AttributeError)


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
class _Fault:
    status: LookupStatus
    error: str
    retry_after: float | None = None
    fault: ClassifiedFault | None = None  # None: the request was not sent (see `asked`)
    asked: bool = True


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


class Provider:
    """One data source. Subclasses describe themselves in class attributes (`name`, `label`,
    capabilities, `setting_names`, `book_url`) and implement the fetch / parse hooks below.

    Providers without a title search set `supports_search = False`: their `search` answers
    NOT_FOUND without a request, and the ISBN cascade skips them.
    """

    #: The key stored in the data (SourceRecord, audit log, covers) and used in settings.
    name: ClassVar[str] = ""
    #: What people see on screen instead of `name`.
    label: ClassVar[StrOrPromise] = ""
    supports_search: ClassVar[bool] = True
    supports_covers: ClassVar[bool] = True
    #: ISBNs per request when no setting says (1: no batch endpoint).
    fixed_batch_size: ClassVar[int] = 1
    setting_names: ClassVar[SettingNames] = SettingNames()

    def __init__(
        self,
        *,
        clock: throttle.Clock = time.time,
        sleep: throttle.Sleep = time.sleep,
        max_wait: float = DEFAULT_MAX_WAIT_SECONDS,
    ):
        self.clock = clock
        self.sleep = sleep
        self.max_wait = max_wait

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

    def is_daily_quota_answer(self, status: int, body: str) -> bool:
        """Whether a 429/403 (its status and the start of its body) says the day's quota is
        spent (not just "slow down")."""
        return False

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
        answered (a key left out is "no match"); `parser(key)` reads one key's payload.
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
            outcome = stop or self._exchange(cost=chunk_cost, send=send)
            if (
                stop is None
                and isinstance(outcome, _Fault)
                and outcome.status == LookupStatus.THROTTLED
            ):
                # A 429: the limiter now holds every worker until its Retry-After; when that
                # fits in max_wait, waiting beats failing the whole batch. One more try.
                outcome = self._exchange(cost=chunk_cost, send=send)
            if isinstance(outcome, _Fault):
                for key in chunk:
                    results[key] = self._fault_result(key, outcome)
                if outcome.status in STOP_STATUSES and stop is None:
                    stop = replace(outcome, error=f"not asked after: {outcome.error}")
                continue
            entries: list[tuple[LookupResult[Any], Any]] = []
            for key in chunk:
                payload = outcome.get(key)
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

    # --- plumbing for provider modules ------------------------------------------------------------

    def lookup_one(
        self, *, key: str, fetch: Callable[[], Any], parse: Callable[[Any], list[RecordT]]
    ) -> LookupResult[RecordT]:
        """One cached request: a search, or a record by the provider's own id.

        `fetch` returns the payload to cache (None: no such record).
        """
        try:
            return self._lookup_one(key=key, fetch=fetch, parse=parse)
        except Exception as exc:
            return self._fault_result(key, self._internal_fault(exc))

    def _lookup_one(
        self, *, key: str, fetch: Callable[[], Any], parse: Callable[[Any], list[RecordT]]
    ) -> LookupResult[RecordT]:
        if not self.is_configured():
            return self._result(key, LookupStatus.NOT_CONFIGURED)
        record = self._read_cache([key]).get(key)
        cached = record and self._cached_result(key, record, parse)
        if cached:
            return cached
        outcome = self._exchange(cost=1, send=lambda: {key: fetch()})
        if isinstance(outcome, _Fault):
            return self._fault_result(key, outcome)
        result = self._answer(key, outcome[key], parse)
        self._write_cache([(result, outcome[key])])
        return result

    def get_json(self, url: str, *, allow_404: bool = False, **kwargs) -> Any:
        """GET a JSON body. With `allow_404`, a 404 is "no such record" and returns None."""
        return self.request_json("GET", url, allow_404=allow_404, **kwargs)

    def request_json(self, method: str, url: str, *, allow_404: bool = False, **kwargs) -> Any:
        """Send one request and decode its JSON body, read under ENRICHMENT_MAX_RESPONSE_BYTES.

        The whole exchange (connect, headers, body, an error's body) ends within
        throttle.request_seconds(): past it, a TIMEOUT fault.
        """
        headers = {"User-Agent": http.user_agent(), "Accept": "application/json"}
        headers.update(kwargs.pop("headers", None) or {})
        timeouts = (settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT, settings.ENRICHMENT_HTTP_READ_TIMEOUT)
        # The socket timeouts bound each read; the watchdog bounds their sum, so a provider
        # that drips one byte inside every read timeout cannot hold a worker.
        with Watchdog(
            throttle.request_seconds(), timeouts=timeouts, error=http.deadline_fault
        ) as watchdog:
            try:
                # stream=True: the body is read by read_body, under the cap, never whole at once.
                with http.session_for(type(self)).request(
                    method, url, headers=headers, timeout=watchdog.timeouts(), stream=True, **kwargs
                ) as response:
                    if response.status_code == 404 and allow_404:
                        return None
                    if not 200 <= response.status_code < 300:
                        http.raise_for_status(
                            response,
                            redact=self._redact,
                            is_daily_quota_answer=self.is_daily_quota_answer,
                            now=self.clock(),
                        )
                    body = http.read_body(response, limit=settings.ENRICHMENT_MAX_RESPONSE_BYTES)
            except Exception as exc:
                if watchdog.expired:  # whatever the cut-off socket raised, the deadline did it
                    raise watchdog.error() from exc
                if isinstance(exc, requests.RequestException):
                    raise http.transport_fault(exc, redact=self._redact, url=url) from exc
                raise
            if watchdog.expired:  # a body without a length "ends" when its socket is shut down
                raise watchdog.error()
        content_type = response.headers.get("Content-Type", "")
        return http.decode_json(body, content_type=content_type, redact=self._redact)

    # --- internals -------------------------------------------------------------------------------

    def _exchange(
        self, *, cost: int, send: Callable[[], dict[str, Any]]
    ) -> dict[str, Any] | _Fault:
        """Ask the limits for a turn, send, and tell the limits how it went."""
        limits = throttle.limits_for(self.name)
        permit = throttle.acquire_permit(
            provider=self.name,
            limits=limits,
            cost=cost,
            max_wait=self.max_wait,
            clock=self.clock,
            sleep=self.sleep,
        )
        if not permit.granted:  # not sent: unavailable for now, no fault of the provider
            status = permit.status or LookupStatus.THROTTLED  # a refusal always says why
            return _Fault(status, permit.reason, permit.retry_after, asked=False)
        status, fault, quota_exhausted = LookupStatus.FOUND, None, False
        REQUESTS_SENT[self.name] += 1
        try:
            value = send()
            if not isinstance(value, dict):
                raise TypeError("fetch hooks return a dict")
        except ProviderFault as exc:
            status, quota_exhausted = exc.status, exc.quota_exhausted
            fault = self._fault(exc.status, exc.error, exc.retry_after, classified=exc.fault)
        except PARSE_ERRORS as exc:
            status = LookupStatus.UNPARSEABLE
            fault = self._fault(status, self._redact(f"{type(exc).__name__}: {exc}"))
            logger.warning("%s: unreadable answer: %s", self.name, fault.error)
        except Exception as exc:
            # A bug our code trips on with this answer: the provider's fault for now, on record.
            logger.exception("%s: internal error while handling the answer", self.name)
            status = LookupStatus.UNPARSEABLE
            error = self._redact(f"internal error: {type(exc).__name__}: {exc}")
            fault = self._fault(status, error, kind=FaultKind.OTHER)
        except BaseException:
            # Interrupted (KeyboardInterrupt, SystemExit): free the slot, then let it propagate.
            throttle.record_outcome(
                permit=permit, status=LookupStatus.UNPARSEABLE, limits=limits, clock=self.clock
            )
            raise
        throttle.record_outcome(
            permit=permit,
            status=status,
            limits=limits,
            retry_after=fault.retry_after if fault else None,
            error=fault.error if fault else "",
            fault=fault.fault if fault else None,
            quota_exhausted=quota_exhausted,
            clock=self.clock,
        )
        if fault and fault.fault:  # one line, with no URL query: no other books' ISBNs
            logger.info("%s: %s", self.name, fault.fault.message)
        return fault or value

    def _fault(
        self,
        status: LookupStatus,
        error: str,
        retry_after: float | None = None,
        *,
        classified: ClassifiedFault | None = None,
        kind: str = "",
    ) -> _Fault:
        """A fault of a request that was sent, classified (enrichment.faults), with this
        provider's name and, when the error named none, the host its requests go to."""
        error = strip_url_queries(error)
        classified = classified or classify_fault(error=error, status=status)
        classified = replace(
            classified,
            provider=self.name,
            kind=kind or classified.kind,
            host=classified.host or host_of(self.base_url),
        )
        return _Fault(status, error, retry_after, classified)

    def _internal_fault(self, exc: Exception) -> _Fault:
        """An exception outside the request itself (parsing, cache, the throttle's own
        bookkeeping): logged, recorded in the provider's state, answered as a fault."""
        logger.exception("%s: internal error while handling a lookup", self.name)
        error = self._redact(f"internal error: {type(exc).__name__}: {exc}")
        fault = self._fault(LookupStatus.UNPARSEABLE, error, kind=FaultKind.OTHER)
        throttle.record_error(
            provider=self.name,
            error=error,
            limits=throttle.limits_for(self.name),
            clock=self.clock,
            fault=fault.fault,
        )
        return fault

    def _isbn_parser(self, isbn13: str) -> Callable[[Any], list[Candidate]]:
        def parse(payload: Any) -> list[Candidate]:
            candidates = self.parse_isbn(isbn13, payload)
            for candidate in candidates:
                candidate.queried_isbn = isbn13
            return candidates

        return parse

    def _answer(
        self, key: str, payload: Any, parse: Callable[[Any], list[RecordT]]
    ) -> LookupResult[RecordT]:
        """The provider answered: FOUND with Candidates (or the provider's other records),
        else NOT_FOUND (a mismatch is none)."""
        try:
            candidates = parse(payload) if payload is not None else []
        except PARSE_ERRORS as exc:
            logger.warning("%s: unreadable record %s: %s", self.name, key, exc)
            return self._fault_result(
                key, self._fault(LookupStatus.UNPARSEABLE, f"{type(exc).__name__}: {exc}")
            )
        for candidate in candidates:
            fields.cap_record(candidate)
            candidate.cache_key = cache.cache_key(key)
        status = LookupStatus.FOUND if candidates else LookupStatus.NOT_FOUND
        return self._result(key, status, candidates=candidates)

    def _cached_result(
        self, key: str, record: SourceRecord, parse: Callable[[Any], list[RecordT]]
    ) -> LookupResult[RecordT] | None:
        result = self._answer(key, record.payload, parse)
        if result.status == LookupStatus.UNPARSEABLE:
            return None  # a payload today's parser cannot read: ask again
        result.from_cache = True
        return result

    def _read_cache(self, keys: list[str]) -> dict[str, SourceRecord]:
        return cache.read(provider=self.name, keys=keys, now=self._now())

    def _write_cache(self, entries: list[tuple[LookupResult[Any], Any]]) -> None:
        cache.write(provider=self.name, entries=entries, now=self._now())

    def _now(self) -> datetime:
        return datetime.fromtimestamp(self.clock(), tz=UTC)

    def _fault_result(self, key: str, fault: _Fault) -> LookupResult[Any]:
        return self._result(
            key,
            fault.status,
            error=fault.error,
            retry_after=fault.retry_after,
            fault=fault.fault,
            asked=fault.asked,
        )

    def _result(self, key: str, status: LookupStatus, **fields) -> LookupResult[Any]:
        return LookupResult(provider=self.name, key=key, status=status, **fields)

    def _redact(self, message: str) -> str:
        for secret in self.secrets():
            if secret:
                message = message.replace(secret, "***")
        return message
