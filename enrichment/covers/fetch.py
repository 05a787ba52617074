"""Download a cover's bytes from an allowed host, and nothing more than COVER_MAX_BYTES of them.

Each hop (the URL and every redirect) is checked against the allowlist, its host resolved once,
every address vetted, and the connection made to a vetted address: a second DNS answer
(rebinding) never reaches the socket. TLS still checks the certificate for the host name.

A download ends within COVER_CONNECT_TIMEOUT + COVER_READ_TIMEOUT, DNS, redirects and body
included: the socket timeouts bound each read, and a watchdog shuts the sockets down at the
deadline, so a host that drips one byte at a time (each inside the read timeout) cannot hold it.
"""

import contextlib
import socket
import threading
import time
from urllib.parse import urljoin

import requests
from django.conf import settings
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import ConnectTimeoutError, NewConnectionError, ReadTimeoutError

from enrichment.covers import hosts
from enrichment.covers.errors import CoverRejected, RejectionReason

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
    with Watchdog(seconds) as watchdog:
        try:
            body = _fetch(url, max_bytes, watchdog)
        except Exception as error:
            if watchdog.expired:  # whatever the cut-off socket raised, the cause is the deadline
                raise watchdog.rejection() from None
            if isinstance(error, requests.RequestException):
                raise _rejection_for(error) from None
            raise
        if watchdog.expired:  # a body without a length "ends" when its socket is shut down
            raise watchdog.rejection()
        return body


def _fetch(url: str, max_bytes: int, watchdog: "Watchdog") -> bytes:
    current = hosts.upgrade_to_https(url)
    for _hop in range(MAX_REDIRECTS + 1):
        location = hosts.check_cover_url(current)
        addresses = watchdog.run(
            hosts.vetted_addresses, location.host, location.port, operator=location.operator
        )
        response = _send(current, addresses, watchdog.timeouts())
        if response.status_code in REDIRECT_STATUSES and "Location" in response.headers:
            response.close()
            current = urljoin(current, response.headers["Location"])
            continue
        with response:
            _check_answer(response, max_bytes)
            return _read_body(response, max_bytes)
    raise CoverRejected(
        RejectionReason.TOO_MANY_REDIRECTS, f"more than {MAX_REDIRECTS} redirects from {url}"
    )


class Watchdog:
    """The deadline of one download, enforced from a timer thread.

    At the deadline every socket the download opened is shut down (through a duplicate file
    descriptor, so a socket closed meanwhile is never confused with a new one): a read blocked on
    a dripping server returns at once, whatever the socket timeout. Installed for this thread
    while the download runs; the vetted connections register their sockets with it.
    """

    def __init__(self, seconds: float):
        self.seconds = max(seconds, 0.0)
        self.deadline = time.monotonic() + self.seconds
        self.expired = self.seconds <= 0
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._done = False
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> "Watchdog":
        self._previous = getattr(_local, "watchdog", None)
        _local.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        _local.watchdog = self._previous
        self._timer.cancel()
        with self._lock:
            self._done = True
            for watched in self._sockets:
                watched.close()
            self._sockets.clear()

    def left(self) -> float:
        return max(self.deadline - time.monotonic(), 0.0)

    def rejection(self) -> CoverRejected:
        return CoverRejected(
            RejectionReason.TIMEOUT,
            f"gave up after {self.seconds:.3g} s: the download deadline "
            "(COVER_CONNECT_TIMEOUT + COVER_READ_TIMEOUT)",
        )

    def timeouts(self) -> tuple[float, float]:
        """(connect, read) socket timeouts for the next request: never past the deadline."""
        left = self.left()
        if self.expired or left <= 0:
            raise self.rejection()
        return (min(settings.COVER_CONNECT_TIMEOUT, left), min(settings.COVER_READ_TIMEOUT, left))

    def run(self, function, *args, **kwargs):
        """function(*args, **kwargs), given up at the deadline (a DNS lookup cannot be
        interrupted, so it runs in a daemon thread that is left to finish on its own)."""
        outcome: dict = {}

        def call():
            try:
                outcome["value"] = function(*args, **kwargs)
            except BaseException as error:  # handed to the caller below
                outcome["error"] = error

        thread = threading.Thread(target=call, daemon=True)
        thread.start()
        thread.join(self.left())
        if thread.is_alive() or self.expired:
            raise self.rejection()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    def watch(self, sock: socket.socket) -> None:
        try:
            watched = socket.fromfd(sock.fileno(), sock.family, sock.type)
        except OSError:  # already closed: nothing left to cut
            return
        with self._lock:
            if not self._done and not self.expired:
                self._sockets.append(watched)
                return
        _shut(watched)
        watched.close()

    def _expire(self) -> None:
        with self._lock:
            if self._done:
                return
            self.expired = True
            for watched in self._sockets:
                _shut(watched)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # not connected any more
        sock.shutdown(socket.SHUT_RDWR)


def current_watchdog() -> Watchdog | None:
    return getattr(_local, "watchdog", None)


def cover_user_agent() -> str:
    email = getattr(settings, "ENRICHMENT_CONTACT_EMAIL", "")
    return f"bookstore (+mailto:{email})" if email else "bookstore"


def cover_session() -> requests.Session:
    """This thread's pooled session (a Session is not meant to be shared between threads)."""
    session = getattr(_local, "session", None)
    if session is None:
        session = requests.Session()
        # Environment proxies and .netrc would bypass the vetted-address connection.
        session.trust_env = False
        adapter = VettedAddressAdapter(max_retries=0)
        session.mount("https://", adapter)
        session.mount("http://", adapter)
        _local.session = session
    return session


_local = threading.local()


def _send(url: str, addresses: tuple[str, ...], timeout) -> requests.Response:
    session = cover_session()
    headers = {"User-Agent": cover_user_agent(), "Accept": ACCEPT, "Accept-Encoding": "identity"}
    prepared = session.prepare_request(requests.Request("GET", url, headers=headers))
    prepared.vetted_addresses = addresses  # read by VettedAddressAdapter
    return session.send(prepared, stream=True, allow_redirects=False, timeout=timeout)


def _check_answer(response: requests.Response, max_bytes: int) -> None:
    status = response.status_code
    if status in (404, 410):
        raise CoverRejected(RejectionReason.NOT_FOUND, f"HTTP {status} from {response.url}")
    if status != 200:
        raise CoverRejected(
            RejectionReason.HTTP_STATUS,
            f"HTTP {status} from {response.url}",
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
    for chunk in response.iter_content(chunk_size=CHUNK_BYTES):
        received += len(chunk)
        if received > max_bytes:
            raise CoverRejected(RejectionReason.TOO_LARGE, f"body over {max_bytes} bytes")
        chunks.append(chunk)
    if not received:
        raise CoverRejected(RejectionReason.EMPTY, f"empty body from {response.url}")
    return b"".join(chunks)


def _rejection_for(error: requests.RequestException) -> CoverRejected:
    timed_out = isinstance(error, requests.Timeout) or any(
        isinstance(arg, ReadTimeoutError) for arg in error.args
    )
    if timed_out:
        return CoverRejected(RejectionReason.TIMEOUT, str(error)[:300])
    return CoverRejected(RejectionReason.CONNECTION_ERROR, str(error)[:300])


class _VettedConnectionMixin:
    """Connects to the vetted addresses instead of resolving the host name again."""

    vetted_addresses: tuple[str, ...] = ()

    def _new_conn(self):
        # Without addresses from fetch_cover_bytes (the session used directly), vet here.
        addresses = self.vetted_addresses or hosts.vetted_addresses(self.host, self.port)
        watchdog = current_watchdog()
        hostname, connect_timeout, failure = self._dns_host, self.timeout, None
        try:
            for address in addresses:
                self._dns_host = address  # only the socket sees the IP; TLS and Host keep the name
                if watchdog is not None:  # every address tried within the download's deadline
                    if watchdog.expired or not watchdog.left():
                        raise ConnectTimeoutError(self, "the cover download's deadline passed")
                    self.timeout = min(connect_timeout, watchdog.left())
                try:
                    sock = super()._new_conn()
                except (NewConnectionError, ConnectTimeoutError) as error:
                    failure = error
                    continue
                if watchdog is not None:
                    watchdog.watch(sock)  # before TLS: a dripping handshake is cut off too
                return sock
        finally:
            self._dns_host, self.timeout = hostname, connect_timeout
        raise failure


class _VettedHTTPConnection(_VettedConnectionMixin, HTTPConnection):
    pass


class _VettedHTTPSConnection(_VettedConnectionMixin, HTTPSConnection):
    pass


class _VettedPoolMixin:
    vetted_addresses: tuple[str, ...] = ()

    def _get_conn(self, timeout=None):
        connection = super()._get_conn(timeout)
        connection.vetted_addresses = self.vetted_addresses
        watchdog = current_watchdog()
        if watchdog is not None and connection.sock is not None:  # a kept-alive connection
            watchdog.watch(connection.sock)
        return connection


class _VettedHTTPConnectionPool(_VettedPoolMixin, HTTPConnectionPool):
    ConnectionCls = _VettedHTTPConnection


class _VettedHTTPSConnectionPool(_VettedPoolMixin, HTTPSConnectionPool):
    ConnectionCls = _VettedHTTPSConnection


class VettedAddressAdapter(HTTPAdapter):
    """A requests adapter whose connections go only to the addresses vetted for the request."""

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = {
            "http": _VettedHTTPConnectionPool,
            "https": _VettedHTTPSConnectionPool,
        }

    def get_connection_with_tls_context(self, request, verify, proxies=None, cert=None):
        pool = super().get_connection_with_tls_context(request, verify, proxies, cert)
        # One session per thread, so setting this just before the request is not racy.
        pool.vetted_addresses = getattr(request, "vetted_addresses", ())
        return pool
