"""fetch_cover_bytes: only allowed hosts, only vetted addresses, never more than the byte cap.

HTTP is served by `responses`; DNS answers come from a table the test writes
(socket.getaddrinfo is patched): no network. The socket-level and deadline tests are in
test_covers_fetch_sockets.py.
"""

import io

import pytest
import requests

from enrichment.covers import RejectionReason, fetch_cover_bytes
from enrichment.covers.hosts import is_public_address
from tests.enrichment.covers_fetch_support import (
    GOOGLE_COVER,
    JPEG,
    OL_COVER,
    PUBLIC_IP,
    rejection,
)
from tests.fixtures.covers import synthetic

pytestmark = pytest.mark.usefixtures("cover_settings")


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


def test_an_ipv6_address_outside_the_allowlist_is_named_as_a_url_writes_it(dns, http):
    refused = rejection("https://[2606:4700::1111]/cover.jpg")
    assert refused.message == "[2606:4700::1111]:443 is not a cover host"  # not "…::1111:443"


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
        "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR4nGNgYGBgAAAABQABpfZFQAAAAABJRU5ErkJggg==",
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


def test_a_redirect_to_plain_http_on_a_public_cover_host_is_asked_over_https(dns, http):
    """As a plain-http first URL is: a public host is asked over https only, never downgraded
    (it was refused as not_https, the cover lost)."""
    http.get(OL_COVER, status=302, headers={"Location": "http://archive.org/download/x.jpg"})
    http.get("https://archive.org/download/x.jpg", body=JPEG, content_type="image/jpeg")
    assert fetch_cover_bytes(OL_COVER) == JPEG
    assert [call.request.url for call in http.calls][-1] == "https://archive.org/download/x.jpg"


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


@pytest.mark.parametrize("location", ["file:///etc/passwd", "data:image/jpeg;base64,/9j/4AAQ"])
def test_a_redirect_to_a_file_or_data_url_is_refused(dns, http, location):
    http.get(OL_COVER, status=302, headers={"Location": location})
    refused = rejection(OL_COVER)
    assert refused.reason == RejectionReason.BAD_URL
    assert refused.message == f"not an http(s) URL: {location!r}"
    assert len(http.calls) == 1


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
