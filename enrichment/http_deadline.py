"""A total deadline on an HTTP exchange: DNS, connect, TLS, headers and body together.

Socket timeouts bound each read, not their sum: a server that sends one byte inside every read
timeout holds a request for as long as it likes. A Watchdog closes that gap from a timer thread:
at the deadline it shuts down every socket the exchange opened, and a read blocked on a dripping
server returns at once, whatever the socket timeout.

The connection classes below register each socket they open (and each kept-alive socket taken
from a pool) with the current thread's Watchdog; with none installed they behave like urllib3's
own. Used by cover downloads (enrichment.covers.fetch) and provider requests
(enrichment.providers.base), each with its own deadline and its own error.

Their sessions are `CappedSession`s: requests reads a redirect's whole body on its own (to free
the connection, even for a redirect it does not follow), which no byte cap would bound.
"""

import contextlib
import http.client
import http.cookiejar
import re
import socket
import threading
import time
from collections.abc import Callable
from typing import TYPE_CHECKING, TypeGuard

import requests
from requests.adapters import HTTPAdapter
from urllib3.connection import HTTPConnection, HTTPSConnection
from urllib3.connectionpool import HTTPConnectionPool, HTTPSConnectionPool
from urllib3.exceptions import (
    ConnectTimeoutError,
    InvalidChunkLength,
    InvalidHeader,
    ProtocolError,
)


class DeadlinePassed(Exception):
    """Past a Watchdog's deadline, when its caller did not say which error to raise."""

    def __init__(self, seconds: float):
        self.seconds = seconds
        super().__init__(f"gave up after {seconds:.3g} s: the deadline passed")


class Watchdog:
    """The deadline of one exchange, enforced from a timer thread.

    At the deadline every watched socket is shut down (through a duplicate file descriptor, so
    a socket closed meanwhile is never confused with a new one). Installed for this thread while
    the `with` block runs. `timeouts` are the (connect, read) socket timeouts the exchange would
    use without a deadline; `error(seconds)` builds the exception that reports the deadline.
    """

    def __init__(
        self,
        seconds: float,
        *,
        timeouts: tuple[float, float],
        error: Callable[[float], Exception] = DeadlinePassed,
    ):
        self.seconds = max(seconds, 0.0)
        self.deadline = time.monotonic() + self.seconds
        self._connect_timeout, self._read_timeout = timeouts
        self._build_error = error
        self._expired = self.seconds <= 0
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()
        self._done = False
        self._timer = threading.Timer(self.seconds, self._expire)
        self._timer.daemon = True

    def __enter__(self) -> "Watchdog":
        self._previous = current_watchdog()
        _local.watchdog = self
        self._timer.start()
        return self

    def __exit__(self, *exc_info) -> None:
        _local.watchdog = self._previous
        self._timer.cancel()
        with self._lock:
            self._done = True
            for watched in self._sockets:
                watched.close()  # the duplicate only: a kept-alive connection stays open
            self._sockets.clear()

    @property
    def expired(self) -> bool:
        """The deadline has passed (the timer may not have fired yet)."""
        return self._expired or time.monotonic() >= self.deadline

    def left(self) -> float:
        return max(self.deadline - time.monotonic(), 0.0)

    def error(self) -> Exception:
        """The caller's exception for "past the deadline"."""
        return self._build_error(self.seconds)

    def timeouts(self) -> tuple[float, float]:
        """(connect, read) socket timeouts for the next request: never past the deadline."""
        left = self.left()
        if self.expired or left <= 0:
            raise self.error()
        return (min(self._connect_timeout, left), min(self._read_timeout, left))

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
            raise self.error()
        if "error" in outcome:
            raise outcome["error"]
        return outcome["value"]

    def watch(self, sock: socket.socket) -> None:
        """Shut `sock` down at the deadline (at once if it has passed)."""
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
            self._expired = True
            for watched in self._sockets:
                _shut(watched)


_local = threading.local()


def current_watchdog() -> Watchdog | None:
    """The Watchdog installed for this thread's current exchange, if any."""
    return getattr(_local, "watchdog", None)


def _shut(sock: socket.socket) -> None:
    with contextlib.suppress(OSError):  # not connected any more
        sock.shutdown(socket.SHUT_RDWR)


# The mixins below extend urllib3's classes; the type checker is told which (at run time they
# stay plain mixins, so that one serves both the HTTP and the HTTPS class).
if TYPE_CHECKING:
    from urllib3._base_connection import BaseHTTPConnection

    _ConnectionBase = HTTPConnection
    _PoolBase = HTTPConnectionPool
else:
    _ConnectionBase = _PoolBase = object


#: Interim (1xx) answers skipped before the answer itself; more is a server playing games.
MAX_INTERIM_ANSWERS = 10


class TooManyInterimAnswers(http.client.HTTPException):
    """More than MAX_INTERIM_ANSWERS interim (1xx) answers before the answer itself."""


#: Trailer lines read past after a chunked body: as many as http.client allows header lines.
MAX_TRAILER_LINES = 100


class TooManyTrailerLines(http.client.HTTPException):
    """More than MAX_TRAILER_LINES trailer lines after a chunked body."""


class _TrailerCap:
    """A chunked answer's socket file that allows at most MAX_TRAILER_LINES lines in a row.

    Within the body every line (a chunk's size, the end of its data) is followed by a read of
    data; only the trailer section after the last chunk is lines in a row, which urllib3 (and
    http.client) read past without end: a server sending trailer lines for ever held the request
    until its deadline, then a timeout retried to the attempt limit."""

    # The last chunk's size line and the blank line that ends the trailers are lines too.
    _MOST_IN_A_ROW = MAX_TRAILER_LINES + 2

    def __init__(self, fp):
        self._fp = fp
        self._in_a_row = 0

    def readline(self, *args):
        self._in_a_row += 1
        if self._in_a_row > self._MOST_IN_A_ROW:
            raise TooManyTrailerLines(f"more than {MAX_TRAILER_LINES} trailer lines")
        return self._fp.readline(*args)

    def read(self, *args):
        self._in_a_row = 0
        return self._fp.read(*args)

    def read1(self, *args):
        self._in_a_row = 0
        return self._fp.read1(*args)

    def readinto(self, buffer):
        self._in_a_row = 0
        return self._fp.readinto(buffer)

    def __getattr__(self, name):
        return getattr(self._fp, name)


class InterimSkippingResponse(http.client.HTTPResponse):
    """An answer read past any interim (1xx) answers before it, as RFC 9110 asks of a client.

    http.client skips "100 Continue" only: a "103 Early Hints" (or "102 Processing") before the
    real answer was taken for the answer, and a cover or a provider's record refused as
    "HTTP 103". A 101 is kept: nothing here asks to switch protocols. A chunked answer's
    trailer lines are capped (_TrailerCap)."""

    _interim_answers = 0

    def begin(self):
        super().begin()
        if self.chunked and self.fp is not None:
            self.fp = _TrailerCap(self.fp)  # type: ignore[assignment]  # a file, as far as read

    def _read_status(self):
        while True:
            version, status, reason = super()._read_status()  # type: ignore[misc]  # private
            if not 100 <= status < 200 or status == 101:
                return version, status, reason
            self._interim_answers += 1
            if self._interim_answers > MAX_INTERIM_ANSWERS:
                raise TooManyInterimAnswers(
                    f"more than {MAX_INTERIM_ANSWERS} interim (1xx) answers before the answer"
                )
            if status == 100:  # http.client skips its headers itself
                return version, status, reason
            http.client.parse_headers(self.fp)  # read past its headers, as begin() does for a 100


class WatchedConnectionMixin(_ConnectionBase):
    """Connects within the time left to the thread's Watchdog and hands it the new socket
    (before TLS, so a dripped handshake is cut off too). Its answers skip interim (1xx) ones."""

    response_class = InterimSkippingResponse

    def _new_conn(self) -> socket.socket:
        watchdog = current_watchdog()
        if watchdog is None:
            return super()._new_conn()
        if watchdog.expired:
            raise ConnectTimeoutError(self, "the request's deadline passed before connecting")
        connect_timeout = self.timeout
        left = watchdog.left()
        # self.timeout is what create_connection uses; it may be None or urllib3's default.
        self.timeout = min(connect_timeout, left) if _is_seconds(connect_timeout) else left
        try:
            sock = super()._new_conn()
        finally:
            self.timeout = connect_timeout
        watchdog.watch(sock)
        return sock


def _is_seconds(value: object) -> TypeGuard[float]:
    return isinstance(value, int | float) and not isinstance(value, bool)


class WatchedPoolMixin(_PoolBase):
    """Hands a kept-alive connection's socket to the thread's Watchdog when it is reused."""

    def _get_conn(self, timeout: float | None = None) -> "BaseHTTPConnection":
        connection = super()._get_conn(timeout)
        watchdog = current_watchdog()
        # Always an HTTPConnection (the pools below make ours); isinstance tells the type checker.
        sock = connection.sock if isinstance(connection, HTTPConnection) else None
        if watchdog is not None and sock is not None:  # a kept-alive connection
            watchdog.watch(sock)
        return connection


class WatchedHTTPConnection(WatchedConnectionMixin, HTTPConnection):
    pass


class WatchedHTTPSConnection(WatchedConnectionMixin, HTTPSConnection):
    pass


class WatchedHTTPConnectionPool(WatchedPoolMixin, HTTPConnectionPool):
    ConnectionCls = WatchedHTTPConnection


class WatchedHTTPSConnectionPool(WatchedPoolMixin, HTTPSConnectionPool):
    ConnectionCls = WatchedHTTPSConnection


WATCHED_POOL_CLASSES = {"http": WatchedHTTPConnectionPool, "https": WatchedHTTPSConnectionPool}


class WatchedAdapter(HTTPAdapter):
    """A requests adapter whose connections answer to the current thread's Watchdog.

    `responses` patches HTTPAdapter.send, which this class inherits: mocked tests still work.
    """

    pool_classes = WATCHED_POOL_CLASSES

    def init_poolmanager(self, *args, **kwargs):
        super().init_poolmanager(*args, **kwargs)
        self.poolmanager.pool_classes_by_scheme = dict(self.pool_classes)

    def proxy_manager_for(self, proxy, **proxy_kwargs):
        manager = super().proxy_manager_for(proxy, **proxy_kwargs)
        # Through an HTTP proxy (from the environment) the deadline holds the same way; SOCKS
        # pools make their connections their own way and are left as they are.
        if not proxy.lower().startswith("socks"):
            manager.pool_classes_by_scheme = dict(WATCHED_POOL_CLASSES)
        return manager


_LENGTHS_IN_TEXT = re.compile(r"unmatching values \(([^)]{1,200})\)")
#: urllib3's words for a chunk-size or trailer line past its 64 KB limit.
_LINE_TOO_LONG = "exceeded maximum allowed length"


def unreadable_framing(error: BaseException) -> str | None:
    """What makes an answer's framing unreadable, or None: a head http.client cannot read (no
    HTTP status line or one of another HTTP version, a line over 64 KB, over 100 header lines),
    interim (1xx) answers without end (more than MAX_INTERIM_ANSWERS), Content-Length values
    that disagree (RFC 9112 §6.3 makes that an unrecoverable error), a chunk-size line that is no
    number or one over 64 KB, trailer lines without end (§7.1). Nothing of it can be trusted,
    and the server answers that URL so every time: no fault to retry as a connection's (cover
    downloads and provider requests both read it so)."""
    for cause in _causes(error):
        if isinstance(cause, InvalidHeader):
            found = _LENGTHS_IN_TEXT.search(str(cause))
            lengths = found.group(1) if found else str(cause)[:200]
            return (
                f"Content-Length values that disagree ({lengths}): "
                "the server's answers to this URL cannot be read (RFC 9112 §6.3)"
            )
        head = _unreadable_head(cause)
        if head is not None:
            return (
                f"an answer whose head cannot be read ({head}): "
                "the server's answers to this URL cannot be read (RFC 9112 §2)"
            )
        if isinstance(cause, TooManyInterimAnswers):
            return (
                f"{cause}: the server's answers to this URL never come to the answer "
                "(RFC 9110 §15.2)"
            )
        if isinstance(cause, TooManyTrailerLines):
            why = str(cause)
        elif isinstance(cause, InvalidChunkLength):
            line = bytes(getattr(cause, "length", b"") or b"").strip()[:40]
            why = f"a chunk size that is no number, {line!r}"
        elif isinstance(cause, ProtocolError) and _LINE_TOO_LONG in str(cause):
            why = "a chunk-size or trailer line over 64 KB"
        else:
            continue
        return (
            f"a chunked answer framed wrongly ({why}): "
            "the server's answers to this URL cannot be read (RFC 9112 §7.1)"
        )
    return None


_DIGITS = re.compile(r"[0-9]+")
#: The most digits a Content-Length is read with (a length of 19 is already too large for any
#: cap): past 4,300 Python reads no number at all, a ValueError that stopped the download.
MAX_LENGTH_DIGITS = 4000


def unreadable_length(headers) -> str | None:
    """What makes an answer's Content-Length unreadable, or None (none, or digits; chunked
    framing wins over it). One that is no number ("abc", "-2", "0x2") leaves the body's end
    unknown: urllib3 reads on until the connection closes, and a server that keeps it open held
    the request for the whole read timeout, then a timeout retried to the attempt limit. RFC
    9112 §6.3 makes it an unrecoverable error, and the server answers that URL so every time."""
    value = headers.get("Content-Length")
    if value is None or "chunked" in headers.get("Transfer-Encoding", "").lower():
        return None
    parts = [part.strip() for part in value.split(",")]
    if not all(_DIGITS.fullmatch(part) for part in parts):
        why = f"a Content-Length that is no number ({value.strip()[:40]!r})"
    elif any(len(part) > MAX_LENGTH_DIGITS for part in parts):
        digits = max(len(part) for part in parts)
        why = f"a Content-Length of {digits:,} digits, more than any answer holds"
    else:
        return None
    return f"{why}: the server's answers to this URL cannot be read (RFC 9112 §6.3)"


_WHOLE_RANGE = re.compile(r"bytes 0-(\d{1,18})/(\d{1,18})", re.IGNORECASE)


def partial_answer(status: int, content_range: str) -> str | None:
    """Why a "206 Partial Content" answer to a request for all of it (none asks for a range) is
    not the answer, or None: any other status, or a Content-Range that covers the whole
    representation ("bytes 0-99/100"). A part read as the whole was "no such book" (two bytes,
    "{}", of a record) or a cover refused as "HTTP 206"."""
    if status != 206:
        return None
    found = _WHOLE_RANGE.fullmatch(content_range.strip())
    if found and int(found.group(1)) + 1 == int(found.group(2)):
        return None
    shown = content_range.strip()[:100] or "none"
    return f"a part of the answer (Content-Range: {shown}) to a request for all of it"


def _unreadable_head(cause: BaseException) -> str | None:
    """What http.client could not read of an answer's head, or None. A connection closed before
    any answer (RemoteDisconnected, a BadStatusLine too) is the network's fault, not this."""
    if isinstance(cause, http.client.RemoteDisconnected):
        return None
    if isinstance(cause, http.client.LineTooLong):
        return "a status or header line over 64 KB"
    if isinstance(cause, http.client.UnknownProtocol):  # "HTTP/2 200" in an HTTP/1.1 answer
        version = str(getattr(cause, "version", "") or "")  # typeshed leaves it out
        return f"a status line of another HTTP version: {version.strip()[:40]!r}"
    if isinstance(cause, http.client.BadStatusLine):
        line = str(getattr(cause, "line", "") or "")  # typeshed leaves it out
        return f"no HTTP status line: {line.strip()[:40]!r}"
    if type(cause) is http.client.HTTPException and "more than 100 headers" in str(cause):
        return "over 100 header lines"
    return None


def _causes(error: BaseException) -> list[BaseException]:
    """`error` and what it wraps (requests wraps urllib3's error in its first argument)."""
    found: list[BaseException] = []
    todo: list[object] = [error]
    while todo and len(found) < 10:
        current = todo.pop(0)
        if isinstance(current, BaseException) and all(current is not f for f in found):
            found.append(current)
            todo += [*current.args, current.__cause__, current.__context__]
    return found


class CappedSession(requests.Session):
    """A session that reads no body of its own accord: every body goes through its caller's
    byte cap.

    requests reads a redirect answer's whole body before it follows it, and even without
    following it (to prepare `Response.next`): a server's endless redirect body was read into
    memory until the deadline, hundreds of megabytes, then reported as a timeout. Here a
    redirect's body is never read (its connection is closed instead: a kept-alive connection is
    lost, a rare cost) and `Response.next` is never prepared (nothing here uses it).

    Nor does it keep cookies: no provider or cover host needs one, and a session lives as long
    as its worker, so a host's cookies were kept and sent back with every later request to it,
    a host that set new ones with each answer making every request larger without end.
    """

    def __init__(self):
        super().__init__()
        self.cookies.set_policy(http.cookiejar.DefaultCookiePolicy(allowed_domains=[]))

    def resolve_redirects(self, resp, req, *args, yield_requests=False, **kwargs):
        if yield_requests:  # allow_redirects=False: only Response.next would come of it
            return iter(())
        return super().resolve_redirects(resp, req, *args, **kwargs)

    def get_redirect_target(self, resp):
        target = super().get_redirect_target(resp)
        if target is not None:
            resp.close()  # unread: requests would read all of it to reuse the connection
        return target
