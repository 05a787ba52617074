"""Download a cover's bytes from an allowed host, and nothing more than COVER_MAX_BYTES of them.

Each hop (the URL and every redirect) is checked against the allowlist, its host resolved once,
every address vetted, and the connection made to a vetted address: a second DNS answer
(rebinding) never reaches the socket. TLS still checks the certificate for the host name.

A download ends within COVER_CONNECT_TIMEOUT + COVER_READ_TIMEOUT, DNS, redirects and body
included: the socket timeouts bound each read, and a watchdog (enrichment.http_deadline) shuts
the sockets down at the deadline, so a host that drips one byte at a time (each inside the read
timeout) cannot hold it.
"""

import socket
import threading
import time
from typing import TYPE_CHECKING
from urllib.parse import urljoin

import requests
from django.conf import settings
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError

from enrichment.covers import hosts
from enrichment.covers.errors import CoverRejected, RejectionReason
from enrichment.faults import FaultKind, classify_fault
from enrichment.http_deadline import (
    CappedSession,
    Watchdog,
    WatchedAdapter,
    WatchedHTTPConnection,
    WatchedHTTPConnectionPool,
    WatchedHTTPSConnection,
    WatchedHTTPSConnectionPool,
    partial_answer,
    unreadable_framing,
    unreadable_length,
)

MAX_REDIRECTS = 3
CHUNK_BYTES = 64 * 1024
REDIRECT_STATUSES = frozenset({301, 302, 303, 307, 308})
#: Answers that are certainly not an image; any other type is left to the bytes' verification.
DOCUMENT_CONTENT_TYPES = frozenset(
    {"text/html", "application/xhtml+xml", "application/json", "text/xml", "application/xml"}
)
ACCEPT = "image/jpeg,image/png,image/webp,image/gif;q=0.9,*/*;q=0.1"


def download_seconds() -> float:
    """The most one cover download may take: DNS, connect, redirects and body included."""
    return settings.COVER_CONNECT_TIMEOUT + settings.COVER_READ_TIMEOUT


def fetch_cover_bytes(
    url: str, *, max_bytes: int | None = None, deadline: float | None = None
) -> bytes:
    """The body of a cover URL, following at most MAX_REDIRECTS redirects, each re-checked.

    Raises CoverRejected (see RejectionReason) for anything that is not a 200 with a body of at
    most `max_bytes` (COVER_MAX_BYTES by default) from an allowed host and a vetted address, and
    TIMEOUT when it takes longer than download_seconds() or goes past `deadline` (a
    time.monotonic() value), whichever comes first.
    """
    max_bytes = settings.COVER_MAX_BYTES if max_bytes is None else max_bytes
    seconds = download_seconds()
    if deadline is not None:
        seconds = min(seconds, deadline - time.monotonic())
    timeouts = (settings.COVER_CONNECT_TIMEOUT, settings.COVER_READ_TIMEOUT)
    with Watchdog(seconds, timeouts=timeouts, error=_deadline_rejection) as watchdog:
        try:
            body = _fetch(url, max_bytes, watchdog)
        except Exception as error:
            if watchdog.expired:  # whatever the cut-off socket raised, the cause is the deadline
                raise watchdog.error() from None
            if isinstance(error, requests.RequestException):
                raise _rejection_for(error) from None
            raise
        if watchdog.expired:  # a body without a length "ends" when its socket is shut down
            raise watchdog.error()
        return body


def _deadline_rejection(seconds: float) -> CoverRejected:
    return CoverRejected(
        RejectionReason.TIMEOUT,
        f"gave up after {seconds:.3g} s: the download deadline "
        "(COVER_CONNECT_TIMEOUT + COVER_READ_TIMEOUT)",
    )


def _fetch(url: str, max_bytes: int, watchdog: Watchdog) -> bytes:
    previous, current = None, url
    for _hop in range(MAX_REDIRECTS + 1):
        current = hosts.upgrade_to_https(current)
        if previous is not None and hosts.downgrades(previous, current):
            raise CoverRejected(
                RejectionReason.NOT_HTTPS,
                f"redirect from {_quoted(previous)} refused: from https to plain http",
            )
        location = hosts.check_cover_url(current)
        addresses = watchdog.run(
            hosts.vetted_addresses, location.host, location.port, operator=location.operator
        )
        response = _send(current, addresses, watchdog.timeouts())
        if response.status_code in REDIRECT_STATUSES and "Location" in response.headers:
            response.close()
            previous, current = current, _redirect_target(current, response.headers["Location"])
            continue
        with response:
            _check_answer(response, max_bytes)
            return _read_body(response, max_bytes)
    raise CoverRejected(
        RejectionReason.TOO_MANY_REDIRECTS,
        f"more than {MAX_REDIRECTS} redirects from {_quoted(url)}",
    )


def _redirect_target(url: str, location: str) -> str:
    try:
        return urljoin(url, location)
    except ValueError:  # "http://[::1": no URL at all
        raise CoverRejected(
            RejectionReason.BAD_URL, f"a redirect to no URL: {location[:200]!r}"
        ) from None


def cover_user_agent() -> str:
    email = getattr(settings, "ENRICHMENT_CONTACT_EMAIL", "")
    return f"bookstore (+mailto:{email})" if email else "bookstore"


def cover_session() -> requests.Session:
    """This thread's pooled session (a Session is not meant to be shared between threads)."""
    session = getattr(_local, "session", None)
    if session is None:
        session = CappedSession()
        # Environment proxies and .netrc would bypass the vetted-address connection.
        session.trust_env = False
        adapter = VettedAddressAdapter(max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        _local.session = session
    return session


_local = threading.local()
#: The attribute a prepared request carries its vetted addresses in (requests has none for it).
_VETTED_ADDRESSES = "vetted_addresses"


def pin_addresses(prepared: requests.PreparedRequest, addresses: tuple[str, ...]) -> None:
    """Have a VettedAddressAdapter connect `prepared` to these vetted addresses only."""
    setattr(prepared, _VETTED_ADDRESSES, addresses)


def _send(url: str, addresses: tuple[str, ...], timeout) -> requests.Response:
    session = cover_session()
    headers = {"User-Agent": cover_user_agent(), "Accept": ACCEPT, "Accept-Encoding": "identity"}
    prepared = session.prepare_request(requests.Request("GET", url, headers=headers))
    pin_addresses(prepared, addresses)
    return session.send(prepared, stream=True, allow_redirects=False, timeout=timeout)


def _check_answer(response: requests.Response, max_bytes: int) -> None:
    length = unreadable_length(response.headers)
    if length is not None:  # asking again brings the same broken answer
        raise CoverRejected(RejectionReason.CORRUPT, length)
    status = response.status_code
    part = partial_answer(status, response.headers.get("Content-Range", ""))
    if part is not None:
        raise CoverRejected(RejectionReason.TRUNCATED, part)
    if status == 206:  # its Content-Range covers the whole image
        status = 200
    if status in (404, 410):
        raise CoverRejected(
            RejectionReason.NOT_FOUND, f"HTTP {status} from {_quoted(response.url)}"
        )
    if status != 200:
        raise CoverRejected(
            RejectionReason.HTTP_STATUS,
            f"HTTP {status} from {_quoted(response.url)}",
            retryable=status == 429 or status >= 500,
        )
    declared = response.headers.get("Content-Length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise CoverRejected(
            RejectionReason.TOO_LARGE, f"declared {declared} bytes, over {max_bytes}"
        )
    content_type = response.headers.get("Content-Type", "").split(";")[0].strip().lower()
    if content_type == "image/svg+xml":
        raise CoverRejected(RejectionReason.FORMAT_NOT_ALLOWED, "SVG (by Content-Type)")
    if content_type in DOCUMENT_CONTENT_TYPES:  # an error page: do not download it
        raise CoverRejected(RejectionReason.NOT_AN_IMAGE, f"Content-Type {content_type}")


def _read_body(response: requests.Response, max_bytes: int) -> bytes:
    chunks, received = [], 0
    try:
        for chunk in response.iter_content(chunk_size=CHUNK_BYTES):
            received += len(chunk)
            if received > max_bytes:
                raise CoverRejected(RejectionReason.TOO_LARGE, f"body over {max_bytes} bytes")
            chunks.append(chunk)
    except requests.RequestException as error:
        if error.request is None:  # iter_content's errors name no request: its host, this hop's
            error.request = response.request
        raise
    if not received:
        raise CoverRejected(RejectionReason.EMPTY, f"empty body from {_quoted(response.url)}")
    return b"".join(chunks)


#: The most of a URL a refusal quotes: a record's cover URL may be any length, and its
#: refusal is kept with the request and shown on its review page.
QUOTED_URL_CHARS = 200


def _quoted(url: str) -> str:
    return url if len(url) <= QUOTED_URL_CHARS else url[: QUOTED_URL_CHARS - 1] + "…"


def _rejection_for(error: requests.RequestException) -> CoverRejected:
    if isinstance(error, requests.exceptions.ContentDecodingError):
        # A body its Content-Encoding does not describe (a "gzip" that is not): the connection
        # worked, and asking again brings the same bytes.
        return CoverRejected(RejectionReason.CORRUPT, f"undecodable body: {str(error)[:300]}")
    framing = unreadable_framing(error)
    if framing is not None:  # asking again brings the same broken answer
        return CoverRejected(RejectionReason.CORRUPT, framing)
    timed_out = isinstance(error, requests.Timeout) or any(
        isinstance(arg, ReadTimeoutError) for arg in error.args
    )
    if timed_out:
        return CoverRejected(RejectionReason.TIMEOUT, str(error)[:300])
    # The review page shows the message: the fault's line for people first (a connection cut
    # off, a failed TLS handshake), Python's words after it, which reached_no_host reads.
    fault = classify_fault(error=error)
    said = f"{fault.message}: " if fault.kind != FaultKind.OTHER else ""
    return CoverRejected(RejectionReason.CONNECTION_ERROR, said + str(error)[:300])


# The mixins extend the watched urllib3 classes; the type checker is told which (at run time they
# stay plain mixins, one for both the HTTP and the HTTPS class).
if TYPE_CHECKING:
    from urllib3._base_connection import BaseHTTPConnection

    _ConnectionBase = WatchedHTTPConnection
    _PoolBase = WatchedHTTPConnectionPool
else:
    _ConnectionBase = _PoolBase = object


class _VettedConnectionMixin(_ConnectionBase):
    """Connects to the vetted addresses instead of resolving the host name again."""

    vetted_addresses: tuple[str, ...] = ()
    vet_unpinned = True  # see VettedAddressAdapter

    def _new_conn(self) -> socket.socket:
        if not self.vetted_addresses and not self.vet_unpinned:
            return super()._new_conn()
        # Without addresses from fetch_cover_bytes (the session used directly), vet here.
        addresses = self.vetted_addresses or hosts.vetted_addresses(self.host, self.port)
        hostname = self._dns_host
        failure: Exception | None = None
        try:
            for address in addresses:
                self._dns_host = address  # only the socket sees the IP; TLS and Host keep the name
                try:
                    # Watched: each address is tried within the download's deadline.
                    return super()._new_conn()
                except (NewConnectionError, ConnectTimeoutError) as error:
                    failure = error
        finally:
            self._dns_host = hostname
        # Unreachable while the hosts module refuses a name without addresses; kept typed.
        raise failure or NewConnectionError(self, f"{hostname}: no address to connect to")


class _VettedHTTPConnection(_VettedConnectionMixin, WatchedHTTPConnection):
    pass


class _VettedHTTPSConnection(_VettedConnectionMixin, WatchedHTTPSConnection):
    pass


class _VettedPoolMixin(_PoolBase):
    vetted_addresses: tuple[str, ...] = ()
    vet_unpinned = True

    def _get_conn(self, timeout: float | None = None) -> "BaseHTTPConnection":
        connection = super()._get_conn(timeout)
        if isinstance(connection, _VettedConnectionMixin):  # always: the pools below make them
            connection.vetted_addresses = self.vetted_addresses
            connection.vet_unpinned = self.vet_unpinned
        return connection


class _VettedHTTPConnectionPool(_VettedPoolMixin, WatchedHTTPConnectionPool):
    ConnectionCls = _VettedHTTPConnection


class _VettedHTTPSConnectionPool(_VettedPoolMixin, WatchedHTTPSConnectionPool):
    ConnectionCls = _VettedHTTPSConnection


class VettedAddressAdapter(WatchedAdapter):
    """A requests adapter whose connections go only to the addresses vetted for the request
    (`pin_addresses`). A request without any is vetted here, or with `vet_unpinned=False` (a
    provider's own configured host) resolved as usual."""

    pool_classes = {"http": _VettedHTTPConnectionPool, "https": _VettedHTTPSConnectionPool}

    def __init__(self, *args, vet_unpinned: bool = True, **kwargs):
        self.vet_unpinned = vet_unpinned
        super().__init__(*args, **kwargs)

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        pool = super().get_connection_with_tls_context(request, verify, proxies, cert)
        # Set just before the request: a cover session is one thread's, and a pool is one
        # host's, so any addresses it holds are that host's vetted ones.
        if isinstance(pool, _VettedPoolMixin):  # always: pool_classes makes them
            pool.vetted_addresses = getattr(request, _VETTED_ADDRESSES, ())
            pool.vet_unpinned = self.vet_unpinned
        return pool
