"""fetch_cover_bytes: only allowed hosts, only vetted addresses, never more than the byte cap.

HTTP is served by `responses` or, where the socket itself matters (which address is connected,
what the server received), by a real HTTP server on 127.0.0.1. DNS answers come from a table
the test writes (socket.getaddrinfo is patched): no network.
"""

import io
import ipaddress
import shutil
import socket
import ssl
import subprocess
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import SimpleNamespace

import pytest
import requests
import responses

from enrichment.covers import CoverRejected, RejectionReason, fetch_cover_bytes
from enrichment.covers.fetch import cover_session
from enrichment.covers.hosts import is_public_address
from tests.fixtures.covers import synthetic

PUBLIC_IP = "93.184.216.34"
JPEG = synthetic.read("synthetic-cover-400x600.jpg")
OL_COVER = "https://covers.openlibrary.org/b/id/240727-L.jpg"
GOOGLE_COVER = "https://books.google.com/books/content?id=49T5twEACAAJ&printsec=frontcover&img=1"


@pytest.fixture(autouse=True)
def cover_settings(settings):
    settings.OPENLIBRARY_COVERS_URL = "https://covers.openlibrary.org"
    settings.OPENLIBRARY_URL = "https://openlibrary.org"
    settings.ARCHIVE_ORG_URL = "https://archive.org"
    settings.GOOGLE_BOOKS_URL = "https://www.googleapis.com/books/v1"
    settings.ISBNDB_URL = "https://api2.isbndb.com"
    settings.COVER_ALLOWED_HOSTS = []
    settings.COVER_MAX_BYTES = 10 * 1024 * 1024
    settings.ENRICHMENT_CONTACT_EMAIL = ""
    return settings


@pytest.fixture
def dns(monkeypatch):
    """The test's DNS: a name resolves only to the addresses (or a callable's) in `table`."""
    table: dict[str, object] = {
        "covers.openlibrary.org": [PUBLIC_IP],
        "archive.org": [PUBLIC_IP],
        "ia800100.us.archive.org": [PUBLIC_IP],
        "books.google.com": [PUBLIC_IP],
        "images.isbndb.com": [PUBLIC_IP],
    }
    lookups: list[str] = []
    real_getaddrinfo = socket.getaddrinfo

    def getaddrinfo(host, port, family=0, type=0, proto=0, flags=0):
        if _is_ip(host):  # a literal needs no DNS (urllib3 passes the vetted address here)
            return real_getaddrinfo(host, port, family, type, proto, flags)
        lookups.append(host)
        answer = table.get(host)
        if answer is None:
            raise socket.gaierror(socket.EAI_NONAME, f"{host} is not in the test's DNS table")
        addresses = answer() if callable(answer) else answer
        return [
            (
                socket.AF_INET6 if ":" in ip else socket.AF_INET,
                socket.SOCK_STREAM,
                6,
                "",
                (ip, port),
            )
            for ip in addresses
        ]

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    return SimpleNamespace(table=table, lookups=lookups)


@pytest.fixture
def http():
    with responses.RequestsMock(assert_all_requests_are_fired=False) as mocked:
        yield mocked


def rejection(url: str, **kwargs) -> CoverRejected:
    with pytest.raises(CoverRejected) as caught:
        fetch_cover_bytes(url, **kwargs)
    return caught.value


def _is_ip(text: str) -> bool:
    try:
        ipaddress.ip_address(text.split("%", 1)[0])
    except ValueError:
        return False
    return True


# --- Allowed hosts ----------------------------------------------------------------------------


def test_fetches_a_cover_from_a_provider_host(dns, http, settings):
    settings.ENRICHMENT_CONTACT_EMAIL = "librarian@example.org"
    http.get(OL_COVER, body=JPEG, content_type="image/jpeg")
    assert fetch_cover_bytes(OL_COVER) == JPEG
    sent = http.calls[0].request.headers
    assert sent["User-Agent"] == "bookstore (+mailto:librarian@example.org)"
    assert sent["Accept-Encoding"] == "identity"


@pytest.mark.parametrize(
    "url",
    [
        "https://evil.example/cover.jpg",
        "https://covers.openlibrary.org.evil.example/b/id/1-L.jpg",
        "https://openlibrary.org.evil.example/cover.jpg",
        "https://covers.openlibrary.org:8443/b/id/1-L.jpg",  # right host, other port
    ],
)
def test_a_host_outside_the_allowlist_is_refused_before_any_lookup(dns, http, url):
    assert rejection(url).reason == RejectionReason.HOST_NOT_ALLOWED
    assert dns.lookups == [] and len(http.calls) == 0


def test_cover_allowed_hosts_extends_the_allowlist(dns, http, settings):
    settings.COVER_ALLOWED_HOSTS = ["covers.example.org"]
    dns.table["covers.example.org"] = [PUBLIC_IP]
    http.get("https://covers.example.org/a.jpg", body=JPEG, content_type="image/jpeg")
    assert fetch_cover_bytes("https://covers.example.org/a.jpg") == JPEG


def test_a_public_http_url_is_fetched_over_https(dns, http):
    # Google Books hands out http:// thumbnail links.
    url = GOOGLE_COVER.replace("https://", "http://")
    http.get(url.replace("http://", "https://"), body=JPEG, content_type="image/jpeg")
    assert fetch_cover_bytes(url) == JPEG
    assert http.calls[0].request.url.startswith("https://books.google.com/")


@pytest.mark.parametrize(
    "url",
    [
        "ftp://covers.openlibrary.org/b/id/1-L.jpg",
        "file:///etc/passwd",
        "https://user:secret@covers.openlibrary.org/b/id/1-L.jpg",
        "not a url",
        "https://covers.openlibrary.org:99999/b/id/1-L.jpg",
    ],
)
def test_malformed_urls_are_refused(dns, http, url):
    assert rejection(url).reason == RejectionReason.BAD_URL
    assert len(http.calls) == 0


# --- Addresses ----------------------------------------------------------------------------------


def test_an_allowed_name_resolving_to_loopback_is_refused(dns, http):
    dns.table["books.google.com"] = ["127.0.0.1"]
    http.get(GOOGLE_COVER, body=JPEG, content_type="image/jpeg")
    assert rejection(GOOGLE_COVER).reason == RejectionReason.PRIVATE_ADDRESS
    assert len(http.calls) == 0


def test_one_private_record_among_public_ones_is_enough_to_refuse(dns, http):
    dns.table["books.google.com"] = [PUBLIC_IP, "10.0.0.7"]
    assert rejection(GOOGLE_COVER).reason == RejectionReason.PRIVATE_ADDRESS


def test_default_provider_hosts_must_resolve_to_public_addresses(dns, http):
    # covers.openlibrary.org is the built-in default, not an operator's choice.
    dns.table["covers.openlibrary.org"] = ["10.0.0.7"]
    http.get(OL_COVER, body=JPEG, content_type="image/jpeg")
    assert rejection(OL_COVER).reason == RejectionReason.PRIVATE_ADDRESS
    assert len(http.calls) == 0


def test_a_provider_url_the_operator_changed_may_resolve_anywhere(dns, http, settings):
    settings.OPENLIBRARY_COVERS_URL = "https://covers.mirror.example"
    dns.table["covers.mirror.example"] = ["10.0.0.7"]
    url = "https://covers.mirror.example/b/id/1-L.jpg"
    http.get(url, body=JPEG, content_type="image/jpeg")
    assert fetch_cover_bytes(url) == JPEG


def test_a_name_that_does_not_resolve_is_a_retryable_dns_error(dns, http):
    del dns.table["covers.openlibrary.org"]
    refused = rejection(OL_COVER)
    assert refused.reason == RejectionReason.DNS_ERROR and refused.retryable


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.1.2.3",
        "172.16.5.4",
        "192.168.1.1",
        "169.254.169.254",  # cloud metadata
        "100.64.0.1",  # carrier-grade NAT
        "0.0.0.0",
        "224.0.0.251",
        "255.255.255.255",
        "192.0.2.10",  # documentation
        "::1",
        "::",
        "fe80::1",
        "fc00::1",
        "ff02::1",
        "::ffff:127.0.0.1",  # IPv4-mapped loopback
        "::ffff:169.254.169.254",
        "2002:a9fe:a9fe::1",  # 6to4 around 169.254.169.254
        "64:ff9b::a9fe:a9fe",  # NAT64 around 169.254.169.254
    ],
)
def test_non_public_addresses_are_not_public(address):
    assert not is_public_address(address)


@pytest.mark.parametrize("address", [PUBLIC_IP, "8.8.8.8", "2606:4700:4700::1111"])
def test_public_addresses_are_public(address):
    assert is_public_address(address)


def test_a_literal_private_address_is_refused(dns, http):
    assert rejection("https://127.0.0.1/cover.jpg").reason == RejectionReason.PRIVATE_ADDRESS


def test_an_operator_host_may_resolve_to_a_private_address_over_http(dns, http, settings):
    settings.COVER_ALLOWED_HOSTS = ["covers.mirror.internal"]
    dns.table["covers.mirror.internal"] = ["10.0.0.5"]
    http.get("http://covers.mirror.internal/b/id/1-L.jpg", body=JPEG, content_type="image/jpeg")
    assert fetch_cover_bytes("http://covers.mirror.internal/b/id/1-L.jpg") == JPEG


def test_an_operator_covers_url_on_loopback_is_allowed_on_its_port_only(dns, http, settings):
    settings.OPENLIBRARY_COVERS_URL = "http://127.0.0.1:8765"
    http.get("http://127.0.0.1:8765/b/id/1-L.jpg", body=JPEG, content_type="image/jpeg")
    assert fetch_cover_bytes("http://127.0.0.1:8765/b/id/1-L.jpg") == JPEG
    assert rejection("http://127.0.0.1:22/").reason == RejectionReason.PRIVATE_ADDRESS


def test_plain_http_to_a_public_cover_host_is_refused_on_a_redirect(dns, http):
    http.get(OL_COVER, status=302, headers={"Location": "http://archive.org/download/x.jpg"})
    assert rejection(OL_COVER).reason == RejectionReason.NOT_HTTPS


# --- Redirects ----------------------------------------------------------------------------------


def test_follows_open_librarys_redirects_to_archive_org(dns, http):
    download = "https://archive.org/download/l_covers_0024/l_covers_0024_07.zip/0024072-L.jpg"
    node = "https://ia800100.us.archive.org/view_archive.php?archive=/l_covers_0024.zip"
    http.get(OL_COVER, status=302, headers={"Location": download})
    http.get(download, status=302, headers={"Location": node})
    http.get(node, body=JPEG, content_type="image/jpeg")
    assert fetch_cover_bytes(OL_COVER) == JPEG


def test_a_relative_redirect_is_resolved_against_the_url(dns, http):
    http.get(OL_COVER, status=301, headers={"Location": "/b/id/240727-M.jpg"})
    http.get(
        "https://covers.openlibrary.org/b/id/240727-M.jpg", body=JPEG, content_type="image/jpeg"
    )
    assert fetch_cover_bytes(OL_COVER) == JPEG


def test_a_redirect_to_the_cloud_metadata_address_is_refused(dns, http):
    metadata = "http://169.254.169.254/latest/meta-data/iam/security-credentials/"
    http.get(OL_COVER, status=302, headers={"Location": metadata})
    http.get(metadata, body="secret", content_type="image/jpeg")
    assert rejection(OL_COVER).reason == RejectionReason.PRIVATE_ADDRESS
    assert [call.request.url for call in http.calls] == [OL_COVER]


def test_a_redirect_to_an_allowed_name_that_resolves_to_metadata_is_refused(dns, http):
    dns.table["ia800100.us.archive.org"] = ["169.254.169.254"]
    node = "https://ia800100.us.archive.org/cover.jpg"
    http.get(OL_COVER, status=302, headers={"Location": node})
    http.get(node, body=JPEG, content_type="image/jpeg")
    assert rejection(OL_COVER).reason == RejectionReason.PRIVATE_ADDRESS
    assert [call.request.url for call in http.calls] == [OL_COVER]


def test_a_redirect_outside_the_allowlist_is_refused(dns, http):
    http.get(OL_COVER, status=302, headers={"Location": "https://evil.example/x.jpg"})
    assert rejection(OL_COVER).reason == RejectionReason.HOST_NOT_ALLOWED


def test_more_than_three_redirects_are_refused(dns, http):
    for hop in range(5):
        http.get(
            f"https://covers.openlibrary.org/hop/{hop}",
            status=302,
            headers={"Location": f"/hop/{hop + 1}"},
        )
    refused = rejection("https://covers.openlibrary.org/hop/0")
    assert refused.reason == RejectionReason.TOO_MANY_REDIRECTS
    assert len(http.calls) == 4


# --- Answers ------------------------------------------------------------------------------------


class CountingZeros(io.RawIOBase):
    """A lazily produced body of `size` bytes that counts how much was read from it."""

    def __init__(self, size: int):
        self.size, self.served = size, 0

    def readable(self):
        return True

    def readinto(self, buffer):
        count = min(len(buffer), self.size - self.served)
        buffer[:count] = bytes(count)
        self.served += count
        return count


def test_a_50_mb_body_is_cut_off_at_the_cap(dns, http):
    body = CountingZeros(50 * 1024 * 1024)
    http.get(OL_COVER, body=io.BufferedReader(body), content_type="image/jpeg")
    assert rejection(OL_COVER).reason == RejectionReason.TOO_LARGE
    assert body.served < 11 * 1024 * 1024  # stopped just past 10 MB, not 50


def test_a_declared_length_over_the_cap_is_refused_before_reading(dns, http):
    body = CountingZeros(50 * 1024 * 1024)
    http.get(
        OL_COVER,
        body=io.BufferedReader(body),
        content_type="image/jpeg",
        headers={"Content-Length": str(50 * 1024 * 1024)},
    )
    assert rejection(OL_COVER).reason == RejectionReason.TOO_LARGE
    assert body.served == 0


def test_max_bytes_overrides_the_setting(dns, http):
    http.get(OL_COVER, body=JPEG, content_type="image/jpeg")
    assert rejection(OL_COVER, max_bytes=1000).reason == RejectionReason.TOO_LARGE


@pytest.mark.parametrize(
    ("status", "reason", "retryable"),
    [
        (404, RejectionReason.NOT_FOUND, False),
        (410, RejectionReason.NOT_FOUND, False),
        (403, RejectionReason.HTTP_STATUS, False),
        (429, RejectionReason.HTTP_STATUS, True),
        (503, RejectionReason.HTTP_STATUS, True),
    ],
)
def test_a_non_200_answer_is_refused(dns, http, status, reason, retryable):
    http.get(OL_COVER, status=status, body=b"", content_type="image/jpeg")
    refused = rejection(OL_COVER)
    assert (refused.reason, refused.retryable) == (reason, retryable)


def test_an_empty_body_is_refused(dns, http):
    http.get(OL_COVER, body=b"", content_type="image/jpeg")
    assert rejection(OL_COVER).reason == RejectionReason.EMPTY


def test_an_html_error_page_is_refused_by_its_content_type(dns, http):
    http.get(OL_COVER, body=synthetic.read("synthetic-html-page.html"), content_type="text/html")
    assert rejection(OL_COVER).reason == RejectionReason.NOT_AN_IMAGE


def test_an_svg_is_refused_by_its_content_type(dns, http):
    http.get(OL_COVER, body=synthetic.read("synthetic-cover.svg"), content_type="image/svg+xml")
    assert rejection(OL_COVER).reason == RejectionReason.FORMAT_NOT_ALLOWED


@pytest.mark.parametrize(
    ("error", "reason"),
    [
        (requests.exceptions.ConnectTimeout("slow"), RejectionReason.TIMEOUT),
        (requests.exceptions.ReadTimeout("slow"), RejectionReason.TIMEOUT),
        (requests.exceptions.ConnectionError("reset"), RejectionReason.CONNECTION_ERROR),
    ],
)
def test_network_failures_are_retryable_rejections(dns, http, error, reason):
    http.get(OL_COVER, body=error)
    refused = rejection(OL_COVER)
    assert (refused.reason, refused.retryable) == (reason, True)


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
