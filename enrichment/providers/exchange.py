"""The HTTP side every provider client shares: one request under the limits and a deadline,
its faults classified, and the cache of answers. `enrichment.providers.base.Provider` builds the
lookups on it; provider modules call `get_json` / `request_json`.
"""

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, ClassVar

from django.conf import settings

from bookstore import log_context
from bookstore.db_clock import database_now
from enrichment import throttle
from enrichment.candidates import LookupResult, LookupStatus, RecordT
from enrichment.faults import (
    ClassifiedFault,
    FaultKind,
    classify_fault,
    fault_detail,
    host_of,
    reached_the_server,
    strip_url_queries,
)
from enrichment.models import SourceRecord
from enrichment.providers import cache, fields, http, settle
from enrichment.providers.http import ProviderFault

logger = logging.getLogger(__name__)

#: The longest a lookup waits for its turn under the rate limit before answering THROTTLED.
DEFAULT_MAX_WAIT_SECONDS = 10.0
#: HTTP requests this process sent that reached the provider (faults.reached_the_server), per
#: provider: the calls enrich_missing's summary and a backfill month count (they read the change).
REQUESTS_SENT: Counter = Counter()
PARSE_ERRORS = fields.PARSE_ERRORS


@dataclass(frozen=True, slots=True)
class _Fault:
    status: LookupStatus
    error: str
    retry_after: float | None = None
    fault: ClassifiedFault | None = None  # None: the request was not sent (see `asked`)
    asked: bool = True


def held_fault_status(fault: ClassifiedFault) -> LookupStatus:
    """The lookup status of a fault an open breaker holds back (throttle.held_fault)."""
    if fault.kind == FaultKind.UNPARSEABLE:
        return LookupStatus.UNPARSEABLE
    return LookupStatus.SERVER_ERROR


class ProviderExchange:
    """A provider's requests and answers: see the module docstring."""

    #: The key stored in the data (SourceRecord, audit log, covers) and used in settings.
    name: ClassVar[str] = ""

    def __init__(
        self,
        *,
        clock: throttle.Clock | None = None,
        sleep: throttle.Sleep = time.sleep,
        max_wait: float = DEFAULT_MAX_WAIT_SECONDS,
    ):
        # None: the limits, the cache and a Retry-After date read the clock every process
        # shares (throttle.shared_now).
        self.clock = clock
        self.sleep = sleep
        self.max_wait = max_wait

    @property
    def base_url(self) -> str:
        """Where the provider's requests go (a fault that names no host names this one's)."""
        return ""

    def secrets(self) -> list[str]:
        """Values never to be written into an error message or a log line (API keys)."""
        return []

    def is_daily_quota_answer(self, status: int, body: str) -> bool:
        """Whether a 429/403 (its status and the start of its body) says the day's quota is
        spent (not just "slow down")."""
        return False

    def is_not_found_answer(self, body: Any) -> bool:
        """Whether a 404's body (its JSON; None when it is not JSON) is this provider's own "no
        such record". False by default: a provider that does not say answers no 404 that means
        it (Archive.org's unknown item is a 200 `{}`)."""
        return False

    def get_json(self, url: str, *, allow_404: bool = False, **kwargs) -> Any:
        """GET a JSON body. With `allow_404`, a 404 the provider's `is_not_found_answer` knows
        is "no such record" and returns None."""
        return self.request_json("GET", url, allow_404=allow_404, **kwargs)

    def request_json(self, method: str, url: str, *, allow_404: bool = False, **kwargs) -> Any:
        """Send one request and decode its JSON body, read under ENRICHMENT_MAX_RESPONSE_BYTES.

        The whole exchange (connect, headers, body, an error's body) ends within
        throttle.request_seconds(): past it, a TIMEOUT fault.
        """
        try:
            return self._request_json(method, url, **kwargs)
        except ProviderFault as fault:
            if not allow_404 or fault.fault.http_status != 404:
                raise
            return self._not_found(fault)

    def _not_found(self, fault: ProviderFault) -> None:
        """None for a 404 whose body is the provider's "no such record"; any other 404 (a
        proxy's or a wrong base URL's HTML page, an empty body) is the fault it was, with a note
        that says so: cached as "not found", it would hide the book from this provider for weeks.
        The provider reads the body as it came (`ProviderFault.body`, decoded as any answer is),
        never the fault's quoted, cut and redacted text."""
        try:
            body = http.decode_json(fault.body, content_type="", redact=self._redact)
        except ProviderFault:
            body = None
        if self.is_not_found_answer(body):
            return None
        start = fault.error.removeprefix("HTTP 404: ")
        error = (
            f'HTTP 404 that is not {self.name}\'s "no such record" answer (a wrong base URL, or a '
            f"proxy's page?): not taken as not found: {start}"
        )
        raise ProviderFault(
            fault.status,
            error,
            retry_after=fault.retry_after,
            fault=replace(fault.fault, detail=fault_detail(error)),
        )

    def _request_json(self, method: str, url: str, **kwargs) -> Any:
        headers = {"User-Agent": http.user_agent(), "Accept": "application/json"}
        headers.update(kwargs.pop("headers", None) or {})
        return http.exchange_json(
            http.session_for(type(self)),
            method,
            url,
            headers=headers,
            seconds=throttle.request_seconds(),
            timeouts=(
                settings.ENRICHMENT_HTTP_CONNECT_TIMEOUT,
                settings.ENRICHMENT_HTTP_READ_TIMEOUT,
            ),
            deadline_error=http.deadline_fault,
            redact=self._redact,
            is_daily_quota_answer=self.is_daily_quota_answer,
            clock=self._epoch,
            **kwargs,
        )

    # --- internals -------------------------------------------------------------------------------

    def _exchange(
        self, *, cost: int, send: Callable[[], dict[str, Any]]
    ) -> dict[str, Any] | _Fault:
        """Ask the limits for a turn, send, and tell the limits how it went; every log line
        meanwhile names the provider."""
        with log_context.bind(provider=self.name):
            return self._send_under_limits(cost=cost, send=send)

    def _send_under_limits(
        self, *, cost: int, send: Callable[[], dict[str, Any]]
    ) -> dict[str, Any] | _Fault:
        limits = throttle.limits_for(self.name)
        permit = throttle.acquire_permit(
            provider=self.name,
            limits=limits,
            cost=cost,
            max_wait=self.max_wait,
            clock=self.clock,
            sleep=self.sleep,
        )
        if permit.fault is not None:  # not sent: held back for a fault waiting will not mend
            status = held_fault_status(permit.fault)
            return self._fault(status, permit.fault.message, classified=permit.fault)
        if not permit.granted:  # not sent: unavailable for now, no fault of the provider
            status = permit.status or LookupStatus.THROTTLED  # a refusal always says why
            return _Fault(status, permit.reason, permit.retry_after, asked=False)
        status, fault, quota_exhausted = LookupStatus.FOUND, None, False
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
        if reached_the_server(fault.fault if fault else None):
            REQUESTS_SENT[self.name] += 1
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
            settle.cap_record(candidate)
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

    def _epoch(self) -> float:
        # The clock the limits read (throttle.shared_now): a Retry-After date read against this
        # machine's clock, ahead or behind the database's, would hold the provider back for
        # the difference too, or not at all.
        return self.clock() if self.clock is not None else throttle.shared_now()

    def _now(self) -> datetime:
        # The database's clock, as housekeeping's purge of expired answers reads it: a machine
        # whose clock lags would write answers already expired (asked again each time), one
        # ahead would keep stale ones past their life.
        if self.clock is None:
            return database_now()
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
