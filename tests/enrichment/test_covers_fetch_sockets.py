"""fetch_cover_bytes against a real HTTP(S) server on 127.0.0.1: which address is connected,
what the server received, and hosts that drip or stall, given up within connect + read
timeout. DNS answers come from a table the test writes: no network.
"""

import shutil
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest

from enrichment.covers import CoverRejected, RejectionReason, fetch_cover_bytes, hosts
from enrichment.covers.fetch import cover_session
from tests.enrichment.covers_fetch_support import (
    JPEG,
    rejection,
)

pytestmark = pytest.mark.usefixtures("cover_settings")


# --- The socket itself: a real server on 127.0.0.1 ----------------------------------------------


@pytest.fixture
def local_server():
    """An HTTP server on 127.0.0.1 serving `routes` {path: handler(request_handler)}."""
    seen: list[dict] = []
    peers: list[int] = []  # the client port of each request: a kept-alive connection repeats it
    routes: dict = {}
    finished = threading.Event()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            seen.append({"path": self.path, "host": self.headers["Host"]})
            peers.append(self.client_address[1])
            try:
                routes.get(self.path, _not_found)(self)
            finally:
                finished.set()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    yield SimpleNamespace(
        port=server.server_address[1],
        seen=seen,
        peers=peers,
        routes=routes,
        done=finished,
        handler_class=Handler,
    )
    server.shutdown()
    server.server_close()


def _not_found(handler):
    handler.send_error(404)


def _serve_jpeg(handler):
    handler.send_response(200)
    handler.send_header("Content-Type", "image/jpeg")
    handler.send_header("Content-Length", str(len(JPEG)))
    handler.end_headers()
    handler.wfile.write(JPEG)


def test_connects_to_the_vetted_address_and_keeps_the_host_name(dns, local_server, settings):
    port = local_server.port
    settings.COVER_ALLOWED_HOSTS = [f"covers.mirror.test:{port}"]
    answers = iter([["127.0.0.1"]])
    # A second lookup (DNS rebinding) would get an unroutable address and fail.
    dns.table["covers.mirror.test"] = lambda: next(answers, ["203.0.113.9"])
    local_server.routes["/b/id/1-L.jpg"] = _serve_jpeg
    assert fetch_cover_bytes(f"http://covers.mirror.test:{port}/b/id/1-L.jpg") == JPEG
    assert local_server.seen == [{"path": "/b/id/1-L.jpg", "host": f"covers.mirror.test:{port}"}]
    assert dns.lookups == ["covers.mirror.test"]


def test_an_operator_covers_url_on_loopback_is_fetched(dns, local_server, settings):
    settings.OPENLIBRARY_COVERS_URL = f"http://127.0.0.1:{local_server.port}"
    local_server.routes["/b/id/1-L.jpg"] = _serve_jpeg
    assert fetch_cover_bytes(f"{settings.OPENLIBRARY_COVERS_URL}/b/id/1-L.jpg") == JPEG


@pytest.mark.parametrize(
    ("allowed", "asked"),
    [
        ("bücher.mirror.test", "xn--bcher-kva.mirror.test"),
        ("xn--bcher-kva.mirror.test", "Bücher.mirror.test"),
    ],
    ids=["allowed-in-letters", "asked-in-letters"],
)
def test_a_host_in_other_letters_is_one_host_however_it_is_spelt(
    dns, local_server, settings, allowed, asked
):
    """An operator's mirror whose name has other letters than ASCII's: the allowlist and the
    URL may spell it either way (IDNA's xn-- or its letters). It was refused as "not a cover
    host" when they differed."""
    port = local_server.port
    settings.COVER_ALLOWED_HOSTS = [f"{allowed}:{port}"]
    dns.table["xn--bcher-kva.mirror.test"] = ["127.0.0.1"]
    local_server.routes["/b/id/1-L.jpg"] = _serve_jpeg
    assert fetch_cover_bytes(f"http://{asked}:{port}/b/id/1-L.jpg") == JPEG
    assert dns.lookups == ["xn--bcher-kva.mirror.test"]
    assert local_server.seen[0]["host"] == f"xn--bcher-kva.mirror.test:{port}"


def test_the_addresses_vetted_are_those_of_the_name_connected_to(dns, settings):
    # A provider's redirect to "faß.example" is vetted by its name as written; requests connects
    # to it as IDNA 2008 spells it (xn--fa-hia), where Python's resolver looked up another name
    # (IDNA 2003: "fass") and the connection was pinned to that one's addresses.
    dns.table["xn--fa-hia.example"] = ["93.184.216.34"]
    dns.table["fass.example"] = ["93.184.216.35"]
    assert hosts.vetted_addresses("faß.example", 443) == ("93.184.216.34",)
    assert dns.lookups == ["xn--fa-hia.example"]


def test_a_host_resolving_to_loopback_never_reaches_the_server(dns, local_server, settings):
    settings.COVER_ALLOWED_HOSTS = []
    dns.table["evil.example"] = ["127.0.0.1"]
    local_server.routes["/"] = _serve_jpeg
    assert (
        rejection(f"http://evil.example:{local_server.port}/").reason
        == RejectionReason.HOST_NOT_ALLOWED
    )
    dns.table["books.google.com"] = ["127.0.0.1"]
    assert rejection("https://books.google.com/").reason == RejectionReason.PRIVATE_ADDRESS
    assert local_server.seen == []


def test_the_session_vets_addresses_even_when_used_directly(dns, local_server):
    # Not through fetch_cover_bytes: the connection resolves and vets the name itself.
    dns.table["books.googleusercontent.com"] = ["127.0.0.1"]
    local_server.routes["/"] = _serve_jpeg
    with pytest.raises(CoverRejected) as caught:
        cover_session().get(f"http://books.googleusercontent.com:{local_server.port}/", timeout=2)
    assert caught.value.reason == RejectionReason.PRIVATE_ADDRESS
    assert local_server.seen == []


def test_a_50_mb_stream_from_a_server_is_abandoned_at_the_cap(dns, local_server, settings):
    settings.OPENLIBRARY_COVERS_URL = f"http://127.0.0.1:{local_server.port}"
    sent = []

    def endless(handler):  # no Content-Length: the body ends when the connection does
        handler.send_response(200)
        handler.send_header("Content-Type", "image/jpeg")
        handler.end_headers()
        chunk = bytes(64 * 1024)
        try:
            for _ in range(50 * 16):
                handler.wfile.write(chunk)
                sent.append(len(chunk))
        except OSError:
            pass

    local_server.routes["/big.jpg"] = endless
    started = time.perf_counter()
    refused = rejection(f"{settings.OPENLIBRARY_COVERS_URL}/big.jpg")
    assert refused.reason == RejectionReason.TOO_LARGE
    assert local_server.done.wait(5)
    assert sum(sent) < 30 * 1024 * 1024  # the cap plus socket buffers, far from 50 MB
    assert time.perf_counter() - started < 5


def test_a_redirect_whose_body_never_ends_is_followed_without_reading_it(
    dns, local_server, settings
):
    # requests read a redirect's whole body before returning it (to prepare the next request):
    # an endless one filled memory, hundreds of megabytes, and came out as a timeout.
    settings.OPENLIBRARY_COVERS_URL = f"http://127.0.0.1:{local_server.port}"
    settings.COVER_CONNECT_TIMEOUT, settings.COVER_READ_TIMEOUT = 1, 2
    sent = []

    def endless_redirect(handler):
        handler.send_response(302)
        handler.send_header("Location", "/b/id/1-L.jpg")
        handler.end_headers()
        try:
            for _ in range(50 * 16):  # 50 MB, no Content-Length: it ends when the socket does
                handler.wfile.write(bytes(64 * 1024))
                sent.append(64 * 1024)
        except OSError:
            pass

    local_server.routes["/moved.jpg"] = endless_redirect
    local_server.routes["/b/id/1-L.jpg"] = _serve_jpeg
    started = time.monotonic()
    assert fetch_cover_bytes(f"{settings.OPENLIBRARY_COVERS_URL}/moved.jpg") == JPEG
    assert time.monotonic() - started < 1
    assert sum(sent) < 30 * 1024 * 1024  # socket buffers at most, far from 50 MB


@pytest.mark.parametrize("location", ["http://[::1/b/id/1-L.jpg", "http://\xff\xfe\xc3/a.jpg"])
def test_a_redirect_to_no_url_is_refused(dns, local_server, settings, location):
    # It raised ValueError (or UnicodeDecodeError) out of the download: a crash, not a reason.
    settings.OPENLIBRARY_COVERS_URL = f"http://127.0.0.1:{local_server.port}"

    def redirect(handler):
        handler.send_response(302)
        handler.send_header("Location", location)
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    local_server.routes["/moved.jpg"] = redirect
    refused = rejection(f"{settings.OPENLIBRARY_COVERS_URL}/moved.jpg")
    assert refused.reason in (RejectionReason.BAD_URL, RejectionReason.HOST_NOT_ALLOWED)
    assert not refused.retryable


def test_a_server_that_does_not_answer_in_time_is_a_timeout(dns, local_server, settings):
    settings.OPENLIBRARY_COVERS_URL = f"http://127.0.0.1:{local_server.port}"
    settings.COVER_READ_TIMEOUT = 0.2
    release = threading.Event()
    local_server.routes["/slow.jpg"] = lambda handler: release.wait(2)
    try:
        refused = rejection(f"{settings.OPENLIBRARY_COVERS_URL}/slow.jpg")
    finally:
        release.set()
    assert (refused.reason, refused.retryable) == (RejectionReason.TIMEOUT, True)


# --- Hosts that drip: every download ends within connect + read timeout ------------------------

#: The tests' budget: COVER_CONNECT_TIMEOUT + COVER_READ_TIMEOUT, and what a give-up may add.
CONNECT_TIMEOUT, READ_TIMEOUT, SLACK = 0.3, 0.6, 0.5


@pytest.fixture
def dripping(dns, local_server, settings):
    """The local server as an operator's cover host, with small timeouts; `stop` ends every
    dripping handler at teardown."""
    settings.OPENLIBRARY_COVERS_URL = f"http://127.0.0.1:{local_server.port}"
    settings.COVER_CONNECT_TIMEOUT, settings.COVER_READ_TIMEOUT = CONNECT_TIMEOUT, READ_TIMEOUT
    stop = threading.Event()
    yield SimpleNamespace(server=local_server, url=settings.OPENLIBRARY_COVERS_URL, stop=stop)
    stop.set()


def drip(handler, data: bytes, every: float, stop: threading.Event) -> None:
    """Write `data` one byte every `every` seconds: each byte well inside the read timeout."""
    try:
        for byte in data:
            if stop.wait(every):
                return
            handler.wfile.write(bytes([byte]))
            handler.wfile.flush()
    except OSError:  # the client gave up
        pass


def jpeg_headers(handler, length: int | None = len(JPEG)) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", "image/jpeg")
    if length is not None:
        handler.send_header("Content-Length", str(length))
    handler.end_headers()
    handler.wfile.flush()


def timed_rejection(url: str) -> tuple[CoverRejected, float]:
    started = time.monotonic()
    refused = rejection(url)
    return refused, time.monotonic() - started


def assert_gave_up_in_time(refused: CoverRejected, seconds: float) -> None:
    assert (refused.reason, refused.retryable) == (RejectionReason.TIMEOUT, True), refused
    assert seconds < CONNECT_TIMEOUT + READ_TIMEOUT + SLACK, f"took {seconds:.2f} s"


@pytest.mark.parametrize("every", [0.1, 0.4])
def test_a_body_dripped_a_byte_at_a_time_is_given_up_at_the_deadline(dripping, every):
    # Each byte comes inside the read timeout, so no socket read ever times out: before the
    # deadline was enforced on the socket, this held a worker for hours.
    dripping.server.routes["/drip.jpg"] = lambda h: (
        jpeg_headers(h),
        drip(h, JPEG, every, dripping.stop),
    )
    refused, seconds = timed_rejection(f"{dripping.url}/drip.jpg")
    assert_gave_up_in_time(refused, seconds)
    assert f"gave up after {CONNECT_TIMEOUT + READ_TIMEOUT:g} s" in refused.message


def test_a_body_without_a_length_that_drips_forever_is_given_up(dripping):
    # No Content-Length: the cut-off socket looks like the end of the body. It must not be
    # taken for a short, complete image.
    dripping.server.routes["/forever.jpg"] = lambda h: (
        jpeg_headers(h, length=None),
        drip(h, JPEG * 1000, 0.05, dripping.stop),
    )
    refused, seconds = timed_rejection(f"{dripping.url}/forever.jpg")
    assert_gave_up_in_time(refused, seconds)


def test_headers_then_silence_is_a_timeout(dripping):
    dripping.server.routes["/stall.jpg"] = lambda h: (jpeg_headers(h), dripping.stop.wait(10))
    refused, seconds = timed_rejection(f"{dripping.url}/stall.jpg")
    assert_gave_up_in_time(refused, seconds)


def test_dripped_headers_are_given_up_at_the_deadline(dripping):
    status_and_headers = b"HTTP/1.1 200 OK\r\nContent-Type: image/jpeg\r\n" + b"X-Pad: y\r\n" * 50
    dripping.server.routes["/slow-headers.jpg"] = lambda h: drip(
        h, status_and_headers, 0.1, dripping.stop
    )
    refused, seconds = timed_rejection(f"{dripping.url}/slow-headers.jpg")
    assert_gave_up_in_time(refused, seconds)


def test_the_deadline_covers_every_redirect_together(dripping):
    # Each hop answers inside the read timeout; three of them together do not fit the deadline.
    def slow_redirect(handler):
        if dripping.stop.wait(0.4):
            return
        hop = int(handler.path.rsplit("/", 1)[1])
        handler.send_response(302)
        handler.send_header("Location", f"/hop/{hop + 1}")
        handler.send_header("Content-Length", "0")
        handler.end_headers()

    for hop in range(4):
        dripping.server.routes[f"/hop/{hop}"] = slow_redirect
    refused, seconds = timed_rejection(f"{dripping.url}/hop/0")
    assert_gave_up_in_time(refused, seconds)
    assert len(dripping.server.seen) <= 3


def test_a_dns_answer_that_never_comes_counts_against_the_deadline(dripping, dns, settings):
    settings.COVER_ALLOWED_HOSTS = ["covers.slow-dns.test"]
    dns.table["covers.slow-dns.test"] = lambda: (dripping.stop.wait(3), ["127.0.0.1"])[1]
    refused, seconds = timed_rejection("http://covers.slow-dns.test/a.jpg")
    assert_gave_up_in_time(refused, seconds)


def test_an_earlier_deadline_given_by_the_caller_wins(dripping):
    dripping.server.routes["/drip.jpg"] = lambda h: (
        jpeg_headers(h),
        drip(h, JPEG, 0.1, dripping.stop),
    )
    started = time.monotonic()
    with pytest.raises(CoverRejected) as caught:
        fetch_cover_bytes(f"{dripping.url}/drip.jpg", deadline=started + 0.3)
    assert caught.value.reason == RejectionReason.TIMEOUT
    assert time.monotonic() - started < 0.3 + SLACK


def test_a_deadline_already_past_sends_nothing(dripping):
    dripping.server.routes["/a.jpg"] = _serve_jpeg
    with pytest.raises(CoverRejected) as caught:
        fetch_cover_bytes(f"{dripping.url}/a.jpg", deadline=time.monotonic() - 1)
    assert caught.value.reason == RejectionReason.TIMEOUT
    assert dripping.server.seen == []


def test_a_fast_cover_is_unaffected_and_a_kept_alive_connection_is_watched_again(dripping):
    # The second download reuses the first one's connection: its deadline must still hold.
    served = {"count": 0}

    def fast_then_drip(handler):
        served["count"] += 1
        if served["count"] == 1:
            _serve_jpeg(handler)
        else:
            jpeg_headers(handler)
            drip(handler, JPEG, 0.1, dripping.stop)

    dripping.server.routes["/a.jpg"] = fast_then_drip
    dripping.server.handler_class.protocol_version = "HTTP/1.1"  # keep-alive
    assert fetch_cover_bytes(f"{dripping.url}/a.jpg") == JPEG
    refused, seconds = timed_rejection(f"{dripping.url}/a.jpg")
    assert_gave_up_in_time(refused, seconds)
    assert len(set(dripping.server.peers)) == 1  # one connection, kept alive


@pytest.fixture
def tls_server(tmp_path):
    """An HTTPS server on 127.0.0.1 whose self-signed certificate names covers.mirror.test."""
    if not shutil.which("openssl"):
        pytest.skip("openssl is needed to make a test certificate")
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    name = "covers.mirror.test"
    command = "openssl req -x509 -nodes -days 2 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1"
    names = ["-subj", f"/CN={name}", "-addext", f"subjectAltName=DNS:{name}"]
    subprocess.run(
        [*command.split(), "-keyout", key, "-out", cert, *names],
        check=True,
        capture_output=True,
    )

    routes: dict = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            routes.get(self.path, _serve_jpeg)(self)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    server.socket = context.wrap_socket(server.socket, server_side=True)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    yield SimpleNamespace(port=server.server_address[1], cert=str(cert), routes=routes)
    server.shutdown()
    server.server_close()


def test_tls_is_checked_against_the_host_name_not_the_vetted_address(
    dns, tls_server, settings, monkeypatch
):
    port = tls_server.port
    settings.COVER_ALLOWED_HOSTS = [f"covers.mirror.test:{port}", f"other.mirror.test:{port}"]
    dns.table["covers.mirror.test"] = dns.table["other.mirror.test"] = ["127.0.0.1"]
    monkeypatch.setattr(cover_session(), "verify", tls_server.cert)  # trust the test certificate
    assert fetch_cover_bytes(f"https://covers.mirror.test:{port}/cover.jpg") == JPEG
    # Same address, but the certificate does not name this host: refused.
    refused = rejection(f"https://other.mirror.test:{port}/cover.jpg")
    assert refused.reason == RejectionReason.CONNECTION_ERROR
    assert "certificate" in refused.message.lower(), refused.message


def test_a_body_dripped_over_tls_is_given_up_at_the_deadline(
    dns, tls_server, settings, monkeypatch
):
    port = tls_server.port
    settings.COVER_ALLOWED_HOSTS = [f"covers.mirror.test:{port}"]
    settings.COVER_CONNECT_TIMEOUT, settings.COVER_READ_TIMEOUT = CONNECT_TIMEOUT, READ_TIMEOUT
    dns.table["covers.mirror.test"] = ["127.0.0.1"]
    monkeypatch.setattr(cover_session(), "verify", tls_server.cert)
    stop = threading.Event()
    tls_server.routes["/drip.jpg"] = lambda h: (jpeg_headers(h), drip(h, JPEG, 0.1, stop))
    try:
        refused, seconds = timed_rejection(f"https://covers.mirror.test:{port}/drip.jpg")
    finally:
        stop.set()
    assert_gave_up_in_time(refused, seconds)
