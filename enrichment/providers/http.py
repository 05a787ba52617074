"""The HTTP side of a provider request, as plain functions: the shared session, the User-Agent,
a body read under a byte cap, Retry-After, and the mapping of transport errors and HTTP
statuses onto a classified ProviderFault. `Provider.request_json` (base.py) puts them together.

`exchange_json` is the one capped exchange every JSON request goes through (the providers', and
the backfill's language-model source).

A ProviderFault's text never holds a URL's query (a batch URL names other books' ISBNs): its
`fault` (enrichment.faults.classify_fault) keeps the kind, host and status apart.
"""

import email.utils
import json
import os
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC
from typing import Any
from urllib.parse import urljoin, urlsplit

import requests
from django.conf import settings

from enrichment import throttle
from enrichment.candidates import LookupStatus
from enrichment.covers import hosts
from enrichment.covers.errors import CoverRejected
from enrichment.covers.fetch import VettedAddressAdapter, pin_addresses
from enrichment.faults import (
    ClassifiedFault,
    FaultKind,
    classify_fault,
    fault_detail,
    strip_url_queries,
)
from enrichment.http_deadline import (
    CappedSession,
    Watchdog,
    current_watchdog,
    partial_answer,
    unreadable_framing,
    unreadable_length,
)

USER_AGENT_PRODUCT = "bookstore/1.0"
#: Bytes read per step of a body; a decompressed step is never larger (urllib3 >= 2.6).
READ_CHUNK_BYTES = 64 * 1024
#: Enough of an error body for the last error and the daily-quota test; the rest is not read.
ERROR_BODY_BYTES = 16 * 1024
_DELTA_SECONDS = re.compile(r"\d+(?:\.\d+)?")
#: Takes secrets (API keys) out of a message before it is recorded.
Redact = Callable[[str], str]


class ProviderFault(Exception):
    """A request that did not produce an answer, already classified: `status` for the engine
    and the limits, `fault` (kind, host, HTTP status, full text) for people."""

    def __init__(
        self,
        status: LookupStatus,
        error: str,
        *,
        retry_after: float | None = None,
        quota_exhausted: bool = False,
        fault: ClassifiedFault | None = None,
        body: bytes = b"",
    ):
        error = strip_url_queries(error)
        super().__init__(f"{status}: {error}")
        self.status = status
        self.error = error
        self.retry_after = retry_after
        self.quota_exhausted = quota_exhausted
        self.fault = fault or classify_fault(error=error, status=status)
        #: The start of the error answer's body, as sent (not the quoted, redacted `error`): what
        #: a provider reads to tell its own "no such record" 404 from a proxy's page.
        self.body = body


def user_agent() -> str:
    """Names the application and a contact address, as Open Library and Wikidata ask."""
    email = settings.ENRICHMENT_CONTACT_EMAIL
    return f"{USER_AGENT_PRODUCT} (+mailto:{email})" if email else USER_AGENT_PRODUCT


def parse_retry_after(value: str | None, *, now: float) -> float | None:
    """Retry-After as seconds from `now`, at most ENRICHMENT_MAX_RETRY_AFTER_SECONDS.

    The header is either delay-seconds (digits) or an HTTP-date; a date in the past is 0; a
    list of delay-seconds (the header sent twice) the longest of them.
    Anything else (negative, "nan", "1e400", a date no calendar has) is None: no wait.
    """
    value = (value or "").strip()
    if _DELTA_SECONDS.fullmatch(value):
        return throttle.cap_retry_after(float(value))  # 400 digits: inf, capped
    # Two headers (a proxy's and the provider's) arrive as one list, "120, 5": the longest.
    delays = [part.strip() for part in value.split(",")]
    if len(delays) > 1 and all(_DELTA_SECONDS.fullmatch(delay) for delay in delays):
        return throttle.cap_retry_after(max(float(delay) for delay in delays))
    if not value or len(value) > 64:
        return None
    try:
        when = email.utils.parsedate_to_datetime(value)
        if when.tzinfo is None:
            when = when.replace(tzinfo=UTC)
        seconds = when.timestamp() - now
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return throttle.cap_retry_after(seconds)


def redirect_addresses(url: str, target: str) -> tuple[str, ...]:
    """The addresses a provider's redirect from `url` to `target` connects to: () for the same
    host (resolved as usual); a ProviderFault when the redirect must not be followed (from https
    to plain http, with a login, or to an address that is not allowed).

    A provider's answer is stored and shown (SourceRecord), so a redirect to a private address
    (a cloud's metadata service, an admin port on loopback) would read it back. The same host
    may redirect within itself (Open Library's /isbn/ to /books/); another host must be one the
    operator named or resolve only to public addresses (enrichment.covers.hosts' rule), and the
    connection goes to the addresses checked, never to a second DNS answer (rebinding)."""
    try:
        parts = urlsplit(target)
        port = parts.port or hosts.DEFAULT_PORTS.get(parts.scheme)
    except ValueError:  # "http://[::1", a port out of range
        raise redirect_refused(url, f"not a URL: {target[:200]!r}") from None
    if parts.scheme not in ("http", "https") or not parts.hostname or port is None:
        raise redirect_refused(url, f"not an http(s) URL: {target[:200]!r}")
    if hosts.carries_login(target) or "\\" in parts.netloc:
        raise redirect_refused(url, "the URL carries credentials")
    if hosts.downgrades(url, target):
        raise redirect_refused(url, "from https to plain http")
    if parts.hostname == (urlsplit(url).hostname or ""):
        return ()
    try:
        return hosts.vetted_addresses(parts.hostname, port)
    except CoverRejected as rejected:
        raise redirect_refused(url, rejected.message) from None


def redirect_refused(url: str, why: str) -> ProviderFault:
    return ProviderFault(LookupStatus.SERVER_ERROR, f"redirect from {url} refused: {why}")


class ProviderSession(CappedSession):
    """A session whose every redirect is checked (`redirect_addresses`) before it is followed,
    and connected to the addresses checked."""

    def __init__(self):
        super().__init__()
        # requests follows 30: a provider's redirect loop was 31 requests in a burst, past the
        # provider's rate, for one counted call. Open Library's /isbn/ to /books/ needs one.
        self.max_redirects = 5

    def get_redirect_target(self, resp):
        try:
            target = super().get_redirect_target(resp)
            if target is not None:
                urlsplit(urljoin(resp.url, target))  # what requests does next, unguarded
        except (UnicodeDecodeError, ValueError):  # a Location that is no URL
            location = resp.headers.get("Location", "")
            raise redirect_refused(resp.url, f"not a URL: {location[:200]!r}") from None
        return target

    def rebuild_auth(self, prepared_request, response):
        # The last step before a redirect is sent, given the URL requests will really ask.
        super().rebuild_auth(prepared_request, response)
        check = (response.url, prepared_request.url)
        watchdog = current_watchdog()
        # Its DNS lookup within the request's deadline: a name whose DNS never answers would
        # hold the request for as long as the resolver waits.
        addresses = (
            watchdog.run(redirect_addresses, *check) if watchdog else redirect_addresses(*check)
        )
        pin_addresses(prepared_request, addresses)


_sessions: dict[tuple[type, int], requests.Session] = {}


def session_for(provider_class: type) -> requests.Session:
    """One pooled session per provider class and process (a forked worker gets its own).

    Its connections answer to the request's Watchdog (see request_json).
    """
    key = (provider_class, os.getpid())
    if key not in _sessions:
        session = ProviderSession()
        # Pinned to the checked addresses on a redirect to another host; else resolved as usual.
        adapter = VettedAddressAdapter(pool_connections=4, pool_maxsize=10, vet_unpinned=False)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        _sessions[key] = session
    return _sessions[key]


def deadline_fault(seconds: float) -> ProviderFault:
    return ProviderFault(
        LookupStatus.TIMEOUT,
        f"gave up after {seconds:.3g} s: the deadline of a whole request "
        "(ENRICHMENT_HTTP_CONNECT_TIMEOUT + ENRICHMENT_HTTP_READ_TIMEOUT)",
    )


def read_body(response: requests.Response, *, limit: int, truncate: bool = False) -> bytes:
    """The decoded body (gzip and deflate undone), read a chunk at a time.

    Past `limit` bytes it stops reading: a fault, or with `truncate` the first `limit`
    bytes. A declared Content-Length over the limit is refused before reading anything.
    """
    declared = response.headers.get("Content-Length", "").strip()
    if not truncate and declared.isdigit() and int(declared) > limit:
        raise ProviderFault(
            LookupStatus.UNPARSEABLE,
            f"answer too large: Content-Length {int(declared):,} bytes, "
            f"over the {limit:,}-byte cap (ENRICHMENT_MAX_RESPONSE_BYTES)",
        )
    parts, size = [], 0
    for chunk in response.iter_content(chunk_size=min(READ_CHUNK_BYTES, limit + 1)):
        size += len(chunk)
        parts.append(chunk)
        if size > limit:
            if truncate:
                break
            raise ProviderFault(
                LookupStatus.UNPARSEABLE,
                f"answer too large: over the {limit:,}-byte cap "
                "(ENRICHMENT_MAX_RESPONSE_BYTES); not read further",
            )
    return b"".join(parts)[:limit]


def transport_fault(
    exc: requests.RequestException, *, redact: Redact, url: str = ""
) -> ProviderFault:
    """What a requests error means: an undecodable body, a timeout, or a failed connection
    (DNS, refused, TLS...: the fault's kind says which). Its error is the fault's one line; the
    full text (redacted, without URL queries) is the fault's detail."""
    text = redact(str(exc))
    if isinstance(exc, requests.exceptions.ContentDecodingError):
        error = f"undecodable body: {text}"
        fault = classify_fault(error=error, url=url, status=LookupStatus.UNPARSEABLE)
        return ProviderFault(LookupStatus.UNPARSEABLE, error, fault=fault)
    framing = unreadable_framing(exc)
    if framing is not None:
        return unreadable_fault(framing, url=url, detail=text)
    fault = replace(classify_fault(error=exc, url=url), detail=fault_detail(text))
    # A read timeout inside the body comes out of iter_content as a ConnectionError.
    if isinstance(exc, requests.Timeout) or "timed out" in str(exc):
        fault = replace(fault, kind=FaultKind.TIMEOUT)
        return ProviderFault(LookupStatus.TIMEOUT, fault.message, fault=fault)
    return ProviderFault(LookupStatus.SERVER_ERROR, fault.message, fault=fault)


def unreadable_fault(why: str, *, url: str, detail: str = "") -> ProviderFault:
    """An answer whose framing cannot be read (enrichment.http_deadline): asking again brings
    the same broken answer. `detail` is the exception's text, when there is one."""
    fault = classify_fault(error=why, url=url, status=LookupStatus.UNPARSEABLE)
    fault = replace(fault, detail=fault_detail(f"{why}\n{detail}" if detail else why))
    return ProviderFault(LookupStatus.UNPARSEABLE, why, fault=fault)


def raise_for_status(
    response: requests.Response,
    *,
    redact: Redact,
    is_daily_quota_answer: Callable[[int, str], bool],
    clock: Callable[[], float],
) -> None:
    """Raise the ProviderFault a non-2xx answer means, with the start of its body as the error
    and its Retry-After (seconds from `clock()`, read only for a header that has one)."""
    code = response.status_code
    body = read_body(response, limit=ERROR_BODY_BYTES, truncate=True)
    start = body.decode("utf-8", "replace")
    error = f"HTTP {code}: {redact(start[:300])}"
    fault = classify_fault(error=error, http_status=code, url=response.url or "")
    header = response.headers.get("Retry-After")
    retry_after = parse_retry_after(header, now=clock()) if header else None
    if code in (429, 400, 401, 403) and is_daily_quota_answer(code, start):
        raise ProviderFault(
            LookupStatus.QUOTA_EXHAUSTED,
            error,
            retry_after=retry_after,
            quota_exhausted=True,
            fault=fault,
        )
    if code == 429:
        raise ProviderFault(LookupStatus.THROTTLED, error, retry_after=retry_after, fault=fault)
    if code in (400, 401, 403):
        raise ProviderFault(LookupStatus.AUTH_REFUSED, error, fault=fault)
    # 5xx, and statuses no endpoint we call should answer (a wrong base URL's 404).
    raise ProviderFault(
        LookupStatus.SERVER_ERROR, error, retry_after=retry_after, fault=fault, body=body
    )


def decode_json(body: bytes, *, content_type: str, redact: Redact) -> Any:
    """The JSON in a body, or an UNPARSEABLE fault quoting its start."""
    if not body.strip():
        raise ProviderFault(LookupStatus.UNPARSEABLE, "empty body")
    try:
        # utf-8-sig: a byte-order mark is not JSON, but recorded bodies and proxies add one.
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        kind = content_type or "no content type"
        snippet = redact(body[:120].decode("utf-8", "replace"))
        raise ProviderFault(LookupStatus.UNPARSEABLE, f"not JSON ({kind}): {snippet!r}") from exc


#: A 404 answered when the caller allows it (`allow_404`): "no such record", not a fault.
NOT_FOUND = None


def exchange_json(
    session: requests.Session,
    method: str,
    url: str,
    *,
    headers: dict[str, str],
    seconds: float,
    timeouts: tuple[float, float],
    deadline_error: Callable[[float], Exception],
    redact: Redact,
    is_daily_quota_answer: Callable[[int, str], bool],
    clock: Callable[[], float],
    allow_404: bool = False,
    **kwargs,
) -> Any:
    """Send one request and decode its JSON body, read under ENRICHMENT_MAX_RESPONSE_BYTES; the
    whole exchange (connect, headers, body, an error's body) ends within `seconds`, past which
    `deadline_error(seconds)` is raised. `timeouts` (connect, read) bound each socket wait; the
    watchdog bounds their sum, so a server that drips one byte inside every read timeout cannot
    hold a worker. Anything else that goes wrong is a ProviderFault, its text `redact`ed."""
    with Watchdog(seconds, timeouts=timeouts, error=deadline_error) as watchdog:
        try:
            # stream=True: the body is read by read_body, under the cap, never whole at once.
            with session.request(
                method, url, headers=headers, timeout=watchdog.timeouts(), stream=True, **kwargs
            ) as response:
                length = unreadable_length(response.headers)
                if length is not None:
                    raise unreadable_fault(length, url=url)
                if response.status_code == 404 and allow_404:
                    return NOT_FOUND
                if not 200 <= response.status_code < 300:
                    raise_for_status(
                        response,
                        redact=redact,
                        is_daily_quota_answer=is_daily_quota_answer,
                        clock=clock,
                    )
                part = partial_answer(
                    response.status_code, response.headers.get("Content-Range", "")
                )
                if part is not None:
                    raise ProviderFault(LookupStatus.UNPARSEABLE, part)
                body = read_body(response, limit=settings.ENRICHMENT_MAX_RESPONSE_BYTES)
        except Exception as exc:
            if watchdog.expired:  # whatever the cut-off socket raised, the deadline did it
                raise watchdog.error() from exc
            if isinstance(exc, requests.RequestException):
                raise transport_fault(exc, redact=redact, url=url) from exc
            raise
        if watchdog.expired:  # a body without a length "ends" when its socket is shut down
            raise watchdog.error()
    content_type = response.headers.get("Content-Type", "")
    return decode_json(body, content_type=content_type, redact=redact)
