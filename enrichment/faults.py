"""A provider fault in a few words: which provider and host, what kind of failure, which HTTP
status, and the full text kept apart for whoever wants the details.

`classify_fault` is the one rule that turns what went wrong (an exception, an HTTP status, or a
recorded error text) into a `ClassifiedFault`. The request's `last_error`, its match details and
the provider's state store it; screens show its one-line `message` and keep `detail` behind a
toggle. Every text it keeps has its URLs cut to scheme://host/path (`strip_url_queries`): a
batch request's query names forty other books' ISBNs, and could carry a key; a URL's
user:password@, a mirror's login.

Pure: no database. Messages go through gettext when they are read.
"""

from __future__ import annotations

import http.client
import re
import socket
import ssl
from dataclasses import asdict, dataclass, fields
from enum import StrEnum
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

#: The most of a fault's full text that is kept (a urllib3 chain is a few hundred characters; an
#: HTML error page is not worth more).
DETAIL_MAX_CHARS = 2000
#: The most of an unclassified error's first line that its one-line message quotes.
EXCERPT_MAX_CHARS = 120


class FaultKind(StrEnum):
    DNS = "dns"
    REFUSED = "refused"
    TIMEOUT = "timeout"
    TLS = "tls"
    CONNECTION_LOST = "connection_lost"  # reset or closed before the answer ended
    HTTP_429 = "http_429"
    HTTP_5XX = "http_5xx"
    HTTP_4XX = "http_4xx"
    UNPARSEABLE = "unparseable"
    OTHER = "other"


#: Kinds that mean the provider could not be reached or would not serve us for now: the
#: dashboard's notice counts them (an unreadable answer came from a reachable provider).
UNREACHABLE_KINDS = frozenset(
    {
        FaultKind.DNS,
        FaultKind.REFUSED,
        FaultKind.TIMEOUT,
        FaultKind.TLS,
        FaultKind.CONNECTION_LOST,
        FaultKind.HTTP_429,
        FaultKind.HTTP_5XX,
    }
)

#: Unreachable kinds that pass on their own (a machine offline, a provider down or busy): a book
#: whose every fault is one of them waits for its providers past its attempts instead of failing
#: (waiting.waits_for_unreachable), and a cover download that reached no host costs no claim
#: (covers.errors.reached_no_host). Not TLS: a host took the connection, and a certificate that
#: is invalid, expired or another host's, a plain-HTTP server on the https port or a handshake
#: it refuses will not mend in a minute and wants someone told: it backs off and counts against
#: the attempts like any other fault, and ends failed (a cover, rejected) with its reason.
PASSING_KINDS = UNREACHABLE_KINDS - {FaultKind.TLS}

#: Kinds of a request that never reached the server (no network, no such host, nothing
#: listening, no secure connection): the provider never saw it, so whatever status it was filed
#: under, the server made no error, spent none of its budget and said nothing of what was asked.
NOT_REACHED_KINDS = frozenset({FaultKind.DNS, FaultKind.REFUSED, FaultKind.TLS})


def reached_the_server(fault: ClassifiedFault | None) -> bool:
    """Whether a request we sent reached its server: it answered, or failed there. The one rule
    for what a provider call is: it spends the provider's budget, and every figure of calls
    (enrich_missing's, a backfill month's) counts it; one that never left the machine is none."""
    return fault is None or fault.kind not in NOT_REACHED_KINDS


KIND_LABELS: dict[str, Any] = {
    FaultKind.DNS: _("DNS failure"),
    FaultKind.REFUSED: _("connection refused"),
    FaultKind.TIMEOUT: _("timeout"),
    FaultKind.TLS: _("TLS failure"),
    FaultKind.CONNECTION_LOST: _("connection cut off"),
    FaultKind.HTTP_429: _("too many requests (HTTP 429)"),
    FaultKind.HTTP_5XX: _("server error (HTTP 5xx)"),
    FaultKind.HTTP_4XX: _("request refused (HTTP 4xx)"),
    FaultKind.UNPARSEABLE: _("unreadable answer"),
    FaultKind.OTHER: _("error"),
}

# A URL's query and fragment, or those of the path urllib3 quotes after "url: ".
_URL_QUERY = re.compile(
    r"(?P<keep>(?:\b[a-z][a-z0-9+.-]*://|(?<=url: )/)[^\s?#'\"<>]*)[?#][^\s'\"<>]*",
    re.IGNORECASE,
)
# A URL's user:password@ (an operator's mirror behind basic auth), up to the host.
_URL_USERINFO = re.compile(r"\b(?P<scheme>[a-z][a-z0-9+.-]*://)[^\s/?#'\"<>]*@", re.IGNORECASE)
_HOST_IN_TEXT = re.compile(r"host='([^']+)'(?:, port=(\d+))?")
_HTTP_STATUS_IN_TEXT = re.compile(r"\bHTTP (\d{3})\b")
_TEXT_KINDS = (
    (
        FaultKind.DNS,
        re.compile(
            r"NameResolutionError|Name or service not known|nodename nor servname|"
            r"getaddrinfo failed|Temporary failure in name resolution|"
            r"No address associated with hostname|Failed to resolve",
            re.IGNORECASE,
        ),
    ),
    (
        FaultKind.REFUSED,
        re.compile(r"Connection refused|ECONNREFUSED|\[Errno 111\]|\[WinError 10061\]", re.I),
    ),
    # TLS's own words only: "tls" inside a host or a path (mtls.example.org, /settlsment) is none.
    (
        FaultKind.TLS,
        re.compile(r"SSLError|CERTIFICATE_VERIFY_FAILED|\[SSL[:\]]|\bTLSV1|\(TLS\)", re.I),
    ),
    (FaultKind.TIMEOUT, re.compile(r"timed out|timeout|gave up after", re.I)),
    (
        FaultKind.CONNECTION_LOST,
        re.compile(
            r"Connection reset|ECONNRESET|\[Errno 104\]|\[WinError 10054\]|Broken pipe|"
            r"IncompleteRead|RemoteDisconnected|closed connection without response|"
            r"Response ended prematurely",
            re.I,
        ),
    ),
)
# A LookupStatus (its value: this module does not import enrichment.candidates) -> a kind, for
# a fault that says nothing more precise.
_STATUS_KINDS = {
    "timeout": FaultKind.TIMEOUT,
    "throttled": FaultKind.HTTP_429,
    "unparseable": FaultKind.UNPARSEABLE,
    "auth_refused": FaultKind.HTTP_4XX,
}


class FaultLookup(StrEnum):
    """Which of a book's (an author's) lookups failed: one provider may fail on several for one
    book. An author's key is found through their books' ISBNs and Open Library keys; their
    records are asked by id (an Open Library key, a Goodreads id), then by name."""

    ISBN = "isbn"
    OPENLIBRARY_KEY = "openlibrary_key"
    TITLE_SEARCH = "title_search"
    AUTHOR_ID = "author_id"
    NAME_SEARCH = "name_search"
    AUTHOR_WORKS = "author_works"


LOOKUP_LABELS: dict[str, Any] = {
    FaultLookup.ISBN: _("the ISBN lookup"),
    FaultLookup.OPENLIBRARY_KEY: _("the Open Library key lookup"),
    FaultLookup.TITLE_SEARCH: _("the title search"),
    FaultLookup.AUTHOR_ID: _("the lookup by id"),
    FaultLookup.NAME_SEARCH: _("the name search"),
    FaultLookup.AUTHOR_WORKS: _("the works list lookup"),
}


@dataclass(frozen=True)
class ClassifiedFault:
    """One fault of one provider, classified. `detail` is the full text (URL queries cut,
    secrets redacted by the caller, at most DETAIL_MAX_CHARS); `lookup`, the FaultLookup that
    failed ("" when not one lookup's: our own code's, or recorded before)."""

    provider: str = ""
    kind: str = FaultKind.OTHER
    host: str = ""
    http_status: int | None = None
    detail: str = ""
    lookup: str = ""

    @property
    def kind_label(self) -> str:
        return str(KIND_LABELS.get(self.kind, KIND_LABELS[FaultKind.OTHER]))

    @property
    def message(self) -> str:
        """One line for people: the host and what happened, never a URL's query."""
        host = self.host or gettext("the provider")
        status = self.http_status or ("5xx" if self.kind == FaultKind.HTTP_5XX else "4xx")
        values = {"host": host, "status": status, "excerpt": self.excerpt}
        if self.kind == FaultKind.DNS:
            return gettext("%(host)s could not be found (DNS lookup failed)") % values
        if self.kind == FaultKind.REFUSED:
            return gettext("%(host)s refused the connection") % values
        if self.kind == FaultKind.TIMEOUT:
            return gettext("%(host)s did not answer in time (timeout)") % values
        if self.kind == FaultKind.TLS:
            return gettext("the secure connection to %(host)s failed (TLS)") % values
        if self.kind == FaultKind.CONNECTION_LOST:
            return gettext("the connection to %(host)s was cut off before the answer ended") % (
                values
            )
        if self.kind == FaultKind.HTTP_429:
            return gettext("%(host)s answered HTTP 429: too many requests") % values
        if self.kind == FaultKind.HTTP_5XX:
            return gettext("%(host)s answered HTTP %(status)s: a server error") % values
        if self.kind == FaultKind.HTTP_4XX:
            return gettext("%(host)s answered HTTP %(status)s: request refused") % values
        if self.kind == FaultKind.UNPARSEABLE:
            return gettext("%(host)s sent an answer we could not read: %(excerpt)s") % values
        if self.http_status and 300 <= self.http_status < 400:  # a 304, a redirect not followed
            return gettext("%(host)s answered HTTP %(status)s where an answer was expected") % (
                values
            )
        if self.excerpt and self.host:
            return gettext("%(host)s: %(excerpt)s") % values
        return self.excerpt or gettext("%(host)s: an error") % values

    @property
    def excerpt(self) -> str:
        """The first line of the full text, cut short."""
        line = (self.detail or "").strip().splitlines()[0] if (self.detail or "").strip() else ""
        return line if len(line) <= EXCERPT_MAX_CHARS else line[: EXCERPT_MAX_CHARS - 1] + "…"

    @property
    def unreachable(self) -> bool:
        return self.kind in UNREACHABLE_KINDS

    @property
    def passes_on_its_own(self) -> bool:
        """Worth waiting for without limit (PASSING_KINDS): offline, a provider down or busy."""
        return self.kind in PASSING_KINDS

    def to_json(self) -> dict[str, Any]:
        return {key: value for key, value in asdict(self).items() if value not in (None, "")}

    @classmethod
    def from_json(cls, data: Any) -> ClassifiedFault:
        """A stored fault: a dict, or the "provider: status error" text older rows hold."""
        if isinstance(data, ClassifiedFault):
            return data
        if isinstance(data, dict):
            names = {f.name for f in fields(cls)}
            values = {key: value for key, value in data.items() if key in names}
            status = values.get("http_status")
            values["http_status"] = status if isinstance(status, int) else None
            return cls(**values)
        provider, _sep, rest = str(data or "").partition(": ")
        status, _sep, error = rest.partition(" ")
        if status not in _STATUS_KINDS and status not in ("server_error", "quota_exhausted"):
            status, error = "", rest  # not "provider: status error": keep the whole text
        return classify_fault(provider=provider, error=error or rest, status=status)


def strip_url_queries(text: str) -> str:
    """`text` with every URL cut to scheme://host/path (urllib3's "url: /path?..." too): no
    query or fragment, and no user:password@ (a provider URL may carry its mirror's login)."""
    text = _URL_USERINFO.sub(lambda match: match.group("scheme"), text or "")
    return _URL_QUERY.sub(lambda match: match.group("keep"), text)


def fault_detail(text: str) -> str:
    """A fault's full text as it may be kept: URL queries cut, at most DETAIL_MAX_CHARS."""
    return strip_url_queries(text or "").strip()[:DETAIL_MAX_CHARS]


def host_of(url: str) -> str:
    """host[:port] of a URL, without user info ("" for none)."""
    try:
        parts = urlsplit(url or "")
        host, port = parts.hostname or "", parts.port
    except ValueError:
        return ""
    return host_and_port(host, port)


def host_and_port(host: str, port: int | str | None) -> str:
    """host:port as a URL writes it: an IPv6 address in brackets ("[::1]:8080", where "::1:8080"
    would name another address); the host alone without a port."""
    if not host or not port:
        return host
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def classify_fault(
    *,
    provider: str = "",
    error: BaseException | str | None = None,
    http_status: int | None = None,
    url: str = "",
    status: str = "",
) -> ClassifiedFault:
    """What went wrong, classified: from an HTTP status when there is one, else from the
    exception's chain (a DNS failure, a refused connection, TLS, a timeout), else from its text,
    else from the LookupStatus `status`. `url` names the host (its query is never kept)."""
    text = strip_url_queries(str(error or "")).strip()
    detail = fault_detail(text)
    host = host_of(url) or _host_from(error, text)
    if http_status is None:
        found = _HTTP_STATUS_IN_TEXT.search(text)
        http_status = int(found.group(1)) if found else None
    kind = _kind_of_status(http_status)
    if kind is None and isinstance(error, BaseException):
        kind = _kind_of_exception(error)
    if kind is None:
        kind = next((k for k, pattern in _TEXT_KINDS if pattern.search(text)), None)
    if kind is None:
        kind = _STATUS_KINDS.get(str(status), FaultKind.OTHER)
    return ClassifiedFault(
        provider=provider, kind=kind, host=host, http_status=http_status, detail=detail
    )


def _kind_of_status(code: int | None) -> FaultKind | None:
    if code is None:
        return None
    if code == 429:
        return FaultKind.HTTP_429
    if code >= 500:
        return FaultKind.HTTP_5XX
    if code >= 400:
        return FaultKind.HTTP_4XX
    return FaultKind.OTHER  # a redirect or an odd status where JSON was expected


def _chain(error: BaseException) -> list[BaseException]:
    """The exception and everything it wraps: causes, contexts, urllib3's `reason`, requests'
    first argument."""
    seen: list[BaseException] = []
    todo: list[object] = [error]
    while todo and len(seen) < 20:
        current = todo.pop(0)
        if not isinstance(current, BaseException) or any(current is s for s in seen):
            continue
        seen.append(current)
        todo += [current.__cause__, current.__context__, getattr(current, "reason", None)]
        todo += [arg for arg in current.args if isinstance(arg, BaseException)]
    return seen


def _kind_of_exception(error: BaseException) -> FaultKind | None:
    chain = _chain(error)

    def has(*types) -> bool:
        return any(isinstance(e, types) for e in chain)

    if has(socket.gaierror, urllib3.exceptions.NameResolutionError):
        return FaultKind.DNS
    if has(ConnectionRefusedError):
        return FaultKind.REFUSED
    if has(ssl.SSLError, requests.exceptions.SSLError, urllib3.exceptions.SSLError):
        return FaultKind.TLS
    if has(TimeoutError, requests.Timeout, urllib3.exceptions.TimeoutError):
        return FaultKind.TIMEOUT
    # The server took the connection and it ended under us (a reset, a close mid-answer): the
    # network's fault, which passes like a refused connection's.
    if has(urllib3.exceptions.InvalidChunkLength):  # an IncompleteRead, but a broken answer
        return None
    if has(
        ConnectionResetError,
        ConnectionAbortedError,
        BrokenPipeError,
        http.client.IncompleteRead,
        http.client.RemoteDisconnected,
        urllib3.exceptions.IncompleteRead,
    ):
        return FaultKind.CONNECTION_LOST
    return None


def _host_from(error: BaseException | str | None, text: str) -> str:
    """The host an exception names: its request's URL (requests), else urllib3's "host='…'"."""
    if isinstance(error, BaseException):
        for item in _chain(error):
            request = getattr(item, "request", None)
            url = getattr(request, "url", None)
            if isinstance(url, str) and host_of(url):
                return host_of(url)
    found = _HOST_IN_TEXT.search(text)
    if not found:
        return ""
    host, port = found.groups()
    return host_and_port(host, port if port not in ("80", "443") else None)
